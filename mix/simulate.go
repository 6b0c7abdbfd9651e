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
	// FollowDemand makes the channel's spend follow the simulation's
	// unobserved demand: each week's spend is multiplied by
	// exp(FollowDemand·z - FollowDemand²/2), z the week's standardised
	// demand, as search budgets follow the searches. The model does not
	// see the demand, so it credits the channel with some of it: a
	// confounded channel, which lift tests calibrate.
	FollowDemand float64
}

// Simulation describes a data set to generate.
//
// With Period Day it generates Days days instead: Level, MeanSpend and
// the channels' adstock are then per day (DefaultDailySimChannels), spend
// runs in flights of 3 to 30 days, the demand carries 0.8^(1/7) from one
// day to the next, and DayOfWeek adds a weekly pattern to the baseline.
type Simulation struct {
	Weeks int `json:"weeks"`
	// Period is Week (the default) or Day; Days the number of days.
	Period Period `json:"period,omitempty"`
	Days   int    `json:"days,omitempty"`
	// DayOfWeek is the baseline's multiplier on each weekday, Sunday
	// first (daily only; nil: none).
	DayOfWeek []float64 `json:"day_of_week,omitempty"`
	Start     time.Time `json:"start"` // the first week (default 2023-01-02)
	Seed      uint64    `json:"seed"`
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
	// Demand is the standard deviation, as a share of Level, of an
	// unobserved weekly demand (autocorrelated, 0.8 from one week to the
	// next) in the baseline; channels with FollowDemand spend more when
	// it is high.
	Demand float64 `json:"demand,omitempty"`
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

// DefaultDailySimChannels are DefaultSimChannels by day: the same
// carry-over spans (a weekly decay d is d^(1/7) a day; search's is
// shorter than a week, 0.5 a day), a seventh of the spend, the same ROAS.
var DefaultDailySimChannels = []SimChannel{
	{Name: "tv", MeanSpend: 20000.0 / 7, Adstock: Adstock{Kind: Geometric, Decay: math.Pow(0.6, 1.0/7)}, Half: 1, Shape: 2, ROAS: 1.4},
	{Name: "search", MeanSpend: 10000.0 / 7, Adstock: Adstock{Kind: Geometric, Decay: 0.5}, Half: 2, Shape: 1, ROAS: 2.5},
	{Name: "social", MeanSpend: 8000.0 / 7, Adstock: Adstock{Kind: Geometric, Decay: math.Pow(0.4, 1.0/7)}, Half: 0.5, Shape: 1, ROAS: 0.8},
}

// Simulate generates weekly spend and a KPI with known adstock, saturation
// and ROAS per channel, trend, yearly seasonality and Gaussian noise; the
// same Simulation gives the same data.
func Simulate(s Simulation) (Data, Truth, error) {
	daily := s.Period.norm() == Day
	n, step, year, phi, minFlight, flights := s.Weeks, 7, yearInWeeks, 0.8, 2, 6
	if daily {
		n, step, year, phi, minFlight, flights = s.Days, 1, 365.25, math.Pow(0.8, 1.0/7), 3, 28
	}
	if n < 1 {
		return Data{}, Truth{}, fmt.Errorf("simulate: %d %s", n, s.Period.norm().plural())
	}
	if s.Start.IsZero() {
		s.Start = time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	}
	if s.Channels == nil {
		s.Channels = DefaultSimChannels
		if daily {
			s.Channels = DefaultDailySimChannels
		}
	}
	if s.Level == 0 {
		s.Level = 100000
		if daily {
			s.Level = 100000.0 / 7
		}
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x73696d)) // "sim"
	d := Data{KPI: make([]float64, n)}
	if daily {
		d.Period = Day
	}
	for t := 0; t < n; t++ {
		d.Weeks = append(d.Weeks, s.Start.AddDate(0, 0, step*t))
	}
	var truth Truth
	clean := make([]float64, n)
	base := 0.0
	demand := make([]float64, n)
	if s.Demand > 0 {
		// Its own generator: data without demand is what it always was.
		dr := rand.New(rand.NewPCG(s.Seed, 0x64656d)) // "dem"
		demand[0] = dr.NormFloat64()
		for t := 1; t < n; t++ {
			demand[t] = phi*demand[t-1] + math.Sqrt(1-phi*phi)*dr.NormFloat64()
		}
	}
	for t := 0; t < n; t++ {
		b := s.Level * (1 + s.Trend*float64(t)/float64(n) + s.Season*math.Sin(2*math.Pi*float64(t)/year) + s.Demand*demand[t])
		if daily && len(s.DayOfWeek) == 7 {
			b *= s.DayOfWeek[d.Weeks[t].Weekday()]
		}
		clean[t] = b
		base += b
	}
	for _, sc := range s.Channels {
		// Spend in flights: a channel is on or off for a few weeks at a
		// time, at a level that varies from flight to flight.
		spend := make([]float64, n)
		for t := 0; t < n; {
			length := minFlight + rng.IntN(flights)
			level := 0.0
			if rng.Float64() < 0.8 {
				level = sc.MeanSpend / 0.8 * math.Exp(0.5*rng.NormFloat64()-0.125)
			}
			for k := 0; k < length && t < n; k++ {
				spend[t] = level * (0.9 + 0.2*rng.Float64())
				t++
			}
		}
		if f := sc.FollowDemand; f != 0 && s.Demand > 0 {
			for t := range spend {
				spend[t] *= math.Exp(f*demand[t] - f*f/2)
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

// Lift is the true effect of channel c's spend in weeks from..to
// (indexes of d.Weeks, inclusive) on the KPI of those weeks: what a
// perfect lift test over those weeks would measure. d is the simulated
// data.
func (tr Truth) Lift(d Data, c, from, to int) float64 {
	tc := tr.Channels[c]
	return tc.Coefficient * windowEffect(tc.Adstock, tc.Saturation, d.Channels[c].Spend, from, to)
}
