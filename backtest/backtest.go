// Package backtest tests a sales-ready definition against what the CRM says
// happened: does the definition pick the leads that win?
//
// # No hindsight
//
// Every lead is scored as it stood at a snapshot time T0 (Options.At):
// events after T0 are not seen, exactly as scoring.Scorer.Score ignores
// them. Its label is what happened after: won in (T0, T1] (Options.Until;
// no end when zero), and, as a second label, an opportunity opened in
// (T0, T1]. Leads that did not exist yet at T0 (created after it, or,
// without a created field, with no event at or before it), leads already
// won or lost by T0, and leads already an open opportunity at T0 are left
// out of the backtest and counted, so that the counts reconcile: leads
// added = in the backtest + not yet created + decided + open opportunity.
// A lead's fields are read as they are in the file: a field filled in
// after T0 (an enrichment) is hindsight the data itself carries.
//
// Every number of the report comes from this snapshot view except the
// capacity flows (leads crossing a threshold per week, and the current
// definition's own weekly volume), which replay each lead's timeline up to
// T0 (scoring.Scorer.Timeline) and say so.
//
// # The report
//
// The sales-ready definition as a classifier of won deals (precision,
// recall, the won deals and revenue it did not call sales-ready);
// conversion by stage and by grade; score bands (deciles of the total and
// fixed-width bands) with win rate, lift and cumulative recall; AUC (the
// chance that a won lead outscores a lead that did not win, ties counted
// half) and KS; calibration by band (the win rate each band stands for,
// with a 95% Wilson interval, and whether it rises with the score); and
// each rule's signal: the share of won and of not-won leads it fired on,
// its lift, its weight of evidence and information value. Optional parts:
// capacity (Options.Capacity), suggested points (Suggest), and drift
// against a reference set of leads (AddReference).
//
// A ratio with nothing to divide by is nil (null in JSON, "—" in tables),
// never NaN or an infinity.
package backtest

