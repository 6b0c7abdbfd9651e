package scoringtest_test

import (
	"fmt"

	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// Run the test files sales and marketing wrote for a rule file from Go
// (a deploy check, a service that accepts rule files), and gate on the
// totals; a failing case says what it expected and what it got.
// In a go test, scoringtest.Run(t, "rules") does the same as subtests.
func ExampleRunFile() {
	var files []*scoringtest.FileResult
	for _, path := range []string{"../../testdata/b2b-saas_test.yaml", "../../testdata/failing.yaml"} {
		fr := scoringtest.RunFile(path, scoringtest.Options{})
		if fr.Err != nil {
			fmt.Println(fr.Diagnostics()) // the file, or its model, has errors
			continue
		}
		files = append(files, fr)
		if fr.Coverage != nil {
			covered, total := fr.Coverage.Counts()
			fmt.Printf("%s: %d cases, coverage %d of %d\n", fr.File, len(fr.Cases), covered, total)
		}
		for _, c := range fr.Cases {
			if c.Status != scoringtest.Pass {
				fmt.Printf("%s: %s %q\n", c.Pos, c.Status, c.Name)
				for _, f := range c.Failures {
					fmt.Println("   ", f)
				}
			}
		}
	}
	t := scoringtest.Count(files)
	fmt.Printf("%d passed, %d failed, %d pending, %d errors; ok: %v\n", t.Passed, t.Failed, t.Pending, t.Errors, t.OK())
	// Output:
	// ../../testdata/b2b-saas_test.yaml: 29 cases, coverage 69 of 69
	// ../../testdata/b2b-saas_test.yaml:217:5: pending "Partner referrals will count double (agreed for Q1, not built yet)"
	// ../../testdata/failing.yaml: 2 cases, coverage 31 of 69
	// ../../testdata/failing.yaml:5:5: fail "sales thinks an analyst who asked for a demo is sales-ready"
	//     stage: want sql, got mql
	//     fired: want fit.industry to fire; it did not
	// 29 passed, 1 failed, 1 pending, 0 errors; ok: false
}
