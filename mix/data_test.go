package mix

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Unusable data is an error that says what to fix, never a panic or a
// partial result.
func TestFitRejectsBadData(t *testing.T) {
	good := func() Data {
		d, _, err := Simulate(Simulation{Weeks: 60, Seed: 3, Noise: 0.05})
		require.NoError(t, err)
		return d
	}
	for _, c := range []struct {
		name string
		edit func(*Data)
		want string
	}{
		{"NaN KPI", func(d *Data) { d.KPI[4] = math.NaN() }, "week 2023-01-30: the KPI is NaN; give a number"},
		{"negative spend", func(d *Data) { d.Channels[1].Spend[2] = -5 }, `channel "search", week 2023-01-16: spend -5; spend must be a number, 0 or more`},
		{"infinite spend", func(d *Data) { d.Channels[0].Spend[0] = math.Inf(1) }, `channel "tv", week 2023-01-02: spend +Inf`},
		{"missing week", func(d *Data) {
			for t := 10; t < len(d.Weeks); t++ {
				d.Weeks[t] = d.Weeks[t].AddDate(0, 0, 7)
			}
		}, "weeks 2023-03-06 and 2023-03-20 are 14 days apart; weeks must follow each other 7 days apart with none missing"},
		{"duplicate week", func(d *Data) { d.Weeks[6] = d.Weeks[5] }, "weeks 2023-02-06 and 2023-02-06 are 0 days apart"},
		{"duplicate channel", func(d *Data) { d.Channels[2].Name = "tv" }, `channel "tv" is given twice`},
		{"short spend", func(d *Data) { d.Channels[0].Spend = d.Channels[0].Spend[:59] }, `channel "tv" has 59 weeks of spend, the KPI 60`},
		{"too few weeks", func(d *Data) { d.Weeks, d.KPI = d.Weeks[:20], d.KPI[:20] }, "20 weeks of data; a mix model needs at least 26"},
		{"no channels", func(d *Data) { d.Channels = nil }, "no channels"},
		{"flat KPI", func(d *Data) {
			for t := range d.KPI {
				d.KPI[t] = 7
			}
		}, "the KPI is 7 every week: there is nothing to explain"},
		{"NaN control", func(d *Data) {
			d.Controls = []Control{{Name: "holiday", Values: make([]float64, 60)}}
			d.Controls[0].Values[1] = math.NaN()
		}, `control "holiday", week 2023-01-09: NaN`},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := good()
			c.edit(&d)
			r, err := Fit(d, Options{Bootstrap: 10})
			require.Error(t, err)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := Fit(good(), Options{Bounds: 1.5})
	assert.ErrorContains(t, err, "reallocation bounds 1.5: give a share below 1")
	_, err = Fit(good(), Options{Adstock: "hyperbolic"})
	assert.ErrorContains(t, err, `unknown adstock "hyperbolic"; use geometric or weibull`)
}