import (
	"context"
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/numfmt"
	"math"
	"strings"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/internal/idset"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// Outcome is what the CRM says became of a lead (see attribution.ReadOutcomes).
type Outcome = attribution.Outcome

// Options set up a backtest.
type Options struct {
	// At is T0, the snapshot: every lead is scored as of it.
	At time.Time
	// Until is T1, the end of the outcome window (T0, T1]; zero for no end.
	Until time.Time
	// CreatedField is the lead field that holds when the lead was created
	// ("created_at" when empty). A lead without it exists from its first event.
	CreatedField string
	// BandWidth is the width of the fixed score bands (20 when zero).
	BandWidth float64
	// Capacity, when set, asks for the threshold whose weekly flow of leads
	// matches what sales can work.
	Capacity *Capacity
	// Suggest keeps the leads in the backtest so that Suggest can score
	// them with proposed points.
	Suggest bool
	// Trace keeps each lead's trace in a temporary file as it is measured
	// (see trace.go), so that Suggest and SuggestFrom rank the leads
	// under the points they try from it rather than reading and replaying
	// the leads again; Close removes the file. The file takes, per lead,
	// some 10 to 50 bytes per point of its timeline in the capacity's
	// history, or DefaultHistory.
	Trace bool
	// MinWon is the fewest won deals a conclusion may rest on
	// (DefaultMinWon when zero): below it, rule verdicts, calibration and
	// suggested points are withheld, and the report's warnings name every
	// figure that rests on fewer.
	MinWon int
	// Dispositions says the leads carry sales' verdicts: every lead is
	// replayed up to T1 for the verdict view, so that hand-offs without a
	// verdict count too. A lead with dispositions is replayed either way.
	Dispositions bool
}

// DefaultMinWon is the fewest won deals the report draws a conclusion
// from. With fewer, a rule that fires on half the leads expects under 10
// won deals on each side, and an interval on its effect spans most of
// what is plausible; the figures are still shown, with a warning.
const DefaultMinWon = 20

// DefaultHistory is how far before T0 the capacity flows are measured
// when Capacity.History is zero: 13 weeks, a quarter, so that the flow is
// today's and not an average over a stock of leads that was still filling.
const DefaultHistory = 13 * 7 * 24 * time.Hour

// Capacity is how many leads sales can work in a period.
type Capacity struct {
	Leads float64 // per Unit
	// Unit is "week" or "month" (30 days).
	Unit string
	// On is the category the threshold is on; "" for the total.
	On string
	// History is how long before T0 the flows are measured over
	// (DefaultHistory when zero), in whole periods ending at T0; never
	// before the first lead's creation.
	History time.Duration
}

// ParseCapacity reads "40/week" or "160/month".
func ParseCapacity(s string) (*Capacity, error) {
	num, unit, _ := strings.Cut(s, "/")
	n, err := numfmt.ParseDecimal(num) // 40, 7.5; not 0x28, 4_0 or Inf
	if err != nil || !(n > 0) || n > 1e9 || (unit != "week" && unit != "month") {
		return nil, fmt.Errorf("want how many leads sales can work, a number above 0 and at most a billion, such as 40/week or 160/month, got %q", s)
	}
	return &Capacity{Leads: n, Unit: unit}, nil
}

// Backtest collects leads and their outcomes; Report computes the report.
// Add leads in any order: the report does not depend on it.
//
// Memory grows with the leads, by what it keeps of each, never the lead
// itself (unless Options.Suggest asks): every lead added takes its id's
// bytes and 20 to 28 bytes more (the id's offset, its slots in the index,
// its record's place); every lead that existed at T0 a record of 104
// bytes, 16 bytes per climb of its capacity score up to T0 (with
// Options.Capacity), and, unless an earlier lead had the same, a list of
// 8 bytes per rule, gate and category, with 8 to 16 bytes to find it; a
// lead replayed for the verdict view, what it keeps of its hand-off and
// verdicts. Report and Suggest work with a few lists of a number or a
// pointer per lead while they run. With Options.Trace the leads' traces
// are on disk, in a temporary file, not in memory; the file list's
// marks take 8 bytes per 2,048 leads. The rest is bounded by the model and
// the outcomes (held as given to New). On the generated million leads (617,000
// existing at T0, with Options.Capacity), the command's largest live heap,
// the outcomes and the report's work included, was 206 MB.
type Backtest struct {
	scorer   *scoring.Scorer
	model    *rules.Model
	opts     Options
	outcomes map[string]Outcome
	// ids are the ids of the leads added, numbered in the order added;
	// order[i] is the record of id i.
	ids   idset.Set
	order []*leadRec
	// failed are the ids of the leads that failed, failedRows the lead
	// rows that failed (see LeadFailed).
	failed     map[string]bool
	failedRows int
	// sortedSeq caches bySeq(); nil when leads changed since.
	sortedSeq []int32
	ref       []refRec
	refAt     time.Time
	refIDs    map[string]bool
	onCat     int // capacity category index, -1 for the total
	first     time.Time
	// snapshotOnly is set for a Stability's snapshots: no timeline replays.
	snapshotOnly bool
	// judged is the rules' verdicts of the last Report, of judgedLeads
	// leads: Suggest reads which rules are suspected of leakage from it
	// rather than computing the whole report again (leads are only ever
	// added, so their number says whether it is still current).
	judged      []RuleSignal
	judgedLeads int
	// lists holds the records' lists of units and categories (see
	// leadRec.units), each once (see share).
	lists listStore
	// names are the grades and stages the records name by index.
	names   []string
	nameIdx map[string]uint32
	// slab is where AddMeasured files the next records, a block at a time.
	slab []leadRec
	// climbs holds the records' climbs one after another, in blocks.
	climbs []climbBlock
	// wides and verdictRecs hold what the rare records that need it keep
	// beside them (leadRec.wide, leadRec.v); zones the zones of the
	// records' creation times (leadRec.zone).
	wides       []*wideRec
	verdictRecs []*verdictRec
	zones       []*time.Location
	zoneIdx     map[zoneKey]uint16
	// fp is the fingerprint, once worked out.
	fp string
	// dropped says some kept leads were let go, their traces written
	// (see writeTraces): the backtest can no longer be merged into another.
	dropped bool
	// keptLeads are the leads in the order added, for Suggest, when
	// Options.Suggest asks (nil for a lead not kept).
	keptLeads []*scoring.Lead
	// trace is where the leads' traces are kept, with Options.Trace.
	trace *traceFile
}

// leadRec is what the report needs of one lead, kept small and without
// pointers: a backtest holds one for every lead that existed at T0 (104
// bytes, in slabs; see AddMeasured), and the garbage collector neither
// scans the slabs nor follows anything from them. Whatever has a size of
// its own is kept by the Backtest and named here by number.
type leadRec struct {
	total   float64
	revenue float64
	// Its instants (see Backtest.instant): when the CRM says it became an
	// opportunity and was won (zero when not), whatever the window, for
	// the capacity's win rate and for leakage by timing; its latest event
	// at or before T0; its arrival (its creation, or its first event; zero
	// when it has neither, and then it is left out of the flows); its
	// sales-ready moment up to T0; its creation (in the zone zone).
	at [nInstants]stamp
	// units names, in Backtest.lists, the list that holds per scoring rule
	// the points given / the rule's points, then per gate 1 or 0, then the
	// categories' scores (see Backtest.units); noList when it has none.
	// Leads alike share one list (Backtest.share).
	units uint32
	// From the timeline up to T0, for capacity: the running maximum of the
	// capacity score as (time, level) records, nClimbs of them from climb
	// in Backtest.climbs (see Backtest.climbsOf).
	climb, nClimbs uint32
	// v is 1 + the index of its verdictRec in Backtest.verdictRecs, for a
	// lead replayed for the verdict view; 0 when not.
	v int32
	// wide is 1 + the index of its wideRec in Backtest.wides, for the rare
	// lead with an instant that does not fit a stamp; 0 when none.
	wide         int32
	seq          int32  // place in the order added
	grade, stage uint32 // Backtest.names index
	zone         uint16 // Backtest.zones index of its creation time's zone
	exclusion    exclusion
	sr, disq     bool
	won, opp     bool // in (T0, T1]
	wonLater     bool // won after T1
}

// The instants a leadRec keeps.
const (
	atOpportunity = iota
	atWon
	atLastEvent
	atArrival
	atSalesReady
	atCreated
	nInstants
)

// noList is leadRec.units for a record without units.
const noList = math.MaxUint32

// units are the record's units (nil when it has none); the caller must
// not change them.
func (b *Backtest) units(l *leadRec) []float64 {
	if l.units == noList {
		return nil
	}
	return b.lists.list(l.units)[:b.lists.nu]
}

// cats are the record's category scores, which follow its units.
func (b *Backtest) cats(l *leadRec) []float64 {
	if l.units == noList {
		return nil
	}
	return b.lists.list(l.units)[b.lists.nu:]
}

func (b *Backtest) oppAt(l *leadRec) time.Time     { return b.instant(l, atOpportunity) }
func (b *Backtest) wonAt(l *leadRec) time.Time     { return b.instant(l, atWon) }
func (b *Backtest) lastEvent(l *leadRec) time.Time { return b.instant(l, atLastEvent) }
func (b *Backtest) arrival(l *leadRec) time.Time   { return b.instant(l, atArrival) }
func (b *Backtest) srAt(l *leadRec) time.Time      { return b.instant(l, atSalesReady) }

// created is when the lead was created, in the zone it was written in
// (the suggestion's split prints it); zero when not known.
func (b *Backtest) created(l *leadRec) time.Time {
	if l.wide != 0 {
		return b.wides[l.wide-1].at[atCreated]
	}
	t := l.at[atCreated].time()
	if !t.IsZero() && int(l.zone) < len(b.zones) {
		t = t.In(b.zones[l.zone])
	}
	return t
}

// verdictOf is the record's verdictRec, nil when it was not replayed for
// the verdict view.
func (b *Backtest) verdictOf(l *leadRec) *verdictRec {
	if l.v == 0 {
		return nil
	}
	return b.verdictRecs[l.v-1]
}

// wideRec keeps a record's instants and the times of its climbs as they
// are, for the rare lead with one that does not fit a stamp.
type wideRec struct {
	at     [nInstants]time.Time
	climbs []time.Time
}

func (b *Backtest) instant(l *leadRec, i int) time.Time {
	if l.wide != 0 {
		return b.wides[l.wide-1].at[i]
	}
	return l.at[i].time()
}

// climbsOf are the record's climbs; the caller must not change them.
func (b *Backtest) climbsOf(l *leadRec) []climb {
	if l.nClimbs == 0 {
		return nil
	}
	blk := b.climbs[l.climb/climbBlockSize]
	o := l.climb % climbBlockSize
	return blk[o : o+l.nClimbs : o+l.nClimbs]
}

// climbAt is when the lead reached its i'th climb.
func (b *Backtest) climbAt(l *leadRec, i int) time.Time {
	if l.wide != 0 {
		return b.wides[l.wide-1].climbs[i]
	}
	return b.climbsOf(l)[i].at.time()
}

// setInstants keeps the instants and the climbs' times as stamps in the
// record and the climbs, or, when one does not fit, as they are in wide.
func (m *Measured) setInstants(ts *[nInstants]time.Time, climbs []time.Time) {
	l, fit := m.rec, true
	for i, t := range ts {
		l.at[i], fit = stampOf(t)
		if !fit {
			break
		}
	}
	for i := 0; fit && i < len(climbs); i++ {
		m.climbs[i].at, fit = stampOf(climbs[i])
	}
	if !fit {
		m.wide = &wideRec{at: *ts, climbs: climbs}
	}
}

// stamp is an instant as nanoseconds since 1970 UTC: 8 bytes where a
// time.Time takes 24. Only instants from 1678 to 2261 fit; a record with
// one outside keeps its instants as they are.
type stamp int64

// noStamp stands for the zero time.
const noStamp = stamp(math.MinInt64)

func stampOf(t time.Time) (stamp, bool) {
	if t.IsZero() {
		return noStamp, true
	}
	if y := t.Year(); y < 1678 || y > 2261 {
		return 0, false
	}
	return stamp(t.UnixNano()), true
}

func (s stamp) time() time.Time {
	if s == noStamp {
		return time.Time{}
	}
	return time.Unix(0, int64(s)).UTC()
}

// verdictRec is what the verdict view keeps of a lead: when the
// definition handed it to sales (its first sales-ready moment up to T1;
// zero when never), the first verdict at or after it, and the rules that
// had fired then; loose is its first verdict in (T0 − SLA, T1] when the
// definition never handed it over by T1.
type verdictRec struct {
	handoff time.Time
	verdict feedback.Label
	fired   []string
	loose   feedback.Label
}

// exclusion is why a lead is not in the backtest.
type exclusion uint8

// Exclusions: why a lead is not in the backtest.
const (
	none exclusion = iota
	notCreated
	decided
	openOpportunity
)

// String says the exclusion as the report words it.
func (e exclusion) String() string {
	return [...]string{"", "not created by T0", "won or lost by T0", "open opportunity at T0"}[e]
}

type climb struct {
	at    stamp // see leadRec.climbAt
	level float64
}

// New starts a backtest of the scorer's model against the outcomes, by lead id.
func New(s *scoring.Scorer, outcomes map[string]Outcome, opts Options) (*Backtest, error) {
	if opts.At.IsZero() {
		return nil, errors.New("the backtest needs a snapshot time T0 (Options.At): every lead is scored as it stood then")
	}
	if !opts.Until.IsZero() && !opts.Until.After(opts.At) {
		return nil, fmt.Errorf("the end of the outcome window, T1 (%s), must come after the snapshot T0 (%s)",
			opts.Until.Format(time.RFC3339), opts.At.Format(time.RFC3339))
	}
	if opts.CreatedField == "" {
		opts.CreatedField = "created_at"
	}
	if opts.BandWidth <= 0 {
		opts.BandWidth = 20
	}
	if opts.MinWon <= 0 {
		opts.MinWon = DefaultMinWon
	}
	if c := opts.Capacity; c != nil && (!(c.Leads > 0) || math.IsInf(c.Leads, 0) || (c.Unit != "week" && c.Unit != "month")) {
		return nil, fmt.Errorf("the capacity must be a number of leads above 0 a week or a month, got %v a %q", c.Leads, c.Unit)
	}
	m := s.Model()
	b := &Backtest{scorer: s, model: m, opts: opts, outcomes: outcomes, onCat: -1}
	if c := opts.Capacity; c != nil && c.On != "" {
		cat := m.Category(c.On)
		if cat == nil {
			var names []string
			for _, c := range m.Categories {
				names = append(names, c.Name)
			}
			return nil, fmt.Errorf("the model has no score category %q to measure the capacity on%s", c.On,
				dsl.DidYouMeanOr(c.On, names, "its categories are "+joinList(names)))
		}
		b.onCat = cat.Index
	}
	if opts.Trace {
		b.trace = newTraceFile()
	}
	return b, nil
}

// Add scores one lead as of T0 and files it under its outcome. The error
// is for a lead that could not be scored (a *scoring.Error), or whose id
// was already added; the lead is left out and the rest go on.
func (b *Backtest) Add(lead scoring.Lead) error {
	return b.AddContext(context.Background(), lead)
}

// AddContext is Add, stopped when ctx is done.
func (b *Backtest) AddContext(ctx context.Context, lead scoring.Lead) error {
	if lead.ID != "" && b.ids.Find(lead.ID) >= 0 {
		return fmt.Errorf("lead %s appears twice; give each lead one row", lead.ID)
	}
	return b.AddMeasured(b.Measure(ctx, lead))
}

// Measured is what the backtest keeps of one lead: its score at T0, the
// rules that fired, its outcome, and what the capacity and verdict views
// need of its timeline; never the lead itself (unless Options.Suggest
// asks for it). A lead that could not be measured carries its error.
type Measured struct {
	id  string
	rec *leadRec
	err error
	// Kept aside until AddMeasured files the record: its grade and stage,
	// and the lead itself when Options.Suggest asks.
	grade, stage string
	lead         *scoring.Lead
	// What the record names by number once filed: its units and category
	// scores (as Backtest.units and cats read them, together), its climbs,
	// its creation time, its verdict view, its instants when one does not
	// fit a stamp.
	units   []float64
	climbs  []climb
	created time.Time
	v       *verdictRec
	wide    *wideRec
	// trace is the lead's trace, with Options.Trace (see keepTrace).
	trace *[]byte
	// arrival, when set, is when the lead came, to count towards the
	// start of the capacity's history: it was scored at T0 (even if its
	// timeline failed after).
	arrival time.Time
}

// ID is the measured lead's id.
func (m *Measured) ID() string { return m.id }

// Err is why the lead could not be measured (Add's error), or nil.
func (m *Measured) Err() error { return m.err }

// unborn stands for every lead created after T0 that the verdict view
// does not replay: the report only counts them, so they share one record.
var unborn = &leadRec{exclusion: notCreated, units: noList}

// Measure scores one lead as Add does, without adding it: it only reads
// the backtest, so many goroutines may measure leads at once, and
// AddMeasured then files them (from one goroutine, in any order). A lead
// that cannot be measured carries Add's error, which AddMeasured returns.
func (b *Backtest) Measure(ctx context.Context, lead scoring.Lead) (m *Measured) {
	m = &Measured{id: lead.ID}
	defer func() {
		if r := recover(); r != nil {
			m.rec, m.err = nil, &scoring.Error{LeadID: lead.ID, Err: fmt.Errorf("internal error: %v", r)}
		}
	}()
	if lead.ID == "" {
		m.err = errors.New("the lead has no id, so its outcome cannot be found; give every lead an id")
		return m
	}
	m.rec, m.err = b.measure(ctx, lead, m)
	if m.err != nil {
		m.rec = nil
	}
	return m
}

// AddMeasured files a lead Measure measured. Its error is the lead's own
// (see Measured.Err), or for a lead whose id was already added; the lead
// is then left out.
func (b *Backtest) AddMeasured(m *Measured) error {
	defer b.dropTrace(m)
	if m.id == "" {
		return m.err
	}
	if b.ids.Find(m.id) >= 0 {
		return fmt.Errorf("lead %s appears twice; give each lead one row", m.id)
	}
	if !m.arrival.IsZero() && (b.first.IsZero() || m.arrival.Before(b.first)) {
		b.first = m.arrival
	}
	if m.err != nil {
		return m.err
	}
	if nu, w := b.width(); len(m.units) != 0 && len(m.units) != w {
		return &scoring.Error{LeadID: m.id, Err: fmt.Errorf("internal error: %d units and category scores, where the model has %d rules and gates and %d categories (please report it)", len(m.units), nu, w-nu)}
	}
	seq, err := b.ids.Add(m.id)
	if err != nil {
		return err
	}
	rec := m.rec
	if rec != unborn {
		c := b.slot()
		*c = *rec
		rec = c
		rec.seq = int32(seq)
		b.file(rec, m)
	}
	if m.lead != nil || b.keptLeads != nil {
		if b.keptLeads == nil {
			b.keptLeads = make([]*scoring.Lead, len(b.order), len(b.order)+1)
		}
		l := m.lead
		if b.trace != nil && m.trace == nil {
			l = nil // no pass of the suggestion wants it (see keepTrace)
		}
		b.keptLeads = append(b.keptLeads, l)
	}
	if rec != unborn {
		b.fileTrace(seq, m) // its kept lead goes once its trace is written
	}
	b.sortedSeq = nil
	b.order = append(b.order, rec)
	return nil
}

// file keeps what m holds beside its record rec in the backtest's stores,
// and names it in rec by number.
func (b *Backtest) file(rec *leadRec, m *Measured) {
	rec.units = b.share(m.units)
	rec.climb, rec.nClimbs = b.keepClimbs(m.climbs)
	rec.grade, rec.stage = b.name(m.grade), b.name(m.stage)
	rec.zone, rec.wide, rec.v = 0, 0, 0
	wide := m.wide
	if z, ok := b.zone(m.created); ok && wide == nil {
		rec.zone = z
	} else if wide == nil { // over 65,535 zones: this one's creation time is kept as it is
		wide = &wideRec{}
		for i := range wide.at {
			wide.at[i] = rec.at[i].time()
		}
		wide.at[atCreated] = m.created
		for _, c := range m.climbs {
			wide.climbs = append(wide.climbs, c.at.time())
		}
	}
	if wide != nil {
		b.wides = append(b.wides, wide)
		rec.wide = int32(len(b.wides))
	}
	if m.v != nil {
		b.verdictRecs = append(b.verdictRecs, m.v)
		rec.v = int32(len(b.verdictRecs))
	}
}

// measuredOf is what rec of b names by number, as Measure made it, for
// another backtest to file (MergeState).
func (b *Backtest) measuredOf(rec *leadRec) *Measured {
	m := &Measured{rec: rec, grade: b.gradeOf(rec), stage: b.stageOf(rec), created: b.created(rec), v: b.verdictOf(rec)}
	if rec.units != noList {
		m.units = b.lists.list(rec.units)
	}
	m.climbs = b.climbsOf(rec)
	if rec.wide != 0 {
		m.wide = b.wides[rec.wide-1]
	}
	return m
}

// climbBlock is a block of climbs; climbBlockSize is how many a block
// takes (a record with more has a block of its own).
type climbBlock = []climb

const climbBlockSize = 1 << 16

// keepClimbs copies a record's climbs to the backtest's store, where they
// take what they need and no more, and returns where they are.
func (b *Backtest) keepClimbs(c []climb) (at, n uint32) {
	if len(c) == 0 {
		return 0, 0
	}
	last := len(b.climbs) - 1
	if last < 0 || cap(b.climbs[last])-len(b.climbs[last]) < len(c) || len(b.climbs[last]) >= climbBlockSize {
		b.climbs = append(b.climbs, make([]climb, 0, max(climbBlockSize, len(c))))
		last++
	}
	blk := b.climbs[last]
	at = uint32(last*climbBlockSize + len(blk))
	b.climbs[last] = append(blk, c...)
	return at, uint32(len(c))
}

// zoneKey tells zones apart as printing a time does: by the location's
// name, and the zone's abbreviation and offset at the instant.
type zoneKey struct {
	loc, name string
	offset    int
}

// zone is the index in b.zones of t's zone, added when new (UTC, 0, for
// the zero time); false after 65,536 zones.
func (b *Backtest) zone(t time.Time) (uint16, bool) {
	if t.IsZero() {
		return 0, true
	}
	if b.zoneIdx == nil {
		b.zones, b.zoneIdx = []*time.Location{time.UTC}, map[zoneKey]uint16{{"UTC", "UTC", 0}: 0}
	}
	name, off := t.Zone()
	k := zoneKey{t.Location().String(), name, off}
	if i, ok := b.zoneIdx[k]; ok {
		return i, true
	}
	if len(b.zones) > math.MaxUint16 {
		return 0, false
	}
	i := uint16(len(b.zones))
	b.zones = append(b.zones, t.Location())
	b.zoneIdx[k] = i
	return i, true
}

// slot is a new record's place in the slab.
func (b *Backtest) slot() *leadRec {
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]leadRec, 0, slabSize)
	}
	b.slab = b.slab[:len(b.slab)+1]
	return &b.slab[len(b.slab)-1]
}

