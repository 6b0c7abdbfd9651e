package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

// startsHoldout writes the bundled holdout model with starts: START into a
// new directory and returns its path.
func startsHoldout(t *testing.T, start string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(td(filepath.Join("holdout", "model.yaml")))
	require.NoError(t, err)
	s := strings.Replace(string(src), "  withhold: handoff", "  starts: "+start+"\n  withhold: handoff", 1)
	require.Contains(t, s, "starts: "+start)
	lists, err := os.ReadFile(td(filepath.Join("holdout", "common", "lists.yaml")))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	name := filepath.Join(dir, "model.yaml")
	require.NoError(t, os.WriteFile(name, []byte(s), 0o644))
	return name
}

// leadsCame is, from a leads file, each lead's id and when it came: its
// created_at, or its first event.
func leadsCame(t *testing.T, file string) map[string]time.Time {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	out := map[string]time.Time{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l struct {
			ID      string    `json:"id"`
			Created time.Time `json:"created_at"`
			Events  []struct {
				At time.Time `json:"at"`
			} `json:"events"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &l))
		came := l.Created
		for _, e := range l.Events {
			if l.Created.IsZero() && (came.IsZero() || e.At.Before(came)) {
				came = e.At
			}
		}
		out[l.ID] = came
	}
	return out
}

// score with a holdout that starts: a lead created before the start is
// holdout false and handed off when sales-ready, whatever its hash; a
// lead after it is in the hash's group; the summary counts the leads
// before the start, as the files' own creation times count them.
func TestScoreHoldoutStarts(t *testing.T) {
	model := startsHoldout(t, "2026-05-01")
	leads := td(filepath.Join("backtest", "leads.ndjson"))
	code, out, errOut := leadscore(t, "", "score", "--model", model, "--at", "2026-10-01", leads)
	require.Equal(t, exitOK, code, errOut)
	h := rules.NewHoldout(0.2, "q3-holdout")
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	came := leadsCame(t, leads)
	before, held, heldReady, hashedBefore := 0, 0, 0, 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			ID         string `json:"id"`
			SalesReady bool   `json:"sales_ready"`
			Holdout    *bool  `json:"holdout"`
			HandedOff  *bool  `json:"handed_off"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		require.NotNil(t, r.Holdout)
		if came[r.ID].Before(start) {
			before++
			assert.False(t, *r.Holdout, r.ID)
			if h.Control(r.ID) {
				hashedBefore++
			}
		} else {
			assert.Equal(t, h.Control(r.ID), *r.Holdout, "%s: in the experiment, the hash's group", r.ID)
		}
		assert.Equal(t, r.SalesReady && !*r.Holdout, *r.HandedOff, r.ID)
		if *r.Holdout {
			held++
			if r.SalesReady {
				heldReady++
			}
		}
	}
	assert.Equal(t, 1120, before, "February to April: 337 + 409 + 374 leads")
	assert.Positive(t, hashedBefore, "some leads before the start would have been held out")
	assert.Contains(t, errOut, "holdout (share 20%, seed q3-holdout): "+strconv.Itoa(held)+" of 3000 scored leads in the control group; "+strconv.Itoa(heldReady)+
		" sales-ready leads held out of the hand-off (handed_off: false); 1120 leads created before the experiment started (2026-05-01) are in neither group")

	// --created-field goes with a holdout that starts: a field the model
	// has not is refused, as with --accounts.
	code, _, errOut = leadscore(t, "", "score", "--model", model, "--at", "2026-10-01", "--created-field", "signed_up", leads)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `--created-field signed_up: the model has no field "signed_up"`)
	code, _, errOut = leadscore(t, "", "score", "--model", td(filepath.Join("holdout", "model.yaml")), "--at", "2026-10-01", "--created-field", "created_at", leads)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "goes with --accounts, or with a holdout that starts")
}

