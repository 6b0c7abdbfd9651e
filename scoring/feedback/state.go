package feedback

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/leadscore/leadscore/internal/statebytes"
	"github.com/leadscore/leadscore/scoring"
)

// State is what the builder has counted (the report's counters, the
// early recycles, the evidence tally, the groups with their reasons, the
// waits and the owners), as bytes that another builder of the same model
// and options takes in with MergeState: builders of shards of the leads,
// on other machines (a pipeline's workers), merge into the report of all
// of them, the same to the byte, as with Merge. The same builder gives the
// same bytes; floats keep every bit. Its size grows with the leads that
// got a verdict (one wait each) and the early recycles, not with the
// leads counted.
func (b *Builder) State() ([]byte, error) {
	var w statebytes.Writer
	w.Str(stateMagic)
	w.Str(b.fingerprint())
	r := b.rep
	for _, n := range b.counters() {
		w.Uint(uint64(*n))
	}
	w.Uint(uint64(len(r.EarlyRecycles)))
	for _, e := range r.EarlyRecycles {
		w.Str(e.Lead)
		w.Time(e.Recycled)
		w.Bool(e.SalesReady != nil)
		if e.SalesReady != nil {
			w.Time(*e.SalesReady)
		}
	}
	w.Uint(uint64(r.LaterVerdicts))
	w.Uint(uint64(len(r.EarlyVerdicts)))
	for _, e := range r.EarlyVerdicts {
		w.Str(e.Lead)
		w.Str(string(e.Status))
		w.Time(e.At)
		w.Time(e.Handoff)
	}
	t := b.tally
	w.Uint(uint64(t.leads))
	w.Uint(uint64(len(t.fired)))
	for _, n := range t.fired {
		w.Uint(uint64(n))
	}
	writePatterns(&w, t.verdict)
	w.Uint(uint64(len(t.byReason)))
	for _, code := range slices.Sorted(maps.Keys(t.byReason)) {
		w.Str(code)
		writePatterns(&w, t.byReason[code])
	}
	for kind := range b.groups {
		w.Uint(uint64(len(b.groups[kind])))
		for _, name := range slices.Sorted(maps.Keys(b.groups[kind])) {
			g := b.groups[kind][name]
			w.Str(name)
			w.Float(g.order)
			for _, n := range []int{g.SalesReady, g.Dispositioned, g.Accepted, g.Rejected, g.Recycled} {
				w.Uint(uint64(n))
			}
			writeCounts(&w, g.reasons)
		}
	}
	writeCounts(&w, b.overall)
	writeWaits(&w, b.waits)
	w.Uint(uint64(len(b.owners)))
	for _, name := range slices.Sorted(maps.Keys(b.owners)) {
		o := b.owners[name]
		w.Str(name)
		w.Uint(uint64(o.Verdicts))
		w.Uint(uint64(o.Breached))
		writeWaits(&w, o.waits)
	}
	return w.Buf, nil
}

// MergeState adds the leads another builder's State counted, as Merge
// adds another builder's: both must be of the same model with the same
// options. Bytes cut short, changed, of another model or options, or that
// no builder could have written (a count that does not add up, a wait
// that is not a number) are refused with an error, and b is unchanged.
func (b *Builder) MergeState(state []byte) error {
	o, err := b.fromState(state)
	if err != nil {
		return err
	}
	return b.Merge(o)
}

// stateMagic begins every state, with its version.
const stateMagic = "leadscore feedback state 2"

// fingerprint says what builders must agree on to merge: the model (its
// rule files, as compiled) and the options.
func (b *Builder) fingerprint() string {
	o := b.opts
	return fmt.Sprintf("model %q (%s) as of %s campaign field %q channel field %q band width %s",
		b.m.Name, statebytes.ModelSum(b.m), o.AsOf.Format(time.RFC3339Nano), o.CampaignField, o.ChannelField, strconv.FormatFloat(o.BandWidth, 'g', -1, 64))
}

