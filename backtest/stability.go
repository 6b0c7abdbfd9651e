package backtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/scoring"
)

// MaxSnapshots is the most snapshots a stability run takes: a year of
// weekly snapshots. Each one scores every lead again.
const MaxSnapshots = 52

// cutShortSlack is how far a snapshot's outcome window may end after the
// latest date in the outcomes file before it counts as cut short: a file
// exported on the 1st has its latest outcome a few days before.
const cutShortSlack = 7 * 24 * time.Hour

// Snapshots are the times from, from + every, from + 2·every, … up to
// and including at, and at itself when the steps miss it (so the last
// step may be shorter, and the last snapshot is the main backtest's T0).
// It refuses a step of zero or less, a start after at, and more than
// MaxSnapshots snapshots.
func Snapshots(from, at time.Time, every time.Duration) ([]time.Time, error) {
	if every <= 0 {
		return nil, errors.New("the step between snapshots must be longer than zero")
	}
	if from.After(at) {
		return nil, fmt.Errorf("the first snapshot (%s) comes after the last, T0 (%s)", from.Format(time.RFC3339), at.Format(time.RFC3339))
	}
	if n := SnapshotCount(from, at, every); n > MaxSnapshots {
		return nil, fmt.Errorf("%d snapshots, more than %d; choose a longer step, such as %s, or a later start",
			n, MaxSnapshots, dsl.FormatDuration(StepFor(from, at)))
	}
	var out []time.Time
	for t := from; !t.After(at); t = t.Add(every) {
		out = append(out, t)
	}
	if !out[len(out)-1].Equal(at) {
		out = append(out, at)
	}
	return out, nil
}

// SnapshotCount is how many snapshots Snapshots gives (0 when from is
// after at or every is not positive), without listing them.
func SnapshotCount(from, at time.Time, every time.Duration) int {
	if every <= 0 || from.After(at) {
		return 0
	}
	span := at.Sub(from)
	n := int(span/every) + 1
	if span%every != 0 {
		n++
	}
	return n
}

// StepFor is the shortest whole number of weeks (days, for a span under
// a week) that keeps the snapshots from `from` to at within MaxSnapshots.
func StepFor(from, at time.Time) time.Duration {
	unit := 7 * 24 * time.Hour
	span := at.Sub(from)
	if span < unit {
		unit = 24 * time.Hour
	}
	// n steps of s: floor(span/s)+1 grid points, plus at: within the
	// maximum when span/s ≤ MaxSnapshots-2.
	k := int64(math.Ceil(float64(span) / float64(MaxSnapshots-2) / float64(unit)))
	return time.Duration(max(1, k)) * unit
}

// Stability repeats the backtest at several snapshots in one pass over
// the leads: each lead added is scored as it stood at every snapshot and
// filed under what happened in that snapshot's outcome window, exactly
// as a backtest at that snapshot alone would (the same leads in, the same
// left out, the same numbers).
//
// Every window has the same length, so that the snapshots compare like
// with like: the main backtest's, T1 − T0 (Options.Until − Options.At),
// so that snapshot T gets (T, T + (T1 − T0)], which ends no later than
// T1. With no T1, the main window in practice runs to the latest date in
// the outcomes file, E: every snapshot gets a window that long,
// (T, T + (E − T0)], so no window reaches past the data and the last
// snapshot is the main backtest. (Windows of no end would give earlier
// snapshots more time for their leads to win, and later snapshots would
// look worse for that alone.) Only when the outcomes have no date after
// T0 do the windows have no end, with a warning.
//
// A snapshot whose window ends more than a week after the latest date in
// the outcomes file is cut short (the outcomes may not reach that far):
// it is marked, warned about and left out of the reading, as is a
// snapshot with fewer than Options.MinWon won deals.
type Stability struct {
	opts   Options // the main backtest's
	snaps  []*Backtest
	length time.Duration // every window's; 0 for no end
	latest time.Time     // the latest date in the outcomes; zero when none
}

