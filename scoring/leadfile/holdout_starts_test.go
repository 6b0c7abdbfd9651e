package leadfile_test

import (
	"bufio"
	"bytes"
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

const startsModel = `leadscore: 1
model: h
fields:
  employees: int
event_types: [visit]
scores:
  fit: {}
rules:
  - {id: big, score: fit, when: employees > 100, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
holdout:
  share: 0.3
  seed: test-seed
  withhold: handoff
  starts: 2026-09-01
`

// idsIn returns n ids of the form Pk that h puts in the control group
// (control) or not.
func idsIn(h *rules.Holdout, control bool, n int) []string {
	var ids []string
	for k := 0; len(ids) < n; k++ {
		if id := fmt.Sprintf("P%d", k); h.Control(id) == control {
			ids = append(ids, id)
		}
	}
	return ids
}

// By hand: with starts 2026-09-01, each lead's place, read from its
// created_at or, without it, its first event. Every lead is sales-ready,
// so handed_off is true exactly when holdout is false.
func TestHoldoutStartsByHand(t *testing.T) {
	m, err := rules.CompileBytes("h.yaml", []byte(startsModel))
	require.NoError(t, err)
	c := idsIn(m.Holdout, true, 5)
	tr := idsIn(m.Holdout, false, 2)
	leads := []struct {
		line       string
		id         string
		holdout    bool
		beforeNote string
	}{
		{`{"id":"` + c[0] + `","employees":500,"created_at":"2026-08-31T23:59:59Z"}`, c[0], false, "created a second before the start"},
		{`{"id":"` + c[1] + `","employees":500,"created_at":"2026-09-01T00:00:00Z"}`, c[1], true, "created at the start"},
		{`{"id":"` + c[2] + `","employees":500,"events":[{"type":"visit","at":"2026-09-10T00:00:00Z"},{"type":"visit","at":"2026-08-15T00:00:00Z"}]}`, c[2], false, "no creation, first event before"},
		{`{"id":"` + c[3] + `","employees":500,"events":[{"type":"visit","at":"2026-09-02T00:00:00Z"}]}`, c[3], true, "no creation, first event after"},
		{`{"id":"` + c[4] + `","employees":500}`, c[4], true, "no time at all: in the experiment"},
		{`{"id":"` + tr[0] + `","employees":500,"created_at":"2026-08-01T00:00:00Z"}`, tr[0], false, "treated anyway, before"},
		{`{"id":"` + tr[1] + `","employees":500,"created_at":"2026-09-05T00:00:00Z","events":[{"type":"visit","at":"2026-08-01T00:00:00Z"}]}`, tr[1], false, "the creation time wins over an earlier event"},
	}
	var in strings.Builder
	for _, l := range leads {
		in.WriteString(l.line + "\n")
	}
	in.WriteString(`{"id":"Pbad","employees":500,"created_at":"yesterday"}` + "\n")
	s := scoring.New(m, scoring.WithCreatedField(""))
	var out bytes.Buffer
	sum, err := leadfile.Score(leadfile.Options{Scorer: s, AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Input: strings.NewReader(in.String()),
		InputName: "leads.ndjson", Output: &out, OutputFormat: leadfile.NDJSON, Workers: 2})
	require.NoError(t, err)
	sc := bufio.NewScanner(&out)
	for i := 0; sc.Scan(); i++ {
		var row struct {
			ID         string `json:"id"`
			SalesReady bool   `json:"sales_ready"`
			Holdout    *bool  `json:"holdout"`
			HandedOff  *bool  `json:"handed_off"`
			Error      string `json:"error"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &row))
		if i == len(leads) {
			assert.Equal(t, "Pbad", row.ID)
			assert.Contains(t, row.Error, `created_at is "yesterday", not a time`)
			continue
		}
		l := leads[i]
		require.Equal(t, l.id, row.ID)
		require.True(t, row.SalesReady)
		require.NotNil(t, row.Holdout, l.beforeNote)
		assert.Equal(t, l.holdout, *row.Holdout, l.beforeNote)
		assert.Equal(t, !l.holdout, *row.HandedOff, l.beforeNote)
	}
	assert.Equal(t, 3, sum.BeforeStart, "c0, c2 and t0 came before the start")
	assert.Equal(t, 3, sum.HeldOut, "c1, c3 and c4")
	assert.Equal(t, 3, sum.HeldOutSalesReady)
	assert.Equal(t, 1, sum.Failed)
	assert.Empty(t, sum.Unknown.Rows, "created_at is read, not unknown data")

	// A CSV leads file: the same places, from its created_at column.
	var csvIn strings.Builder
	csvIn.WriteString("id,employees,created_at\n")
	for _, l := range []string{c[0] + ",500,2026-08-31T23:59:59Z", c[1] + ",500,2026-09-01", c[4] + ",500,"} {
		csvIn.WriteString(l + "\n")
	}
	out.Reset()
	sum, err = leadfile.Score(leadfile.Options{Scorer: s, AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Input: strings.NewReader(csvIn.String()),
		InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true, Output: &out, OutputFormat: leadfile.CSV, Workers: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"false,true,", "true,false,", "true,false,"}, holdoutCells(t, out.String()), "holdout, handed_off and error of each row")
	assert.Equal(t, 1, sum.BeforeStart)
}

// holdoutCells are the last three cells of each CSV result row.
func holdoutCells(t *testing.T, out string) []string {
	t.Helper()
	var cells []string
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.True(t, strings.HasSuffix(lines[0], ",holdout,handed_off,error"), lines[0])
	for _, l := range lines[1:] {
		parts := strings.Split(l, ",")
		cells = append(cells, strings.Join(parts[len(parts)-3:], ","))
	}
	return cells
}

// A start before every lead's arrival changes nothing: the output is the
// same bytes as without it, in NDJSON and CSV, and no lead is counted
// before it.
func TestHoldoutStartBeforeEveryLeadChangesNothing(t *testing.T) {
	model := strings.Replace(strings.Replace(startsModel, "  starts: 2026-09-01\n", "", 1), "  employees: int\n", "  employees: int\n  created_at: time\n", 1)
	var in strings.Builder
	for i := 0; i < 600; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&in, `{"id":"L%d","employees":%d,"created_at":"2026-0%d-1%dT10:00:00Z"}`+"\n", i, 50+100*(i%2), 1+i%9, i%10)
		case 1:
			fmt.Fprintf(&in, `{"id":"L%d","employees":%d,"events":[{"type":"visit","at":"2026-0%d-0%dT10:00:00Z"}]}`+"\n", i, 50+100*(i%2), 1+i%9, 1+i%9)
		default:
			fmt.Fprintf(&in, `{"id":"L%d","employees":%d}`+"\n", i, 50+100*(i%2))
		}
	}
	for _, format := range []leadfile.Format{leadfile.NDJSON, leadfile.CSV} {
		_, without, sumWithout := scoreWith(t, model, format, in.String())
		_, with, sumWith := scoreWith(t, model+"  starts: 2025-12-31T23:00:00-01:00\n", format, in.String())
		assert.Equal(t, without, with)
		assert.Equal(t, 0, sumWith.BeforeStart)
		assert.Equal(t, sumWithout.HeldOut, sumWith.HeldOut)
		assert.Equal(t, sumWithout.HeldOutSalesReady, sumWith.HeldOutSalesReady)
		assert.Positive(t, sumWith.HeldOut)
	}
}
