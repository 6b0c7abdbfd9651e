// Package gendata makes the bundled data that depends on scoring: sales'
// dispositions follow each generated lead's scoring timeline. It joins
// internal/leadgen (which imports nothing of leadscore) to the scorer, for
// testdata/gen and for the test that the bundled files regenerate.
package gendata

import (
	"encoding/json"
	"io"
	"time"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// WriteDispositions writes the dispositions of the first n leads of the
// generator with the given seed: each lead's sales-ready moment comes from
// its timeline with the scorer's model, as of leadgen.Base.
func WriteDispositions(w io.Writer, scorer *scoring.Scorer, seed uint64, n int) error {
	g := leadgen.New(seed)
	var out []leadgen.Disposition
	for i := 0; i < n; i++ {
		l := g.Next()
		_, at, err := SalesReady(scorer, l)
		if err != nil {
			return err
		}
		first, firstAt := "", time.Time{}
		for _, e := range l.Events {
			t, err := time.Parse(time.RFC3339, e.At)
			if err != nil {
				return err
			}
			if e.Campaign != "" && (first == "" || t.Before(firstAt)) {
				first, firstAt = e.Campaign, t
			}
		}
		out = append(out, leadgen.Dispositions(seed, l.ID, at, l, first)...)
	}
	return leadgen.WriteDispositions(w, out)
}

// SalesReady decodes a generated lead as the command line reads it and
// returns it with the moment it first became sales-ready as of
// leadgen.Base (the zero time when it never did).
func SalesReady(scorer *scoring.Scorer, l leadgen.Lead) (scoring.Lead, time.Time, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return scoring.Lead{}, time.Time{}, err
	}
	lead, err := leadfile.DecodeJSON(b)
	if err != nil {
		return scoring.Lead{}, time.Time{}, err
	}
	tl, err := scorer.Timeline(lead, leadgen.Base)
	if err != nil {
		return lead, time.Time{}, err
	}
	var at time.Time
	if r, ok := tl.SalesReadyAt(scorer); ok {
		at = r.At
	}
	return lead, at, nil
}
