package jsonschema_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/dsl/jsonschema"
	"github.com/leadscore/leadscore/scoring"
)

// The schemas are checked with santhosh-tekuri/jsonschema, a validator that
// passes the official JSON-Schema-Test-Suite for draft-07, so that the
// schema is judged by code other than ours (used in tests only).
func compile(t *testing.T, name string, src []byte) *validator.Schema {
	t.Helper()
	doc, err := validator.UnmarshalJSON(bytes.NewReader(src))
	require.NoError(t, err)
	c := validator.NewCompiler()
	c.DefaultDraft(validator.Draft7)
	c.AssertFormat()
	require.NoError(t, c.AddResource(name, doc))
	s, err := c.Compile(name)
	require.NoError(t, err, "the schema itself must be valid draft-07")
	return s
}

// validate reads YAML into JSON values, as yaml-language-server does, and
// validates it; YAML that does not parse fails too.
func validate(s *validator.Schema, src []byte) error {
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return err
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return err
	}
	inst, err := validator.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// jsonable turns yaml.v3's values into JSON's (maps with text keys; a
// timestamp as the text it was written as is not recoverable, so as RFC 3339).
func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = jsonable(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = jsonable(x)
		}
		return v
	}
	return v
}

var expectedRE = regexp.MustCompile(`expected one of: ([a-z_, ]+)`)

// decoderKeys returns the keys a place may hold, as the decoder's own
// message for an unknown key lists them (as dsl/reference_test.go does).
func decoderKeys(t *testing.T, err error) []string {
	t.Helper()
	require.Error(t, err)
	m := expectedRE.FindStringSubmatch(err.Error())
	require.NotNil(t, m, "no key list in: %v", err)
	keys := strings.Split(m[1], ", ")
	sort.Strings(keys)
	return keys
}

func parse(src string) error { _, err := dsl.Parse("m.yaml", []byte(src)); return err }

func parseTest(src string) error { _, err := dsl.ParseTestFile("t_test.yaml", []byte(src)); return err }

// at walks a decoded schema down a path of keys and list indexes.
func at(t *testing.T, s any, path string) map[string]any {
	t.Helper()
	for _, step := range strings.Split(path, "/") {
		if step == "" {
			continue
		}
		switch v := s.(type) {
		case map[string]any:
			s = v[step]
		case []any:
			i := int(step[0] - '0')
			require.Less(t, i, len(v), path)
			s = v[i]
		}
		require.NotNil(t, s, "schema has nothing at %s", path)
	}
	m, ok := s.(map[string]any)
	require.True(t, ok, "schema at %s is not an object", path)
	return m
}

