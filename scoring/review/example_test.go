package review_test

import (
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/review"
)

// A pull request changes the rule file: list what changed, rule by rule
// with the team that owns it, and which teams must sign off.
func ExampleCompare() {
	old, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	new, err := rules.CompileFile("../../testdata/b2b-saas-v2.yaml")
	if err != nil {
		log.Fatal(err)
	}
	changes := review.Compare(old, new)
	for _, c := range changes {
		fmt.Printf("%s %s %s (%s): %s\n", c.Kind, c.What, c.Name, strings.Join(c.Owners, ", "), strings.Join(c.Details, "; "))
	}
	signOff := review.SignOff(changes)
	teams := make([]string, 0, len(signOff))
	for team := range signOff {
		teams = append(teams, team)
	}
	slices.Sort(teams)
	for _, team := range teams {
		fmt.Printf("%s signs off %d changes\n", team, signOff[team])
	}
	// Output:
	// changed rule fit.industry (sales): points +20 → +25; reviewed — → 2026-11-15
	// changed rule engagement.webinar (marketing): when `event.minutes >= 20` → `event.minutes >= 15`; limit 2 → 3; reason Attended a webinar for at least 20 minutes → Attended a webinar for at least 15 minutes; reviewed — → 2026-11-15
	// added rule engagement.webinar-registered (marketing): +5 engagement per webinar_registered event (at most 2, within 60d)
	// removed rule fit.uses-crm (marketing): was: +10 fit when `any(tech_stack, lower(#) in integrated_crms)`
	// changed stage sql (marketing, sales): `grade in ["A", "B"] && (engagement >= 50 || recent_demo)` (sales-ready) → `grade in ["A", "B"] && (engagement >= 40 || recent_demo)` (sales-ready)
	// marketing signs off 4 changes
	// sales signs off 2 changes
}

// Before merging, score the same leads with both versions: how many are
// sales-ready before and after, and which leads start or stop being
// sales-ready, moved by which rules.
func ExampleImpact() {
	old, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	new, err := rules.CompileFile("../../testdata/b2b-saas-v2.yaml")
	if err != nil {
		log.Fatal(err)
	}
	oldScorer, newScorer := scoring.New(old), scoring.New(new)
	var stages []string
	for _, s := range new.Stages {
		stages = append(stages, s.ID)
	}
	im := review.NewImpact(stages, []string{"total", "fit", "engagement"}, review.ChangedStages(review.Compare(old, new)))

	f, err := os.Open("../../testdata/leads.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	err = leadfile.Read(leadfile.Options{Scorer: newScorer, Input: f, InputName: "leads.ndjson"}, func(line int, lead scoring.Lead, err error) error {
		if err != nil {
			return err
		}
		o, err := oldScorer.Score(lead, asOf)
		if err != nil {
			return err
		}
		n, err := newScorer.Score(lead, asOf)
		if err != nil {
			return err
		}
		im.Add(line, o, n)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	im.Finish()
	fmt.Printf("%d leads: %d sales-ready before, %d after\n", im.Leads, im.SalesReadyOld, im.SalesReadyNew)
	for _, l := range im.Started[:min(3, len(im.Started))] {
		fmt.Printf("starts: %s %s → %s (total %.1f → %.1f) by %s\n", l.ID, l.OldStage, l.NewStage, l.OldTotal, l.NewTotal, strings.Join(l.Moved, ", "))
	}
	for _, l := range im.Stopped {
		fmt.Printf("stops: %s %s → %s by %s\n", l.ID, l.OldStage, l.NewStage, strings.Join(l.Moved, ", "))
	}
	fmt.Println("mql → sql:", im.MoveCount("mql", "sql"))
	// Output:
	// 1000 leads: 21 sales-ready before, 23 after
	// starts: L0000093 mql → sql (total 112.0 → 117.0) by the condition of stage sql changed, fit.industry (+20) → (+25)
	// starts: L0000857 mql → sql (total 120.0 → 115.0) by the condition of stage sql changed, fit.industry (+20) → (+25), fit.uses-crm (+10) no longer fires
	// starts: L0000916 mql → sql (total 92.9 → 97.9) by the condition of stage sql changed, engagement.webinar-registered (+5) now fires
	// stops: L0000998 sql → mql by grade B → C, the condition of stage sql changed, engagement.webinar-registered (+5) now fires, fit.uses-crm (+10) no longer fires
	// stops: L0000670 sql → mql by grade B → C, the condition of stage sql changed, engagement.webinar (+30) → (+45), fit.uses-crm (+10) no longer fires
	// mql → sql: 4
}
