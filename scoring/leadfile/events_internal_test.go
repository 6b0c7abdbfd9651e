package leadfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

func eventsScorer(t testing.TB) *scoring.Scorer {
	t.Helper()
	m, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	return scoring.New(m)
}

// indexed is an events index as plain data, to compare two of them.
type indexed struct {
	Events []scoring.Event
	Lines  []int
}

func indexData(x *csvEventIndex) map[string]indexed {
	if x == nil {
		return nil
	}
	out := map[string]indexed{}
	for _, p := range x.parts {
		for id, g := range p.byLead {
			o := out[id]
			out[id] = indexed{append(o.Events, g.events...), append(o.Lines, g.lines...)}
		}
	}
	return out
}

// checkEventsFast reads data with readEventsFast, in chunks of any size on
// the given number of workers, and with readEventsPlain (encoding/csv),
// and fails unless both give the same index, the same error and the same
// warnings; the fast reader shares Fields maps between events with the
// same cells, the plain one does not. Lines are cut at max (0: the
// default) as readEvents cuts them. It reports whether the fast path took
// the file.
func checkEventsFast(t *testing.T, s *scoring.Scorer, data []byte, workers, max int) bool {
	t.Helper()
	var plainWarn, fastWarn []string
	opts := Options{Scorer: s, EventsName: "events.csv", Workers: workers, MaxRow: max}
	text, err := readAll(bytes.NewReader(data), maxRow(opts))
	require.NoError(t, err)
	opts.OnWarning = func(w string) { plainWarn = append(plainWarn, w) }
	want, wantErr := readEventsPlain(opts, strings.NewReader(text))
	opts.OnWarning = func(w string) { fastWarn = append(fastWarn, w) }
	opts.shareFields = true // events with the same cells share their Fields
	got, gotErr, ok := readEventsFast(opts, text, 1)
	if !ok {
		return false
	}
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%q on %d workers:\nfast error  %v\nplain error %v", short(data), workers, gotErr, wantErr)
	}
	require.Equal(t, plainWarn, fastWarn, "warnings for %q", short(data))
	if wantErr != nil {
		return true
	}
	if !reflect.DeepEqual(indexData(got), indexData(want)) {
		t.Fatalf("%q on %d workers: the fast index differs from the plain one:\nfast  %.2000v\nplain %.2000v", short(data), workers, indexData(got), indexData(want))
	}
	// take gives each lead's events in file order; unmatched, the rest
	ids := slices.Sorted(maps.Keys(indexData(want)))
	for i, id := range ids {
		if i%2 == 0 {
			require.Equal(t, want.take(id), got.take(id), "events of %q", id)
		}
	}
	require.Equal(t, want.unmatched(), got.unmatched())
	return true
}

// short is the start of data, for messages.
func short(data []byte) []byte { return data[:min(len(data), 300)] }