// NewStability starts backtests at the snapshots (each at or before
// opts.At, the main T0; at most MaxSnapshots), with the windows
// Stability describes. Of opts, At, Until, CreatedField and MinWon are
// used; capacity, suggestions, drift and the verdict view are the main
// backtest's alone.
func NewStability(s *scoring.Scorer, outcomes map[string]Outcome, opts Options, snapshots []time.Time) (*Stability, error) {
	if opts.At.IsZero() {
		return nil, errors.New("stability over time needs the main snapshot T0 (Options.At): the snapshots run up to it")
	}
	if !opts.Until.IsZero() && !opts.Until.After(opts.At) {
		return nil, fmt.Errorf("the end of the outcome window, T1 (%s), must come after the snapshot T0 (%s)",
			opts.Until.Format(time.RFC3339), opts.At.Format(time.RFC3339))
	}
	if opts.MinWon <= 0 {
		opts.MinWon = DefaultMinWon
	}
	ts := append([]time.Time(nil), snapshots...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	var uniq []time.Time
	for _, t := range ts {
		if t.IsZero() {
			return nil, errors.New("a snapshot has no time")
		}
		if t.After(opts.At) {
			return nil, fmt.Errorf("the snapshot %s comes after T0 (%s): snapshots run up to T0, so that no window reaches past the main one",
				t.Format(time.RFC3339), opts.At.Format(time.RFC3339))
		}
		if len(uniq) == 0 || !uniq[len(uniq)-1].Equal(t) {
			uniq = append(uniq, t)
		}
	}
	switch {
	case len(uniq) == 0:
		return nil, errors.New("stability over time needs at least one snapshot")
	case len(uniq) > MaxSnapshots:
		return nil, fmt.Errorf("%d snapshots, more than %d; take fewer", len(uniq), MaxSnapshots)
	}
	st := &Stability{opts: opts, latest: latestOutcome(outcomes)}
	switch {
	case !opts.Until.IsZero():
		st.length = opts.Until.Sub(opts.At)
	case st.latest.After(opts.At):
		st.length = st.latest.Sub(opts.At)
	}
	for _, t := range uniq {
		o := Options{At: t, CreatedField: opts.CreatedField, BandWidth: opts.BandWidth, MinWon: opts.MinWon}
		if st.length > 0 {
			o.Until = t.Add(st.length)
		}
		b, err := New(s, outcomes, o)
		if err != nil {
			return nil, err
		}
		b.snapshotOnly = true
		st.snaps = append(st.snaps, b)
	}
	return st, nil
}

// latestOutcome is the latest opportunity, won or lost date in the outcomes.
func latestOutcome(outcomes map[string]Outcome) time.Time {
	var latest time.Time
	for _, o := range outcomes {
		for _, t := range []time.Time{o.Opportunity, o.Won, o.Lost} {
			if t.After(latest) {
				latest = t
			}
		}
	}
	return latest
}

// Add scores one lead at every snapshot. The error is Backtest.Add's; the
// lead is then in no snapshot.
func (st *Stability) Add(lead scoring.Lead) error {
	return st.AddContext(context.Background(), lead)
}

// AddContext is Add, stopped when ctx is done.
func (st *Stability) AddContext(ctx context.Context, lead scoring.Lead) error {
	return st.AddMeasured(st.Measure(ctx, lead))
}

// Measure measures one lead at every snapshot (see Backtest.Measure): many
// goroutines may measure at once; AddMeasured files the result.
func (st *Stability) Measure(ctx context.Context, lead scoring.Lead) []*Measured {
	ms := make([]*Measured, len(st.snaps))
	for i, b := range st.snaps {
		m := b.Measure(ctx, lead)
		if m.rec != nil && m.rec != unborn {
			m.units = nil // not needed: keep a long run small
		}
		ms[i] = m
	}
	return ms
}

// AddMeasured files a lead measured at every snapshot: in all of them, or,
// with an error, in none.
func (st *Stability) AddMeasured(ms []*Measured) error {
	for i, b := range st.snaps {
		if err := b.AddMeasured(ms[i]); err != nil {
			for _, done := range st.snaps[:i] { // all or nothing: it was the last added
				done.ids.PopLast()
				done.sortedSeq = nil
				done.order = done.order[:len(done.order)-1]
			}
			return err
		}
	}
	return nil
}

// StabilityReport is the backtest at each snapshot, and what the
// snapshots say together.
type StabilityReport struct {
	// WindowDays is every snapshot's outcome window, in days; nil when
	// the windows have no end.
	WindowDays *float64 `json:"window_days"`
	// LatestOutcome is the latest date in the outcomes file (nil when it
	// has none): no window should end much after it.
	LatestOutcome *time.Time `json:"latest_outcome"`
	MinWon        int        `json:"min_won"`
	Snapshots     []Snapshot `json:"snapshots"`
	// Compared counts the snapshots the reading rests on: at least MinWon
	// won deals, a window not cut short, and an AUC interval.
	Compared int `json:"compared"`
	// AUCTest tests that the compared snapshots' AUCs are equal; nil with
	// fewer than two compared.
	AUCTest *EqualityTest `json:"auc_test"`
	// AUCMoves says the test finds the AUC moving beyond noise (p < 0.05);
	// AUCDirection says how: falling, rising, or up and down ("" when it
	// does not move).
	AUCMoves     bool   `json:"auc_moves"`
	AUCDirection string `json:"auc_direction"`
	// PrecisionMoves says two compared snapshots' 95% intervals of the
	// sales-ready precision do not overlap.
	PrecisionMoves bool `json:"precision_moves"`
	// Reading says in a sentence or two what the snapshots show.
	Reading  string   `json:"reading"`
	Warnings []string `json:"warnings"`
}

// Snapshot is the backtest at one snapshot: its numbers are those of a
// backtest with At and Until alone.
type Snapshot struct {
	At    time.Time  `json:"at"`
	Until *time.Time `json:"until"` // nil: no end
	// Leads counts the leads in the backtest at At; Won those won in the window.
	Leads       int       `json:"leads"`
	Won         int       `json:"won"`
	WinRate     *float64  `json:"win_rate"`
	AUC         *float64  `json:"auc"`
	AUCInterval *Interval `json:"auc_interval"`
	// SalesReady counts the leads sales-ready at At, SalesReadyWon those
	// of them won: the hand-off's precision, with its Wilson interval.
	SalesReady        int       `json:"sales_ready"`
	SalesReadyWon     int       `json:"sales_ready_won"`
	Precision         *float64  `json:"precision"`
	PrecisionInterval *Interval `json:"precision_interval"`
	Recall            *float64  `json:"recall"`
	RecallInterval    *Interval `json:"recall_interval"`
	// TooFewWon: fewer than MinWon won deals; CutShort: the window ends
	// more than a week after the latest date in the outcomes. Either
	// leaves the snapshot out of the reading.
	TooFewWon bool `json:"too_few_won"`
	CutShort  bool `json:"cut_short"`

	logit, logitVar float64 // the AUC on the logit scale and its variance (DeLong)
}

// EqualityTest is a chi-square test that several AUCs are equal: on the
// logit scale, each weighted by the inverse of its DeLong variance,
// Σ (logit AUC_i − pooled)² / var_i on DF = snapshots − 1 degrees of freedom.
type EqualityTest struct {
	ChiSquare float64 `json:"chi_square"`
	DF        int     `json:"df"`
	P         float64 `json:"p"`
	// Pooled is the weighted mean AUC.
	Pooled float64 `json:"pooled_auc"`
}

// Report computes each snapshot's numbers and the reading.
func (st *Stability) Report() *StabilityReport {
	r := &StabilityReport{MinWon: st.opts.MinWon, Snapshots: []Snapshot{}, Warnings: []string{}}
	if st.length > 0 {
		d := st.length.Hours() / 24
		r.WindowDays = &d
	}
	if !st.latest.IsZero() {
		l := st.latest
		r.LatestOutcome = &l
	}
	var tooFew, cut []string
	wonWord := " won deals"
	for _, b := range st.snaps {
		s := b.snapshot()
		s.TooFewWon = s.Won < r.MinWon
		s.CutShort = s.Until != nil && (st.latest.IsZero() || s.Until.Sub(st.latest) > cutShortSlack)
		if s.TooFewWon {
			tooFew = append(tooFew, fmt.Sprintf("%s (%d%s)", dateOf(s.At), s.Won, wonWord))
			wonWord = ""
		}
		if s.CutShort {
			cut = append(cut, dateOf(s.At))
		}
		r.Snapshots = append(r.Snapshots, s)
	}
	if st.length == 0 {
		r.Warnings = append(r.Warnings, "Stability over time: the outcomes file has no date after T0, so every snapshot's window runs to the end of the data: later snapshots have had less time for their leads to win, and look worse for that alone. Give --until to compare windows of one length.")
	}
	if len(cut) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("Stability over time: the outcome windows of the snapshots at %s end more than a week after the latest date in the outcomes file (%s): if the outcomes were exported before the windows end, their won deals are undercounted and they look worse for that alone; they are left out of the reading. Choose an earlier --until, or export the outcomes later.",
			joinList(cut), dateOf(st.latest)))
	}
	if len(tooFew) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("Stability over time: %s at %s %s on fewer than %d won deals; marked \"too few won deals\" and left out of the reading (%s figures are shown, with their intervals).",
			pick(len(tooFew) == 1, "the snapshot", "the snapshots"), joinList(tooFew), pick(len(tooFew) == 1, "rests", "rest"), r.MinWon, pick(len(tooFew) == 1, "its", "their")))
	}
	r.read()
	return r
}

