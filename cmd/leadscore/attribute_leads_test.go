package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/gendata"
	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// serialLeadJourneys is the reference for readLeadJourneys: attribute
// --leads as it was before it read on every core, kept verbatim — one lead
// at a time through leadfile.Read, each with its whole scoring timeline
// (leadJourneyReference), its fields decoded into a map.
func serialLeadJourneys(opts leadfile.Options, run *leadsRun, add func(line int, j *attribution.Journey, err error) error) error {
	opts.Bound = false // the reference read every lead into a map
	return leadfile.Read(opts, func(line int, lead scoring.Lead, err error) error {
		run.seen.saw(lead.ID)
		var j *attribution.Journey
		if err == nil {
			us := run.scorer.Unknown(lead)
			run.unknown.Add(us)
			if len(us) > 0 && run.strict {
				err = &scoring.UnknownDataError{Unknown: us}
			}
		}
		if err == nil {
			lead.Dispositions = append(lead.Dispositions, run.verdicts.For(lead.ID)...)
			j, err = leadJourneyReference(run.scorer, lead, run.asOf, run.createdField, run.tf, run.outcomes, run.cut)
			if err == nil && j == nil {
				return nil // created after --at
			}
		}
		return add(line, j, err)
	})
}

// leadJourneyReference is leadJourney as it was: the milestones read off
// the lead's whole Timeline.
func leadJourneyReference(s *scoring.Scorer, lead scoring.Lead, asOf time.Time, createdField string, tf *touchFields, outcomes map[string]attribution.Outcome, cut *asOfCut) (*attribution.Journey, error) {
	j := &attribution.Journey{ID: lead.ID, Touches: []attribution.Touch{}, Milestones: map[string]time.Time{}}
	created := time.Time{}
	if fields, ok := lead.Fields.(map[string]any); ok {
		notTime := func(v string) error {
			return &scoring.Error{LeadID: lead.ID, Err: fmt.Errorf("%s is %s, not a time: it says when the lead was created; write it as 2026-09-29T10:00:00Z (RFC 3339), or leave it out to take the lead's first event", createdField, v)}
		}
		switch v := fields[createdField].(type) {
		case nil:
		case string:
			if strings.TrimSpace(v) == "" {
				break // empty text is no creation time
			}
			t, err := dsl.ParseTime(v)
			if err != nil {
				return nil, notTime(strconv.Quote(v))
			}
			created = t
		case time.Time:
			created = v
		default:
			return nil, notTime(fmt.Sprint(v))
		}
	}
	arrived := created // a lead without a creation time exists from its first event
	if arrived.IsZero() {
		for _, e := range lead.Events {
			if arrived.IsZero() || e.At.Before(arrived) {
				arrived = e.At
			}
		}
	}
	if !arrived.IsZero() && arrived.After(asOf) {
		cut.notCreated++
		return nil, nil // it did not exist yet: nothing after --at counts
	}
	for _, d := range lead.Dispositions {
		if d.At.After(asOf) {
			cut.verdicts++ // the timeline does not see it
		}
	}
	for _, e := range lead.Events {
		if e.At.After(asOf) {
			cut.events++
			continue
		}
		campaign, _ := e.Fields[tf.campaign].(string)
		channel, _ := e.Fields[tf.channel].(string)
		tf.events++
		if campaign != "" {
			tf.withCampaign++
		}
		if channel != "" {
			tf.withChannel++
		}
		if campaign == "" && channel == "" {
			continue // not a marketing touch
		}
		if channel == "" {
			channel = "(none)"
		}
		if campaign == "" {
			campaign = "(" + channel + ")"
		}
		j.Touches = append(j.Touches, attribution.Touch{At: e.At, Campaign: campaign, Channel: channel})
	}
	if !created.IsZero() {
		j.Milestones[attribution.LeadCreated] = created
	}
	tl, err := s.Timeline(lead, asOf)
	if err != nil {
		var se *scoring.Error
		if errors.As(err, &se) {
			err = se.Err
		}
		return nil, err
	}
	if r, ok := tl.SalesReadyAt(s); ok {
		j.Milestones[attribution.SalesReady] = r.At
	}
	if at, ok := tl.SalesAcceptedAt(); ok {
		j.Milestones[attribution.SalesAccepted] = at
	}
	if o, ok := outcomes[lead.ID]; ok {
		switch {
		case o.Opportunity.After(asOf):
			cut.opportunities++
		case !o.Opportunity.IsZero():
			j.Milestones[attribution.Opportunity] = o.Opportunity
		}
		switch {
		case o.Won.After(asOf):
			cut.wins++
			cut.revenue += o.Revenue
		case !o.Won.IsZero():
			j.Milestones[attribution.Won] = o.Won
			j.Converted, j.Revenue = true, o.Revenue
		}
	}
	return j, nil
}

