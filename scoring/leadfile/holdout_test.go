package leadfile_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

const holdoutModel = `leadscore: 1
model: h
fields:
  employees: int
scores:
  fit: {}
rules:
  - {id: big, score: fit, when: employees > 100, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
holdout:
  share: 0.3
  seed: test-seed
  withhold: WITHHOLD
`

// holdoutLeads are n leads, every other one sales-ready.
func holdoutLeads(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"id":"L%d","employees":%d}`+"\n", i, 50+100*(i%2))
	}
	return b.String()
}

func scoreWith(t *testing.T, src string, format leadfile.Format, input string) (*scoring.Scorer, string, leadfile.Summary) {
	t.Helper()
	m, err := rules.CompileBytes("h.yaml", []byte(src))
	require.NoError(t, err)
	s := scoring.New(m)
	var out bytes.Buffer
	sum, err := leadfile.Score(leadfile.Options{Scorer: s, AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Input: strings.NewReader(input),
		InputName: "leads.ndjson", Output: &out, OutputFormat: format, Workers: 3})
	require.NoError(t, err)
	return s, out.String(), sum
}

// Each NDJSON row is json.Marshal of the result's RowIn(the model's
// holdout), byte for byte; the summary's counts are those of the rows.
func TestHoldoutInNDJSON(t *testing.T) {
	for _, withhold := range []string{"handoff", "{challenger: c.yaml}"} {
		s, out, sum := scoreWith(t, strings.Replace(holdoutModel, "WITHHOLD", withhold, 1), leadfile.NDJSON, holdoutLeads(400))
		h := s.Model().Holdout
		var heldOut, heldOutReady, handed int
		sc := bufio.NewScanner(strings.NewReader(out))
		i := 0
		for sc.Scan() {
			id := fmt.Sprintf("L%d", i)
			res, err := s.Score(scoring.Lead{ID: id, Fields: map[string]any{"employees": 50 + 100*(i%2)}}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			want, err := json.Marshal(res.RowIn(h))
			require.NoError(t, err)
			require.Equal(t, string(want), sc.Text())
			var row struct {
				SalesReady bool  `json:"sales_ready"`
				Holdout    *bool `json:"holdout"`
				HandedOff  *bool `json:"handed_off"`
			}
			require.NoError(t, json.Unmarshal(sc.Bytes(), &row))
			require.NotNil(t, row.Holdout)
			assert.Equal(t, h.Control(id), *row.Holdout, id)
			if withhold == "handoff" {
				require.NotNil(t, row.HandedOff)
				assert.Equal(t, row.SalesReady && !*row.Holdout, *row.HandedOff)
				if *row.HandedOff {
					handed++
				}
			} else {
				assert.Nil(t, row.HandedOff, "a challenger holdout says nothing of the hand-off")
			}
			if *row.Holdout {
				heldOut++
				if row.SalesReady {
					heldOutReady++
				}
			}
			i++
		}
		assert.Equal(t, 400, i)
		assert.Equal(t, heldOut, sum.HeldOut)
		assert.Equal(t, heldOutReady, sum.HeldOutSalesReady)
		if withhold == "handoff" {
			assert.Equal(t, sum.SalesReady, handed+heldOutReady, "every sales-ready lead is handed off or held out")
		}
		assert.InDelta(t, 120, heldOut, 4*9.2, "about 30%% of 400 held out")
	}
}

func TestHoldoutInCSV(t *testing.T) {
	s, out, _ := scoreWith(t, strings.Replace(holdoutModel, "WITHHOLD", "handoff", 1), leadfile.CSV, holdoutLeads(50)+"{\"id\":\"bad\",\"employees\":\"many\"}\n")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"id", "total", "fit", "grade", "stage", "sales_ready", "disqualified", "gates", "fired", "unknown", "holdout", "handed_off", "error"}, recs[0])
	for _, r := range recs[1:51] {
		control := s.Model().Holdout.Control(r[0])
		assert.Equal(t, fmt.Sprint(control), r[10], r[0])
		assert.Equal(t, fmt.Sprint(r[5] == "true" && !control), r[11], r[0])
	}
	bad := recs[51]
	assert.Len(t, bad, 13, "a failed row has every column")
	assert.Equal(t, "", bad[10])
	assert.NotEmpty(t, bad[12])
}

// Without a holdout section, rows carry no holdout keys (the outputs of
// models without one are unchanged).
func TestNoHoldoutNoKeys(t *testing.T) {
	src := strings.SplitN(holdoutModel, "holdout:", 2)[0]
	_, out, sum := scoreWith(t, src, leadfile.NDJSON, holdoutLeads(20))
	assert.NotContains(t, out, "holdout")
	assert.NotContains(t, out, "handed_off")
	assert.Zero(t, sum.HeldOut)
	_, out, _ = scoreWith(t, src, leadfile.CSV, holdoutLeads(20))
	assert.NotContains(t, out, "holdout")
}