// counters are the report's counts a state carries, in its order.
func (b *Builder) counters() []*int {
	r := b.rep
	return []*int{&r.Leads, &r.SalesReady, &r.Dispositioned, &r.Accepted, &r.Rejected, &r.Recycled, &r.NeverDispositioned, &r.NotHandedOff,
		&r.Recycle.Leads, &r.Recycle.SalesReadyAgain, &r.Recycle.WonLater,
		&r.SLA.Measured, &r.SLA.Within, &r.SLA.Breached, &r.SLA.Overdue, &r.SLA.Waiting}
}

func writePatterns(w *statebytes.Writer, byPattern map[string]int) {
	w.Uint(uint64(len(byPattern)))
	for _, k := range slices.Sorted(maps.Keys(byPattern)) {
		w.Str(k)
		w.Uint(uint64(byPattern[k]))
	}
}

func writeCounts(w *statebytes.Writer, counts map[string]int) {
	w.Uint(uint64(len(counts)))
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		w.Str(k)
		w.Uint(uint64(counts[k]))
	}
}

func writeWaits(w *statebytes.Writer, waits []float64) {
	w.Uint(uint64(len(waits)))
	for _, x := range waits {
		w.Float(x)
	}
}

// fromState reads a state into a new builder of b's model and options.
func (b *Builder) fromState(state []byte) (*Builder, error) {
	r := &statebytes.Reader{Buf: state}
	if r.Str() != stateMagic || r.Err != nil {
		return nil, errors.New("these bytes are not a feedback report's state (feedback.Builder.State), or come from another version of leadscore")
	}
	if fp := r.Str(); r.Err == nil && fp != b.fingerprint() {
		return nil, fmt.Errorf("cannot merge the state of a feedback report of %s into one of %s; run every shard with the same model and flags", fp, b.fingerprint())
	}
	o := NewBuilder(b.s, b.opts)
	for _, n := range o.counters() {
		*n = r.Number()
	}
	rep := o.rep
	for i, n := 0, r.Count(); i < n && r.Err == nil; i++ {
		e := EarlyRecycle{Lead: r.Str(), Recycled: r.Time()}
		if r.Bool() {
			t := r.Time()
			e.SalesReady = &t
		}
		rep.EarlyRecycles = append(rep.EarlyRecycles, e)
	}
	rep.LaterVerdicts = r.Number()
	for i, n := 0, r.Count(); i < n && r.Err == nil; i++ {
		e := EarlyVerdict{Lead: r.Str(), Status: scoring.Status(r.Str()), At: r.Time(), Handoff: r.Time()}
		if r.Err == nil && (e.Status != scoring.Accepted && e.Status != scoring.Rejected || !e.At.Before(e.Handoff)) {
			r.Fail(fmt.Errorf("the verdict before the hand-off of %s is %s on %s, hand-off %s: no builder writes that", e.Lead, e.Status, e.At, e.Handoff))
		}
		rep.EarlyVerdicts = append(rep.EarlyVerdicts, e)
	}
	t := o.tally
	t.leads = r.Number()
	if n := r.Count(); n != len(t.fired) && r.Err == nil {
		r.Fail(fmt.Errorf("the evidence tally has %d rules, where the model has %d", n, len(t.fired)))
	}
	for i := range t.fired {
		t.fired[i] = r.Number()
		if t.fired[i] > t.leads {
			r.Fail(fmt.Errorf("the rule %s fired on %d leads of %d", t.rules[i], t.fired[i], t.leads))
		}
	}
	withVerdict := o.readPatterns(r, t.verdict)
	for i, n := 0, r.Count(); i < n && r.Err == nil; i++ {
		code := r.Str()
		if o.m.Handoff.Reason(code) == nil {
			r.Fail(fmt.Errorf("the reason %q is not in the model's catalogue", code))
		}
		t.byReason[code] = map[string]int{}
		o.readPatterns(r, t.byReason[code])
	}
	if r.Err == nil && (withVerdict > t.leads || t.leads != rep.SalesReady || withVerdict != rep.Dispositioned) {
		r.Fail(fmt.Errorf("the evidence tally counts %d leads, %d with a verdict, where the report has %d sales-ready, %d with a verdict", t.leads, withVerdict, rep.SalesReady, rep.Dispositioned))
	}
	for kind := range o.groups {
		for i, n := 0, r.Count(); i < n && r.Err == nil; i++ {
			g := &Group{Name: r.Str(), order: r.Finite(), reasons: map[string]int{}}
			g.SalesReady, g.Dispositioned, g.Accepted, g.Rejected, g.Recycled = r.Number(), r.Number(), r.Number(), r.Number(), r.Number()
			o.readCounts(r, g.reasons)
			if r.Err == nil && (g.Dispositioned != g.Accepted+g.Rejected+g.Recycled || g.Dispositioned > g.SalesReady) {
				r.Fail(fmt.Errorf("the group %q has %d leads with a verdict, %d accepted, %d rejected, %d recycled, of %d sales-ready: these do not add up", g.Name, g.Dispositioned, g.Accepted, g.Rejected, g.Recycled, g.SalesReady))
			}
			if _, dup := o.groups[kind][g.Name]; dup {
				r.Fail(fmt.Errorf("the group %q appears twice in the state", g.Name))
			}
			o.groups[kind][g.Name] = g
		}
	}
	o.readCounts(r, o.overall)
	o.waits = readWaits(r)
	for i, n := 0, r.Count(); i < n && r.Err == nil; i++ {
		name := r.Str()
		if _, dup := o.owners[name]; dup {
			r.Fail(fmt.Errorf("the owner %q appears twice in the state", name))
		}
		w := o.owner(name)
		w.Verdicts, w.Breached = r.Number(), r.Number()
		w.waits = readWaits(r)
		if r.Err == nil && (len(w.waits) != w.Verdicts || (w.Breached > w.Verdicts && name != NobodyYet)) {
			r.Fail(fmt.Errorf("the owner %q has %d verdicts, %d waits and %d breached: these do not add up", name, w.Verdicts, len(w.waits), w.Breached))
		}
	}
	if r.Err == nil && len(r.Buf) > 0 {
		r.Fail(errors.New("bytes left over after the end"))
	}
	if r.Err == nil {
		r.Err = o.consistent()
	}
	if r.Err != nil {
		return nil, fmt.Errorf("reading a feedback report's state: %w", r.Err)
	}
	return o, nil
}

