package pipelines_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/metrics"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/teststream"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/beam/pipelines"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

func init() {
	register.DoFn1x0[string](&collectFn{})
	register.DoFn1x0[pipelines.DeadLetter](&collectDeadFn{})
}

// collected holds what collectFn saw, by name: Prism runs the workers in
// the test's process.
var (
	mu        sync.Mutex
	collected = map[string][]string{}
)

type collectFn struct{ Name string }

func (f *collectFn) ProcessElement(s string) {
	mu.Lock()
	defer mu.Unlock()
	collected[f.Name] = append(collected[f.Name], s)
}

type collectDeadFn struct{ Name string }

func (f *collectDeadFn) ProcessElement(d pipelines.DeadLetter) {
	(&collectFn{f.Name}).ProcessElement(d.Row + "\t" + d.Error)
}

// streamLine is a line of the stream's input with its time.
type streamLine struct {
	at   time.Time
	lead string
	line string
}

// streamRun is what one run of Stream gave.
type streamRun struct {
	changes, results, late, dead []string
	counters                     map[string]int64
}

// runStream runs Stream on Prism over a TestStream and collects what it
// wrote. A run that has not ended within the limit fails the test (Prism
// runs of a stateful DoFn have hung: see docs/guide/beam.md) instead of
// holding the suite until go test's own timeout.
func runStream(t *testing.T, cfg pipelines.Streaming, ts *teststream.Config) streamRun {
	t.Helper()
	if name := os.Getenv("LEADSCORE_PRISM_LOG"); name != "" { // Prism's debug log, to see where a run stalls
		lf, err := os.Create(name)
		require.NoError(t, err)
		defer lf.Close()
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(lf, &slog.HandlerOptions{Level: slog.LevelDebug})))
		defer slog.SetDefault(prev)
	}
	mu.Lock()
	collected = map[string][]string{}
	mu.Unlock()
	p, s := beam.NewPipelineWithRoot()
	out := pipelines.Stream(s, cfg, teststream.Create(s, *ts))
	beam.ParDo0(s, &collectFn{"changes"}, out.Changes)
	beam.ParDo0(s, &collectFn{"results"}, out.Results)
	beam.ParDo0(s, &collectDeadFn{"late"}, out.Late)
	beam.ParDo0(s, &collectDeadFn{"dead"}, out.DeadLetters)
	type ended struct {
		res beam.PipelineResult
		err error
	}
	// Prism splits a bundle that has made no progress it can see, and a
	// bundle of timers makes none (it counts elements only); a split of a
	// bundle with timers loses them (apache/beam#35771), so the run
	// hangs. Run it without such splits.
	old := *jobopts.Experiments
	*jobopts.Experiments = strings.TrimPrefix(old+",prism_disable_sdf_split", ",")
	defer func() { *jobopts.Experiments = old }()
	done := make(chan ended, 1)
	go func() {
		res, err := ptest.RunWithMetrics(p)
		done <- ended{res, err}
	}()
	const limit = time.Minute
	var e ended
	select {
	case e = <-done:
	case <-time.After(limit):
		t.Fatalf("the Prism run of Stream has not ended after %s: it hangs", limit)
	}
	require.NoError(t, e.err)
	mu.Lock()
	defer mu.Unlock()
	run := streamRun{changes: collected["changes"], results: collected["results"], late: collected["late"], dead: collected["dead"], counters: map[string]int64{}}
	for _, c := range e.res.Metrics().Query(func(r metrics.SingleResult) bool { return r.Namespace() == "leadscore" }).Counters() {
		run.counters[c.Name()] += c.Result()
	}
	return run
}

