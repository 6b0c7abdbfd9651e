package leadfile_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/scoring/leadfile"
)

// FuzzScore feeds arbitrary input through bulk scoring, as NDJSON and as
// CSV: nothing may panic, every row is counted as scored or failed, and
// there is one output row per counted row.
func FuzzScore(f *testing.F) {
	f.Add([]byte(`{"id":"a","email":"a@b.io","events":[{"type":"page_view","at":"2026-09-01","url":"/pricing"}]}`+"\n{bad\n\n[1]\n"), []byte("lead_id,type,at\na,page_view,2026-09-01\n"))
	f.Add([]byte("id,email,employees,tech_stack\nx,a@b.io,12,a|b\ny,,many,\n\"z,\n"), []byte("lead_id,type,at,minutes\nx,webinar_attended,2026-09-02,30\n"))
	s := scorer(f)
	f.Fuzz(func(t *testing.T, leads, events []byte) {
		for _, format := range []leadfile.Format{leadfile.NDJSON, leadfile.CSV} {
			var out bytes.Buffer
			opts := leadfile.Options{Scorer: s, AsOf: asOf, Input: bytes.NewReader(leads), InputName: "in",
				InputFormat: format, Output: &out, Workers: 2, OnError: func(leadfile.RowError) {}}
			if format == leadfile.CSV {
				opts.Events, opts.EventsName = bytes.NewReader(events), "events"
				opts.OutputFormat = leadfile.CSV
			}
			sum, err := leadfile.Score(opts)
			if err != nil {
				continue // a bad header or a bad events file stops the run, as documented
			}
			if sum.Rows != sum.Scored+sum.Failed {
				t.Fatalf("%v: rows %d != scored %d + failed %d", format, sum.Rows, sum.Scored, sum.Failed)
			}
			lines := strings.Count(out.String(), "\n")
			if format == leadfile.CSV {
				if lines == 0 {
					t.Fatal("no CSV header")
				}
				continue // CSV cells may hold newlines: counted rows are checked above
			}
			if lines != sum.Rows {
				t.Fatalf("ndjson: %d output lines for %d rows", lines, sum.Rows)
			}
		}
	})
}