// consistent checks the counts of a builder read from a state add up as
// counting leads makes them add up.
func (b *Builder) consistent() error {
	r := b.rep
	switch {
	case r.Dispositioned != r.Accepted+r.Rejected+r.Recycled:
		return fmt.Errorf("%d leads with a verdict, where %d accepted, %d rejected and %d recycled", r.Dispositioned, r.Accepted, r.Rejected, r.Recycled)
	case r.SalesReady != r.Dispositioned+r.NeverDispositioned:
		return fmt.Errorf("%d sales-ready leads, where %d have a verdict and %d none", r.SalesReady, r.Dispositioned, r.NeverDispositioned)
	case r.Leads < r.SalesReady+r.NotHandedOff:
		return fmt.Errorf("%d leads, fewer than the %d sales-ready and %d not handed off", r.Leads, r.SalesReady, r.NotHandedOff)
	case r.Recycle.Leads > r.Leads || r.Recycle.SalesReadyAgain > r.Recycle.Leads || r.Recycle.WonLater > r.Recycle.Leads || len(r.EarlyRecycles) > r.Recycle.Leads:
		return fmt.Errorf("%d recycled leads (%d sales-ready again, %d won later, %d early) of %d leads: these do not add up", r.Recycle.Leads, r.Recycle.SalesReadyAgain, r.Recycle.WonLater, len(r.EarlyRecycles), r.Leads)
	case r.SLA.Measured != r.Dispositioned || r.SLA.Within+r.SLA.Breached != r.SLA.Measured || r.SLA.Overdue+r.SLA.Waiting != r.NeverDispositioned:
		return fmt.Errorf("the SLA measures %d leads (%d within, %d breached) and %d without a verdict (%d overdue, %d waiting), where %d have a verdict and %d none",
			r.SLA.Measured, r.SLA.Within, r.SLA.Breached, r.SLA.Overdue+r.SLA.Waiting, r.SLA.Overdue, r.SLA.Waiting, r.Dispositioned, r.NeverDispositioned)
	case len(b.waits) != r.SLA.Measured:
		return fmt.Errorf("%d waits, where %d leads have a verdict", len(b.waits), r.SLA.Measured)
	}
	verdicts, breached := 0, 0
	for _, o := range b.owners {
		verdicts += o.Verdicts
		breached += o.Breached // the overdue leads are NobodyYet's
	}
	if verdicts != r.SLA.Measured || breached != r.SLA.Breached+r.SLA.Overdue {
		return fmt.Errorf("the owners have %d verdicts and %d breached or overdue, where the SLA has %d and %d", verdicts, breached, r.SLA.Measured, r.SLA.Breached+r.SLA.Overdue)
	}
	for code, n := range b.overall {
		sum := 0
		for _, c := range b.tally.byReason[code] {
			sum += c
		}
		if sum != n {
			return fmt.Errorf("the reason %s is given to %d leads, where the evidence tally has %d", code, n, sum)
		}
	}
	if len(b.tally.byReason) > len(b.overall) {
		return errors.New("the evidence tally has reasons the report does not count")
	}
	for kind, names := range []string{"campaigns", "channels", "bands", "grades", "weeks"} {
		k := []int{0, 1, 2, 3, 5}[kind]
		n := 0
		for _, g := range b.groups[k] {
			n += g.SalesReady
		}
		if n != r.SalesReady {
			return fmt.Errorf("the %s count %d sales-ready leads, where the report has %d", names, n, r.SalesReady)
		}
	}
	return nil
}

