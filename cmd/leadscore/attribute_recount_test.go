package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/scoring"
)

// Every figure of attribute's total funnel, and the total credit of each
// model, recounted independently: the outcomes file read here as plain
// CSV (a won deal is an opportunity, with or without its opportunity
// date, as the backtest counts it), each lead's sales-readiness asked of
// the scorer, nothing after --at. Half the won rows lose their
// opportunity date, so that a won journey without the opportunity
// milestone is in the count; the JSON, the CSV's total row and the
// table's summary all give the recount.
func TestAttributeTotalsAreAnIndependentRecount(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	// The outcomes: the bundled ones, half the won deals without an
	// opportunity date.
	raw, err := os.ReadFile(td("outcomes.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"lead_id", "opportunity", "won", "revenue"}, rows[0])
	blanked := 0
	for i, r := range rows[1:] {
		if r[2] != "" && i%2 == 0 {
			r[1] = ""
			blanked++
		}
	}
	require.Greater(t, blanked, 2)
	var b strings.Builder
	w := csv.NewWriter(&b)
	require.NoError(t, w.WriteAll(rows))
	outcomes := filepath.Join(t.TempDir(), "outcomes.csv")
	require.NoError(t, os.WriteFile(outcomes, []byte(b.String()), 0o644))

	// The leads created by --at, and which of them were ever sales-ready.
	m, _ := compileModel(td("b2b-saas.yaml"), &strings.Builder{})
	require.NotNil(t, m)
	s := scoring.New(m)
	f, err := os.Open(td("leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	leads, salesReady := map[string]bool{}, map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var lead scoring.Lead
		require.NoError(t, json.Unmarshal(sc.Bytes(), &lead))
		var fields struct {
			Created string `json:"created_at"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &fields))
		created, err := dsl.ParseTime(fields.Created)
		require.NoError(t, err)
		if created.After(at) {
			continue
		}
		leads[lead.ID] = true
		ms, err := s.SalesMilestones(context.Background(), lead, at)
		require.NoError(t, err)
		salesReady[lead.ID] = ms.IsSalesReady
	}
	require.NoError(t, sc.Err())

	type funnel struct {
		Touched, SalesReady, Opportunities, Won, SalesReadyOpportunities, SalesReadyWon, WonNotSalesReady int
		RevenueNotSalesReady, Revenue                                                                     float64
	}
	var want funnel
	want.Touched = len(leads)
	for id := range salesReady {
		if salesReady[id] {
			want.SalesReady++
		}
	}
	by := func(v string) bool {
		if v == "" {
			return false
		}
		t0, err := time.Parse(time.RFC3339, v)
		require.NoError(t, err)
		return !t0.After(at)
	}
	for _, r := range rows[1:] {
		require.True(t, leads[r[0]], "outcome row %v names a lead of the file", r)
		won := by(r[2])
		opp := by(r[1]) || won
		rev := 0.0
		if won && r[3] != "" {
			rev, err = strconv.ParseFloat(r[3], 64)
			require.NoError(t, err)
		}
		sr := salesReady[r[0]]
		if opp {
			want.Opportunities++
		}
		if won {
			want.Won++
			want.Revenue += rev
		}
		switch {
		case sr && won:
			want.SalesReadyOpportunities++
			want.SalesReadyWon++
		case sr && opp:
			want.SalesReadyOpportunities++
		case won:
			want.WonNotSalesReady++
			want.RevenueNotSalesReady += rev
		}
	}
	require.Greater(t, want.WonNotSalesReady, 0)
	require.Greater(t, want.SalesReadyWon, 0)

	args := []string{"attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", outcomes, "--at", at.Format(time.RFC3339)}
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var rep struct {
		Models []string `json:"models"`
		Total  struct {
			Funnel struct {
				Touched                 int     `json:"touched"`
				SalesReady              int     `json:"sales_ready"`
				Opportunities           int     `json:"opportunities"`
				Won                     int     `json:"won"`
				SalesReadyOpportunities int     `json:"sales_ready_opportunities"`
				SalesReadyWon           int     `json:"sales_ready_won"`
				WonNotSalesReady        int     `json:"won_not_sales_ready"`
				RevenueNotSalesReady    float64 `json:"revenue_not_sales_ready"`
			} `json:"funnel"`
			Credit []struct {
				Conversions float64 `json:"conversions"`
				Revenue     float64 `json:"revenue"`
			} `json:"credit"`
		} `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &rep))
	g := rep.Total.Funnel
	got := funnel{g.Touched, g.SalesReady, g.Opportunities, g.Won, g.SalesReadyOpportunities, g.SalesReadyWon, g.WonNotSalesReady, g.RevenueNotSalesReady, 0}
	require.Len(t, rep.Total.Credit, len(rep.Models))
	for i, c := range rep.Total.Credit {
		assert.InDelta(t, float64(want.Won), c.Conversions, 1e-9, rep.Models[i])
		assert.InDelta(t, want.Revenue, c.Revenue, 1e-6, rep.Models[i])
	}
	got.Revenue = want.Revenue
	assert.Equal(t, want, got)

	// The CSV's total row and the table's summary say the same.
	code, out, errOut := leadscore(t, "", append(args, "--format", "csv")...)
	require.Equal(t, exitOK, code, errOut)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var total []string
	for _, r := range recs[1:] {
		if r[0] == "total" {
			total = r
		}
	}
	require.NotNil(t, total)
	for name, v := range map[string]int{"touched": want.Touched, "sales_ready": want.SalesReady, "opportunities": want.Opportunities, "won": want.Won,
		"sales_ready_opportunities": want.SalesReadyOpportunities, "sales_ready_won": want.SalesReadyWon, "won_not_sales_ready": want.WonNotSalesReady} {
		assert.Equal(t, strconv.Itoa(v), total[col[name]], name)
	}
	code, out, errOut = leadscore(t, "", append(args, "--format", "table")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, fmt.Sprintf("%d journeys: %d sales-ready, %d opportunities (%d of them from sales-ready leads), %d won (%d from sales-ready leads)",
		want.Touched, want.SalesReady, want.Opportunities, want.SalesReadyOpportunities, want.Won, want.SalesReadyWon))
}
