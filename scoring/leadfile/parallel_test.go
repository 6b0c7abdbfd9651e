package leadfile_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// visit is what one row gave: its line, and the lead's id and events, or
// the row's error.
func visit(line int, lead scoring.Lead, err error) string {
	if err != nil {
		return fmt.Sprintf("%d: error %v", line, err)
	}
	return fmt.Sprintf("%d: %s %d events", line, lead.ID, len(lead.Events))
}

// Map gives what Read gives, row for row and in input order, with any
// number of workers, CSV or NDJSON, bad rows included.
func TestMapIsReadOnEveryCore(t *testing.T) {
	bad := `{"id":"x1","events":[]}` + "\n" + `{not json` + "\n" + `{"events":[]}` + "\n"
	for _, tc := range []struct {
		name   string
		input  func() leadfile.Options
		ndjson string
	}{
		{"ndjson", func() leadfile.Options {
			return leadfile.Options{Input: open(t, "leads.ndjson"), InputName: "leads.ndjson"}
		}, ""},
		{"csv", func() leadfile.Options {
			return leadfile.Options{Input: open(t, "leads.csv"), InputName: "leads.csv", InputFormat: leadfile.CSV, Events: open(t, "events.csv"), EventsName: "events.csv"}
		}, ""},
		{"bad rows", func() leadfile.Options {
			return leadfile.Options{Input: strings.NewReader(strings.Repeat(bad, 400)), InputName: "bad.ndjson"}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.input()
			opts.Scorer = scorer(t)
			var want []string
			require.NoError(t, leadfile.Read(opts, func(line int, lead scoring.Lead, err error) error {
				want = append(want, visit(line, lead, err))
				return nil
			}))
			require.NotEmpty(t, want)
			for _, workers := range []int{1, 2, 7} {
				opts := tc.input()
				opts.Scorer, opts.Workers = scorer(t), workers
				var got []string
				require.NoError(t, leadfile.Map(opts, visit, func(_ int, s string) error {
					got = append(got, s)
					return nil
				}))
				assert.Equal(t, want, got, "%d workers", workers)
			}
		})
	}
}

// Only skips rows unread; use's error stops the run and comes back.
func TestMapOnlyAndStop(t *testing.T) {
	opts := leadfile.Options{Scorer: scorer(t), Input: open(t, "leads.ndjson"), InputName: "leads.ndjson"}
	opts.Only = func(line int) bool { return line%100 == 7 }
	var lines []int
	require.NoError(t, leadfile.Map(opts, visit, func(line int, _ string) error {
		lines = append(lines, line)
		return nil
	}))
	assert.Equal(t, []int{7, 107, 207, 307, 407, 507, 607, 707, 807, 907}, lines)

	opts = leadfile.Options{Scorer: scorer(t), Input: open(t, "leads.ndjson"), InputName: "leads.ndjson"}
	stop := errors.New("enough")
	n := 0
	err := leadfile.Map(opts, visit, func(int, string) error {
		if n++; n == 300 {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 300, n, "nothing is used after the error")
}

// Spot sees every NDJSON row once, as text, before it is decoded, and
// only with Map; the rows it saw are the rows read.
func TestMapSpotsEveryRow(t *testing.T) {
	var b strings.Builder
	b.WriteString("\ufeff")
	for i := range 500 {
		fmt.Fprintf(&b, `{"id":"L%d","note":"%s"}`+"\n", i, strings.Repeat("x", i%7))
		if i%50 == 0 {
			b.WriteString("\n") // a blank line is no row
		}
	}
	var mu sync.Mutex
	spotted := map[string]int{}
	opts := leadfile.Options{Input: strings.NewReader(b.String()), Workers: 3}
	opts.Spot = func(raw []byte) {
		mu.Lock()
		spotted[string(raw)]++
		mu.Unlock()
	}
	rows := 0
	require.NoError(t, leadfile.Map(opts, func(_ int, lead scoring.Lead, err error) string { return lead.ID }, func(_ int, id string) error {
		rows++
		return nil
	}))
	assert.Equal(t, 500, rows)
	require.Len(t, spotted, 500)
	for i := range 500 {
		row := fmt.Sprintf(`{"id":"L%d","note":"%s"}`, i, strings.Repeat("x", i%7))
		assert.Equal(t, 1, spotted[row], row)
	}
}