// streamInput is the first n bundled leads as stream lines (each lead's
// fields at its creation, with the id "fields", and its events, with ids
// e0, e1, ...), in time order, and the leads.
func streamInput(t *testing.T, n int) ([]scoring.Lead, []streamLine) {
	f, err := os.Open(td("leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	var leads []scoring.Lead
	var lines []streamLine
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(leads) < n {
		var lead scoring.Lead
		require.NoError(t, json.Unmarshal(sc.Bytes(), &lead))
		leads = append(leads, lead)
		var obj map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &obj))
		events := obj["events"].([]any)
		delete(obj, "id")
		delete(obj, "events")
		created, err := time.Parse(time.RFC3339, obj["created_at"].(string))
		require.NoError(t, err)
		line, _ := json.Marshal(map[string]any{"lead_id": lead.ID, "id": "fields", "fields": obj})
		lines = append(lines, streamLine{created, lead.ID, string(line)})
		for i, e := range events {
			ev := e.(map[string]any)
			ev["lead_id"], ev["id"] = lead.ID, fmt.Sprintf("e%d", i)
			line, _ := json.Marshal(ev)
			lines = append(lines, streamLine{lead.Events[i].At, lead.ID, string(line)})
		}
	}
	require.NoError(t, sc.Err())
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
	return leads, lines
}

// eventIndex is the index of an event line's event in its lead's events,
// or -1 for a line that is not an event.
func eventIndex(s streamLine) int {
	var x struct{ ID string }
	json.Unmarshal([]byte(s.line), &x)
	var i int
	if _, err := fmt.Sscanf(x.ID, "e%d", &i); err != nil {
		return -1
	}
	return i
}