// snapshot is the backtest's figures the stability report shows,
// computed as Report computes them.
func (b *Backtest) snapshot() Snapshot {
	in, _ := b.sorted()
	s := Snapshot{At: b.opts.At}
	if !b.opts.Until.IsZero() {
		u := b.opts.Until
		s.Until = &u
	}
	s.Leads = len(in)
	xs := make([]scored, len(in))
	scores, pos := make([]float64, len(in)), make([]bool, len(in))
	c := Classifier{}
	for i, l := range in {
		if l.won {
			s.Won++
		}
		if l.sr {
			c.Leads++
			if l.won {
				c.Won++
			}
		}
		xs[i] = scored{score: l.total, pos: l.won}
		scores[i], pos[i] = l.total, l.won
	}
	c.classify(s.Won)
	s.WinRate = ratio(float64(s.Won), float64(s.Leads))
	s.AUC, s.AUCInterval = auc(xs), aucInterval(xs)
	s.SalesReady, s.SalesReadyWon = c.Leads, c.Won
	s.Precision, s.PrecisionInterval, s.Recall, s.RecallInterval = c.Precision, c.PrecisionInterval, c.Recall, c.RecallInterval
	if a, ok := stats.DeLong(scores, pos); ok && s.AUCInterval != nil {
		s.logit = math.Log(a.Value / (1 - a.Value))
		s.logitVar = a.Variance / math.Pow(a.Value*(1-a.Value), 2)
	}
	return s
}

