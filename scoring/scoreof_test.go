package scoring_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/scoring"
)

// ScoreOf tells a category the result lacks (a name in the wrong case, a
// typo) from one that scored 0; Score gives 0 for both.
func TestScoreOfTellsMissingFromZero(t *testing.T) {
	r := &scoring.Result{Categories: []scoring.CategoryScore{{Name: "fit", Raw: 80, Score: 80}, {Name: "engagement"}}}
	type got struct {
		v  float64
		ok bool
	}
	of := func(name string) got { v, ok := r.ScoreOf(name); return got{v, ok} }
	assert.Equal(t, got{80, true}, of("fit"))
	assert.Equal(t, got{0, true}, of("engagement"))
	assert.Equal(t, got{0, false}, of("Fit"))
	assert.Equal(t, got{0, false}, of("engagment"))
	assert.Equal(t, 0.0, r.Score("Fit"))
	assert.Equal(t, 80.0, r.Score("fit"))
}