// slabSize is how many records AddMeasured allocates at once: one
// allocation instead of thousands, and none of the slack of small ones.
const slabSize = 4096

// name is the index of a grade or stage in b.names, added when new.
func (b *Backtest) name(s string) uint32 {
	if b.nameIdx == nil {
		b.names, b.nameIdx = []string{""}, map[string]uint32{"": 0} // 0 is none, as in a zero record
	}
	if i, ok := b.nameIdx[s]; ok {
		return i
	}
	i := uint32(len(b.names))
	b.names = append(b.names, s)
	b.nameIdx[s] = i
	return i
}

// gradeOf and stageOf are a record's grade and stage ("" for none).
func (b *Backtest) gradeOf(l *leadRec) string { return b.nameOf(l.grade) }
func (b *Backtest) stageOf(l *leadRec) string { return b.nameOf(l.stage) }

func (b *Backtest) nameOf(i uint32) string {
	if int(i) < len(b.names) {
		return b.names[i]
	}
	return ""
}

// share files v (units, then category scores) in b.lists and returns its
// number there, or an earlier lead's list equal to it, bit for bit, so
// that leads which fired the same rules alike (on their fit alone, say)
// keep one copy; noList for none.
func (b *Backtest) share(v []float64) uint32 {
	if len(v) == 0 {
		return noList
	}
	if b.lists.w == 0 {
		b.lists.nu, b.lists.w = b.width()
	}
	return b.lists.intern(v)
}

