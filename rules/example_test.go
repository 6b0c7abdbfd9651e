package rules_test

import (
	"fmt"
	"os"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// A misspelt field is caught when the file compiles, before any lead is
// scored, and reported where the person has to fix it.
func ExampleCompileBytes_typo() {
	_, err := rules.CompileBytes("b2b.yaml", []byte(`leadscore: 1
model: b2b
fields:
  industry: string
  employees: int
lists:
  target_industries: [software, fintech]
scores:
  fit: {min: 0, max: 100}
rules:
  - id: fit.industry
    score: fit
    when: industy in target_industries
    points: 20
stages:
  - id: sql
    sales_ready: true
    when: fit >= 20
`))
	if ds, ok := err.(dsl.Diagnostics); ok {
		ds.Write(os.Stdout)
	}
	fmt.Println(len(err.(dsl.Diagnostics)), "problem")
	// Output:
	// b2b.yaml:13:11: unknown name "industy"; did you mean "industry"?
	//         when: industy in target_industries
	//               ^
	// 1 problem
}
