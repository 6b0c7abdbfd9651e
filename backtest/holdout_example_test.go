package backtest_test

import (
	"fmt"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
)

// The difference of two win rates with its 95% Newcombe interval: 56 won
// of 70 against 48 of 80 (Newcombe's first example).
func ExampleNewcombeDifference() {
	d := backtest.NewcombeDifference(56, 70, 48, 80)
	fmt.Printf("%.4f (95%%: %.4f to %.4f)\n", *d.Value, *d.Low, *d.High)
	// Output: 0.2000 (95%: 0.0524 to 0.3339)
}

// A holdout comparison fed lead by lead: here 200 sales-ready leads a
// group, 40 won when handed over against 20 when held out.
func ExampleHoldout() {
	h := backtest.NewHoldout(rules.NewHoldout(0.5, "s"), "model.yaml", "")
	for i := 0; i < 200; i++ {
		h.Add(backtest.HoldoutLead{SalesReady: true, Won: i < 40, Revenue: 1000})
		h.Add(backtest.HoldoutLead{Control: true, SalesReady: true, Won: i < 20, Revenue: 1000})
	}
	r := h.Report()
	fmt.Println(r.Decision)
	fmt.Println(r.Verdict)
	// Output:
	// raises
	// The hand-off raises the win rate of the sales-ready leads by 10.0 points (95%: +3.0 points to +17.0 points): 20.0% (40 of 200) against 10.0% (20 of 200), on 200 treated leads and 200 control leads
}
