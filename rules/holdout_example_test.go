package rules_test

import (
	"fmt"

	"github.com/leadscore/leadscore/rules"
)

// A model's holdout section assigns each lead by its id: the same lead is
// always in the same group, whatever the order or the machine.
func ExampleHoldout_Control() {
	m, err := rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields: {employees: int}
scores: {fit: {}}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
holdout:
  share: 0.1
  seed: q3-holdout
  withhold: handoff
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []string{"L1", "L7", "L16"} {
		fmt.Println(id, m.Holdout.Control(id), rules.HoldoutDraw("q3-holdout", id))
	}
	// Output:
	// L1 false 6394006375574582
	// L7 true 527485150562141
	// L16 true 56344733832303
}