// TestStreamIsScore runs Stream on Prism over a TestStream of the first 60
// bundled leads' 290 lines: delivered ten at a time in reverse time order,
// the watermark advanced after each ten to the latest of them; two events
// delivered twice (one again at once, one 30 lines later); and two events
// held back until after the last line, far behind the watermark and behind
// their leads' clocks: one within the allowed lateness, one beyond it.
//
// Each lead's result as of Until must be, field by field, what
// scoring.Scorer.Score gives on its full history (every event once), but
// for the lead of the event beyond the allowed lateness, whose result must
// be that of its history without it; that event alone must be in Late, the
// counters must count one late line and two duplicates, and nothing may
// fail. Each lead's changes must follow one another (seq 1, 2, ..., each
// from the standing the last one left, ending at the standing as of
// Until). And, as the lines wait for the watermark and are applied in time
// order, the changes of the leads the late events do not touch must be
// byte for byte those of a run on the same lines delivered in time order,
// once each.
func TestStreamIsScore(t *testing.T) {
	until := time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC)
	scorer, err := leadscore.Load(td("b2b-saas.yaml"))
	require.NoError(t, err)
	model, _, err := pipelines.LoadModel(td("b2b-saas.yaml"))
	require.NoError(t, err)
	leads, lines := streamInput(t, 60)
	byID := map[string]scoring.Lead{}
	for _, l := range leads {
		byID[l.ID] = l
	}
	rowOf := func(l scoring.Lead) scoring.Row {
		res, err := scorer.Score(l, until)
		require.NoError(t, err)
		return res.Row()
	}
	without := func(l scoring.Lead, i int) scoring.Lead {
		l.Events = slices.Delete(slices.Clone(l.Events), i, i+1)
		return l
	}
	twice := func(l scoring.Lead, i int) scoring.Lead {
		l.Events = append(slices.Clone(l.Events), l.Events[i])
		return l
	}
	// lastOf is the time of each lead's last line.
	lastOf := map[string]time.Time{}
	for _, s := range lines {
		lastOf[s.lead] = s.at
	}
	watermark := lines[len(lines)-1].at

	// The held-back events: events whose loss would change their lead's
	// result (so that the test can fail), each followed by a later line
	// of its lead (so that it arrives behind the lead's clock); the one
	// within the allowed lateness among the last tenth of the lines, the
	// one beyond it among the first half, more than the allowed lateness
	// before its lead's last line. The duplicates: events whose second
	// count would change the result.
	within, beyond, dupNow, dupLater := -1, -1, -1, -1
	for k := len(lines) - 2; k >= len(lines)*9/10 && within < 0; k-- {
		s := lines[k]
		if i := eventIndex(s); i >= 0 && lastOf[s.lead].After(s.at) && !reflect.DeepEqual(rowOf(without(byID[s.lead], i)), rowOf(byID[s.lead])) {
			within = k
		}
	}
	require.GreaterOrEqual(t, within, 0, "no event to deliver late within the allowed lateness")
	lateness := watermark.Sub(lines[within].at) + 24*time.Hour
	for k, s := range lines[:len(lines)/2] {
		i := eventIndex(s)
		if i < 0 || s.lead == lines[within].lead {
			continue
		}
		l := byID[s.lead]
		switch {
		case beyond < 0 && lastOf[s.lead].Sub(s.at) > lateness && !reflect.DeepEqual(rowOf(without(l, i)), rowOf(l)):
			beyond = k
		case dupNow < 0 && !reflect.DeepEqual(rowOf(twice(l, i)), rowOf(l)):
			dupNow = k
		case dupLater < 0 && k > 40 && !reflect.DeepEqual(rowOf(twice(l, i)), rowOf(l)):
			dupLater = k
		}
	}
	require.True(t, beyond >= 0 && dupNow >= 0 && dupLater >= 0, "no event to deliver beyond the allowed lateness or twice")
	for _, k := range []int{dupNow, dupLater} {
		require.NotContains(t, []string{lines[within].lead, lines[beyond].lead}, lines[k].lead)
	}

	// The out-of-order stream.
	cfg := teststream.NewConfig()
	var order []streamLine
	for k, s := range lines {
		if k != within && k != beyond {
			order = append(order, s)
		}
	}
	again := map[string]streamLine{} // after the line, the line again
	again[lines[dupNow].line] = lines[dupNow]
	var dupLaterAfter string
	for k, s := range order {
		if s.line == lines[dupLater].line {
			dupLaterAfter = order[min(k+30, len(order)-1)].line
		}
	}
	again[dupLaterAfter] = lines[dupLater]
	for start := 0; start < len(order); start += 10 {
		chunk := order[start:min(start+10, len(order))]
		for k := len(chunk) - 1; k >= 0; k-- {
			require.NoError(t, cfg.AddElements(chunk[k].at.UnixMilli(), chunk[k].line))
			if a, ok := again[chunk[k].line]; ok {
				require.NoError(t, cfg.AddElements(a.at.UnixMilli(), a.line))
			}
		}
		require.NoError(t, cfg.AdvanceWatermark(chunk[len(chunk)-1].at.UnixMilli()))
	}
	for _, k := range []int{within, beyond} {
		require.NoError(t, cfg.AddElements(lines[k].at.UnixMilli(), lines[k].line))
	}
	require.NoError(t, cfg.AdvanceWatermarkToInfinity())
	run := runStream(t, pipelines.Streaming{Model: model, Until: until, AllowedLateness: lateness}, &cfg)

	require.Empty(t, run.dead)
	require.Len(t, run.late, 1)
	require.True(t, strings.HasPrefix(run.late[0], lines[beyond].line+"\t"), "late: %s", run.late[0])
	require.Contains(t, run.late[0], "beyond the allowed lateness")
	require.Equal(t, map[string]int64{"stream_late": 1, "stream_duplicates": 2}, run.counters)

	// The results, field by field.
	want := map[string]scoring.Row{}
	for _, l := range leads {
		if l.ID == lines[beyond].lead {
			l = without(l, eventIndex(lines[beyond]))
		}
		want[l.ID] = rowOf(l)
	}
	got := map[string]scoring.Row{}
	for _, line := range run.results {
		var r scoring.Row
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		require.NotContains(t, got, r.ID, "two results for lead %s", r.ID)
		got[r.ID] = r
	}
	require.Len(t, got, len(want))
	for id, w := range want {
		g := got[id]
		wv, gv := reflect.ValueOf(w), reflect.ValueOf(g)
		for i := range wv.NumField() {
			require.Equal(t, wv.Field(i).Interface(), gv.Field(i).Interface(), "lead %s: %s", id, wv.Type().Field(i).Name)
		}
	}

	// The changes, lead by lead.
	byLead, causes := checkChanges(t, run.changes, want)
	require.Len(t, byLead, len(leads))
	require.Positive(t, causes["recheck"], "no change at a re-check")

	// The same lines in time order, once each, the late ones in their
	// place: the changes of the leads the late events do not touch are
	// the same.
	inOrder := teststream.NewConfig()
	for start := 0; start < len(lines); start += 10 {
		chunk := lines[start:min(start+10, len(lines))]
		for _, s := range chunk {
			require.NoError(t, inOrder.AddElements(s.at.UnixMilli(), s.line))
		}
		require.NoError(t, inOrder.AdvanceWatermark(chunk[len(chunk)-1].at.UnixMilli()))
	}
	require.NoError(t, inOrder.AdvanceWatermarkToInfinity())
	ref := runStream(t, pipelines.Streaming{Model: model, Until: until}, &inOrder)
	require.Empty(t, ref.dead)
	require.Empty(t, ref.late)
	refByLead, _ := checkChanges(t, ref.changes, nil)
	compared := 0
	for id, cs := range byLead {
		if id == lines[within].lead || id == lines[beyond].lead {
			continue
		}
		require.Equal(t, refByLead[id], cs, "lead %s: its changes depend on the order its lines arrived in", id)
		compared++
	}
	t.Logf("%d lines and 2 again; late within %s: %s; beyond: %s; twice: %s, %s; %d changes %v, %d results; %d leads' changes equal to the in-order run's",
		len(lines), lateness, lines[within].line[:60], lines[beyond].line[:60], lines[dupNow].line[:60], lines[dupLater].line[:60],
		len(run.changes), causes, len(got), compared)
}