// The fast events reader gives what encoding/csv gives, on generated files
// and on hostile ones, however the file is cut into chunks.
func TestEventsFastMatchesPlain(t *testing.T) {
	s := eventsScorer(t)
	var leads, events bytes.Buffer
	require.NoError(t, leadgen.WriteCSV(&leads, &events, leadgen.New(11), 300))
	generated := events.String()
	header := "lead_id,type,at,campaign,channel,url,minutes\n"
	fast := []string{
		generated,
		strings.TrimSuffix(generated, "\n"), // no newline at the end
		"\ufeff" + generated,                // a byte-order mark
		"\n\n" + generated + "\n\n",         // empty lines are skipped, but counted
		header + "L1,page_view,2026-09-01T10:00:00Z,,,,\nL2,webinar_attended,2026-09-02,,,,45\n",
		header + "L1,page_view,2026-02-30T10:00:00Z,,,,\n",                    // no such day
		header + "L1,page_view,2026-09-01T24:00:00Z,,,,\nL1,x,2026-9-1,,,,\n", // hour and shape out of range
		header + "L1,page_view,2026-09-01T10:00:00+02:00,,,,\nL1,page_view, 2026-09-01T10:00:00Z,,,,\n",
		header + "L1,page_view,2026-09-01T10:00:00Z,,,,many\n",                                        // a bad number
		header + "L1,,2026-09-01T10:00:00Z,,,,\nL1,page_view,,,,,\n",                                  // empty type, empty time
		header + "L1,page_view,2026-09-01T10:00:00Z,,,\nL1,page_view,2026-09-01T10:00:00Z,,,,,,\n",    // wrong cell counts
		header + ",,,,,,\n" + strings.Repeat("x\n", 30),                                               // more than 20 problems
		"lead_id,type,at,campain,minutes\nL1,page_view,2026-09-01T10:00:00Z,spring,3\n",               // an unknown column
		header + "L1,page_view,2026-09-01T10:00:00Z,ab,,,\nL1,page_view,2026-09-01T10:00:00Z,a,b,,\n", // the same cells run together
		"lead_id,type\nL1,page_view\n",                                                                // a column missing from the header
		"lead_id,type,at\r\n",                                                                         // sent to encoding/csv: not taken
		"lead_id,type,at\nL1,page_view,\"2026-09-01\"\n",
		"", "\n\n",
	}
	for _, data := range fast {
		for _, workers := range []int{1, 2, 3, 7} {
			took := checkEventsFast(t, s, []byte(data), workers, 0)
			hostile := strings.ContainsAny(data, "\"\r") || strings.Trim(data, "\n") == ""
			require.Equal(t, !hostile, took, "fast path taken for %q", short([]byte(data)))
		}
	}
}

// FuzzEventsFast compares the fast events reader with encoding/csv on
// arbitrary files (see TestEventsFastMatchesPlain).
func FuzzEventsFast(f *testing.F) {
	f.Add([]byte("lead_id,type,at,campaign,minutes\nL1,page_view,2026-09-01T10:00:00Z,spring,3\n\nL2,email_open,2026-09-01,,x\n"), uint8(2))
	f.Add([]byte("\ufefflead_id,at,type\nL1,2026-02-29T10:00:00Z,page_view\nL1,2026-09-01T10:00:00Z\n"), uint8(3))
	f.Add([]byte("lead_id,type,at,url\n,,,\nL1,t,2026-09-01T10:00:00Z,/a,b"), uint8(1))
	// workers from 128 on also cut lines at workers-100 bytes: here 60
	f.Add([]byte("lead_id,type,at,url\nL1,page_view,2026-09-01T10:00:00Z,/a\nL1,page_view,2026-09-01T10:00:00Z,/"+strings.Repeat("a", 60)+"\nL2,t,2026-09-01,/b"), uint8(160))
	s := eventsScorer(f)
	f.Fuzz(func(t *testing.T, data []byte, workers uint8) {
		maxRow := 0
		if workers >= 128 {
			maxRow = int(workers) - 100
		}
		checkEventsFast(t, s, data, 1+int(workers%8), maxRow)
	})
}

// Scoring with an events file the fast reader takes gives byte for byte
// what scoring with the same events through encoding/csv gives: quoting
// one cell, which changes no value, sends the file to encoding/csv.
func TestScoreSameWithFastAndPlainEvents(t *testing.T) {
	s := eventsScorer(t)
	var leads, events bytes.Buffer
	require.NoError(t, leadgen.WriteCSV(&leads, &events, leadgen.New(3), 2000))
	lines := strings.SplitN(events.String(), "\n", 3)
	id, rest, _ := strings.Cut(lines[1], ",")
	quoted := lines[0] + "\n\"" + id + "\"," + rest + "\n" + lines[2]
	// an event no lead has, and one of a lead given twice
	extra := "NOLEAD,page_view,2026-09-01T10:00:00Z,,,/x,1\n"
	score := func(events string) (string, []string, Summary) {
		var out bytes.Buffer
		var errs []string
		sum, err := Score(Options{Scorer: s, AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			Input: bytes.NewReader(leads.Bytes()), InputName: "leads.csv", InputFormat: CSV,
			Events: strings.NewReader(events), EventsName: "events.csv", Output: &out, OutputFormat: CSV,
			OnError: func(e RowError) { errs = append(errs, e.Error()) }})
		require.NoError(t, err)
		return out.String(), errs, sum
	}
	wantOut, wantErrs, wantSum := score(quoted + extra)
	gotOut, gotErrs, gotSum := score(events.String() + extra)
	require.Equal(t, wantOut, gotOut)
	require.Equal(t, wantErrs, gotErrs)
	require.True(t, gotSum.Equal(wantSum), "%+v != %+v", gotSum, wantSum)
	require.Equal(t, 1, gotSum.UnmatchedEvents)
	require.Equal(t, 2000, gotSum.Rows)
}

