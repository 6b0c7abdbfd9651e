package backtest_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// Sales can work 40 leads a week: where should the threshold on the total
// be? The backtest replays each lead's score up to T0, counts how many
// leads a week crossed each threshold over the last 13 weeks, and picks
// the lowest whose flow fits.
func ExampleOptions_capacity() {
	m, err := rules.CompileFile("../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	s := scoring.New(m)
	of, err := os.Open("../testdata/backtest/outcomes.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer of.Close()
	outcomes, _, err := attribution.ReadOutcomes(of, func(line int, err error) { fmt.Printf("outcomes.csv:%d: %v\n", line, err) })
	if err != nil {
		log.Fatal(err)
	}
	capacity, err := backtest.ParseCapacity("40/week") // as --capacity takes it
	if err != nil {
		log.Fatal(err)
	}
	b, err := backtest.New(s, outcomes, backtest.Options{
		At:       time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
		Until:    time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Capacity: capacity,
	})
	if err != nil {
		log.Fatal(err)
	}
	lf, err := os.Open("../testdata/backtest/leads.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer lf.Close()
	err = leadfile.Read(leadfile.Options{Scorer: s, Input: lf, InputName: "leads.ndjson"}, func(line int, l scoring.Lead, err error) error {
		if err == nil {
			err = b.Add(l)
		}
		if err != nil {
			fmt.Printf("leads.ndjson:%d: %v\n", line, err)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	c := b.Report().Capacity
	at := c.At
	fmt.Printf("threshold: total >= %v (the data allow %v to %v)\n", *c.Threshold, c.ThresholdInterval.Low, c.ThresholdInterval.High)
	fmt.Printf("at it: %.1f leads a week, %.1f%% of them won, %.1f won deals a week\n", *at.PerPeriod, *at.WinRate*100, *at.ExpectedWon)
	fmt.Printf("today's sales-ready stage: %.1f leads a week\n", *c.Current.PerPeriod)
	// Today's definition hands sales a fraction of what it can work; the
	// report's Curve lists every threshold, to weigh volume against win rate.
	// Output:
	// threshold: total >= 46 (the data allow 46 to 49)
	// at it: 38.6 leads a week, 6.4% of them won, 2.5 won deals a week
	// today's sales-ready stage: 2.5 leads a week
}
