package mix

import "math"

// Reallocation is a split of the same total spend that the model expects to
// add more KPI, each channel kept within Bounds of its current spend.
type Reallocation struct {
	Bounds   float64 `json:"bounds"`
	Total    float64 `json:"total"`
	Channels []Move  `json:"channels"`
	// Effect is the KPI the new split adds over the current one, with its
	// interval over the bootstrap refits.
	Effect Interval `json:"effect"`
	// Withheld, when set, says why the split is not a recommendation: the
	// effect's interval reaches zero, or it moves money between channels
	// the data cannot tell apart.
	Withheld string `json:"withheld,omitempty"`
	// Recommended is false when Withheld is set: the split and its effect
	// are shown for reading, not for moving money on.
	Recommended bool `json:"recommended"`
}

// Move is one channel's spend before and after the reallocation.
type Move struct {
	Name     string  `json:"name"`
	Current  float64 `json:"current"`
	Proposed float64 `json:"proposed"`
	Change   float64 `json:"change"`
}

// allocSteps is the number of equal steps in which the reallocation hands
// out the budget.
const allocSteps = 2000

// reallocate hands the movable budget out in small steps, each to the
// channel whose next step adds the most KPI, within the bounds.
func (m *model) reallocate(beta []float64, draws []draw, curves []response) Reallocation {
	C := len(curves)
	b := m.o.Bounds
	spend := make([]float64, C)
	total := 0.0
	for c, ch := range m.d.Channels {
		for _, v := range ch.Spend {
			spend[c] += v
		}
		total += spend[c]
	}
	mult := make([]float64, C)
	left := total
	for c := range mult {
		if spend[c] > 0 {
			mult[c] = 1 - b
		} else {
			mult[c] = 1
		}
		left -= mult[c] * spend[c]
	}
	step := total / allocSteps
	for left > 1e-9*total {
		give := math.Min(step, left)
		best, bestGain := -1, math.Inf(-1)
		for c := range curves {
			if spend[c] == 0 || mult[c] >= 1+b {
				continue
			}
			next := math.Min(1+b, mult[c]+give/spend[c])
			gain := beta[c] * (curves[c].at(next) - curves[c].at(mult[c])) / ((next - mult[c]) * spend[c])
			if gain > bestGain {
				best, bestGain = c, gain
			}
		}
		if best < 0 {
			break
		}
		next := math.Min(1+b, mult[best]+give/spend[best])
		left -= (next - mult[best]) * spend[best]
		mult[best] = next
	}
	// The steps' sums leave a channel the walk gave back what it took
	// with a change of floating noise (-1.6e-08 of 486,772): that is no
	// change, and printed as one it read as a move (and counted as one).
	for c := range mult {
		if math.Abs(mult[c]-1)*spend[c] <= 1e-9*total {
			mult[c] = 1
		}
	}
	r := Reallocation{Bounds: b, Total: total}
	for c, ch := range m.d.Channels {
		r.Channels = append(r.Channels, Move{Name: ch.Name, Current: spend[c], Proposed: mult[c] * spend[c], Change: (mult[c] - 1) * spend[c]})
	}
	// The effect of the same moves under each refit's own curves.
	effect := func(bs []float64, cv func(c int) response) float64 {
		e := 0.0
		for c := range bs {
			if spend[c] > 0 {
				e += bs[c] * (cv(c).at(mult[c]) - cv(c).at(1))
			}
		}
		return e
	}
	ds := make([]float64, len(draws))
	for i, d := range draws {
		ds[i] = effect(d.beta, func(c int) response {
			return response{h: m.hill(c, d.ks[c]), a: m.adstocks[c][d.ks[c].ad]}
		})
	}
	r.Effect = interval(effect(beta, func(c int) response { return curves[c] }), ds)
	return r
}