// read writes the reading: whether the AUC moves beyond noise across the
// compared snapshots, and whether the hand-off's precision does.
func (r *StabilityReport) read() {
	var cmp []Snapshot
	for _, s := range r.Snapshots {
		if !s.TooFewWon && !s.CutShort && s.AUCInterval != nil && s.logitVar > 0 {
			cmp = append(cmp, s)
		}
	}
	r.Compared = len(cmp)
	if len(cmp) < 2 {
		r.Reading = fmt.Sprintf("Too few won deals to compare the snapshots, %d of the %d having at least %d (--min-won) in a window not cut short, and a comparison needs two; read each snapshot's figures with their intervals, and compare again when more outcomes are in.",
			len(cmp), len(r.Snapshots), r.MinWon)
		return
	}

	// Equal AUCs: inverse-variance weights on the logit scale.
	var sw, swx float64
	for _, s := range cmp {
		w := 1 / s.logitVar
		sw += w
		swx += w * s.logit
	}
	pooled := swx / sw
	q := 0.0
	for _, s := range cmp {
		q += (s.logit - pooled) * (s.logit - pooled) / s.logitVar
	}
	t := &EqualityTest{ChiSquare: q, DF: len(cmp) - 1, P: stats.ChiSquareP(q, len(cmp)-1), Pooled: 1 / (1 + math.Exp(-pooled))}
	r.AUCTest = t
	r.AUCMoves = t.P < 0.05
	lo, hi := cmp[0], cmp[0]
	for _, s := range cmp {
		if *s.AUC < *lo.AUC {
			lo = s
		}
		if *s.AUC > *hi.AUC {
			hi = s
		}
	}
	first, last := cmp[0], cmp[len(cmp)-1]
	test := "a test of equal AUCs gives p = " + pValue(&t.P)
	if t.P < 0.001 {
		test = "a test of equal AUCs gives p < 0.001"
	}
	var auc string
	if r.AUCMoves {
		// Which way: the sign of the weighted slope of the logit AUC over
		// time, when the first and last snapshots agree with it.
		var sw, st, sx float64
		for _, s := range cmp {
			w := 1 / s.logitVar
			sw += w
			st += w * float64(s.At.Unix())
			sx += w * s.logit
		}
		var sxy, stt float64
		for _, s := range cmp {
			w := 1 / s.logitVar
			dt := float64(s.At.Unix()) - st/sw
			sxy += w * dt * (s.logit - sx/sw)
			stt += w * dt * dt
		}
		slope := sxy / stt
		switch {
		case slope < 0 && *last.AUC < *first.AUC:
			r.AUCDirection = "falling"
		case slope > 0 && *last.AUC > *first.AUC:
			r.AUCDirection = "rising"
		default:
			r.AUCDirection = "up and down"
		}
		how := map[string]string{
			"falling":     "It falls over time: the score ranks leads less well than it did.",
			"rising":      "It rises over time: the score ranks leads better than it did.",
			"up and down": "It moves up and down, with no steady direction.",
		}[r.AUCDirection]
		auc = fmt.Sprintf("The AUC moves beyond noise across the %d snapshots compared (%s): %s on %s, %s on %s, lowest %s on %s, highest %s on %s. %s",
			len(cmp), test, f3(first.AUC), dateOf(first.At), f3(last.AUC), dateOf(last.At), f3(lo.AUC), dateOf(lo.At), f3(hi.AUC), dateOf(hi.At), how)
	} else {
		auc = fmt.Sprintf("The AUC stays within noise across the %d snapshots compared, between %s (%s) and %s (%s); %s.",
			len(cmp), f3(lo.AUC), dateOf(lo.At), f3(hi.AUC), dateOf(hi.At), test)
	}

	// Precision: two snapshots whose 95% intervals do not overlap.
	var withSR []Snapshot
	for _, s := range cmp {
		if s.PrecisionInterval != nil {
			withSR = append(withSR, s)
		}
	}
	var prec string
	switch {
	case len(withSR) < 2:
		prec = "Too few snapshots compared have sales-ready leads to compare the hand-off's precision."
	default:
		var a, b *Snapshot
		gap := -1.0
		for i := range withSR {
			for j := i + 1; j < len(withSR); j++ {
				x, y := withSR[i].PrecisionInterval, withSR[j].PrecisionInterval
				if x.High < y.Low || y.High < x.Low {
					if d := math.Abs(*withSR[i].Precision - *withSR[j].Precision); d > gap {
						a, b, gap = &withSR[i], &withSR[j], d
					}
				}
			}
		}
		if a != nil {
			r.PrecisionMoves = true
			prec = fmt.Sprintf("The sales-ready precision moves beyond noise: %s of %d leads won on %s (95%%: %s), %s of %d on %s (95%%: %s); the intervals do not overlap.",
				pct(a.Precision), a.SalesReady, dateOf(a.At), interval(a.PrecisionInterval, pct), pct(b.Precision), b.SalesReady, dateOf(b.At), interval(b.PrecisionInterval, pct))
		} else {
			plo, phi, nlo, nhi := withSR[0], withSR[0], withSR[0].SalesReady, withSR[0].SalesReady
			for _, s := range withSR {
				if *s.Precision < *plo.Precision {
					plo = s
				}
				if *s.Precision > *phi.Precision {
					phi = s
				}
				nlo, nhi = min(nlo, s.SalesReady), max(nhi, s.SalesReady)
			}
			span := fmt.Sprintf("between %s (%s) and %s (%s)", pct(plo.Precision), dateOf(plo.At), pct(phi.Precision), dateOf(phi.At))
			if *plo.Precision == *phi.Precision {
				span = pct(plo.Precision) + " at every snapshot compared"
			}
			prec = fmt.Sprintf("The sales-ready precision, %s, shows no change beyond noise: every two 95%% intervals overlap (%s sales-ready leads a snapshot).",
				span, rangeOf(nlo, nhi))
		}
	}
	r.Reading = auc + " " + prec
}

