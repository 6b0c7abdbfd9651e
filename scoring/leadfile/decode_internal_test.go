package leadfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/jsonscan"
	"github.com/leadscore/leadscore/internal/leadgen"
)

// jsonscan.DecodeObject agrees with encoding/json wherever it does not give up.
func checkDecodeObject(t *testing.T, data []byte) bool {
	t.Helper()
	fast, ok := jsonscan.DecodeObject(data)
	if !ok {
		return false
	}
	var want map[string]any
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("decodeObject took %q, encoding/json refuses it: %v", data, err)
	}
	if key, _, dup := duplicateKey(data); dup {
		t.Fatalf("decodeObject took %q, which gives %q twice", data, key)
	}
	if !reflect.DeepEqual(fast, want) {
		t.Fatalf("%q: decodeObject gives %#v, encoding/json %#v", data, fast, want)
	}
	return true
}

// DecodeJSON, with decodeObject, gives what encoding/json alone gives:
// the same lead, or the same error, row by row.
func checkDecodeJSON(t *testing.T, data []byte) {
	t.Helper()
	got, gotErr := DecodeJSON(data)
	want, wantErr := decodeJSONPlain(bytes.TrimPrefix(data, bom))
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%q: errors differ: %v, plain %v", data, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: leads differ:\n%#v\nplain %#v", data, got, want)
	}
}

func TestDecodeObjectAgreesWithEncodingJSON(t *testing.T) {
	var lines [][]byte
	for _, name := range []string{"leads.ndjson", "bad-leads.ndjson", "journeys.ndjson"} {
		f, err := os.Open("../../testdata/" + name)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		f.Close()
	}
	var gen bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&gen, leadgen.New(3), 3000))
	lines = append(lines, bytes.Split(gen.Bytes(), []byte("\n"))...)
	for _, s := range []string{
		`{"a":"\u00e9\ud83d\ude00\n\t\"\\\/","b":[1,-0,2.5e3,1E-2,true,false,null,{}],"c":{"d":[]}}`,
		`{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `{"a":"\u0061","\u0061":1}`, `{"a":1e400}`, `{"a":01}`,
		`{"a":"\ud800"}`, `{"a":"\udc00\ud800"}`, "{\"a\":\"\xff\"}", "{\"a\":\"\x01\"}", `{"a":1}x`, `{"a":1,}`,
		`{"a":[1,]}`, `null`, `[]`, ` {"id": 7, "events": [{"type":"page_view","at":"2026-09-01T00:00:00Z"}]} `,
		"\ufeff{\"id\":\"L\"}", `{"a":"€ 😀"}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":tru}`, `{"a":"x`,
	} {
		lines = append(lines, []byte(s))
	}
	took := 0
	for _, l := range lines {
		if checkDecodeObject(t, l) {
			took++
		}
		checkDecodeJSON(t, l)
	}
	require.Greater(t, took, 4000, "rows decodeObject decoded itself")
}

// FuzzDecodeObject checks decodeObject, and DecodeJSON with it, against
// encoding/json on any bytes.
func FuzzDecodeObject(f *testing.F) {
	f.Add([]byte(`{"id":"L1","email":"a@b.io","employees":250,"tech_stack":["x"],"events":[{"type":"page_view","at":"2026-09-01T00:00:00Z","minutes":2.5}]}`))
	f.Add([]byte(`{"a":"\u00e9\ud83d\ude00\n","b":[1,-0,2.5e3,null,{}],"a2":{"b":1,"b":2}}`))
	f.Add([]byte("{\"a\":\"\xff\\ud800\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodeObject(t, data)
		checkDecodeJSON(t, data)
	})
}

// A row that fails to decode still names its lead when its id comes
// before what breaks it, so that its result row can be joined back.
func TestIdOfBrokenRow(t *testing.T) {
	for in, want := range map[string]string{
		`{"id":"N2","annual_revenue":1e400}`:          "N2",
		"\ufeff" + `{"id":"N3","x":1e999}`:            "N3",
		`{"email":"a@b.io","id":"N4","n":1e400}`:      "N4",
		`{"id":17,"n":1e400}`:                         "17",
		`{"n":1e400,"id":"N5"}`:                       "N5", // kept as written, read past
		`{"events":[{"type":"x"}],"id":"N6","x":[1,}`: "N6",
		`{"x":[1,,"id":"N7"}`:                         "",
		`{"id":null,"x":1e400}`:                       "",
		`{"id":{"a":1},"x":1e400}`:                    "",
		`["id","N8"]`:                                 "",
		`not json`:                                    "",
		`{"id":"N9"`:                                  "N9",
		`{"id":00012,"x":1}`:                          "", // not lead 0
		`{"id":12.5.3,"x":1}`:                         "", // not lead 12.5
		`{"id":12 ,"x":1e400}`:                        "12",
	} {
		if got := idOfBrokenRow([]byte(in)); got != want {
			t.Errorf("idOfBrokenRow(%s) = %q, want %q", in, got, want)
		}
	}
}

// brokenRow reads what it can of a broken row: its id and the values of
// the keys before the break that decode (1e999 does not).
func TestBrokenRowFields(t *testing.T) {
	id, fields := brokenRow([]byte(`{"id":"L20","email":"zz@acme.com","n":1e999,"account_id":"A-ACME","events":[{"type":"x"}],"title":"CT`))
	require.Equal(t, "L20", id)
	require.Equal(t, map[string]any{"email": "zz@acme.com", "account_id": "A-ACME", "events": []any{map[string]any{"type": "x"}}}, fields)
	id, fields = brokenRow([]byte(`not json`))
	require.Equal(t, "", id)
	require.Nil(t, fields)
}