// readPatterns reads a tally's counts by firing pattern, and returns
// their sum.
func (b *Builder) readPatterns(r *statebytes.Reader, into map[string]int) int {
	size, sum := (len(b.tally.rules)+7)/8, 0
	for i, n := 0, r.Count(); i < n && r.Err == nil; i++ {
		k, c := r.Str(), r.Number()
		switch {
		case r.Err != nil:
		case len(k) != size || (len(b.tally.rules)%8 != 0 && size > 0 && k[size-1]>>(len(b.tally.rules)%8) != 0):
			r.Fail(fmt.Errorf("a firing pattern of %d bytes is not one of the model's %d rules", len(k), len(b.tally.rules)))
		case c == 0:
			r.Fail(errors.New("a firing pattern counts no lead"))
		case into[k] != 0:
			r.Fail(errors.New("a firing pattern appears twice"))
		}
		into[k] = c
		sum += c
		if sum > statebytes.MaxCount {
			r.Fail(errors.New("the firing patterns count more leads than any state holds"))
		}
	}
	return sum
}

// readCounts reads counts by reason, each a code of the model's catalogue.
func (b *Builder) readCounts(r *statebytes.Reader, into map[string]int) {
	for i, n := 0, r.Count(); i < n && r.Err == nil; i++ {
		code, c := r.Str(), r.Number()
		switch {
		case r.Err != nil:
		case b.m.Handoff.Reason(code) == nil:
			r.Fail(fmt.Errorf("the reason %q is not in the model's catalogue", code))
		case c == 0 || into[code] != 0:
			r.Fail(fmt.Errorf("the reason %q is counted twice, or for no lead", code))
		}
		into[code] = c
	}
}

// readWaits reads waits in hours: numbers, none negative (a verdict comes
// at or after the hand-off).
func readWaits(r *statebytes.Reader) []float64 {
	n := r.Count()
	if r.Err != nil || n == 0 {
		return nil
	}
	if n > len(r.Buf)/8 {
		r.Fail(statebytes.ErrShort)
		return nil
	}
	waits := make([]float64, n)
	for i := range waits {
		waits[i] = r.Finite()
		if waits[i] < 0 || math.Signbit(waits[i]) && waits[i] == 0 {
			r.Fail(fmt.Errorf("a wait of %v hours: a verdict comes at or after the hand-off", waits[i]))
		}
	}
	return waits
}
