package attribution_test

import (
	"bytes"
	"testing"

	"github.com/leadscore/leadscore/attribution"
)

// FuzzReaders feeds arbitrary bytes to every reader of outside input:
// journeys (NDJSON and CSV with touches), paths and costs. Bad input is
// refused or reported by line; nothing may panic, and a journey read gives
// credit that sums to its revenue.
func FuzzReaders(f *testing.F) {
	f.Add([]byte(`{"id":"a","touches":[{"at":"2026-06-01T00:00:00Z","campaign":"c","channel":"e"}],"converted":true,"revenue":10}`),
		[]byte("journey_id,at,campaign,channel\na,2026-06-01,c,e\n\"b"))
	f.Add([]byte("id,converted,revenue,won\na,true,5,2026-06-02\n"), []byte("path;total_conversions;total_conversion_value;total_null\na > b;1;2;3\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		check := func(line int, j *attribution.Journey, err error) error {
			if err != nil || j == nil {
				return nil
			}
			sum := 0.0
			for _, c := range attribution.Attribute(attribution.WShaped(""), j, attribution.Options{}) {
				sum += c.Revenue
			}
			if j.Converted && (sum-j.Revenue > 1e-6*(1+j.Revenue) || j.Revenue-sum > 1e-6*(1+j.Revenue)) {
				t.Fatalf("line %d: credit %v for revenue %v", line, sum, j.Revenue)
			}
			return nil
		}
		attribution.ReadNDJSON(bytes.NewReader(a), check)
		attribution.ReadCSV(bytes.NewReader(a), bytes.NewReader(b), check)
		if p, _, _, err := attribution.ReadPaths(bytes.NewReader(b), func(int, error) {}); err == nil && p.Len() > 0 && len(p.Channels()) < 20 {
			if _, err := attribution.RunPaths(p, []string{"markov:2", "shapley", "linear"}, 1); err != nil {
				t.Fatal(err)
			}
		}
		attribution.ReadCosts(bytes.NewReader(b), func(int, error) {})
	})
}