// checkChanges checks that each lead's changes follow one another (seq 1,
// 2, ..., each from the standing the last one left, each a change), the
// last one at the lead's standing in want when want is given, and returns
// them lead by lead in order of seq, and how many there are of each cause.
func checkChanges(t *testing.T, lines []string, want map[string]scoring.Row) (map[string][]string, map[string]int) {
	t.Helper()
	type change struct {
		Seq    int
		LeadID string `json:"lead_id"`
		Cause  string
		From   *stream.Standing
		Result scoring.Row
	}
	byLead := map[string][]change{}
	raw := map[string][]string{}
	causes := map[string]int{}
	for _, line := range lines {
		var c change
		require.NoError(t, json.Unmarshal([]byte(line), &c))
		byLead[c.LeadID] = append(byLead[c.LeadID], c)
		raw[c.LeadID] = append(raw[c.LeadID], line)
		causes[c.Cause]++
	}
	for id, cs := range byLead {
		idx := make([]int, len(cs))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(i, j int) bool { return cs[idx[i]].Seq < cs[idx[j]].Seq })
		sorted := make([]string, len(cs))
		var prev *stream.Standing
		for i, k := range idx {
			c := cs[k]
			sorted[i] = raw[id][k]
			require.Equal(t, i+1, c.Seq, "lead %s", id)
			require.True(t, reflect.DeepEqual(prev, c.From), "lead %s, change %d: from %v, want %v", id, c.Seq, c.From, prev)
			now := stream.Standing{Stage: c.Result.Stage, Grade: c.Result.Grade, SalesReady: c.Result.SalesReady}
			require.NotEqual(t, prev, &now, "lead %s, change %d changes nothing", id, c.Seq)
			prev = &now
		}
		if w, ok := want[id]; ok {
			require.Equal(t, stream.Standing{Stage: w.Stage, Grade: w.Grade, SalesReady: w.SalesReady}, *prev, "lead %s: the last change's standing is not the one as of Until", id)
		}
		raw[id] = sorted
	}
	return raw, causes
}

