package pipelines_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/teststream"

	"github.com/leadscore/leadscore/beam/pipelines"
)

// Stream one lead's lines on Prism, delivered out of order and one of them
// twice: they are applied in time order, the repeated one once, and the
// lead's result as of Until is written when the watermark passes it. (The
// pricing view's points decay from the moment they count, so the lead is
// engaged for an instant only: its re-check timer fires at once.)
func ExampleStream() {
	// Prism's splits of bundles with timers lose them (apache/beam#35771).
	flag.Set("experiments", "prism_disable_sdf_split")
	model, _, err := pipelines.LoadModel("../../testdata/b2b-saas.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	day := func(d int) time.Time { return time.Date(2026, 9, d, 9, 0, 0, 0, time.UTC) }
	fields := `{"lead_id":"L1","id":"f","fields":{"email":"ana@globex.com","title":"VP Marketing","industry":"SaaS","employees":400,"country":"DE","created_at":"2026-09-01T09:00:00Z"}}`
	pricing := `{"lead_id":"L1","id":"e1","type":"page_view","at":"2026-09-02T09:00:00Z","url":"/pricing"}`
	demo := `{"lead_id":"L1","id":"e2","type":"demo_request","at":"2026-09-03T09:00:00Z"}`
	ts := teststream.NewConfig()
	ts.AddElements(day(3).UnixMilli(), demo)
	ts.AddElements(day(1).UnixMilli(), fields)
	ts.AddElements(day(2).UnixMilli(), pricing, pricing) // delivered twice
	ts.AdvanceWatermarkToInfinity()

	p, s := beam.NewPipelineWithRoot()
	cfg := pipelines.Streaming{Model: model, Until: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	out := pipelines.Stream(s, cfg, teststream.Create(s, ts))
	beam.ParDo0(s, &collectFn{"changes"}, out.Changes)
	beam.ParDo0(s, &collectFn{"results"}, out.Results)
	mu.Lock()
	collected = map[string][]string{}
	mu.Unlock()
	if err := ptest.Run(p); err != nil { // Prism; beamx.Run takes --runner
		fmt.Println(err)
		return
	}

	type change struct {
		Seq    int
		At     time.Time
		Cause  string
		ID     string
		Result struct{ Stage, Grade string }
	}
	var changes []change
	for _, line := range collected["changes"] {
		var c change
		json.Unmarshal([]byte(line), &c)
		changes = append(changes, c)
	}
	slices.SortFunc(changes, func(a, b change) int { return a.Seq - b.Seq }) // seq counts the lead's changes
	for _, c := range changes {
		fmt.Printf("change %d at %s (%s %s): stage %q, grade %s\n", c.Seq, c.At.Format("Jan 2 15:04"), c.Cause, c.ID, c.Result.Stage, c.Result.Grade)
	}
	for _, line := range collected["results"] {
		var r struct{ Stage, Grade string }
		json.Unmarshal([]byte(line), &r)
		fmt.Printf("as of Oct 1: stage %q, grade %s\n", r.Stage, r.Grade)
	}
	// Output:
	// change 1 at Sep 1 09:00 (fields f): stage "", grade A
	// change 2 at Sep 2 09:00 (event e1): stage "engaged", grade A
	// change 3 at Sep 2 09:00 (recheck ): stage "", grade A
	// change 4 at Sep 3 09:00 (event e2): stage "sql", grade A
	// as of Oct 1: stage "sql", grade A
}