// attributeRun is what one attribute run gives: its exit code, stdout,
// stderr and the files it wrote.
type attributeRun struct {
	code                  int
	out, errOut           string
	journeys, credit, tps string
}

// runAttributeWith runs attribute with read in place of readLeadJourneys;
// OUT in args is replaced with a fresh directory for its output files.
func runAttributeWith(t *testing.T, read func(leadfile.Options, *leadsRun, func(int, *attribution.Journey, error) error) error, args []string) attributeRun {
	t.Helper()
	saved := readLeadJourneys
	readLeadJourneys = read
	defer func() { readLeadJourneys = saved }()
	dir := t.TempDir()
	args = append([]string(nil), args...)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "OUT", dir)
	}
	code, out, errOut := leadscore(t, "", append([]string{"attribute"}, args...)...)
	errOut = strings.ReplaceAll(errOut, dir, "OUT")
	file := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "(none)"
		}
		return string(b)
	}
	return attributeRun{code, out, errOut, file("journeys.ndjson"), file("credit.csv"), file("transitions.csv")}
}

// checkSameAsReference runs attribute with args as it is and as the
// reference, and wants the same bytes everywhere; it returns the run.
func checkSameAsReference(t *testing.T, args ...string) attributeRun {
	t.Helper()
	want := runAttributeWith(t, serialLeadJourneys, args)
	got := runAttributeWith(t, mapLeadJourneys, args)
	assert.Equal(t, want.code, got.code, "exit code of %v", args)
	assert.Equal(t, want.errOut, got.errOut, "stderr of %v", args)
	assert.True(t, want.out == got.out, "stdout of %v differs from the reference's:\n%s", args, firstDifference(want.out, got.out))
	assert.True(t, want.journeys == got.journeys, "--journeys-out of %v differs:\n%s", args, firstDifference(want.journeys, got.journeys))
	assert.True(t, want.credit == got.credit, "--credit-out of %v differs:\n%s", args, firstDifference(want.credit, got.credit))
	assert.True(t, want.tps == got.tps, "--transitions-out of %v differs:\n%s", args, firstDifference(want.tps, got.tps))
	return got
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(bl), len(al))
}

// The bundled leads, outcomes, costs and dispositions give, in every
// format and with every output file, the very bytes the serial reference
// gives.
func TestAttributeLeadsSameAsReferenceBundled(t *testing.T) {
	base := []string{"--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--costs", td("costs.csv")}
	cases := [][]string{
		{"--at", "2027-02-01", "--format", "markdown", "--journeys-out", "OUT/journeys.ndjson"},
		{"--at", "2026-07-01", "--format", "json", "--credit-out", "OUT/credit.csv"},
		{"--at", "2026-10-01", "--format", "csv", "--dispositions", td("dispositions.csv"), "--journeys-out", "OUT/journeys.ndjson"},
		{"--at", "2026-09-01", "--dispositions", td("dispositions.csv"), "--models", "linear;w_shaped:sales_accepted;custom:first_touch=0.5,sales_ready=0.3,between=0.2"},
		{"--at", "2026-10-01", "--format", "html", "--models", "linear;markov:1;shapley", "--transitions-out", "OUT/transitions.csv"},
		{"--at", "2026-08-15", "--conversion", "opportunity", "--lookback", "30d", "--models", "first_touch,last_touch,time_decay:7d,position_based:40/40"},
		{"--at", "2026-10-01", "--campaign-field", "url"},
		{"--at", "2026-10-01", "--channel-field", "campaign", "--format", "json"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c, " "), func(t *testing.T) {
			run := checkSameAsReference(t, append(append([]string(nil), base...), c...)...)
			assert.Contains(t, []int{exitOK, exitProblem}, run.code, run.errOut)
		})
	}
	t.Run("csv leads", func(t *testing.T) {
		run := checkSameAsReference(t, "--leads", td("leads.csv"), "--events", td("events.csv"), "--model", td("b2b-saas.yaml"),
			"--outcomes", td("outcomes.csv"), "--at", "2026-10-01", "--format", "csv", "--journeys-out", "OUT/journeys.ndjson")
		assert.Equal(t, exitOK, run.code, run.errOut)
	})
}