func rangeOf(lo, hi int) string {
	if lo == hi {
		return itoa(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// dateOf writes a day as 2026-07-01, and another time in full.
func dateOf(t time.Time) string {
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.UTC().Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

// SetStability puts the stability report in the report, and its warnings
// among the report's.
func (r *Report) SetStability(s *StabilityReport) {
	r.Stability = s
	if s != nil {
		r.Warnings = append(r.Warnings, s.Warnings...)
	}
}

// summary is the report's opening line on stability; none without it.
func (s *StabilityReport) summary() []string {
	if s == nil || len(s.Snapshots) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("Stability over time, %d snapshots from %s to %s: %s", len(s.Snapshots),
		dateOf(s.Snapshots[0].At), dateOf(s.Snapshots[len(s.Snapshots)-1].At), strings.ToLower(s.Reading[:1])+s.Reading[1:])}
}

// tables are the stability table; none without it.
func (s *StabilityReport) tables() []table {
	if s == nil {
		return nil
	}
	window := "after it, with no end (see the warning)"
	if s.WindowDays != nil {
		window = fmt.Sprintf("in the %s days after it", num(math.Round(*s.WindowDays*10)/10))
	}
	intro := fmt.Sprintf("The backtest repeated at each snapshot: every lead scored as it stood then and labelled with what happened %s. "+
		"Every window is as long as the main backtest's (to T1, or with no T1 to the latest date in the outcomes file) and ends no later than the main one, so the snapshots compare like with like. "+
		"Intervals are 95%% (AUC: DeLong; precision and recall: Wilson); precision is won deals among the leads sales-ready at the snapshot. "+
		"Snapshots with fewer than %d won deals, or with a window cut short, are left out of the reading. %s",
		window, s.MinWon, s.Reading)
	if s.AUCTest != nil {
		intro += " The test treats the snapshots as independent, but they share leads (a lead still open at two snapshots is in both), so their figures move together and the test overstates the noise: a change it finds is unlikely to be chance; a small one it may miss."
	}
	t := table{title: "Stability over time", intro: intro,
		headers: []string{"snapshot (T0)", "window to (T1)", "leads", "won", "AUC", "95% interval", "sales-ready", "won", "precision", "95% interval", "recall", "95% interval", "note"}}
	for _, sn := range s.Snapshots {
		until := "no end"
		if sn.Until != nil {
			until = dateOf(*sn.Until)
		}
		var notes []string
		if sn.TooFewWon {
			notes = append(notes, "too few won deals")
		}
		if sn.CutShort {
			notes = append(notes, "window cut short")
		}
		t.rows = append(t.rows, []string{dateOf(sn.At), until, itoa(sn.Leads), itoa(sn.Won), f3(sn.AUC), interval(sn.AUCInterval, f3),
			itoa(sn.SalesReady), itoa(sn.SalesReadyWon), pct(sn.Precision), interval(sn.PrecisionInterval, pct), pct(sn.Recall), interval(sn.RecallInterval, pct), strings.Join(notes, "; ")})
	}
	return []table{t}
}
