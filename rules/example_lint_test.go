package rules_test

import (
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// What `leadscore check --strict` does, from Go (in a CI step or a test):
// the file compiles, and Lint lists what a reviewer should still look at,
// each finding at file:line:col.
func ExampleLint() {
	m, err := rules.CompileFile("../testdata/lint/sloppy.yaml")
	if err != nil {
		log.Fatal(err)
	}
	findings := rules.Lint(m) // findings.Write(os.Stderr) prints each with its line
	for _, f := range findings {
		fmt.Printf("%d:%d: %s\n", f.Pos.Line, f.Pos.Col, f.Message)
	}
	fmt.Println(len(findings), "findings; blocking:", findings.HasErrors())
	// Output:
	// 11:3: list old_regions is never used; remove it, or use it in a rule
	// 14:3: define big is never used; remove it, or use it in a rule or stage
	// 25:5: rule fit.vp has no owner; say which team answers for it, such as owner: sales
	// 25:5: rule fit.vp has no reason; say in a few words why it gives points, for the people who read the scores
	// 33:11: rule fit.size can never fire: employees >= 1000 and employees < 200 cannot both hold
	// 39:11: rule fit.always always fires: its condition is true whatever the lead
	// 48:13: the window of rule engagement.demo, 45min is under an hour; windows and half-lives are usually days (d), weeks (w) or months (mo)
	// 51:22: grade B can never be given: grade A comes first and asks for less (fit >= 20)
	// 58:27: stage sql cannot be reached: engagement >= 60 asks for more than the 30 points the rules can give
	// 9 findings; blocking: false
}

// Bound what a rule file may cost per lead. A service that scores leads for
// rule files written by its users compiles them with tighter limits: a lead
// that would need more work fails alone with a *rules.LimitError (inside a
// *rules.EvalError naming the rule), and the next lead is scored as usual.
func ExampleWithLimits() {
	src := `leadscore: 1
model: tenant-42
fields:
  tech_stack: list
  keywords: list
scores:
  fit: {}
rules:
  - id: fit.stack-keyword
    score: fit
    owner: sales
    reason: Uses a tool we look for
    when: any(tech_stack, {any(keywords, {lower(#) == "snowflake"})})
    points: 10
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
`
	m, err := rules.CompileBytes("tenant-42.yaml", []byte(src), rules.WithLimits(rules.Limits{MaxSteps: 10_000}))
	if err != nil {
		log.Fatal(err)
	}
	s := scoring.New(m)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

	huge := strings.Split(strings.Repeat("x,", 999)+"x", ",") // 1,000 items
	_, err = s.Score(scoring.Lead{ID: "big", Fields: map[string]any{"tech_stack": huge, "keywords": huge}}, asOf)
	var le *rules.LimitError
	var ee *rules.EvalError
	if errors.As(err, &le) && errors.As(err, &ee) {
		fmt.Printf("%s: over the %s limit (%d) in %s\n", ee.Pos, le.Limit, le.Max, ee.Expr.Name)
	}

	res, err := s.Score(scoring.Lead{ID: "ok", Fields: map[string]any{"tech_stack": []string{"dbt"}, "keywords": []string{"Snowflake"}}}, asOf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.LeadID, res.Stage)
	// Output:
	// tenant-42.yaml:13:42: over the steps limit (10000) in rule fit.stack-keyword
	// ok sql
}
