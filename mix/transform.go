package mix

import (
	"encoding/json"
	"math"
)

// AdstockKind is the shape of a channel's carry-over.
type AdstockKind string

// Adstock kinds.
const (
	// Geometric carries over a fixed share of last week's adstock:
	// a[t] = x[t] + decay*a[t-1].
	Geometric AdstockKind = "geometric"
	// Weibull weighs the spend of lag l by the Weibull survival function
	// exp(-(l/scale)^shape), l = 0..WeibullLags-1; shape 1 is geometric
	// with decay exp(-1/scale), other shapes let the effect peak or fade
	// faster than geometric.
	Weibull AdstockKind = "weibull"
)

// WeibullLags is how many weeks of spend a Weibull adstock reads.
const WeibullLags = 13

// Adstock is a channel's carry-over: Decay for geometric; Shape and Scale
// for Weibull.
//
// The units are the model's periods: a weekly model's Decay is the share
// carried from one week to the next and its Scale is in weeks; a daily
// model's are per day and in days (a weekly decay d is d^(1/7) a day).
type Adstock struct {
	Kind  AdstockKind `json:"kind"`
	Decay float64     `json:"decay,omitempty"`
	Shape float64     `json:"shape,omitempty"`
	Scale float64     `json:"scale,omitempty"`
	// Lags is how many periods of spend a Weibull adstock reads (0:
	// WeibullLags, 13 weeks; a daily model reads 91 days).
	Lags int `json:"lags,omitempty"`
}

// Apply returns the adstocked series of x (spend before the first week
// counts as zero).
func (a Adstock) Apply(x []float64) []float64 {
	out := make([]float64, len(x))
	switch a.Kind {
	case Weibull:
		w := a.weights()
		for t := range x {
			for l := 0; l < len(w) && l <= t; l++ {
				out[t] += w[l] * x[t-l]
			}
		}
	default:
		prev := 0.0
		for t, v := range x {
			prev = v + a.Decay*prev
			out[t] = prev
		}
	}
	return out
}

// weights are the Weibull lag weights, the first 1.
func (a Adstock) weights() []float64 {
	n := a.Lags
	if n <= 0 {
		n = WeibullLags
	}
	w := make([]float64, n)
	for l := range w {
		w[l] = math.Exp(-math.Pow(float64(l)/a.Scale, a.Shape))
	}
	return w
}

// Hill is diminishing returns: the share of a channel's full effect that
// adstocked spend x reaches, x^Shape / (x^Shape + Half^Shape). Half is the
// adstocked weekly spend that reaches half the full effect, in spend's
// currency.
//
// Linear is no saturation at all: the response is straight, At(x) = x,
// the limit of the curve as Half grows without bound (rescaled by Half,
// which the channel's coefficient absorbs). Half and Shape are then 0,
// and its JSON is {"linear": true} alone.
type Hill struct {
	Half   float64 `json:"half_saturation"`
	Shape  float64 `json:"shape"`
	Linear bool    `json:"linear,omitempty"`
}

// MarshalJSON writes the straight response as {"linear": true} alone:
// it has no half-saturation or shape, and a Hill curve with both at 0
// would be a flat 0.5, not the straight line.
func (h Hill) MarshalJSON() ([]byte, error) {
	if h.Linear {
		return []byte(`{"linear":true}`), nil
	}
	type plain Hill
	return json.Marshal(plain(h))
}

// At returns the Hill curve at x (0 for x <= 0).
func (h Hill) At(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if h.Linear {
		return x
	}
	// 1/(1+(K/x)^S) reads spend only through K/x, so scaling spend and K
	// by the same factor leaves the curve exactly as it was.
	return 1 / (1 + math.Pow(h.Half/x, h.Shape))
}

// xSlope is x times the curve's derivative at x, S·r/(1+r)² with r =
// (Half/x)^S: the marginal effect of scaling x. Written this way it stays
// finite where x is tiny (r overflows to +Inf; the product tends to 0),
// as Weibull adstock's first weeks can make it.
func (h Hill) xSlope(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if h.Linear {
		return x
	}
	r := math.Pow(h.Half/x, h.Shape)
	if math.IsInf(r, 1) {
		return 0
	}
	// r/(1+r) first: Shape·r alone overflows to +Inf for r near the
	// largest float, and +Inf/+Inf is NaN.
	return h.Shape * (r / (1 + r)) / (1 + r)
}

// Slope returns the derivative of the Hill curve at x.
func (h Hill) Slope(x float64) float64 {
	if h.Linear {
		return 1
	}
	if x <= 0 {
		if h.Shape == 1 {
			return 1 / h.Half
		}
		return 0
	}
	r := math.Pow(h.Half/x, h.Shape)
	if math.IsInf(r, 1) {
		return 0
	}
	return h.Shape * (r / (1 + r)) / (1 + r) / x
}