// Rows that fail, here and there among good ones (JSON that does not
// parse, a lead without an id, data the model does not declare under
// --strict, a rule that cannot read a value, an unknown disposition), are
// reported in input order and counted as the reference does.
func TestAttributeLeadsSameAsReferenceWithFailures(t *testing.T) {
	good, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(good)), "\n")
	bad := []string{
		`{"id":`,
		`{"email":"a@b.co"}`,
		`{"id":"X1","email":"x@y.co","employees":"many","created_at":"2026-01-01T00:00:00Z"}`,
		`{"id":"X2","email":"x@y.co","shoe_size":44,"created_at":"2026-01-01T00:00:00Z","events":[{"type":"email_click","at":"2026-02-01T00:00:00Z","campaign":"c","colour":"red"}]}`,
		`{"id":"X3","email":"x@y.co","created_at":"2026-01-01T00:00:00Z","events":[{"type":"page_view","at":"2026-02-01T00:00:00Z","url":7}]}`,
		`{"id":"X4","email":"x@y.co","created_at":"2026-01-01T00:00:00Z","dispositions":[{"at":"2026-02-01T00:00:00Z","status":"maybe"}]}`,
		`{"id":"X5","email":"x@y.co","created_at":"2027-01-01T00:00:00Z"}`,
		`{"id":"X6","email":"x@y.co","created_at":"soon","events":[{"type":"email_click","at":"2026-02-01T00:00:00Z"}]}`,
		`{"id":"X7","email":"x@y.co","created_at":"","events":[{"type":"email_click","at":"2026-02-01T00:00:00Z"}]}`,
	}
	var mixed strings.Builder
	for i, l := range lines {
		mixed.WriteString(l + "\n")
		if i%97 == 13 {
			mixed.WriteString(bad[(i/97)%len(bad)] + "\n")
		}
	}
	for _, b := range bad {
		mixed.WriteString(b + "\n")
	}
	leads := writeTemp(t, "mixed.ndjson", mixed.String())
	for _, extra := range [][]string{nil, {"--strict-data"}, {"--dispositions", td("dispositions.csv"), "--format", "json"}} {
		args := append([]string{"--leads", leads, "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-10-01",
			"--journeys-out", "OUT/journeys.ndjson"}, extra...)
		run := checkSameAsReference(t, args...)
		assert.Equal(t, exitProblem, run.code, "some rows fail: %s", run.errOut)
	}

	// A model whose total cannot be worked out at some points of some
	// timelines (engagement of exactly 3, one email click), though it can
	// at the as-of time: those leads fail as they did, with the point's
	// error.
	dir := t.TempDir()
	for _, name := range []string{"b2b-saas.yaml", filepath.Join("common", "lists.yaml")} {
		b, err := os.ReadFile(td(name))
		require.NoError(t, err)
		if name == "b2b-saas.yaml" {
			b = append(b, "\ntotal: \"engagement == 3 ? (fit + 1) / (engagement - 3) : fit + engagement\"\n"...)
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	run := checkSameAsReference(t, "--leads", td("leads.ndjson"), "--model", filepath.Join(dir, "b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
		"--dispositions", td("dispositions.csv"), "--at", "2026-10-01", "--journeys-out", "OUT/journeys.ndjson")
	assert.Equal(t, exitProblem, run.code, run.errOut)
	assert.Contains(t, run.errOut, "this divides by zero: engagement - 3 is 0 here")
}

// generateAttributeData writes n generated leads (internal/leadgen), their
// CRM outcomes and sales' dispositions (which follow each lead's
// timeline) into dir, and returns the three files.
func generateAttributeData(tb testing.TB, dir string, n int, seed uint64, dispositions bool) (leads, outcomes, disps string) {
	tb.Helper()
	leads, outcomes, disps = filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "outcomes.csv"), filepath.Join(dir, "dispositions.csv")
	var lb, ob, db bytes.Buffer
	require.NoError(tb, leadgen.WriteNDJSON(&lb, leadgen.New(seed), n))
	g := leadgen.New(seed)
	var out []leadgen.Outcome
	for i := 0; i < n; i++ {
		out = append(out, leadgen.RealisticOutcome(seed, g.Next(), leadgen.Base))
	}
	require.NoError(tb, leadgen.WriteOutcomesLost(&ob, out))
	if dispositions {
		scorer, _ := loadScorer(td("b2b-saas.yaml"), os.Stderr)
		require.NotNil(tb, scorer)
		require.NoError(tb, gendata.WriteDispositions(&db, scorer, seed, n))
	}
	for name, b := range map[string][]byte{leads: lb.Bytes(), outcomes: ob.Bytes(), disps: db.Bytes()} {
		require.NoError(tb, os.WriteFile(name, b, 0o644))
	}
	return leads, outcomes, disps
}

// Generated leads, with outcomes and with sales' verdicts (accepted,
// rejected, recycled with a hold-down), as of several times: the same
// bytes as the reference.
func TestAttributeLeadsSameAsReferenceGenerated(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 600
	}
	leads, outcomes, disps := generateAttributeData(t, t.TempDir(), n, 11, true)
	model := td("b2b-saas.yaml")
	for _, c := range [][]string{
		{"--at", "2026-07-01"},
		{"--at", "2026-10-01", "--dispositions", disps, "--format", "csv", "--journeys-out", "OUT/journeys.ndjson"},
		{"--at", "2026-08-20", "--dispositions", disps, "--format", "json", "--models", "linear;w_shaped:sales_accepted;markov:2", "--credit-out", "OUT/credit.csv"},
		{"--at", "2026-04-01", "--dispositions", disps, "--costs", td("costs.csv"), "--format", "markdown"},
	} {
		t.Run(strings.Join(c, " "), func(t *testing.T) {
			run := checkSameAsReference(t, append([]string{"--leads", leads, "--model", model, "--outcomes", outcomes}, c...)...)
			assert.Equal(t, exitOK, run.code, run.errOut)
		})
	}
}