func propertyNames(t *testing.T, s any, path string) []string {
	props := at(t, s, path+"/properties")
	var out []string
	for k := range props {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// closedObjects lists the paths of every object schema with a fixed set of
// keys (additionalProperties: false).
func closedObjects(s any, path string, out *[]string) {
	switch v := s.(type) {
	case map[string]any:
		if v["additionalProperties"] == false {
			*out = append(*out, path)
		}
		for k, x := range v {
			closedObjects(x, path+"/"+k, out)
		}
	case []any:
		for i, x := range v {
			closedObjects(x, path+"/"+string(rune('0'+i)), out)
		}
	}
}

func decoded(t *testing.T, src []byte) any {
	var v any
	require.NoError(t, json.Unmarshal(src, &v))
	return v
}

// Every place of a file with a fixed set of keys holds, in the schema,
// exactly the keys the decoder accepts there; and the schema has no closed
// place the decoder does not list. Adding a key to either without the
// other fails here.
func TestSchemaKeysAreTheDecoders(t *testing.T) {
	const head = "leadscore: 1\nmodel: m\nscores: {fit: {}}\n"
	type place struct {
		name, path string
		err        error
	}
	check := func(t *testing.T, schema []byte, places []place) {
		s := decoded(t, schema)
		var tied []string
		for _, p := range places {
			assert.Equal(t, decoderKeys(t, p.err), propertyNames(t, s, p.path), "%s (%s): the schema's keys differ from the decoder's", p.name, p.path)
			tied = append(tied, p.path)
		}
		var closed []string
		closedObjects(s, "", &closed)
		sort.Strings(closed)
		sort.Strings(tied)
		assert.Equal(t, tied, closed, "every closed object of the schema is tied to a place of the decoder")
	}
	t.Run("rule file", func(t *testing.T) {
		check(t, jsonschema.RuleFile(), []place{
			{"the rule file", "", parse("leadscore: 1\nzzzzzz: 1\n")},
			{"a field", "/properties/fields/additionalProperties/anyOf/1", parse(head + "fields: {a: {type: int, zzzzzz: 1}}\n")},
			{"an event field", "/properties/events/additionalProperties/anyOf/1", parse(head + "events: {a: {type: int, zzzzzz: 1}}\n")},
			{"a score category", "/properties/scores/additionalProperties/anyOf/1", parse("leadscore: 1\nmodel: m\nscores: {fit: {zzzzzz: 1}}\n")},
			{"a rule", "/properties/rules/items", parse(head + "rules: [{id: r, zzzzzz: 1}]\n")},
			{"decay", "/properties/rules/items/properties/decay", parse(head + "rules: [{id: r, score: fit, points: 1, event: x, decay: {zzzzzz: 1}}]\n")},
			{"a grade", "/properties/grades/items", parse(head + "grades: [{grade: A, zzzzzz: 1}]\n")},
			{"a stage", "/properties/stages/items", parse(head + "stages: [{id: s, sales_ready: true, when: fit > 0, zzzzzz: 1}]\n")},
			{"handoff", "/properties/handoff", parse(head + "handoff: {zzzzzz: 1}\n")},
			{"a rejection reason", "/properties/handoff/properties/reasons/items", parse(head + "handoff: {reasons: [{code: c, zzzzzz: 1}]}\n")},
			{"recycle", "/properties/handoff/properties/recycle", parse(head + "handoff: {recycle: {zzzzzz: 1}}\n")},
			{"accounts", "/properties/accounts", parse(head + "accounts: {zzzzzz: 1}\n")},
			{"match", "/properties/accounts/properties/match", parse(head + "accounts: {match: {zzzzzz: 1}}\n")},
			{"engaged", "/properties/accounts/properties/engaged", parse(head + "accounts: {engaged: {zzzzzz: 1}}\n")},
			{"an account rule", "/properties/accounts/properties/rules/items", parse(head + "accounts: {rules: [{id: r, zzzzzz: 1}]}\n")},
			{"an account field", "/properties/accounts/properties/fields/additionalProperties/anyOf/1", parse(head + "accounts: {fields: {a: {type: int, zzzzzz: 1}}}\n")},
			{"an account score category", "/properties/accounts/properties/scores/additionalProperties/anyOf/1", parse(head + "accounts: {scores: {fit: {zzzzzz: 1}}}\n")},
			{"an account grade", "/properties/accounts/properties/grades/items", parse(head + "accounts: {grades: [{grade: A, zzzzzz: 1}]}\n")},
			{"an account stage", "/properties/accounts/properties/stages/items", parse(head + "accounts: {stages: [{id: s, when: x, zzzzzz: 1}]}\n")},
		})
	})
	t.Run("test file", func(t *testing.T) {
		check(t, jsonschema.TestFile(), []place{
			{"the test file", "", parseTest("zzzzzz: 1\n")},
			{"a fixture", "/properties/fixtures/additionalProperties", parseTest("model: m.yaml\nfixtures: {f: {zzzzzz: 1}}\n")},
			{"a case", "/properties/cases/items", parseTest("model: m.yaml\ncases: [{name: c, zzzzzz: 1}]\n")},
			{"a person", "/properties/cases/items/properties/people/items", parseTest("model: m.yaml\ncases: [{name: c, expect: {}, people: [{zzzzzz: 1}]}]\n")},
			{"expect", "/properties/cases/items/properties/expect", parseTest("model: m.yaml\ncases: [{name: c, expect: {zzzzzz: 1}}]\n")},
			{"a disposition", "/properties/cases/items/properties/dispositions/items", parseTest("model: m.yaml\ncases: [{name: c, expect: {}, dispositions: [{status: accepted, ago: 1d, zzzzzz: 1}]}]\n")},
			{"a range in expect", "/properties/cases/items/properties/expect/properties/total/anyOf/1", parseTest("model: m.yaml\ncases: [{name: c, expect: {total: {zzzzzz: 1}}}]\n")},
			{"a range in expect's reset", "/properties/cases/items/properties/expect/properties/reset/anyOf/1", parseTest("model: m.yaml\ncases: [{name: c, expect: {reset: {zzzzzz: 1}}}]\n")},
			{"a range in expect's scores", "/properties/cases/items/properties/expect/properties/scores/additionalProperties/anyOf/1", parseTest("model: m.yaml\ncases: [{name: c, expect: {scores: {fit: {zzzzzz: 1}}}}]\n")},
		})
	})
	t.Run("included file", func(t *testing.T) {
		// An included file holds a subset of the root's keys; the schema
		// for both is the rule file's, so it must hold every one of them.
		fsys := fstest.MapFS{
			"m.yaml":   {Data: []byte("leadscore: 1\nmodel: m\ninclude: [inc.yaml]\nscores: {fit: {}}\n")},
			"inc.yaml": {Data: []byte("zzzzzz: 1\n")},
		}
		_, err := dsl.LoadFS(fsys, "m.yaml")
		assert.Subset(t, propertyNames(t, decoded(t, jsonschema.RuleFile()), ""), decoderKeys(t, err))
	})
}

// Hovering a key explains it: every property, and every value of a mapping
// of names, has a description.
func TestEveryKeyHasADescription(t *testing.T) {
	for name, src := range map[string][]byte{"rule file": jsonschema.RuleFile(), "test file": jsonschema.TestFile()} {
		var walk func(s any, path string)
		walk = func(s any, path string) {
			m, ok := s.(map[string]any)
			if !ok {
				return
			}
			if props, ok := m["properties"].(map[string]any); ok {
				for k, p := range props {
					d, _ := p.(map[string]any)["description"].(string)
					assert.NotEmpty(t, strings.TrimSpace(d), "%s: key %s%s has no description", name, path, "/"+k)
					walk(p, path+"/"+k)
				}
			}
			if ap, ok := m["additionalProperties"].(map[string]any); ok {
				assert.NotEmpty(t, ap["description"], "%s: the values under %s have no description", name, path)
				walk(ap, path+"/*")
			}
			if items, ok := m["items"].(map[string]any); ok {
				walk(items, path+"[]")
			}
			if anyOf, ok := m["anyOf"].([]any); ok {
				for _, a := range anyOf {
					walk(a, path)
				}
			}
		}
		walk(decoded(t, src), "")
	}
}

// isSourceMapping says whether a YAML file is a CRM source mapping, which
// check recognises by its top-level source: key.
func isSourceMapping(src []byte) bool {
	var top map[string]any
	_ = yaml.Unmarshal(src, &top)
	_, ok := top["source"]
	return ok
}

// isTestFile says whether a YAML file is a test file, as leadscore test
// finds them (by name), or a file of cases passed to it by path.
func isTestFile(path string, src []byte) bool {
	if strings.HasSuffix(path, "_test.yaml") {
		return true
	}
	var top map[string]any
	_ = yaml.Unmarshal(src, &top)
	_, cases := top["cases"]
	return cases
}

// Every bundled rule file and test file validates, and the one seed that
// is broken on purpose does not.
func TestBundledFilesValidate(t *testing.T) {
	rule := compile(t, "rule.json", jsonschema.RuleFile())
	tests := compile(t, "test.json", jsonschema.TestFile())
	brokenOnPurpose := map[string]bool{"dsl/testdata/seeds/broken.yaml": true}
	root := filepath.Join("..", "..")
	n := 0
	for _, dir := range []string{"testdata", "cmd/leadscore/starter", "dsl/testdata/seeds"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(path, ".yaml") {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			if isSourceMapping(src) {
				return nil // a CRM source mapping, not a rule file (package source checks it)
			}
			s := rule
			if isTestFile(path, src) {
				s = tests
			}
			n++
			err = validate(s, src)
			if brokenOnPurpose[rel] {
				assert.Error(t, err, "%s is broken on purpose; the schema should say so", rel)
			} else {
				assert.NoError(t, err, "%s", rel)
			}
			return nil
		})
		require.NoError(t, err)
	}
	assert.GreaterOrEqual(t, n, 19, "the walk found the bundled files")
}

// Mistakes the schema catches as you type, each also refused by the
// decoder, and near misses it must let through.
func TestSchemaCatchesMistakes(t *testing.T) {
	rule := compile(t, "rule.json", jsonschema.RuleFile())
	tests := compile(t, "test.json", jsonschema.TestFile())
	const head = "leadscore: 1\nmodel: m\nscores: {fit: {max: 100}}\n"
	for _, c := range []struct {
		name, src string
		test, ok  bool
	}{
		{"a misspelt top-level key", head + "rule: []\n", false, false},
		{"a duration with a space", head + "rules: [{id: r, score: fit, points: 1, event: x, within: 90 days}]\n", false, false},
		{"m for minutes or months", head + "rules: [{id: r, score: fit, points: 1, event: x, within: 6m}]\n", false, false},
		{"a sum of durations", head + "rules: [{id: r, score: fit, points: 1, event: x, within: 1d12h}]\n", false, true},
		{"limit 0", head + "rules: [{id: r, score: fit, points: 1, event: x, limit: 0}]\n", false, false},
		{"points as text", head + "rules: [{id: r, score: fit, points: many}]\n", false, false},
		{"an unknown field type", head + "fields: {employees: number}\n", false, false},
		{"a field with its type spelled out", head + "fields: {employees: {type: int, default: 0}}\n", false, true},
		{"a stage without when", head + "stages: [{id: sql, sales_ready: true}]\n", false, false},
		{"a rule without id", head + "rules: [{score: fit, points: 1}]\n", false, false},
		{"decay as a number", head + "rules: [{id: r, score: fit, points: 1, event: x, decay: 30d}]\n", false, false},
		{"format version 2", "leadscore: 2\nmodel: m\n", false, false},
		{"an unknown expect key", "model: m.yaml\ncases: [{name: c, expect: {sales_redy: true}}]\n", true, false},
		{"an event without a type", "model: m.yaml\ncases: [{name: c, expect: {}, events: [{ago: 1d}]}]\n", true, false},
		{"an event with fields of its own", "model: m.yaml\ncases: [{name: c, expect: {total: {min: 1}}, events: [{type: x, ago: 1d, campaign: q3}]}]\n", true, true},
	} {
		s := rule
		if c.test {
			s = tests
		}
		err := validate(s, []byte(c.src))
		if c.ok {
			assert.NoError(t, err, c.name)
			continue
		}
		assert.Error(t, err, "%s: the schema lets it through", c.name)
		if c.test {
			assert.Error(t, parseTest(c.src), "%s: the decoder lets it through", c.name)
		} else {
			assert.Error(t, parse(c.src), "%s: the decoder lets it through", c.name)
		}
	}
}

// The duration pattern accepts what dsl.ParseDuration reads and refuses
// what it refuses (zero and overflow aside, which a pattern cannot see).
func TestDurationPatternIsParseDurations(t *testing.T) {
	re := regexp.MustCompile(jsonschema.DurationPattern)
	for _, s := range []string{"90d", "12h", "2w", "6mo", "1y", "30min", "45s", "1d12h", "1y2mo3w4d5h6min7s",
		"6m", "90 days", "90", "d", "90D", "1.5d", "-1d", "90days", " 90d", "90d ", "1h30", ""} {
		_, err := dsl.ParseDuration(s)
		assert.Equal(t, err == nil, re.MatchString(s), "%q: ParseDuration says %v", s, err)
	}
}

// A disposition's status is one of scoring's (the runner, not the
// decoder, checks it).
func TestDispositionStatusesAreScorings(t *testing.T) {
	s := decoded(t, jsonschema.TestFile())
	enum := at(t, s, "/properties/cases/items/properties/dispositions/items/properties/status")["enum"]
	var want []any
	for _, st := range scoring.Statuses {
		want = append(want, string(st))
	}
	assert.Equal(t, want, enum)
	tests := compile(t, "test.json", jsonschema.TestFile())
	assert.Error(t, validate(tests, []byte("model: m.yaml\ncases: [{name: c, expect: {}, dispositions: [{status: lost, ago: 1d}]}]\n")))
}

func Example() {
	schema := jsonschema.RuleFile()
	var s struct {
		Schema     string `json:"$schema"`
		Properties map[string]struct {
			Description string `json:"description"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	os.Stdout.WriteString(s.Schema + "\n" + s.Properties["handoff"].Description + "\n")
	// Output:
	// http://json-schema.org/draft-07/schema#
	// The hand-off contract with sales: SLA, rejection reasons, recycle policy. Only the root rule file may hold it.
}
