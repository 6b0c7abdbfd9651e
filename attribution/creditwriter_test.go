package attribution_test

import (
	"bytes"
	"math/big"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// Journeys' credit rows, summed with math/big, round to the report's
// campaign, channel and total credit to the bit, and a journey's rows
// under one model add up to its conversions and revenue exactly.
func TestJourneyCreditOutSumsToTheReport(t *testing.T) {
	journeys := readJourneys(t)
	r := rand.New(rand.NewSource(22)) // and revenues with awkward decimals
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		j := &attribution.Journey{ID: "R" + strconv.Itoa(i), Converted: r.Intn(3) > 0, Milestones: map[string]time.Time{}}
		for k := r.Intn(5); k >= 0; k-- {
			j.Touches = append(j.Touches, attribution.Touch{At: base.Add(time.Duration(r.Intn(1000)) * time.Hour),
				Campaign: "c" + strconv.Itoa(r.Intn(7)), Channel: "ch" + strconv.Itoa(r.Intn(3))})
		}
		if j.Converted {
			j.Revenue = r.Float64() * 1e4
			j.Milestones[attribution.LeadCreated] = base.Add(time.Duration(r.Intn(1000)) * time.Hour)
		}
		journeys = append(journeys, j)
	}
	var models []attribution.Model
	for _, name := range []string{"first_touch", "linear", "time_decay", "position_based", "w_shaped", "full_path"} {
		m, err := attribution.ParseModel(name)
		require.NoError(t, err)
		models = append(models, m)
	}
	opts := attribution.Options{}
	rep := attribution.NewReport(models, opts, nil)
	var buf bytes.Buffer
	cw := attribution.NewCreditWriter(&buf, models, opts)
	for _, j := range journeys {
		rep.Add(j)
		require.NoError(t, cw.Add(j))
	}
	require.NoError(t, cw.Flush())
	rep.Finish()

	type key struct{ level, name, model string }
	sums := map[key][2]*big.Rat{}
	add := func(k key, c, v *big.Rat) {
		s, ok := sums[k]
		if !ok {
			s = [2]*big.Rat{new(big.Rat), new(big.Rat)}
			sums[k] = s
		}
		s[0].Add(s[0], c)
		s[1].Add(s[1], v)
	}
	for _, row := range readCSV(t, buf.Bytes()) {
		c, v := refRat(t, row["conversions"]), refRat(t, row["value"])
		add(key{"campaign", row["campaign"], row["model"]}, c, v)
		add(key{"channel", row["channel"], row["model"]}, c, v)
		add(key{"total", "total", row["model"]}, c, v)
		add(key{"journey", row["id"], row["model"]}, c, v)
	}
	check := func(level string, rows []attribution.Row) {
		for _, row := range rows {
			for m, name := range rep.Models {
				s := sums[key{level, row.Name, name}]
				if s[0] == nil {
					s = [2]*big.Rat{new(big.Rat), new(big.Rat)}
				}
				c, _ := s[0].Float64()
				v, _ := s[1].Float64()
				assert.Equal(t, c, row.Credit[m].Conversions, "%s %s %s", level, row.Name, name)
				assert.Equal(t, v, row.Credit[m].Revenue, "%s %s %s", level, row.Name, name)
			}
		}
	}
	check("campaign", rep.Campaigns)
	check("channel", rep.Channels)
	check("total", []attribution.Row{rep.Total})
	for _, j := range journeys {
		if !j.Converted {
			continue
		}
		for _, m := range rep.Models {
			s := sums[key{"journey", j.ID, m}]
			require.NotNil(t, s[0], "%s %s", j.ID, m)
			assert.Zero(t, s[0].Cmp(big.NewRat(1, 1)), "%s %s: conversions %s", j.ID, m, s[0].FloatString(20))
			want := refRat(t, strconv.FormatFloat(j.Revenue, 'g', -1, 64))
			assert.Zero(t, s[1].Cmp(want), "%s %s: revenue %s, want %s", j.ID, m, s[1].FloatString(20), want.FloatString(20))
		}
	}
}
