package scoring_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A model with a holdout section: the row of a lead says whether it is
// in the control group and whether it goes to sales. L7 is sales-ready but
// held out, so it is not handed off.
func ExampleResult_RowIn() {
	m, err := rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields: {employees: int}
scores: {fit: {}}
rules:
  - {id: big, score: fit, when: employees > 100, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
holdout: {share: 0.1, seed: q3-holdout, withhold: handoff}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := scoring.New(m)
	for _, id := range []string{"L1", "L7"} {
		res, err := s.Score(scoring.Lead{ID: id, Fields: map[string]any{"employees": 500}}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			fmt.Println(err)
			return
		}
		row := res.RowIn(m.Holdout)
		b, _ := json.Marshal(struct {
			ID         string `json:"id"`
			SalesReady bool   `json:"sales_ready"`
			Holdout    *bool  `json:"holdout"`
			HandedOff  *bool  `json:"handed_off"`
		}{row.ID, row.SalesReady, row.Holdout, row.HandedOff})
		fmt.Println(string(b))
	}
	// Output:
	// {"id":"L1","sales_ready":true,"holdout":false,"handed_off":true}
	// {"id":"L7","sales_ready":true,"holdout":true,"handed_off":false}
}
