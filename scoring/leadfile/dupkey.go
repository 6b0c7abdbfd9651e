package leadfile

import (
	"bytes"
	"encoding/json"
)

// duplicateKey finds the first key that appears twice in one object of a
// JSON text that is already known to be valid, and the byte offset of its
// second appearance. encoding/json keeps the last of two equal keys without
// a word; a lead with {"employees": 10, "employees": 5000} must not be
// scored as either. One pass over the bytes, with the keys of each open
// object on a stack.
func duplicateKey(data []byte) (key string, offset int, found bool) {
	type object struct{ keys [][]byte }
	var stack []*object
	var inArray []bool // per open bracket: true for [, false for {
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{':
			stack = append(stack, &object{})
			inArray = append(inArray, false)
			expectKey = true
		case '[':
			inArray = append(inArray, true)
			expectKey = false
		case '}':
			stack = stack[:len(stack)-1]
			inArray = inArray[:len(inArray)-1]
			expectKey = false
		case ']':
			inArray = inArray[:len(inArray)-1]
			expectKey = false
		case ',':
			expectKey = len(inArray) > 0 && !inArray[len(inArray)-1]
		case '"':
			end := stringEnd(data, i)
			if expectKey {
				k := data[i : end+1]
				top := stack[len(stack)-1]
				for _, seen := range top.keys {
					if sameKey(seen, k) {
						return unquote(k), i, true
					}
				}
				top.keys = append(top.keys, k)
				expectKey = false
			}
			i = end
		}
	}
	return "", 0, false
}

// stringEnd returns the index of the quote that closes the string opening
// at data[i].
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(data) - 1
}

// sameKey compares two quoted keys as the strings they spell ("a" and
// "\u0061" are the same key).
func sameKey(a, b []byte) bool {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.Equal(a, b)
	}
	return unquote(a) == unquote(b)
}

func unquote(q []byte) string {
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return string(q)
	}
	return s
}
