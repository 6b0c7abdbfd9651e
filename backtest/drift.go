package backtest

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/leadscore/leadscore/scoring"
)

// refRec is a reference lead's total and the rules that fired on it.
type refRec struct {
	id    string
	total float64
	fired []bool // per scoring rule, then per gate
}

// Drift compares the leads of the backtest that existed at At with a
// reference set of leads (such as last quarter's): the population
// stability index (PSI) of the total, over the deciles of the reference's
// totals, and of each rule's firing rate (fired or not). Customary bands:
// under 0.10 stable, 0.10 to 0.25 a moderate shift, over 0.25 a major one.
type Drift struct {
	ReferenceAt time.Time   `json:"reference_at"`
	Leads       int         `json:"leads"`           // the backtest's leads that existed at At
	Reference   int         `json:"reference_leads"` // reference leads scored
	Total       *float64    `json:"total_psi"`
	TotalBand   string      `json:"total_band"`
	Rules       []RuleDrift `json:"rules"`
}

// RuleDrift is the shift of one rule's firing rate.
type RuleDrift struct {
	Rule      string   `json:"rule"`
	Rate      *float64 `json:"rate"`           // share of the leads it fired on
	Reference *float64 `json:"reference_rate"` // the same in the reference
	PSI       *float64 `json:"psi"`
	Band      string   `json:"band"`
}

// AddReference scores one lead of the reference set as of at (the same at
// for every reference lead). Leads created after at are left out.
func (b *Backtest) AddReference(ctx context.Context, lead scoring.Lead, at time.Time) error {
	if b.refIDs == nil {
		b.refIDs, b.refAt = map[string]bool{}, at
	}
	if lead.ID != "" {
		if b.refIDs[lead.ID] {
			return fmt.Errorf("lead %s appears twice in the reference leads; give each lead one row", lead.ID)
		}
		b.refIDs[lead.ID] = true
	}
	if c := createdAt(lead, b.opts.CreatedField); !c.IsZero() && c.After(at) {
		return nil
	}
	res, err := b.scorer.ScoreContext(ctx, lead, at)
	if err != nil {
		return err
	}
	m := b.model
	rec := refRec{id: lead.ID, total: res.Total, fired: make([]bool, len(m.Rules)+len(m.Gates))}
	for _, f := range res.Fired {
		if r := m.Rule(f.Rule); r != nil {
			rec.fired[r.Index] = true
		}
	}
	for _, g := range res.Gates {
		if r := m.Rule(g.Rule); r != nil {
			rec.fired[len(m.Rules)+r.Index] = true
		}
	}
	b.ref = append(b.ref, rec)
	return nil
}

// psiBand words a PSI by the customary bands.
func psiBand(v *float64) string {
	switch {
	case v == nil:
		return "—"
	case *v < 0.10:
		return "stable"
	case *v <= 0.25:
		return "moderate shift"
	}
	return "major shift"
}

// drift compares the leads that existed at At with the reference.
func (b *Backtest) drift(existing []*leadRec) *Drift {
	if b.refIDs == nil {
		return nil
	}
	m := b.model
	ref := append([]refRec(nil), b.ref...)
	sort.Slice(ref, func(i, j int) bool { return ref[i].id < ref[j].id })
	d := &Drift{ReferenceAt: b.refAt, Leads: len(existing), Reference: len(ref)}
	// Decile cut points of the reference: the lowest total of each decile.
	rt := make([]float64, len(ref))
	for i, r := range ref {
		rt[i] = r.total
	}
	dec := deciles(rt)
	cuts := make([]*float64, 10)
	for i, t := range rt {
		if c := cuts[dec[i]]; c == nil || t < *c {
			v := t
			cuts[dec[i]] = &v
		}
	}
	bin := func(t float64) int {
		last := 0
		for k, c := range cuts {
			if c == nil {
				continue
			}
			last = k
			if t >= *c {
				return k
			}
		}
		return last
	}
	actual, expected := make([]float64, 10), make([]float64, 10)
	for _, t := range rt {
		expected[bin(t)]++
	}
	for _, l := range existing {
		actual[bin(l.total)]++
	}
	var a, e []float64
	for k := range cuts {
		if cuts[k] != nil {
			a, e = append(a, actual[k]), append(e, expected[k])
		}
	}
	d.Total = psi(a, e)
	d.TotalBand = psiBand(d.Total)
	ids := make([]string, 0, len(m.Rules)+len(m.Gates))
	for _, r := range m.Rules {
		ids = append(ids, r.ID)
	}
	for _, r := range m.Gates {
		ids = append(ids, r.ID)
	}
	for col, id := range ids {
		var fa, fe float64
		for _, l := range existing {
			if l.units[col] != 0 {
				fa++
			}
		}
		for _, r := range ref {
			if r.fired[col] {
				fe++
			}
		}
		na, ne := float64(len(existing)), float64(len(ref))
		v := psi([]float64{fa, na - fa}, []float64{fe, ne - fe})
		d.Rules = append(d.Rules, RuleDrift{Rule: id, Rate: ratio(fa, na), Reference: ratio(fe, ne), PSI: v, Band: psiBand(v)})
	}
	sort.SliceStable(d.Rules, func(i, j int) bool {
		a, b := d.Rules[i].PSI, d.Rules[j].PSI
		if (a == nil) != (b == nil) {
			return b == nil
		}
		return a != nil && *a > *b
	})
	return d
}