// scoreCSV scores a leads file and its events file, CSV in and out, and
// returns everything the run gives: output, row errors, warnings, summary
// (Elapsed zeroed) and the run's error.
func scoreCSV(t *testing.T, s *scoring.Scorer, leads, events []byte, strict bool, out Format) string {
	t.Helper()
	var buf bytes.Buffer
	var rowErrs, warnings []string
	opts := Options{Scorer: s, AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Input: bytes.NewReader(leads), InputName: "leads.csv", InputFormat: CSV,
		Output: &buf, OutputFormat: out, Workers: 2, StrictData: strict,
		OnError:   func(e RowError) { rowErrs = append(rowErrs, e.Error()) },
		OnWarning: func(w string) { warnings = append(warnings, w) }}
	if events != nil {
		opts.Events, opts.EventsName = bytes.NewReader(events), "events.csv"
	}
	sum, err := Score(opts)
	sum.Elapsed = 0
	return fmt.Sprintf("output:\n%s\nrow errors: %q\nwarnings: %q\nsummary: %+v\nerror: %v", buf.String(), rowErrs, warnings, sum, err)
}

// checkBindCells scores the files with the cells of plain rows bound
// straight into the evaluator and with every row decoded into a map first,
// and fails unless both runs give the same bytes, errors and counts.
func checkBindCells(t *testing.T, s *scoring.Scorer, leads, events []byte) {
	t.Helper()
	defer func() { bindCells = true }()
	for _, strict := range []bool{false, true} {
		for _, out := range []Format{CSV, NDJSON} {
			bindCells = false
			want := scoreCSV(t, s, leads, events, strict, out)
			bindCells = true
			got := scoreCSV(t, s, leads, events, strict, out)
			if got != want {
				t.Fatalf("leads %q (strict %v, %v out):\nbound cells give\n%.3000s\nmaps give\n%.3000s", short(leads), strict, out, got, want)
			}
		}
	}
}

// Scoring CSV rows bound straight into the evaluator gives what decoding
// them into maps gives, on generated files and on hostile ones.
func TestBindCellsMatchesMaps(t *testing.T) {
	s := eventsScorer(t)
	var leads, events bytes.Buffer
	require.NoError(t, leadgen.WriteCSV(&leads, &events, leadgen.New(7), 600))
	checkBindCells(t, s, leads.Bytes(), events.Bytes())
	checkBindCells(t, s, leads.Bytes(), nil)
	header := "id,email,title,industry,employees,annual_revenue,country,source,tech_stack,created_at,unsubscribed\n"
	ev := []byte("lead_id,type,at,campaign,channel,url,minutes\nA,demo_request,2026-09-20T10:00:00Z,,,,\nA,page_view,2026-09-21T10:00:00Z,,,/pricing,3\n")
	for _, rows := range []string{
		"A,a@acme.io,VP Sales,Software,250,1000000,US,referral,salesforce|hubspot,2026-09-01T00:00:00Z,false\n",
		"A,a@acme.io,,,,,,,,,\n",                                                  // empty cells: defaults
		"A,,VP,Software,250,,US,,,,\n",                                            // a required field missing
		"A,a@acme.io,VP,Software,many,,US,,,,\n",                                  // not a whole number
		"A,a@acme.io,VP,Software,12.5,,US,,,,\n",                                  // not a whole number either
		"A,a@acme.io,VP,Software, 12 ,NaN,US,,,,\n",                               // spaces; not a number
		"A,a@acme.io,VP,,,,,,,2026-13-01,yes\n",                                   // bad time, bad bool
		"A,a@acme.io,VP,,,,,,,0001-01-01,TRUE\n",                                  // the zero time is missing
		"A,a@acme.io,VP,,7,1e400,,,,2026-09-01T10:00:00+02:00,f\n",                // an offset; a number out of range
		"A,a@acme.io,VP,Software, 250 , 1000 ,US,, ,2026-09-01 10:00:00, true \n", // spaces around numbers, a time without offset
		"A,a@acme.io,VP,,,,,,, | |x ,1\n",                                         // list items trimmed
		"A,a@acme.io,VP\nB,b@acme.io,,,,,,,,,,\n",                                 // wrong cell counts
		"\"A\",\"a@acme.io\",\"VP, Sales\",\"Soft\nware\",,,,,,,\n",               // quotes, an embedded newline
		"A,a@acme.io,VP,,,,,,,,\r\nB,b@acme.io,,,,,,,,,\r\n",                      // CRLF
		"A,\"a@acme.io,VP,,,,,,,,\n",                                              // an unclosed quote
	} {
		checkBindCells(t, s, []byte(header+rows), ev)
		checkBindCells(t, s, []byte("\ufeff"+header+rows), nil)
		// an unknown column, empty and not
		checkBindCells(t, s, []byte("extra,"+strings.ReplaceAll(header+rows, "\n", "\n,")), ev)
		checkBindCells(t, s, []byte("extra,"+strings.ReplaceAll(header+rows, "\n", "\nx,")), ev)
	}
	// a file without some of the model's columns
	checkBindCells(t, s, []byte("id,email,employees\nA,a@acme.io,300\nB,b@acme.io,\n"), ev)
}

