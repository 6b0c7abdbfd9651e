package review_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/scoring/review"
)

// The nearest rank of ten values 1..10: the p-th quantile is the value at
// rank ceil(p·10) (p10 the 1st, p25 the 3rd, the median the 5th, p75 the
// 8th, p90 the 9th), whatever the order they come in.
func TestQuantilesOfByNearestRank(t *testing.T) {
	q := review.QuantilesOf([]float64{7, 3, 10, 1, 9, 2, 8, 5, 4, 6})
	assert.Equal(t, [6]float64{1, 3, 5, 8, 9, 5.5}, [6]float64{q.P10, q.P25, q.Median, q.P75, q.P90, q.Mean})
	q = review.QuantilesOf([]float64{42})
	assert.Equal(t, [6]float64{42, 42, 42, 42, 42, 42}, [6]float64{q.P10, q.P25, q.Median, q.P75, q.P90, q.Mean})
	assert.Zero(t, review.QuantilesOf(nil))
}
