package feedback

import (
	"bytes"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// addReference is Add as it was before Prepare and File split it, on the
// lead's whole timeline: the reference of the differential tests.
func (b *Builder) addReference(lead scoring.Lead, won time.Time) error {
	asOf := b.opts.AsOf
	tl, err := b.s.Timeline(lead, asOf)
	if err != nil {
		return err
	}
	var ds []scoring.Disposition
	for _, d := range lead.Dispositions {
		if !d.At.After(asOf) {
			ds = append(ds, d)
		}
	}
	// Verdicts of one instant in the order the package documents
	// (scoring.CompareDispositions): accepted, rejected, recycled, then by
	// reason and owner; written out here, not called.
	rank := map[scoring.Status]int{scoring.Accepted: 0, scoring.Rejected: 1, scoring.Recycled: 2}
	sort.SliceStable(ds, func(i, j int) bool {
		a, c := ds[i], ds[j]
		switch {
		case !a.At.Equal(c.At):
			return a.At.Before(c.At)
		case rank[a.Status] != rank[c.Status]:
			return rank[a.Status] < rank[c.Status]
		case a.Reason != c.Reason:
			return a.Reason < c.Reason
		}
		return a.Owner < c.Owner
	})
	var srAt time.Time
	sr := false
	for _, p := range tl.Points {
		if p.SalesReady {
			srAt, sr = p.At, true
			break
		}
	}
	var res *scoring.Result
	if sr {
		if res, err = b.s.Score(lead, srAt); err != nil {
			return err
		}
	}
	r := b.rep
	r.Leads++
	for _, d := range ds {
		if d.Status == scoring.Recycled {
			if !sr || d.At.Before(srAt) {
				e := EarlyRecycle{Lead: lead.ID, Recycled: d.At}
				if sr {
					e.SalesReady = &srAt
				}
				r.EarlyRecycles = append(r.EarlyRecycles, e)
			}
			r.Recycle.Leads++
			if _, ok := tl.SalesReadyAfter(d.At); ok {
				r.Recycle.SalesReadyAgain++
			}
			if !won.IsZero() && won.After(d.At) && !won.After(asOf) {
				r.Recycle.WonLater++
			}
			break
		}
	}
	if !sr {
		if len(ds) > 0 {
			r.NotHandedOff++
		}
		return nil
	}
	r.SalesReady++
	var verdict *scoring.Disposition
	for i := range ds {
		if !ds[i].At.Before(srAt) {
			verdict = &ds[i]
			break
		}
	}
	// Accepts and rejects before the hand-off are left out; after the
	// verdict, superseded.
	for i := range ds {
		switch {
		case ds[i].Status == scoring.Recycled || verdict == &ds[i]:
		case ds[i].At.Before(srAt):
			r.EarlyVerdicts = append(r.EarlyVerdicts, EarlyVerdict{Lead: lead.ID, Status: ds[i].Status, At: ds[i].At, Handoff: srAt})
		default:
			r.LaterVerdicts++
		}
	}
	label := Label{}
	if verdict != nil {
		label = Label{Status: verdict.Status, Reason: verdict.Reason, At: verdict.At}
	}
	b.tally.Add(res.RuleIDs(), label)

	campaign, channel := b.source(lead, srAt)
	band := math.Floor(res.Total/b.opts.BandWidth) * b.opts.BandWidth
	b.count(0, campaign, 0, label)
	b.count(1, channel, 0, label)
	b.count(2, bandName(band, b.opts.BandWidth), band, label)
	b.count(3, orNone(res.Grade), float64(index(b.grade, res.Grade)), label)
	for _, f := range res.Fired {
		b.count(4, f.Rule, float64(b.m.Rule(f.Rule).Index), label)
	}
	// The week, found by stepping back a week at a time.
	k := 0.0
	for !srAt.After(asOf.Add(-time.Duration(k+1) * 7 * 24 * time.Hour)) {
		k++
	}
	b.count(5, weekName(asOf, k), -k, label)
	switch label.Status {
	case scoring.Accepted:
		r.Accepted++
	case scoring.Rejected:
		r.Rejected++
	case scoring.Recycled:
		r.Recycled++
	default:
		r.NeverDispositioned++
	}
	if label.Reason != "" {
		b.overall[label.Reason]++
	}

	sla := b.m.Handoff.SLAOf()
	if verdict == nil {
		if sla > 0 && asOf.Sub(srAt) > sla {
			r.SLA.Overdue++
			b.owner(NobodyYet).Breached++
		} else {
			r.SLA.Waiting++
		}
		return nil
	}
	r.Dispositioned++
	wait := verdict.At.Sub(srAt).Hours()
	b.waits = append(b.waits, wait)
	r.SLA.Measured++
	o := b.owner(orUnknown(verdict.Owner))
	o.Verdicts++
	o.waits = append(o.waits, wait)
	if sla > 0 && verdict.At.Sub(srAt) > sla {
		r.SLA.Breached++
		o.Breached++
	} else {
		r.SLA.Within++
	}
	return nil
}

func td(name string) string { return filepath.Join("..", "..", "testdata", name) }

type testLead struct {
	lead scoring.Lead
	won  time.Time
}

// bundledLeads are testdata/leads.ndjson with testdata/dispositions.csv.
func bundledLeads(t testing.TB, s *scoring.Scorer) []testLead {
	t.Helper()
	f, err := os.Open(td("dispositions.csv"))
	require.NoError(t, err)
	defer f.Close()
	set, _, err := ReadDispositions(f, s.Model().Handoff, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	lf, err := os.Open(td("leads.ndjson"))
	require.NoError(t, err)
	defer lf.Close()
	var out []testLead
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: lf, InputName: "leads.ndjson"}, func(line int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		lead.Dispositions = set.For(lead.ID)
		out = append(out, testLead{lead: lead})
		return nil
	}))
	return out
}