// FuzzBindCells compares binding CSV cells straight into the evaluator
// with decoding them into maps (see TestBindCellsMatchesMaps).
func FuzzBindCells(f *testing.F) {
	f.Add([]byte("id,email,employees,tech_stack,created_at\nA,a@b.io,12,a|b,2026-09-01\nB,,many,,x\n\"C\",c@d.io,1,,\n"),
		[]byte("lead_id,type,at,minutes\nA,webinar_attended,2026-09-02T00:00:00Z,30\n"))
	f.Add([]byte("id,email,unsubscribed,annual_revenue,x\nA,a@b.io,true,1e3,\nB,b@c.io,0,-0,y\n"), []byte(nil))
	s := eventsScorer(f)
	f.Fuzz(func(t *testing.T, leads, events []byte) {
		checkBindCells(t, s, leads, events)
	})
}

// An events file that cannot be read to its end stops the run with the
// reading's error, as encoding/csv reports it.
func TestEventsReadErrorStopsTheRun(t *testing.T) {
	s := eventsScorer(t)
	gone := errors.New("disk gone")
	for _, read := range []string{"", "lead_id,type,at\n", "lead_id,type,at\nA,page_view,2026-09-01T00:00:00Z\n"} {
		_, err := Score(Options{Scorer: s, Input: strings.NewReader("id,email\nA,a@b.io\n"), InputName: "leads.csv", InputFormat: CSV,
			Events: io.MultiReader(strings.NewReader(read), iotest.ErrReader(gone)), EventsName: "events.csv", Output: io.Discard})
		require.ErrorIs(t, err, gone, "after %q", read)
	}
}

// Read gives every event a Fields map of its own, even where the cells
// are the same, since its caller may change them; Score shares them.
func TestReadDoesNotShareEventFields(t *testing.T) {
	s := eventsScorer(t)
	events := "lead_id,type,at,campaign\nA,email_open,2026-09-01T00:00:00Z,spring\nA,email_open,2026-09-02T00:00:00Z,spring\n"
	var evs []scoring.Event
	require.NoError(t, Read(Options{Scorer: s, Input: strings.NewReader("id,email\nA,a@b.io\n"), InputName: "leads.csv", InputFormat: CSV,
		Events: strings.NewReader(events), EventsName: "events.csv"}, func(_ int, lead scoring.Lead, err error) error {
		evs = lead.Events
		return err
	}))
	require.Len(t, evs, 2)
	evs[0].Fields["campaign"] = "autumn"
	require.Equal(t, "spring", evs[1].Fields["campaign"])
}
