package scoringtest_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/scoring/scoringtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The bundled model's test file runs with go test, case by case.
func TestBundledLeadDefinitions(t *testing.T) {
	scoringtest.Run(t, filepath.Join("..", "..", "testdata"))
}

func TestBundledCoverageIsComplete(t *testing.T) {
	fr := scoringtest.RunFile(filepath.Join("..", "..", "testdata", "b2b-saas_test.yaml"), scoringtest.Options{})
	require.NoError(t, fr.Err)
	covered, total := fr.Coverage.Counts()
	assert.Equal(t, total, covered)
	assert.Equal(t, scoringtest.Totals{Passed: 28, Pending: 1}, scoringtest.Count([]*scoringtest.FileResult{fr}))
}

// failingFile has cases with deliberately wrong expectations, beside the
// bundled model it names.
var failingFile = filepath.Join("..", "..", "testdata", "failing.yaml")

// A failing case shows what it expected, what it got, and the explanation.
func TestFailingCaseReport(t *testing.T) {
	fr := scoringtest.RunFile(failingFile, scoringtest.Options{})
	require.NoError(t, fr.Err)
	var b bytes.Buffer
	require.NoError(t, scoringtest.WriteText(&b, []*scoringtest.FileResult{fr}, true))
	golden := filepath.Join("testdata", "failing.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
	assert.Equal(t, scoringtest.Totals{Passed: 1, Failed: 1}, scoringtest.Count([]*scoringtest.FileResult{fr}))
}

func TestRunFilter(t *testing.T) {
	fr := scoringtest.RunFile(filepath.Join("..", "..", "testdata", "b2b-saas_test.yaml"), scoringtest.Options{Run: regexpMust("(?i)student|competitor")})
	require.NoError(t, fr.Err)
	var names []string
	for _, c := range fr.Cases {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"A student is never sales-ready", "A competitor is stopped at the gate but keeps its scores"}, names)
}

func TestJUnitReport(t *testing.T) {
	files := []*scoringtest.FileResult{
		scoringtest.RunFile(filepath.Join("..", "..", "testdata", "b2b-saas_test.yaml"), scoringtest.Options{}),
		scoringtest.RunFile(failingFile, scoringtest.Options{}),
	}
	var b bytes.Buffer
	require.NoError(t, scoringtest.WriteJUnit(&b, files))
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &doc))
	assert.Equal(t, 31, doc.Tests)
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 1, doc.Skipped)
	require.Len(t, doc.Suites, 2)
	failing := doc.Suites[1].Cases[0]
	require.NotNil(t, failing.Failure)
	assert.Equal(t, "stage: want sql, got mql; fired: want fit.industry to fire; it did not", failing.Failure.Message)
	assert.Contains(t, failing.Failure.Text, "no   lower(industry) in target_industries")
}

// writeTest writes a test file into a temporary directory, beside a copy of
// the bundled model (and its include), which the file names as MODEL.
func writeTest(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"b2b-saas.yaml", filepath.Join("common", "lists.yaml")} {
		src, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), src, 0o644))
	}
	path := filepath.Join(dir, "x_test.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(body, "MODEL", "b2b-saas.yaml")), 0o644))
	return path
}