// stream marks as score does: its --dump is score's output, lead for lead,
// leads with no creation time placed by their first event; and the change
// lines of the leads that came before the start say holdout false.
func TestStreamHoldoutStarts(t *testing.T) {
	// The bundled leads, every third without its creation time.
	data, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i%3 == 0 {
			line = regexp.MustCompile(`,"created_at":"[^"]*"`).ReplaceAllString(line, "")
		}
		b.WriteString(line + "\n")
	}
	leads := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(b.String()), 0o644))
	came := leadsCame(t, leads)
	model := startsHoldout(t, "2026-06-01")
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	input, _ := streamLines(t, leads, 0)
	dir := t.TempDir()
	code, out, errOut := leadscore(t, string(input), "stream", "--model", model, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	h := rules.NewHoldout(0.2, "q3-holdout")
	beforeHashed := 0
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var c changeLine
		require.NoError(t, json.Unmarshal([]byte(line), &c))
		require.NotNil(t, c.Result.Holdout, line)
		if came[c.LeadID].Before(start) {
			assert.False(t, *c.Result.Holdout, line)
			if h.Control(c.LeadID) {
				beforeHashed++
			}
		} else {
			assert.Equal(t, h.Control(c.LeadID), *c.Result.Holdout, line)
		}
		assert.Equal(t, c.Result.SalesReady && !*c.Result.Holdout, *c.Result.HandedOff, line)
	}
	assert.Positive(t, beforeHashed)
	code, dump, errOut := leadscore(t, "", "stream", "--model", model, "--state", dir, "--dump", "--at", "2026-10-01")
	require.Equal(t, exitOK, code, errOut)
	code, scores, errOut := leadscore(t, "", "score", "--model", model, "--at", "2026-10-01", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "leads created before the experiment started (2026-06-01) are in neither group")
	assert.Equal(t, sortedLines(scores), sortedLines(dump))
}

// backtest --holdout with a start (testdata/holdout/started.yaml,
// starts: 2026-05-01): the leads before it are counted and said in every
// format, and the groups add up to the leads after it, won and revenue
// counted apart from the files. The markdown report is pinned in
// testdata/golden/backtest-holdout-started.md (go test -update rewrites it).
func TestBacktestHoldoutStarts(t *testing.T) {
	model := td(filepath.Join("holdout", "started.yaml"))
	run := func(format string) string {
		args := []string{"backtest", "--model", model, "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
			"--at", "2026-07-01", "--until", "2026-10-01", "--holdout"}
		if format != "" {
			args = append(args, "--format", format)
		}
		code, out, errOut := leadscore(t, "", append(args, td(filepath.Join("backtest", "leads.ndjson")))...)
		require.Equal(t, exitOK, code, errOut)
		return out
	}
	const said = "1120 leads created before the experiment started (2026-05-01) are in neither group, left out of both comparisons and the split's test"
	text := run("")
	assert.Contains(t, text, "Holdout (share 20%, seed q3-holdout, withhold handoff): "+said)
	md := run("markdown")
	assert.Contains(t, md, said)
	name := td(filepath.Join("golden", "backtest-holdout-started.md"))
	if *update {
		require.NoError(t, os.WriteFile(name, []byte(md), 0o644))
	}
	golden, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, string(golden), md)
	page := run("html")
	assert.Contains(t, strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")), " "), "1,120 leads created before the experiment started (2026-05-01) are in neither group")
	assert.Contains(t, page, `data-path="holdout.before_start"`)
	var rep struct {
		Holdout struct {
			Starts      string `json:"starts"`
			BeforeStart *int   `json:"before_start"`
			Overall     struct {
				Treated struct {
					Leads, Won int
					Revenue    float64
				} `json:"treated"`
				Control struct {
					Leads, Won int
					Revenue    float64
				} `json:"control"`
				SampleRatio struct {
					Leads   int `json:"leads"`
					Control int `json:"control"`
				} `json:"sample_ratio"`
			} `json:"overall"`
		} `json:"holdout"`
	}
	require.NoError(t, json.Unmarshal([]byte(run("json")), &rep))
	require.NotNil(t, rep.Holdout.BeforeStart)
	assert.Equal(t, 1120, *rep.Holdout.BeforeStart)
	assert.Equal(t, "2026-05-01", rep.Holdout.Starts)
	o := rep.Holdout.Overall
	assert.Equal(t, 3000-1120, o.Treated.Leads+o.Control.Leads, "every lead of the file came by T1: the rest are compared")
	// By hand, from the files: the leads created from the start to T1,
	// their deals won by T1 and the revenue.
	came, won, revenue := holdoutLeadsFrom(t, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "2026-10-01T00:00:00Z")
	assert.Equal(t, came, o.Treated.Leads+o.Control.Leads)
	assert.Equal(t, won, o.Treated.Won+o.Control.Won)
	assert.InDelta(t, revenue, o.Treated.Revenue+o.Control.Revenue, 1e-6)
	assert.Positive(t, won)
	assert.Equal(t, o.Treated.Leads+o.Control.Leads, o.SampleRatio.Leads)
	assert.Equal(t, o.Control.Leads, o.SampleRatio.Control)
	// The control group is the hash's, among the leads after the start.
	h := rules.NewHoldout(0.2, "q3-holdout")
	control := 0
	for id, at := range leadsCame(t, td(filepath.Join("backtest", "leads.ndjson"))) {
		if !at.Before(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) && h.Control(id) {
			control++
		}
	}
	assert.Equal(t, control, o.Control.Leads)
}
