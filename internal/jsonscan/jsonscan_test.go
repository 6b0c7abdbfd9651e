package jsonscan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// check fails unless DecodeObject, where it does not give up, gives what
// encoding/json gives.
func check(t *testing.T, data []byte) bool {
	t.Helper()
	got, ok := DecodeObject(data)
	if !ok {
		return false
	}
	want, err := Unmarshal(data)
	if err != nil {
		t.Fatalf("took %q, which encoding/json refuses: %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: got %#v, encoding/json %#v", data, got, want)
	}
	return true
}

func TestDecodeObject(t *testing.T) {
	for _, c := range []struct {
		in   string
		took bool
	}{
		{`{}`, true},
		{` {"a" : [1, -0.5, 2e3, true, false, null, "x", {"b": []}]} `, true},
		{`{"a":"\u00e9\ud83d\ude00\n\t\"\\\/ é"}`, true},
		{`{"a":1,"a":2}`, false},       // a key twice: encoding/json keeps the last without a word
		{`{"a":{"b":1,"b":2}}`, false}, // at any depth
		{`{"a":1e400}`, false},         // out of range
		{`{"a":"\ud800"}`, false},      // a lone surrogate: encoding/json writes U+FFFD
		{"{\"a\":\"\xff\"}", false},    // invalid UTF-8: the same
		{`{"a":01}`, false},            // not JSON
		{`{"a":1,}`, false},            // not JSON
		{`{"a":1} {}`, false},          // two values
		{`[1]`, false},                 // not an object
		{`null`, false},                // not an object
		{`{"a":"\u0000x"}`, true},      // an escaped NUL is text like any other
		{`{"a":-}`, false},             // not a number
		{"{\"a\":\"x\ny\"}", false},    // a raw line break in text
		{`{"id":12345678901234567,"n":[-12345678901234567,123456789012345,1.5e20]}`, true}, // integers of 16 digits and more keep their text
	} {
		if got := check(t, []byte(c.in)); got != c.took {
			t.Errorf("%s: took %v, want %v", c.in, got, c.took)
		}
	}
}

// Integers of more than 15 digits keep their text, which a float64 would
// not hold: two ids one apart stay two; a number of 15 digits, a fraction
// or an exponent is a float64, as encoding/json gives it.
func TestExactIntegers(t *testing.T) {
	got, ok := DecodeObject([]byte(`{"a":12345678901234567,"b":12345678901234568,"c":123456789012345,"d":1234567890123456.5,"e":-99999999999999999}`))
	if !ok {
		t.Fatal("gave up")
	}
	want := map[string]any{"a": json.Number("12345678901234567"), "b": json.Number("12345678901234568"), "c": 123456789012345.0, "d": 1234567890123456.5, "e": json.Number("-99999999999999999")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	for lit, id := range map[string]string{"12345678901234567": "12345678901234567", "1.0": "1", "1e3": "1000", "42": "42", "-12345678901234567": "-12345678901234567"} {
		f, _ := json.Number(lit).Float64()
		if got := IDText(lit, f); got != id {
			t.Errorf("IDText(%s) = %s, want %s", lit, got, id)
		}
	}
}

func TestRawText(t *testing.T) {
	for in, want := range map[string]string{`"plain"`: "plain", `""`: "", `"a\nb"`: "a\nb", `"é\u00e9"`: "éé"} {
		d := NewDecoder([]byte(in))
		got, ok := d.RawText()
		if !ok || got != want || !d.End() {
			t.Errorf("%s: got %q, %v, at end %v", in, got, ok, d.End())
		}
	}
}

// FuzzDecodeObject checks DecodeObject against encoding/json on any input.
func FuzzDecodeObject(f *testing.F) {
	f.Add([]byte(`{"id":"L1","n":[1,2.5,-3e-2],"o":{"p":null,"q":"\u00e9"}}`))
	f.Add([]byte("{\"a\":\"\xff\\ud800\"}"))
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data) })
}

// DecodeObjectSized gives what encoding/json gives whatever room its map
// starts with, for objects of fewer and more keys than that room, and
// refuses a key given twice past it as within it.
func TestDecodeObjectSized(t *testing.T) {
	for _, size := range []int{0, 8, 16} {
		for keys := 0; keys <= 20; keys++ {
			data := []byte("{")
			for k := 0; k < keys; k++ {
				if k > 0 {
					data = append(data, ',')
				}
				data = append(data, fmt.Sprintf(`"k%d":{"n":%d}`, k, k)...)
			}
			got, ok := DecodeObjectSized(append(data, '}'), size)
			var want map[string]any
			if err := json.Unmarshal(append(data, '}'), &want); err != nil {
				t.Fatal(err)
			}
			if !ok || !reflect.DeepEqual(got, want) {
				t.Fatalf("room %d, %d keys: got %v, %v; encoding/json %v", size, keys, got, ok, want)
			}
			if keys > 0 {
				dup := append(append(data, `,"k0":1`...), '}')
				if _, ok := DecodeObjectSized(dup, size); ok {
					t.Fatalf("room %d, %d keys: took k0 twice", size, keys)
				}
			}
		}
	}
}
