package dsl_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

var expectedRE = regexp.MustCompile(`expected one of: ([a-z_, ]+)`)

// keysOf returns the keys a place in a file may hold, as the decoder's own
// message for an unknown key lists them.
func keysOf(t *testing.T, err error) []string {
	t.Helper()
	require.Error(t, err)
	m := expectedRE.FindStringSubmatch(err.Error())
	require.NotNil(t, m, "no key list in: %v", err)
	return strings.Split(m[1], ", ")
}

// docs/reference.md names every key a rule file or a test file may hold,
// as the decoder knows them (from its own "expected one of" lists).
func TestReferenceNamesEveryKey(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join("..", "docs", "reference.md"))
	require.NoError(t, err)
	const head = "leadscore: 1\nmodel: m\nscores: {fit: {}}\n"
	parse := func(src string) error { _, err := dsl.Parse("m.yaml", []byte(src)); return err }
	places := map[string]error{
		"the rule file":     parse("leadscore: 1\nzzzzzz: 1\n"),
		"a field":           parse(head + "fields: {a: {type: int, zzzzzz: 1}}\n"),
		"a score category":  parse("leadscore: 1\nmodel: m\nscores: {fit: {zzzzzz: 1}}\n"),
		"a rule":            parse(head + "rules: [{id: r, zzzzzz: 1}]\n"),
		"decay":             parse(head + "rules: [{id: r, score: fit, points: 1, event: x, decay: {zzzzzz: 1}}]\n"),
		"a grade":           parse(head + "grades: [{grade: A, zzzzzz: 1}]\n"),
		"a stage":           parse(head + "stages: [{id: s, sales_ready: true, when: fit > 0, zzzzzz: 1}]\n"),
		"the test file":     testFileErr("zzzzzz: 1\n"),
		"a fixture":         testFileErr("model: m.yaml\nfixtures: {f: {zzzzzz: 1}}\n"),
		"a case":            testFileErr("model: m.yaml\ncases: [{name: c, zzzzzz: 1}]\n"),
		"expect":            testFileErr("model: m.yaml\ncases: [{name: c, expect: {zzzzzz: 1}}]\n"),
		"a range in expect": testFileErr("model: m.yaml\ncases: [{name: c, expect: {total: {zzzzzz: 1}}}]\n"),
		"an included file":  includeErr(),
		"accounts":          parse(head + "accounts: {zzzzzz: 1}\n"),
		"match":             parse(head + "accounts: {match: {zzzzzz: 1}}\n"),
		"engaged":           parse(head + "accounts: {engaged: {zzzzzz: 1}}\n"),
		"an account rule":   parse(head + "accounts: {rules: [{id: r, zzzzzz: 1}]}\n"),
	}
	for place, err := range places {
		for _, key := range keysOf(t, err) {
			assert.True(t, strings.Contains(string(ref), "`"+key+"`"), "docs/reference.md does not name %s's key %q", place, key)
		}
	}
}

// Every duration unit has its row.
func TestReferenceNamesEveryDurationUnit(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join("..", "docs", "reference.md"))
	require.NoError(t, err)
	for _, u := range strings.Split(dsl.DurationUnits, ", ") {
		unit, _, _ := strings.Cut(u, " ")
		_, err := dsl.ParseDuration("2" + unit)
		require.NoError(t, err, "%s is a unit", unit)
		assert.True(t, strings.Contains(string(ref), "| `"+unit+"` |"), "docs/reference.md has no row for the duration unit %s", unit)
	}
}

func testFileErr(src string) error {
	_, err := dsl.ParseTestFile("t_test.yaml", []byte(src))
	return err
}

func includeErr() error {
	fsys := fstest.MapFS{
		"m.yaml":   {Data: []byte("leadscore: 1\nmodel: m\ninclude: [inc.yaml]\nscores: {fit: {}}\n")},
		"inc.yaml": {Data: []byte("zzzzzz: 1\n")},
	}
	_, err := dsl.LoadFS(fsys, "m.yaml")
	return err
}
