package scoring_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// Weighing other points without compiling a model for each: the lead's
// conditions are evaluated once, and each set of points (by rule, in the
// model's order) gives its own total and stage, as a model with those
// points would.
func ExampleScorer_ScoreVariants() {
	m, err := rules.CompileFile("../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	s := scoring.New(m)
	data, err := os.ReadFile("../testdata/lead.json")
	if err != nil {
		log.Fatal(err)
	}
	lead, err := leadfile.DecodeJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	current, halved := make([]float64, len(m.Rules)), make([]float64, len(m.Rules))
	for i, r := range m.Rules {
		current[i] = r.Points
		halved[i] = r.Points
		if r.Category.Name == "engagement" {
			halved[i] = r.Points / 2 // engagement worth half as much
		}
	}
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	vs, err := s.ScoreVariants(context.Background(), lead, asOf, [][]float64{current, halved})
	if err != nil {
		log.Fatal(err)
	}
	for i, name := range []string{"current points", "engagement halved"} {
		fmt.Printf("%s: total %.1f, stage %s, sales-ready %v\n", name, vs[i].Total, vs[i].Stage, vs[i].SalesReady)
	}
	// Output:
	// current points: total 140.0, stage sql, sales-ready true
	// engagement halved: total 110.0, stage sql, sales-ready true
}