// withManyDispositions gives each lead from none to many dispositions
// (a few leads hundreds) around its events: acceptances, rejections and
// recycles with the catalogue's reasons, many at the same time as another
// or closer together than the hold, some just the hold apart; and some
// leads a win.
func withManyDispositions(r *rand.Rand, h *rules.Handoff, leads []testLead) []testLead {
	codes := h.Codes()
	statuses := []scoring.Status{scoring.Accepted, scoring.Rejected, scoring.Recycled, scoring.Recycled}
	owners := []string{"", "ana.r", "sam.k", "lee"}
	out := make([]testLead, len(leads))
	for i, tl := range leads {
		lead := tl.lead
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if len(lead.Events) > 0 {
			start = lead.Events[r.Intn(len(lead.Events))].At
		}
		n := r.Intn(12)
		if r.Intn(50) == 0 {
			n = 100 + r.Intn(400)
		}
		ds := make([]scoring.Disposition, 0, n)
		for k := 0; k < n; k++ {
			d := scoring.Disposition{At: start.Add(time.Duration(r.Int63n(int64(200*24*time.Hour))) - 30*24*time.Hour),
				Status: statuses[r.Intn(len(statuses))], Owner: owners[r.Intn(len(owners))]}
			switch {
			case k > 0 && r.Intn(5) == 0:
				d.At = ds[r.Intn(k)].At
			case k > 0 && r.Intn(8) == 0:
				d.At = ds[r.Intn(k)].At.Add(h.Hold)
			}
			if d.Status != scoring.Accepted {
				d.Reason = codes[r.Intn(len(codes))]
			}
			ds = append(ds, d)
		}
		lead.Dispositions = ds
		var won time.Time
		if r.Intn(5) == 0 {
			won = start.Add(time.Duration(r.Int63n(int64(300 * 24 * time.Hour))))
		}
		out[i] = testLead{lead: lead, won: won}
	}
	return out
}

// reports builds the report on the leads both ways: Add as it was, lead
// by lead, and Prepare on several goroutines at once with File in input
// order, as the CLI does; it returns both in text and JSON.
func reports(t *testing.T, s *scoring.Scorer, opts Options, leads []testLead) (want, got [2]string) {
	t.Helper()
	ref := NewBuilder(s, opts)
	var refErrs []string
	for _, l := range leads {
		if err := ref.addReference(l.lead, l.won); err != nil {
			refErrs = append(refErrs, l.lead.ID+": "+err.Error())
		}
	}
	b := NewBuilder(s, opts)
	entries := make([]*Entry, len(leads))
	errs := make([]error, len(leads))
	var wg sync.WaitGroup
	const workers = 4
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(leads); i += workers {
				entries[i], errs[i] = b.Prepare(leads[i].lead, leads[i].won)
			}
		}(w)
	}
	wg.Wait()
	var gotErrs []string
	for i, e := range entries {
		if errs[i] != nil {
			gotErrs = append(gotErrs, leads[i].lead.ID+": "+errs[i].Error())
			continue
		}
		b.File(e)
	}
	require.Equal(t, refErrs, gotErrs)
	write := func(r *Report) [2]string {
		var text, js bytes.Buffer
		require.NoError(t, r.WriteText(&text))
		require.NoError(t, r.WriteJSON(&js))
		return [2]string{text.String(), js.String()}
	}
	return write(ref.Report()), write(b.Report())
}

// The report Prepare and File give is the very report Add gave, byte for
// byte: on the bundled data, and on the bundled leads with many
// dispositions each (recycles that reset events and hold the lead down,
// verdicts at the same time), at several as-of times.
func TestPrepareFileIsTheReferenceReport(t *testing.T) {
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	require.NotNil(t, m.Handoff)
	require.Positive(t, m.Handoff.Hold)
	require.NotEmpty(t, m.Handoff.ResetTypes)
	s := scoring.New(m)
	bundled := bundledLeads(t, s)
	r := rand.New(rand.NewSource(28))
	many := withManyDispositions(r, m.Handoff, bundled)
	total := 0
	for _, l := range many {
		total += len(l.lead.Dispositions)
	}
	require.Greater(t, total, 8000)
	for _, c := range []struct {
		name  string
		leads []testLead
		asOf  time.Time
	}{
		{"bundled", bundled, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
		{"bundled-early", bundled, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"many", many, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
		{"many-early", many, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"many-late", many, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, got := reports(t, s, Options{AsOf: c.asOf}, c.leads)
			require.Equal(t, want[0], got[0], "text")
			require.Equal(t, want[1], got[1], "json")
			require.Contains(t, want[0], "became sales-ready")
		})
	}
}
