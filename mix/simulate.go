package mix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// SimChannel is a simulated channel with known truth.
type SimChannel struct {
	Name string
	// MeanSpend is the average weekly spend.
	MeanSpend float64
	// Adstock is the true carry-over.
	Adstock Adstock
	// Half is the true half-saturation as a multiple of the mean adstocked
	// weekly spend; Shape the true Hill shape.
	Half, Shape float64
	// ROAS is the true return: the channel's incremental KPI over all weeks
	// divided by its spend.
	ROAS float64
}

// Simulation describes a data set to generate.
type Simulation struct {
	Weeks int       `json:"weeks"`
	Start time.Time `json:"start"` // the first week (default 2023-01-02)
	Seed  uint64    `json:"seed"`
	// Channels default to DefaultSimChannels.
	Channels []SimChannel `json:"channels,omitempty"`
	// Level is the baseline KPI per week; Trend its growth over the whole
	// period as a share of Level; Season the amplitude of the yearly cycle
	// as a share of Level; Noise the standard deviation of the weekly noise
	// as a share of Level.
	Level  float64 `json:"level"`
	Trend  float64 `json:"trend"`
	Season float64 `json:"season"`
	Noise  float64 `json:"noise"`
}

// Truth is what the simulated KPI was made of.
type Truth struct {
	Channels []TrueChannel `json:"channels"`
	// BaselineShare is the baseline's share of the noiseless KPI.
	BaselineShare float64 `json:"baseline_share"`
}

// TrueChannel is a simulated channel's true parameters and effect.
type TrueChannel struct {
	Name        string  `json:"name"`
	Spend       float64 `json:"spend"`
	ROAS        float64 `json:"roas"`
	Incremental float64 `json:"incremental"`
	Adstock     Adstock `json:"adstock"`
	Saturation  Hill    `json:"saturation"`
	Coefficient float64 `json:"coefficient"`
}

// DefaultSimChannels are three channels unlike each other: TV carries over
// long and saturates, search is immediate and nearly linear, social between.
var DefaultSimChannels = []SimChannel{
	{Name: "tv", MeanSpend: 20000, Adstock: Adstock{Kind: Geometric, Decay: 0.6}, Half: 1, Shape: 2, ROAS: 1.4},
	{Name: "search", MeanSpend: 10000, Adstock: Adstock{Kind: Geometric, Decay: 0.2}, Half: 2, Shape: 1, ROAS: 2.5},
	{Name: "social", MeanSpend: 8000, Adstock: Adstock{Kind: Geometric, Decay: 0.4}, Half: 0.5, Shape: 1, ROAS: 0.8},
}

// Simulate generates weekly spend and a KPI with known adstock, saturation
// and ROAS per channel, trend, yearly seasonality and Gaussian noise; the
// same Simulation gives the same data.
func Simulate(s Simulation) (Data, Truth, error) {
	if s.Weeks < 1 {
		return Data{}, Truth{}, fmt.Errorf("simulate: %d weeks", s.Weeks)
	}
	if s.Start.IsZero() {
		s.Start = time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	}
	if s.Channels == nil {
		s.Channels = DefaultSimChannels
	}
	if s.Level == 0 {
		s.Level = 100000
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x73696d)) // "sim"
	n := s.Weeks
	d := Data{KPI: make([]float64, n)}
	for t := 0; t < n; t++ {
		d.Weeks = append(d.Weeks, s.Start.AddDate(0, 0, 7*t))
	}
	var truth Truth
	clean := make([]float64, n)
	base := 0.0
	for t := 0; t < n; t++ {
		b := s.Level * (1 + s.Trend*float64(t)/float64(n) + s.Season*math.Sin(2*math.Pi*float64(t)/yearInWeeks))
		clean[t] = b
		base += b
	}
	for _, sc := range s.Channels {
		// Spend in flights: a channel is on or off for a few weeks at a
		// time, at a level that varies from flight to flight.
		spend := make([]float64, n)
		for t := 0; t < n; {
			length := 2 + rng.IntN(6)
			level := 0.0
			if rng.Float64() < 0.8 {
				level = sc.MeanSpend / 0.8 * math.Exp(0.5*rng.NormFloat64()-0.125)
			}
			for k := 0; k < length && t < n; k++ {
				spend[t] = level * (0.9 + 0.2*rng.Float64())
				t++
			}
		}
		a := sc.Adstock.Apply(spend)
		sum, k, total := 0.0, 0, 0.0
		for t := range a {
			if a[t] > 0 {
				sum += a[t]
				k++
			}
			total += spend[t]
		}
		h := Hill{Half: sc.Half * sum / float64(max(k, 1)), Shape: sc.Shape}
		hs := 0.0
		for _, v := range a {
			hs += h.At(v)
		}
		beta := 0.0
		if hs > 0 {
			beta = sc.ROAS * total / hs
		}
		for t, v := range a {
			clean[t] += beta * h.At(v)
		}
		d.Channels = append(d.Channels, Channel{Name: sc.Name, Spend: spend})
		truth.Channels = append(truth.Channels, TrueChannel{Name: sc.Name, Spend: total, ROAS: sc.ROAS, Incremental: sc.ROAS * total,
			Adstock: sc.Adstock, Saturation: h, Coefficient: beta})
	}
	sumClean := 0.0
	for t := range clean {
		sumClean += clean[t]
		d.KPI[t] = clean[t] + s.Noise*s.Level*rng.NormFloat64()
	}
	truth.BaselineShare = base / sumClean
	return d, truth, nil
}
