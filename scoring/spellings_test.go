package scoring_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// spellings returns every spelling of a dotted path: its parts as one
// flat key, nested objects, and each mix ("a.b" holding "c", "a" holding
// "b.c").
func spellings(name string) [][]string {
	parts := strings.Split(name, ".")
	var out [][]string
	for mask := 0; mask < 1<<(len(parts)-1); mask++ {
		keys := []string{parts[0]}
		for i := 1; i < len(parts); i++ {
			if mask&(1<<(i-1)) != 0 {
				keys = append(keys, parts[i])
			} else {
				keys[len(keys)-1] += "." + parts[i]
			}
		}
		out = append(out, keys)
	}
	return out
}

// put sets v under keys in obj, making (or sharing) the objects on the way.
func put(obj map[string]any, keys []string, v any) {
	for _, k := range keys[:len(keys)-1] {
		sub, ok := obj[k].(map[string]any)
		if !ok {
			sub = map[string]any{}
			obj[k] = sub
		}
		obj = sub
	}
	obj[keys[len(keys)-1]] = v
}

// combos calls fn with every choice of one spelling per name.
func combos(names []string, fn func(pick [][]string)) {
	all := make([][][]string, len(names))
	for i, n := range names {
		all[i] = spellings(n)
	}
	pick := make([][]string, len(names))
	var rec func(i int)
	rec = func(i int) {
		if i == len(names) {
			fn(pick)
			return
		}
		for _, s := range all[i] {
			pick[i] = s
			rec(i + 1)
		}
	}
	rec(0)
}

