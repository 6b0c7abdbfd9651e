package pipelines_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/beam/pipelines"
)

// feedbackInputs are the bundled leads and dispositions with rows that
// fail: a lead given twice (a sales-ready one with a verdict: its later
// row fails), a row cut short, a disposition with an unknown status and
// one of a lead no row has.
func feedbackInputs(t *testing.T, dir string) (leads, dispositions string) {
	disp := strings.Split(strings.TrimSpace(readFile(t, td("dispositions.csv"))), "\n")
	id := strings.Split(disp[1], ",")[0]
	lines := strings.Split(strings.TrimSpace(readFile(t, td("leads.ndjson"))), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, `"id":"`+id+`"`) })
	require.GreaterOrEqual(t, i, 0, id)
	lines = append(lines, lines[i], `{"id":"CUT","email":`)
	leads = filepath.Join(dir, "feedback-leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	bad := strings.Replace(disp[2], ",rejected,", ",rejectd,", 1)
	bad = strings.Replace(bad, ",accepted,", ",acepted,", 1)
	require.NotEqual(t, disp[2], bad)
	ghost := "NO-SUCH-LEAD-XYZ" + disp[3][strings.Index(disp[3], ","):]
	disp = append(disp[:2], append([]string{bad}, disp[2:]...)...)
	disp = append(disp, ghost)
	dispositions = filepath.Join(dir, "dispositions.csv")
	require.NoError(t, os.WriteFile(dispositions, []byte(strings.Join(disp, "\n")+"\n"), 0o644))
	return leads, dispositions
}

// The feedback pipeline's report is the command line's, byte for byte, in
// each format, with and without rows that fail; the rows it fails are the
// ones the command line fails, and the counts reconcile.
func TestFeedbackIsTheCLI(t *testing.T) {
	dir := t.TempDir()
	model, _, err := pipelines.LoadModel(td("b2b-saas.yaml"))
	require.NoError(t, err)
	badLeads, badDispositions := feedbackInputs(t, dir)
	// Every row fails: the report of no lead, every disposition unmatched.
	allBad := filepath.Join(dir, "all-bad.ndjson")
	require.NoError(t, os.WriteFile(allBad, []byte(`{"id":"CUT","email":`+"\n"), 0o644))
	// An accept 2.6 h before L0000754's hand-off (2026-09-29T08:36:42Z),
	// left out with a warning, and two verdicts after it, one superseded.
	early := filepath.Join(dir, "early.csv")
	require.NoError(t, os.WriteFile(early, []byte(readFile(t, td("dispositions.csv"))+
		"L0000754,2026-09-29T06:00:00Z,accepted,,ana.r\nL0000754,2026-09-30T06:00:00Z,rejected,too_small,ana.r\nL0000754,2026-09-30T07:00:00Z,rejected,too_small,ana.r\n"), 0o644))
	for _, c := range []struct {
		format, leads, dispositions string
		bandWidth                   float64
		failedLeads, failedDisp     int
		// unmatchedOutcomes are the outcome rows naming no lead read
		unmatchedOutcomes int
	}{
		{"json", td("leads.ndjson"), td("dispositions.csv"), 0, 0, 0, 0},
		{"text", badLeads, badDispositions, 0, 2, 2, 0},
		{"markdown", badLeads, td("dispositions.csv"), 15, 2, 0, 0},
		{"csv", td("leads.ndjson"), badDispositions, 0, 0, 2, 0},
		{"json", allBad, td("dispositions.csv"), 0, 1, 40, 43},
		{"text", td("leads.ndjson"), early, 0, 0, 0, 0},
		{"json", td("leads.ndjson"), early, 0, 0, 0, 0},
	} {
		t.Run(c.format+" "+filepath.Base(c.leads), func(t *testing.T) {
			cfg := pipelines.Feedbacking{Model: model, Dispositions: readFile(t, c.dispositions), DispositionsName: c.dispositions,
				Outcomes: readFile(t, td("outcomes.csv")), OutcomesName: td("outcomes.csv"),
				At: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Format: c.format, BandWidth: c.bandWidth, Files: []string{c.leads}}
			report, dead, counts := filepath.Join(dir, "report"), filepath.Join(dir, "dead.ndjson"), filepath.Join(dir, "counts.json")
			p, s := beam.NewPipelineWithRoot()
			f, err := pipelines.Feedback(s, cfg, pipelines.ReadLines(s, beam.Create(s, c.leads)))
			require.NoError(t, err)
			pipelines.WriteText(s, report, f.Report)
			pipelines.WriteDeadLetters(s, dead, []string{c.leads, c.dispositions}, f.DeadLetters)
			pipelines.WriteCounts(s, counts, f.Counts)
			require.NoError(t, ptest.Run(p))

			args := []string{"feedback", "--model", td("b2b-saas.yaml"), "--leads", c.leads, "--dispositions", c.dispositions,
				"--outcomes", td("outcomes.csv"), "--at", "2026-10-01", "--format", c.format}
			if c.bandWidth != 0 {
				args = append(args, "--band-width", strconv.FormatFloat(c.bandWidth, 'g', -1, 64))
			}
			stdout, stderr := runCLI(t, args...)
			require.Equal(t, stdout, readFile(t, report), "the report, byte for byte")
			if c.dispositions == early {
				require.Contains(t, stdout, "L0000754 was accepted on 2026-09-29T06:00:00Z, 2.6 h before its hand-off on 2026-09-29T08:36:42Z")
				require.Contains(t, stdout, "1 later verdict of leads that already had one: the first counts")
			}

			// The rows that failed, by file and line, as the command line names them.
			var cli, got []string
			for _, l := range strings.Split(stderr, "\n") {
				if m := rowLine.FindStringSubmatch(l); m != nil && (strings.HasPrefix(l, c.leads) || strings.HasPrefix(l, c.dispositions) || strings.HasPrefix(l, td("outcomes.csv"))) {
					cli = append(cli, strings.SplitN(l, ":", 2)[0]+":"+m[1])
				}
			}
			for _, d := range deadLetters(t, dead) {
				got = append(got, d.File+":"+strconv.Itoa(d.Line))
				require.True(t, strings.HasPrefix(d.Error, d.File+":"+strconv.Itoa(d.Line)+": "), d.Error)
			}
			slices.Sort(cli)
			slices.Sort(got)
			require.Len(t, got, c.failedLeads+c.failedDisp+c.unmatchedOutcomes)
			require.Equal(t, cli, got, "the rows that failed")
			var n pipelines.Counts
			require.NoError(t, json.Unmarshal([]byte(readFile(t, counts)), &n))
			require.Equal(t, n.Read, n.Used+n.Failed)
			require.Equal(t, c.failedLeads, n.Failed)
			rows := " lead rows: "
			if n.Read == 1 {
				rows = " lead row: "
			}
			require.Contains(t, stderr, strconv.Itoa(n.Read)+rows+strconv.Itoa(n.Used)+" used, "+strconv.Itoa(n.Failed)+" failed;")
		})
	}
}
