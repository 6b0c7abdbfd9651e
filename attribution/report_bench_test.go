package attribution_test

import (
	"os"
	"testing"

	"github.com/leadscore/leadscore/attribution"
)

// BenchmarkReport adds the 1,000 bundled journeys to a report under the
// command line's default models and finishes it.
func BenchmarkReport(b *testing.B) {
	f, err := os.Open(td("journeys.ndjson"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var journeys []*attribution.Journey
	if err := attribution.ReadNDJSON(f, func(line int, j *attribution.Journey, err error) error {
		journeys = append(journeys, j)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	ms := []attribution.Model{attribution.FirstTouchModel{}, attribution.LinearModel{}, attribution.WShaped("")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rep := attribution.NewReport(ms, attribution.Options{}, nil)
		for _, j := range journeys {
			rep.Add(j)
		}
		rep.Finish()
	}
}
