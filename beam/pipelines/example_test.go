package pipelines_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/leadscore/leadscore/beam/pipelines"
)

// Score the bundled bad rows on Prism: every row gets a result line, the
// rows that failed go to the dead letters with their line and reason, and
// the summary reconciles them.
func ExampleScore() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	model, _, err := pipelines.LoadModel("../../testdata/b2b-saas.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	files := []string{"../../testdata/bad-leads.ndjson"}
	results, dead, summary := filepath.Join(dir, "scores.ndjson"), filepath.Join(dir, "dead.ndjson"), filepath.Join(dir, "summary.json")

	p, s := beam.NewPipelineWithRoot()
	cfg := pipelines.Scoring{Model: model, AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	scored := pipelines.Score(s, cfg, pipelines.ReadLines(s, beam.CreateList(s, files)))
	pipelines.WriteOrdered(s, results, "", files, scored.Results)
	pipelines.WriteDeadLetters(s, dead, files, scored.DeadLetters)
	pipelines.WriteSummary(s, summary, scored.Summary)
	if err := ptest.Run(p); err != nil { // Prism; beamx.Run takes --runner
		fmt.Println(err)
		return
	}

	data, _ := os.ReadFile(summary)
	sum, _ := pipelines.ReadSummary(data)
	fmt.Printf("%d rows in: %d scored, %d failed\n", sum.Rows, sum.Scored, sum.Failed)
	letters, _ := os.ReadFile(dead)
	for _, line := range strings.Split(strings.TrimSpace(string(letters)), "\n")[:2] {
		fmt.Println(line)
	}
	// Output:
	// 8 rows in: 2 scored, 6 failed
	// {"file":"../../testdata/bad-leads.ndjson","line":2,"lead_id":"B2","error":"../../testdata/bad-leads.ndjson:2: lead B2: employees: want a whole number, got the text \"250\"","row":"{\"id\":\"B2\",\"email\":\"jo@globex.com\",\"employees\":\"250\"}"}
	// {"file":"../../testdata/bad-leads.ndjson","line":3,"lead_id":"B3","error":"../../testdata/bad-leads.ndjson:3: lead B3: email: required but missing","row":"{\"id\":\"B3\",\"title\":\"CTO\"}"}
}