func TestBadTestFiles(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"misspelt keys", "model: MODEL\nas_of: 2026-10-01\ncase:\n  - name: x\n", []string{
			":1:1: the test file has no cases; add cases: with at least one",
			`:3:1: unknown key "case" in the test file; did you mean "cases"?`,
		}},
		{"fields the model does not declare, values of the wrong type", `model: MODEL
as_of: 2026-10-01
cases:
  - name: x
    lead: {email: a@b.io, industy: saas, employees: many, tech_stack: crm}
    events:
      - {type: demo_requested, ago: 1d, minuts: 3}
      - {type: page_view, ago: 2 days}
      - {type: page_view, url: /x}
    expect: {stage: sqll, fired: [fit.industri], gates: [fit.industry], scores: {fitt: 1}}
`, []string{
			`:5:27: the model declares no lead field "industy"; did you mean "industry"?`,
			`:5:53: lead field employees: want a whole number, got the text "many"`,
			`:5:71: lead field tech_stack: want a list of texts, got the text "crm"`,
			`:7:16: unknown event type "demo_requested"; did you mean "demo_request"?`,
			`:7:41: the model declares no event field "minuts"; did you mean "minutes"?`,
			`:8:32: ago: bad duration "2 days": write the number and its unit together, like 2d`,
			`:9:9: this event has no time; add ago: (such as 2d, before the as-of time) or at: (a date)`,
			`:10:21: unknown stage "sqll"; did you mean "sql"?`,
			`:10:35: unknown rule "fit.industri"; did you mean "fit.industry"?`,
			`:10:58: unknown gate "fit.industry"; gates are the rules with disqualify:`,
			`:10:82: unknown score category "fitt"; did you mean "fit"?`,
		}},
		{"names by their case and word parts, as in the rule file", `model: MODEL
as_of: 2026-10-01
cases:
  - name: x
    lead: {email: a@b.io, revenue: 5, Tech-Stack: [crm]}
    events:
      - {type: webinar, ago: 1d}
      - {type: demo, ago: 1d}
    expect: {stage: SQL}
`, []string{
			`:5:27: the model declares no lead field "revenue"; did you mean "annual_revenue"?`,
			`:5:39: the model declares no lead field "Tech-Stack"; did you mean "tech_stack"?`,
			`:7:16: unknown event type "webinar"; see event_types: in b2b-saas.yaml`, // two fit: none offered
			`:8:16: unknown event type "demo"; did you mean "demo_request"?`,
			`:9:21: unknown stage "SQL"; did you mean "sql"?`,
		}},
		{"a missing model", "model: nope.yaml\nas_of: 2026-10-01\ncases:\n  - {name: x, expect: {stage: sql}}\n", []string{
			`:1:8: cannot load model nope.yaml: no such file`,
		}},
		{"unknown fixture, no as-of, duplicate names, nothing expected", `model: MODEL
fixtures:
  vp: {lead: {title: VP}}
cases:
  - {name: a, extends: pv, expect: {stage: sql}}
  - {name: a}
`, []string{
			`:5:5: case "a" has no as-of time; add as_of: to it or at the top of the file`,
			`:5:24: unknown fixture "pv"; did you mean "vp"?`,
			`:6:5: case "a" expects nothing; add expect: with what the result must be`,
			`:6:5: case "a" has no as-of time; add as_of: to it or at the top of the file`,
			`:6:12: case "a" appears twice (first at`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTest(t, tc.body)
			fr := scoringtest.RunFile(path, scoringtest.Options{})
			require.Error(t, fr.Err)
			got := strings.Split(fr.Err.Error(), "\n")
			require.Len(t, got, len(tc.want), fr.Err.Error())
			for i, w := range tc.want {
				assert.True(t, strings.HasPrefix(got[i], path+w) || strings.Contains(got[i], w), "line %d:\n got %s\nwant %s%s", i, got[i], path, w)
			}
		})
	}
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// A test file's model: is confined to the test file's directory, as an
// include is to its rule directory: a path out of it (absolute, with ..,
// through a symbolic link) is refused before anything is read, and no
// message shows a line of what it points at.
func TestModelPathConfined(t *testing.T) {
	const secret = "TOKEN=hunter2"
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte(secret+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret"), []byte(secret+"\n"), 0o644))
	for _, tc := range []struct {
		name, model string
		setup       func(dir string)
		want        string
	}{
		{"an absolute path", "/etc/passwd", nil,
			`x_test.yaml:1:8: cannot load model /etc/passwd: the path is absolute; model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: /etc/passwd
           ^
`},
		{"an absolute path to a rule file", filepath.ToSlash(filepath.Join(outside, "secret.yaml")), nil,
			`x_test.yaml:1:8: cannot load model OUTSIDE/secret.yaml: the path is absolute; model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: OUTSIDE/secret.yaml
           ^
`},
		{"a path up and out", "../../secret", nil,
			`x_test.yaml:1:8: cannot load model ../../secret: the path leads out of that directory (..); model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: ../../secret
           ^
`},
		{"a path that goes down, then up and out", "common/../../secret.yaml", nil,
			`x_test.yaml:1:8: cannot load model common/../../secret.yaml: the path leads out of that directory (..); model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: common/../../secret.yaml
           ^
`},
		{"a symbolic link out", "link.yaml", func(dir string) {
			require.NoError(t, os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "link.yaml")))
		}, `x_test.yaml:1:8: cannot load model link.yaml: the path leads out of that directory through a symbolic link; model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: link.yaml
           ^
`},
		{"a directory linked from outside", "rules/secret.yaml", func(dir string) {
			require.NoError(t, os.Symlink(outside, filepath.Join(dir, "rules")))
		}, `x_test.yaml:1:8: cannot load model rules/secret.yaml: the path leads out of that directory through a symbolic link; model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: rules/secret.yaml
           ^
`},
		{"a file that is not a rule file, inside", "secrets.env", func(dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "secrets.env"), []byte(secret+"\n"), 0o644))
		}, `x_test.yaml:1:8: cannot load model secrets.env: a rule file is a .yaml or .yml file; model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: secrets.env
           ^
`},
		{"a YAML file that holds no rules, inside", "notes.yaml", func(dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.yaml"), []byte(secret+"\nOTHER=x\n"), 0o644))
		}, `x_test.yaml:1:8: cannot load model notes.yaml: this is not a rule file: a rule file is a YAML mapping of keys to values, such as leadscore: 1
    model: notes.yaml
           ^
`},
		{"a missing model", "b2b.yaml", nil,
			`x_test.yaml:1:8: cannot load model b2b.yaml: no such file; model: must name a file inside the directory of this test file, such as b2b-saas.yaml
    model: b2b.yaml
           ^
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTest(t, "model: "+tc.model+"\nas_of: 2026-10-01\ncases:\n  - {name: x, expect: {stage: sql}}\n")
			dir := filepath.Dir(path)
			if tc.setup != nil {
				tc.setup(dir)
			}
			fr := scoringtest.RunFile(path, scoringtest.Options{})
			var ds dsl.Diagnostics
			require.ErrorAs(t, fr.Err, &ds)
			var b strings.Builder
			require.NoError(t, ds.Write(&b))
			got := strings.ReplaceAll(b.String(), path, "x_test.yaml")
			got = strings.ReplaceAll(got, filepath.ToSlash(outside), "OUTSIDE")
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, "hunter2")
			assert.NotContains(t, got, "root:")
		})
	}
}

// A file that cannot run is counted apart: its cases did not run, so
// they are neither passed nor failed, and the summary says so.
func TestSummaryCountsFilesThatCannotRun(t *testing.T) {
	files := []*scoringtest.FileResult{
		{File: "broken_test.yaml", Err: errors.New("broken_test.yaml:5:27: the model declares no lead field \"titel\"")},
		{File: "ok_test.yaml", Model: "m", Cases: []scoringtest.CaseResult{
			{Name: "a", Status: scoringtest.Pass},
			{Name: "b", Status: scoringtest.Fail, Pos: "ok_test.yaml:9:5", Failures: []string{"stage: want sql, got mql"}},
			{Name: "c", Status: scoringtest.Error, Pos: "ok_test.yaml:14:5", Error: "boom"},
		}},
	}
	assert.Equal(t, scoringtest.Totals{Passed: 1, Failed: 1, Errors: 2, NotRun: 1}, scoringtest.Count(files))
	var b strings.Builder
	require.NoError(t, scoringtest.WriteText(&b, files, false))
	assert.True(t, strings.HasSuffix(b.String(), "test: 1 passed, 2 failed, 0 skipped; 1 file could not run, so none of its cases ran (see above)\n"), b.String())
}