// The journeys the reference and readLeadJourneys build are compared above
// through everything attribute writes; here, directly, with the sales-ready
// and sales-accepted milestones that the timeline gives, so that a run
// where none is found cannot pass for a match.
func TestAttributeLeadsMilestonesFound(t *testing.T) {
	run := checkSameAsReference(t, "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
		"--dispositions", td("dispositions.csv"), "--at", "2026-10-01", "--journeys-out", "OUT/journeys.ndjson")
	assert.Contains(t, run.journeys, `"sales_ready":`)
	assert.Contains(t, run.journeys, `"sales_accepted":`)
}

// attribute --leads beside score on the same generated leads, so that the
// ratio of their times shows in one run (go test -bench AttributeLeads);
// reference is the serial reader attribute had before. Each reports its
// wall and CPU time per lead.
func BenchmarkAttributeLeads(b *testing.B) {
	n := 20000
	leads, outcomes, _ := generateAttributeData(b, b.TempDir(), n, 7, false)
	model := td("b2b-saas.yaml")
	bench := func(name string, read func(leadfile.Options, *leadsRun, func(int, *attribution.Journey, error) error) error, args ...string) {
		b.Run(name, func(b *testing.B) {
			saved := readLeadJourneys
			readLeadJourneys = read
			defer func() { readLeadJourneys = saved }()
			cpu0, ok := processCPU()
			for i := 0; i < b.N; i++ {
				var out, errOut bytes.Buffer
				if code := run(args, strings.NewReader(""), &out, &errOut); code != exitOK {
					b.Fatalf("exit %d: %s", code, errOut.String())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/lead")
			// CPU time too: on a shared machine it varies less than wall time.
			if cpu1, _ := processCPU(); ok {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/lead")
			}
		})
	}
	bench("score", mapLeadJourneys, "score", "--model", model, "--at", "2026-07-01", "-o", os.DevNull, "--quiet", leads)
	attr := []string{"attribute", "--model", model, "--outcomes", outcomes, "--leads", leads, "--at", "2026-07-01"}
	bench("attribute", mapLeadJourneys, attr...)
	bench("attribute-reference", serialLeadJourneys, attr...)
}

// A lead id given twice fails its later row, naming the first; the report
// is the one of the file without the repeat (the first row stands), not
// one that counts the lead twice.
func TestAttributeLeadsRepeatedIDFailsLaterRow(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(data), "\n")
	dup := filepath.Join(dir, "dup.ndjson")
	require.NoError(t, os.WriteFile(dup, []byte(string(data)+lines[0]+lines[1]), 0o644))
	args := []string{"attribute", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-10-12", "--models", "first_touch", "--format", "json"}
	code, want, errOut := leadscore(t, "", append(args, "--leads", td("leads.ndjson"))...)
	require.Equal(t, exitOK, code, errOut)
	code, got, errOut := leadscore(t, "", append(args, "--leads", dup)...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, dup+":1001: lead L0000001 was already given on line 1; give each lead one row (the first is kept)\n")
	assert.Contains(t, errOut, dup+":1002: lead L0000002 was already given on line 2;")
	assert.Contains(t, errOut, "1002 journeys read: 1000 used, 2 failed")
	assert.JSONEq(t, want, got)
}