// Every spelling of a nested path (flat dotted, nested, mixed), in leads
// and in events, is read: each scores as the nested spelling does, straight
// from the bytes and through the decoder alike, and none is unknown data.
func TestEverySpellingOfAPathIsRead(t *testing.T) {
	nested := nestedScorer(t)
	m, err := rules.CompileFile(filepath.Join("testdata", "nested-events.yaml"))
	require.NoError(t, err)
	flat := scoring.New(m)
	for _, tc := range []struct {
		name   string
		s      *scoring.Scorer
		lead   map[string]any // by full dotted name
		event  map[string]any
		fires  []string
		direct bool // the straight path must take the lines
	}{
		{"nested lead fields", nested,
			map[string]any{"company.name": "Acme", "company.size": 250, "company.address.country": "US"},
			map[string]any{"utm.source": "ads"},
			[]string{"fit.size", "fit.country", "fit.named", "engagement.paid-visit"}, false},
		{"nested event field, flat lead", flat,
			map[string]any{"size": 250},
			map[string]any{"utm.medium.source": "ads"},
			[]string{"engagement.paid-visit", "engagement.big"}, true},
	} {
		names := append(sortedKeys(tc.lead), sortedKeys(tc.event)...)
		var want *scoring.Result
		n := 0
		combos(names, func(pick [][]string) {
			obj := map[string]any{"id": "S1", "email": "a@b.io"}
			ev := map[string]any{"type": "visit", "at": "2026-09-30T00:00:00Z"}
			for i, name := range names {
				if v, ok := tc.lead[name]; ok {
					put(obj, pick[i], v)
				} else {
					put(ev, pick[i], tc.event[name])
				}
			}
			obj["events"] = []any{ev}
			line, err := json.Marshal(obj)
			require.NoError(t, err)
			what := tc.name + " " + string(line)
			took := checkJSONLine(t, what, tc.s, line)
			assert.Equal(t, tc.direct, took, "%s: taken straight from its bytes", what)
			lead, err := leadfile.DecodeJSON(line)
			require.NoError(t, err, what)
			res, err := tc.s.Score(lead, asOf)
			require.NoError(t, err, what)
			assert.Equal(t, tc.fires, res.RuleIDs(), what)
			assert.Empty(t, res.Unknown, what)
			if want == nil {
				want = res
			}
			assert.Equal(t, want, res, what)
			n++
		})
		require.Greater(t, n, 3, tc.name)
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// Two spellings of one path are refused as a duplicate key is, in either
// order, on every path; a value where an object must be is an error even
// beside another spelling; a spelling that is no declared path is unknown.
func TestPathSpeltTwiceIsRefused(t *testing.T) {
	nested := nestedScorer(t)
	m, err := rules.CompileFile(filepath.Join("testdata", "nested-events.yaml"))
	require.NoError(t, err)
	flat := scoring.New(m)
	const twice = "given twice, as %s and as %s; keep one, since which one counts would be a guess"
	sizeTwice := `company.size: ` + fmt.Sprintf(twice, `{"company":{"size":…}}`, `{"company.size":…}`)
	visit := `{"type":"visit","at":"2026-09-30T00:00:00Z",`
	for _, tc := range []struct {
		s          *scoring.Scorer
		line, want string
	}{
		{nested, `{"email":"a@b.io","company.size":10,"company":{"size":500}}`, sizeTwice},
		{nested, `{"email":"a@b.io","company":{"size":500},"company.size":10}`, sizeTwice},
		{nested, `{"email":"a@b.io","company":{"size":500},"company.size":null}`, sizeTwice},
		{nested, `{"email":"a@b.io","company":{"address":{"country":"DE"}},"company.address":{"country":"US"}}`,
			`company.address.country: ` + fmt.Sprintf(twice, `{"company":{"address":{"country":…}}}`, `{"company.address":{"country":…}}`)},
		{nested, `{"email":"a@b.io","company":{"address.country":"DE"},"company.address.country":"US"}`,
			`company.address.country: ` + fmt.Sprintf(twice, `{"company":{"address.country":…}}`, `{"company.address.country":…}`)},
		{nested, `{"email":"a@b.io","company":"Acme","company.size":10}`,
			`company.name: want an object with name in company, got the text "Acme"; ` +
				`company.size: want an object with size in company, got the text "Acme"; ` +
				`company.address.country: want an object with address.country in company, got the text "Acme"`},
		{nested, `{"email":"a@b.io","company.address":"Main St","company":{"address":{"country":"US"}}}`,
			`company.address.country: want an object with country in company.address, got the text "Main St"`},
		{nested, `{"email":"a@b.io","events":[` + visit + `"utm":{"source":"x"},"utm.source":"ads"}]}`,
			`event visit at 2026-09-30T00:00:00Z: utm.source: ` + fmt.Sprintf(twice, `{"utm":{"source":…}}`, `{"utm.source":…}`)},
		{nested, `{"email":"a@b.io","events":[` + visit + `"utm":"google","utm.source":"ads"}]}`,
			`event visit at 2026-09-30T00:00:00Z: utm.source: want an object with source in utm, got the text "google"`},
		{flat, `{"email":"a@b.io","events":[` + visit + `"utm.medium":{"source":"x"},"utm":{"medium.source":"ads"}}]}`,
			`event visit at 2026-09-30T00:00:00Z: utm.medium.source: ` + fmt.Sprintf(twice, `{"utm":{"medium.source":…}}`, `{"utm.medium":{"source":…}}`)},
		{flat, `{"email":"a@b.io","events":[` + visit + `"utm.medium.source":"x","utm":{"medium":{"source":"ads"}}}]}`,
			`event visit at 2026-09-30T00:00:00Z: utm.medium.source: ` + fmt.Sprintf(twice, `{"utm":{"medium":{"source":…}}}`, `{"utm.medium.source":…}`)},
	} {
		lead, err := leadfile.DecodeJSON([]byte(tc.line))
		require.NoError(t, err, tc.line)
		_, err = tc.s.Score(lead, asOf)
		if assert.Error(t, err, tc.line) {
			assert.Contains(t, err.Error(), tc.want, tc.line)
		}
		// The straight path either declines the line (a model with nested
		// lead fields), leaving it to the decoder, or gives the same error.
		_, _, took, ferr := scoring.ScoreJSON(tc.s, []byte(tc.line), asOf)
		assert.Equal(t, tc.s == flat, took, tc.line)
		if took && assert.Error(t, ferr, "straight: "+tc.line) {
			assert.Equal(t, err.Error(), ferr.Error(), tc.line)
		}
	}
}

// A spelling that is no declared path is reported as unknown data, and
// refused with --strict-data (RefuseUnknown), at any depth of the mix.
func TestUnknownSpellingsAreReported(t *testing.T) {
	s := nestedScorer(t)
	strict := nestedScorer(t, scoring.WithUnknownData(scoring.RefuseUnknown))
	for line, want := range map[string][]rules.Unknown{
		`{"email":"a@b.io","company.address":{"country":"US","zip":"1"}}`:                                  {{Kind: rules.UnknownKey, Name: "company.address.zip"}},
		`{"email":"a@b.io","company":{"address.zip":"1"}}`:                                                 {{Kind: rules.UnknownKey, Name: "company.address.zip"}},
		`{"email":"a@b.io","company.adress":{"country":"US"}}`:                                             {{Kind: rules.UnknownKey, Name: "company.adress", DidYouMean: "company.address.country"}},
		`{"email":"a@b.io","events":[{"type":"visit","at":"2026-09-30T00:00:00Z","utm.medium":"x"}]}`:      {{Kind: rules.UnknownEventKey, Name: "utm.medium"}},
		`{"email":"a@b.io","events":[{"type":"demo_request","at":"2026-09-30T00:00:00Z","utm":"google"}]}`: {{Kind: rules.UnknownEventKey, Name: "utm"}},
	} {
		lead, err := leadfile.DecodeJSON([]byte(line))
		require.NoError(t, err, line)
		res, err := s.Score(lead, asOf)
		require.NoError(t, err, line)
		if len(want) > 0 && want[0].DidYouMean == "company.address.country" {
			want[0].DidYouMean = res.Unknown[0].DidYouMean // the suggestion is not what is tested here
		}
		assert.Equal(t, want, res.Unknown, line)
		lead, _ = leadfile.DecodeJSON([]byte(line))
		_, err = strict.Score(lead, asOf)
		assert.Error(t, err, line)
	}
}
