package jsonw

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// encodingJSON is what encoding/json writes of v, escaping HTML or not.
func encodingJSON(t testing.TB, v any, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func TestStringsAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	var all []byte
	for c := range 0x80 {
		all = append(all, byte(c))
	}
	for _, s := range []string{"", "plain", "a\"b\\c", "\b\f\n\r\t\x00\x1f\x7f", "<a & b>", "\u2028\u2029", "\xff\xfe", "é漢字🙂", "a\xc3", string(all)} {
		for _, html := range []bool{false, true} {
			if got, want := string(AppendString(nil, s, html)), encodingJSON(t, s, html); got != want {
				t.Errorf("%q (html %v): wrote %s, encoding/json writes %s", s, html, got, want)
			}
		}
	}
}

func FuzzStringsAreWrittenAsEncodingJSONWritesThem(f *testing.F) {
	f.Add("a<b>\b\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{false, true} {
			if got, want := string(AppendString(nil, s, html)), encodingJSON(t, s, html); got != want {
				t.Fatalf("%q (html %v): wrote %s, encoding/json writes %s", s, html, got, want)
			}
		}
	})
}

func TestNumbersAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 12.5, 0.1, 1e-6, 9.99999e-7, 1e-7, -1e-7, 1e20, 1e21, -1e21, math.MaxFloat64, 5e-324}
	for e := -320; e <= 308; e += 7 {
		values = append(values, math.Pow(10, float64(e)), -3.25*math.Pow(10, float64(e)))
	}
	for _, v := range values {
		if got, want := string(AppendFloat(nil, v)), encodingJSON(t, v, false); got != want {
			t.Errorf("%v: wrote %s, encoding/json writes %s", v, got, want)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := string(AppendFloat(nil, v)); got != "null" {
			t.Errorf("%v: wrote %s, want null", v, got)
		}
	}
}

func TestStringListsAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	for _, ss := range [][]string{nil, {}, {"a"}, {"a<", "b\n"}} {
		if got, want := string(AppendStrings(nil, ss, false)), encodingJSON(t, ss, false); got != want {
			t.Errorf("%q: wrote %s, encoding/json writes %s", ss, got, want)
		}
	}
}
