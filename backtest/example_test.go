package backtest_test

import (
	"fmt"
	"os"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// Backtest the small bundled model: score every lead as it stood on 1 June
// and compare with what the CRM says happened by 1 September.
func Example() {
	m, err := rules.CompileFile("../testdata/backtest/small/tiny.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := scoring.New(m)
	f, err := os.Open("../testdata/backtest/small/outcomes.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	outcomes, _, err := attribution.ReadOutcomes(f, func(line int, err error) { fmt.Printf("outcomes.csv:%d: %v\n", line, err) })
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := backtest.New(s, outcomes, backtest.Options{
		At:    time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Until: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	leads, err := os.Open("../testdata/backtest/small/leads.ndjson")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer leads.Close()
	err = leadfile.Read(leadfile.Options{Scorer: s, Input: leads, InputName: "leads.ndjson"}, func(line int, l scoring.Lead, err error) error {
		if err == nil {
			err = b.Add(l)
		}
		if err != nil {
			fmt.Printf("leads.ndjson:%d: %v\n", line, err)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := b.Report()
	sr := r.SalesReady
	fmt.Printf("%d leads in the backtest, %d won; AUC %.3f\n", r.Leads.InBacktest, r.Won, *r.AUC)
	fmt.Printf("sales-ready: %d leads, %d won, precision %.2f, recall %.2f, missed revenue %v\n", sr.Leads, sr.Won, *sr.Precision, *sr.Recall, sr.MissedRevenue)
	fmt.Printf("strongest rule: %s (IV %.3f, %s)\n", r.Rules[0].Rule, *r.Rules[0].IV, r.Rules[0].Signal)
	// Output:
	// 9 leads in the backtest, 3 won; AUC 0.583
	// sales-ready: 2 leads, 1 won, precision 0.50, recall 0.33, missed revenue 2500
	// strongest rule: fit.vp (IV 0.305, unclear)
}