// width is how many units a record has (its rules' and gates'), and how
// many numbers with the category scores after them.
func (b *Backtest) width() (nu, w int) {
	nu = len(b.model.Rules) + len(b.model.Gates)
	return nu, nu + len(b.model.Categories)
}

// listStore keeps lists of w numbers (nu units, then category scores)
// one after another in blocks, each named by its number, and each once:
// an open-addressing table of numbers (as idset.Set's) finds a list by its
// bits, without a key of its own.
type listStore struct {
	nu, w  int
	blocks [][]float64
	n      uint32
	// table holds 1 + the number of the list filed in each slot, 0 when
	// empty; its length is a power of two, at least twice the lists'.
	table []uint32
}

// hashList mixes the bits of a list's numbers (FNV-1a over 64-bit words,
// then a final avalanche).
func hashList(v []float64) uint64 {
	h := uint64(14695981039346656037)
	for _, x := range v {
		h = (h ^ math.Float64bits(x)) * 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// sameBits reports whether two lists have the same bits, number for
// number (so 0 and -0 differ, and a NaN equals itself).
func sameBits(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// intern is the number of a list with v's bits, filed now if new; v has
// w numbers (AddMeasured checks).
func (s *listStore) intern(v []float64) uint32 {
	if len(s.table) > 0 {
		mask := uint64(len(s.table) - 1)
		for h := hashList(v) & mask; ; h = (h + 1) & mask {
			e := s.table[h]
			if e == 0 {
				break
			}
			if sameBits(s.list(e-1), v) {
				return e - 1
			}
		}
	}
	i := s.add(v)
	if 2*int(s.n) > len(s.table) {
		s.table = make([]uint32, max(1024, 2*len(s.table)))
		for j := uint32(0); j < s.n; j++ {
			s.put(hashList(s.list(j)), j+1)
		}
	} else {
		s.put(hashList(v), i+1)
	}
	return i
}

// put files e in the first empty slot from hash h on.
func (s *listStore) put(h uint64, e uint32) {
	mask := uint64(len(s.table) - 1)
	h &= mask
	for s.table[h] != 0 {
		h = (h + 1) & mask
	}
	s.table[h] = e
}

// listsPerBlock is how many lists a block of a listStore holds.
const listsPerBlock = 4096

// list is list i; the caller must not change it.
func (s *listStore) list(i uint32) []float64 {
	blk := s.blocks[i/listsPerBlock]
	o := int(i%listsPerBlock) * s.w
	return blk[o : o+s.w : o+s.w]
}

// add files v, which has w numbers (AddMeasured checks), and returns
// its number.
func (s *listStore) add(v []float64) uint32 {
	if s.n%listsPerBlock == 0 {
		s.blocks = append(s.blocks, make([]float64, 0, listsPerBlock*s.w))
	}
	last := len(s.blocks) - 1
	s.blocks[last] = append(s.blocks[last], v...)
	s.n++
	return s.n - 1
}

// measure works out the lead's record, with what mr keeps aside; mr's
// arrival is set once the lead is scored at T0, which counts towards the
// history's start whatever follows.
func (b *Backtest) measure(ctx context.Context, lead scoring.Lead, mr *Measured) (*leadRec, error) {
	t0 := b.opts.At
	rec := &leadRec{units: noList}
	created, err := createdAt(lead, b.opts.CreatedField)
	if err != nil {
		return nil, err
	}
	mr.rec, mr.created = rec, created
	var at [nInstants]time.Time
	at[atCreated] = mr.created
	exists := mr.created
	for _, e := range lead.Events {
		if mr.created.IsZero() && (exists.IsZero() || e.At.Before(exists)) {
			exists = e.At
		}
		if !e.At.After(t0) && e.At.After(at[atLastEvent]) {
			at[atLastEvent] = e.At
		}
	}
	at[atArrival] = exists
	if !exists.IsZero() && exists.After(t0) {
		rec.exclusion = notCreated
		if b.verdictView(lead) { // it may be handed to sales in the window
			if err := b.timeline(ctx, lead, mr, &at, nil); err != nil {
				return nil, err
			}
			mr.climbs, at[atSalesReady] = nil, time.Time{}
			mr.setInstants(&at, nil)
			return rec, nil
		}
		return unborn, nil
	}
	// With the capacity flows, one replay gives both the timeline up to T0
	// and the score at T0 when it can vouch for the score (see
	// scoring.Scorer.TimelineScore); else, and for a lead that fails, the
	// score then the timeline, as their errors come.
	replay := b.opts.Capacity != nil || b.verdictView(lead)
	var tl *scoring.Timeline
	var res *scoring.Result
	var history *[]byte // its history as the replay kept it (see keepTrace)
	if replay && b.traceHistory(&at) {
		buf := traceBufs.Get().(*[]byte)
		var kept bool
		tl, res, _, *buf, kept = b.scorer.TimelineScoreTrace(friend.K(), ctx, lead, t0, b.onCat < 0, (*buf)[:0])
		if history = buf; !kept {
			traceBufs.Put(buf)
			history = nil
		}
	} else if replay {
		tl, res, _ = b.scorer.TimelineScore(friend.K(), ctx, lead, t0, b.onCat < 0)
	}
	if res == nil {
		var err error
		if res, err = b.scorer.ScoreContext(ctx, lead, t0); err != nil {
			return nil, err
		}
		tl = nil
	}
	mr.arrival = exists
	m := b.model
	rec.total, rec.sr, rec.disq = res.Total, res.SalesReady, res.Disqualified
	mr.grade, mr.stage = res.Grade, res.Stage
	nu := len(m.Rules) + len(m.Gates)
	mr.units = make([]float64, nu+len(m.Categories))
	units, cats := mr.units[:nu], mr.units[nu:]
	for i, c := range res.Categories {
		cats[i] = c.Score
	}
	for _, f := range res.Fired {
		r := m.Rule(f.Rule)
		if r == nil {
			continue
		}
		u := 1.0
		if r.Points != 0 {
			u = f.Points / r.Points
		}
		units[r.Index] = u
	}
	for _, g := range res.Gates {
		if r := m.Rule(g.Rule); r != nil {
			units[len(m.Rules)+r.Index] = 1
		}
	}
	o, has := b.outcomes[lead.ID]
	in := func(t time.Time) bool {
		return !t.IsZero() && t.After(t0) && (b.opts.Until.IsZero() || !t.After(b.opts.Until))
	}
	switch {
	case has && ((!o.Won.IsZero() && !o.Won.After(t0)) || (!o.Lost.IsZero() && !o.Lost.After(t0))):
		rec.exclusion = decided
	case has && !o.Opportunity.IsZero() && !o.Opportunity.After(t0):
		rec.exclusion = openOpportunity
	}
	if has {
		at[atOpportunity], at[atWon] = o.Opportunity, o.Won
	}
	switch {
	case !has || rec.exclusion != none:
	default:
		rec.won = in(o.Won)
		rec.opp = in(o.Opportunity) || rec.won
		rec.wonLater = !o.Won.IsZero() && !rec.won
		if rec.won {
			rec.revenue = o.Revenue
		}
	}
	if b.opts.Suggest {
		l := lead
		mr.lead = &l
	}
	var climbs []time.Time
	if replay {
		if err := b.timelineFrom(ctx, tl, lead, mr, &at, &climbs); err != nil {
			return nil, err
		}
	}
	if err := b.keepTrace(ctx, lead, rec, mr, &at, history); err != nil {
		return nil, err
	}
	mr.setInstants(&at, climbs)
	return rec, nil
}

// timeline replays the lead for the capacity flows (up to T0: when its
// score first reached each level, and when it became sales-ready) and,
// when it has dispositions, for the verdict view (up to T1: when the
// definition handed it to sales, and sales' first verdict after that).
// It sets the measured lead's climbs and verdictRec, the climbs' times in
// climbs (nil: not wanted), and its instants in ts.
func (b *Backtest) timeline(ctx context.Context, lead scoring.Lead, mr *Measured, ts *[nInstants]time.Time, climbs *[]time.Time) error {
	return b.timelineFrom(ctx, nil, lead, mr, ts, climbs)
}

// timelineFrom is timeline, with tl the lead's timeline up to T0 when
// already replayed (nil: replay it here).
func (b *Backtest) timelineFrom(ctx context.Context, tl *scoring.Timeline, lead scoring.Lead, mr *Measured, ts *[nInstants]time.Time, climbs *[]time.Time) error {
	created := mr.created
	// The history up to T0, for capacity and the sales-ready moment: as
	// of T0, whether or not the verdict view replays the lead further (a
	// timeline as of T1 has no point at T0, so a lead with no event
	// before T0 would lose the fit it had from its creation).
	if tl == nil {
		timeline := b.scorer.TimelineContext
		if b.onCat < 0 {
			timeline = b.scorer.TimelineTotals // only the totals are read
		}
		var err error
		if tl, err = timeline(ctx, lead, b.opts.At); err != nil {
			return err
		}
	}
	if r, ok := tl.SalesReadyAt(b.scorer); ok && !ts[atArrival].IsZero() {
		at := r.At
		if r.Event == nil && !created.IsZero() && created.Before(r.At) {
			at = created // sales-ready on its fit alone, from its creation
		}
		if !at.After(b.opts.At) {
			ts[atSalesReady] = at
		}
	}
	if b.verdictView(lead) {
		// The verdict view: the lead replayed to T1, with the rules that
		// fired at its hand-off.
		asOf := b.end()
		vtl, err := b.scorer.TimelineContext(ctx, lead, asOf)
		if err != nil {
			return err
		}
		v := &verdictRec{}
		mr.v = v
		for _, p := range vtl.Points {
			if p.SalesReady {
				v.handoff = p.At
				if p.Event == nil && !created.IsZero() && created.Before(p.At) {
					v.handoff = created
				}
				for _, f := range p.Fired {
					v.fired = append(v.fired, f.Rule)
				}
				break
			}
		}
		if !v.handoff.IsZero() {
			v.verdict = feedback.LabelIn(lead.Dispositions, v.handoff.Add(-time.Nanosecond), asOf)
		}
		from, to := b.verdictWindow()
		if v.handoff.IsZero() { // never handed over by T1 (one handed over before the window is not judged)
			v.loose = feedback.LabelIn(lead.Dispositions, from, to)
		}
	}
	best := 0.0
	for i, p := range tl.Points {
		if p.At.After(b.opts.At) || ts[atArrival].IsZero() {
			break
		}
		level := p.Total
		if b.onCat >= 0 {
			level = categoryScore(b.model, b.onCat, p.Fired)
		}
		at := p.At
		if i == 0 && !created.IsZero() && created.Before(at) {
			at = created // the fit the lead had before any event, it had from its creation
		}
		if i == 0 || level > best {
			mr.climbs = append(mr.climbs, climb{level: level})
			if climbs != nil {
				*climbs = append(*climbs, at)
			}
			best = level
		}
	}
	return nil
}

// verdictView reports whether the lead is replayed for the verdict view.
func (b *Backtest) verdictView(lead scoring.Lead) bool {
	return !b.snapshotOnly && (b.opts.Dispositions || len(lead.Dispositions) > 0)
}

// verdictWindow is the window of hand-offs the verdict view judges:
// (T0 − SLA, T1] (see Verdicts).
func (b *Backtest) verdictWindow() (from, to time.Time) {
	sla := b.model.Handoff.SLAOf()
	if sla <= 0 {
		sla = 7 * 24 * time.Hour
	}
	return b.opts.At.Add(-sla), b.end()
}

// end is T1, or, with no end, a time after any data.
func (b *Backtest) end() time.Time {
	if b.opts.Until.IsZero() {
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return b.opts.Until
}

// categoryScore is a category's clamped score from the rules that fired.
func categoryScore(m *rules.Model, cat int, fired []scoring.Fired) float64 {
	c := m.Categories[cat]
	sum := 0.0
	for _, f := range fired {
		if f.Category == c.Name {
			sum += f.Points
		}
	}
	return c.Clamp(sum)
}

// createdAt reads the lead's creation time from its field: zero when
// absent or empty, the lead's error when it is no time.
func createdAt(lead scoring.Lead, field string) (time.Time, error) {
	t, err := lead.Created(field)
	if err != nil {
		return t, &scoring.Error{LeadID: lead.ID, Err: err}
	}
	return t, nil
}

// bySeq is the numbers of every lead added (see Backtest.ids), in the
// order of their ids; worked out once for the leads as they stand (adding
// or removing one forgets it). The caller must not change the slice.
func (b *Backtest) bySeq() []int32 {
	if b.sortedSeq != nil && len(b.sortedSeq) == b.ids.Len() {
		return b.sortedSeq
	}
	b.sortedSeq = b.ids.Sorted()
	return b.sortedSeq
}

// idOf is the id of the lead added i'th.
func (b *Backtest) idOf(i int) string { return b.ids.ID(i) }

// added is how many leads were added.
func (b *Backtest) added() int { return b.ids.Len() }

// sorted returns the leads in the backtest and all scored leads that
// existed at T0, by id, so that nothing depends on the order of Add.
func (b *Backtest) sorted() (in, existing []*leadRec) {
	nIn, nExisting := 0, 0
	for _, r := range b.order {
		if r.exclusion != notCreated {
			nExisting++
		}
		if r.exclusion == none {
			nIn++
		}
	}
	in, existing = make([]*leadRec, 0, nIn), make([]*leadRec, 0, nExisting)
	for _, i := range b.bySeq() {
		r := b.order[i]
		if r.exclusion == notCreated {
			continue
		}
		existing = append(existing, r)
		if r.exclusion == none {
			in = append(in, r)
		}
	}
	return in, existing
}

func joinList(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	s := ""
	for i, n := range names {
		switch {
		case i == 0:
			s = n
		case i == len(names)-1:
			s += " and " + n
		default:
			s += ", " + n
		}
	}
	return s
}
