package attribution

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// checkJSON checks one line of JSON before it is decoded, for what
// encoding/json lets through or words poorly: the line must hold one
// object; no object may give a key twice (which value would count?); every
// number must fit a float64.
func checkJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type level struct {
		object  bool
		wantKey bool
		keys    map[string]bool
		key     string
		index   int
	}
	var stack []*level
	where := func() string {
		var b strings.Builder
		for _, l := range stack {
			switch {
			case l.object && l.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			case !l.object:
				fmt.Fprintf(&b, "[%d]", l.index)
			}
		}
		if b.Len() == 0 {
			return "the line"
		}
		return b.String()
	}
	done := false // the top-level value is complete
	valueEnds := func() {
		if len(stack) == 0 {
			done = true
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.wantKey, top.key = true, ""
		} else {
			top.index++
		}
	}
	for first := true; ; first = false {
		tok, err := dec.Token()
		if err == io.EOF {
			if first {
				return errors.New("want a JSON object, such as {\"id\":\"L1\",\"touches\":[]}")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if done {
			return errors.New("more than one JSON value on the line; put each journey on its own line")
		}
		if first {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return fmt.Errorf("want a JSON object, such as {\"id\":\"L1\",\"touches\":[]}, got %s", jsonTokenKind(tok))
			}
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			top := stack[n-1]
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				valueEnds()
				continue
			}
			key, _ := tok.(string) // the decoder allows only strings here
			if top.keys[key] {
				top.key = key
				return fmt.Errorf("%s: the key %q appears twice in one object; keep one", where(), key)
			}
			top.keys[key] = true
			top.key, top.wantKey = key, false
			continue
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &level{object: true, wantKey: true, keys: map[string]bool{}})
			case '[':
				stack = append(stack, &level{})
			default: // ']': '}' is handled with the keys
				stack = stack[:len(stack)-1]
				valueEnds()
			}
		case json.Number:
			if _, err := strconv.ParseFloat(string(v), 64); err != nil {
				return fmt.Errorf("%s: the number %s is out of range; an amount is a number from 0 to 1e15", where(), v)
			}
			valueEnds()
		default:
			valueEnds()
		}
	}
}

func jsonTokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "a list"
		}
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// jsonKind names what a Go type wants, for type errors.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return k.String()
}
