package scoring_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A time zone that is the machine's ("Local") would make a lead score
// differently from one machine to the next: refused when the file
// compiles, and when a lead gives it.
func TestTimeZonesDoNotDependOnTheMachine(t *testing.T) {
	for _, when := range []string{
		`date("2026-09-30 20:00", "2006-01-02 15:04", "Local").Day() == 1`,
		`timezone("Local") != nil`,
		`date("2026-09-30 20:00", "2006-01-02 15:04", "").Day() == 1`,
	} {
		_, err := rules.CompileBytes("m.yaml", []byte(budgetModel("'"+when+"'")))
		require.Error(t, err, when)
		assert.Contains(t, err.Error(), "the time zone", when)
	}
	m, err := rules.CompileBytes("m.yaml", []byte(budgetModel(`'date("2026-09-30 20:00", "2006-01-02 15:04", title).Day() == 1'`)))
	require.NoError(t, err)
	s := scoring.New(m)
	res, err := s.Score(scoring.Lead{ID: "tokyo", Fields: map[string]any{"title": "Asia/Tokyo"}}, asOf)
	require.NoError(t, err)
	assert.Equal(t, 0.0, res.Total, "20:00 on the 30th in Tokyo is the 30th")
	_, err = s.Score(scoring.Lead{ID: "local", Fields: map[string]any{"title": "Local"}}, asOf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `the time zone "Local" is the zone of the machine that scores`)
}