// A lead given in parts, its required email last, is kept unscored until
// the email comes, and then scored with every part, as leadscore stream
// does (TestStreamLeadGivenInParts in cmd/leadscore): no dead letter, one
// change before the email, and its result as of Until is score's of the
// whole lead.
func TestStreamLeadGivenInParts(t *testing.T) {
	until := time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC)
	model, _, err := pipelines.LoadModel(td("b2b-saas.yaml"))
	require.NoError(t, err)
	scorer, err := leadscore.Load(td("b2b-saas.yaml"))
	require.NoError(t, err)
	at := func(day int) time.Time { return time.Date(2026, 9, day, 10, 0, 0, 0, time.UTC) }
	cfg := teststream.NewConfig()
	for _, l := range []struct {
		at   time.Time
		line string
	}{
		{at(1), `{"lead_id":"L-1","at":"2026-09-01T10:00:00Z","fields":{"title":"VP Marketing","industry":"software","employees":500,"country":"US","created_at":"2026-09-01T00:00:00Z"}}`},
		{at(2), `{"lead_id":"L-1","id":"e1","type":"demo_request","at":"2026-09-02T10:00:00Z"}`},
		{at(3), `{"lead_id":"L-1","at":"2026-09-03T10:00:00Z","id":"crm-9","fields":{"email":"ana@acme.com"}}`},
	} {
		require.NoError(t, cfg.AddElements(l.at.UnixMilli(), l.line))
		require.NoError(t, cfg.AdvanceWatermark(l.at.UnixMilli()))
	}
	require.NoError(t, cfg.AdvanceWatermarkToInfinity())
	run := runStream(t, pipelines.Streaming{Model: model, Until: until}, &cfg)
	require.Empty(t, run.dead)
	require.NotEmpty(t, run.changes)
	require.Contains(t, run.changes[0], `"seq":1,"lead_id":"L-1","at":"2026-09-03T10:00:00Z","cause":"fields","id":"crm-9","from":null`, "first scored when the email came")
	require.Contains(t, run.changes[0], `"fit.decision-maker"`, "with the title of the first part")
	whole := scoring.Lead{ID: "L-1", Fields: map[string]any{"email": "ana@acme.com", "title": "VP Marketing", "industry": "software", "employees": 500, "country": "US", "created_at": "2026-09-01T00:00:00Z"},
		Events: []scoring.Event{{Type: "demo_request", At: at(2)}}}
	res, err := scorer.Score(whole, until)
	require.NoError(t, err)
	require.Len(t, run.results, 1)
	var got scoring.Row
	require.NoError(t, json.Unmarshal([]byte(run.results[0]), &got))
	require.Equal(t, res.Row(), got)
}

// An event of an id already applied, with other content, is a dead letter
// with the command line's message; the same event again is a duplicate,
// also when it comes late.
func TestStreamSameIDOtherContent(t *testing.T) {
	until := time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC)
	model, _, err := pipelines.LoadModel(td("b2b-saas.yaml"))
	require.NoError(t, err)
	at := func(day int) time.Time { return time.Date(2026, 9, day, 10, 0, 0, 0, time.UTC) }
	cfg := teststream.NewConfig()
	for _, l := range []struct {
		at   time.Time
		line string
	}{
		{at(1), `{"lead_id":"L-1","at":"2026-09-01T10:00:00Z","fields":{"email":"ana@acme.com","title":"VP Marketing","industry":"software","employees":500,"country":"US"}}`},
		{at(2), `{"lead_id":"L-1","id":"e1","type":"webinar_attended","at":"2026-09-02T10:00:00Z","minutes":30}`},
		{at(3), `{"at":"2026-09-02T10:00:00Z","minutes":30.0,"type":"webinar_attended","id":"e1","lead_id":"L-1"}`},
		{at(4), `{"lead_id":"L-1","id":"e1","type":"webinar_attended","at":"2026-09-04T10:00:00Z","minutes":45}`},
	} {
		require.NoError(t, cfg.AddElements(l.at.UnixMilli(), l.line))
		require.NoError(t, cfg.AdvanceWatermark(l.at.UnixMilli()))
	}
	require.NoError(t, cfg.AdvanceWatermarkToInfinity())
	run := runStream(t, pipelines.Streaming{Model: model, Until: until}, &cfg)
	require.Len(t, run.dead, 1)
	_, stderr := runCLIStatus(t, 1, "stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir(), writeTempFile(t, "events.ndjson", `{"lead_id":"L-1","id":"e1","type":"webinar_attended","at":"2026-09-02T10:00:00Z","minutes":30}
{"lead_id":"L-1","id":"e1","type":"webinar_attended","at":"2026-09-04T10:00:00Z","minutes":45}
`))
	msg := strings.SplitN(strings.Split(stderr, "\n")[0], ": ", 2)[1] // without FILE:LINE
	require.Contains(t, run.dead[0], msg)
	require.Equal(t, int64(1), run.counters["stream_duplicates"])
}

// writeTempFile writes text to a file of that name in a test's directory.
func writeTempFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}
