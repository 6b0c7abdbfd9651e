package leadfile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var asOf = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

func testdata(name string) string { return filepath.Join("..", "..", "testdata", name) }

func scorer(t testing.TB) *scoring.Scorer {
	t.Helper()
	m, err := rules.CompileFile(testdata("b2b-saas.yaml"))
	require.NoError(t, err)
	return scoring.New(m)
}

func open(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(testdata(name))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// run scores with opts, collecting output and row errors.
func run(t testing.TB, opts leadfile.Options) (string, []string, leadfile.Summary) {
	t.Helper()
	var out bytes.Buffer
	var errs []string
	opts.Output = &out
	opts.OnError = func(e leadfile.RowError) { errs = append(errs, e.Error()) }
	if opts.Scorer == nil {
		opts.Scorer = scorer(t)
	}
	opts.AsOf = asOf
	sum, err := leadfile.Score(opts)
	require.NoError(t, err)
	assert.Equal(t, sum.Rows, sum.Scored+sum.Failed, "rows in = scored + failed")
	return out.String(), errs, sum
}

func TestBundledLeadsGolden(t *testing.T) {
	out, errs, sum := run(t, leadfile.Options{Input: open(t, "leads.ndjson"), InputName: "leads.ndjson"})
	assert.Empty(t, errs)
	assert.Equal(t, 1000, sum.Rows)
	assert.Equal(t, 1000, strings.Count(out, "\n"), "one output row per input row")
	golden := testdata(filepath.Join("golden", "scores.ndjson"))
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "run go test ./scoring/leadfile -update to accept a deliberate change")
}

func TestCSVAndNDJSONGiveTheSameScores(t *testing.T) {
	fromJSON, _, _ := run(t, leadfile.Options{Input: open(t, "leads.ndjson"), InputName: "leads.ndjson"})
	fromCSV, errs, sum := run(t, leadfile.Options{
		Input: open(t, "leads.csv"), InputName: "leads.csv", InputFormat: leadfile.CSV,
		Events: open(t, "events.csv"), EventsName: "events.csv",
	})
	assert.Empty(t, errs)
	assert.Zero(t, sum.UnmatchedEvents)
	assert.Equal(t, fromJSON, fromCSV)
}

func TestOrderDoesNotDependOnWorkers(t *testing.T) {
	var in bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&in, leadgen.New(7), 3000))
	one, _, _ := run(t, leadfile.Options{Input: bytes.NewReader(in.Bytes()), InputName: "gen", Workers: 1})
	many, _, sum := run(t, leadfile.Options{Input: bytes.NewReader(in.Bytes()), InputName: "gen", Workers: 8})
	assert.Equal(t, one, many)
	assert.Equal(t, 3000, sum.Rows)
	// Input order: the ids come out as they went in.
	lines := strings.Split(strings.TrimSpace(many), "\n")
	assert.True(t, strings.HasPrefix(lines[0], `{"id":"L0000001",`))
	assert.True(t, strings.HasPrefix(lines[2999], `{"id":"L0003000",`))
}

func TestBadRowsFailAloneWithTheirLineNumbers(t *testing.T) {
	out, errs, sum := run(t, leadfile.Options{Input: open(t, "bad-leads.ndjson"), InputName: "bad-leads.ndjson", Workers: 3})
	assert.Equal(t, []string{
		`bad-leads.ndjson:2: lead B2: employees: want a whole number, got the text "250"`,
		`bad-leads.ndjson:3: lead B3: email: required but missing`,
		`bad-leads.ndjson:4: lead B4: broken JSON at byte 39: invalid character 'C' looking for beginning of value`,
		`bad-leads.ndjson:6: lead B5: event 1 (page_view): at: missing; every event needs the time it happened`,
		`bad-leads.ndjson:7: want a JSON object {...} for the lead, got a list [...]`,
		`bad-leads.ndjson:8: lead B6: event webinar_attended at 2026-09-20T10:00:00Z: minutes: want a number, got the text "forty"`,
	}, errs)
	assert.Equal(t, leadfile.Summary{Rows: 8, Scored: 2, Failed: 6, SalesReady: 1,
		Stages: map[string]int{"sql": 1, "": 1}, Elapsed: sum.Elapsed}, sum)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 8, "a row for every input row, the blank line excepted")
	assert.True(t, strings.HasPrefix(lines[0], `{"id":"B1","total":110,`))
	assert.Equal(t, `{"id":"B2","line":2,"error":"employees: want a whole number, got the text \"250\""}`, lines[1])
	assert.True(t, strings.HasPrefix(lines[7], `{"id":"B7","total":55,`))
}

func TestCSVRowProblems(t *testing.T) {
	leads := "id,email,employees,title\n" +
		"C1,a@acme.io,250,CTO\n" +
		"C2,b@acme.io,lots,CTO\n" +
		"C3,\"c@acme.io,12,CTO\n" // an unclosed quote swallows the rest
	events := "lead_id,type,at,url\n" +
		"C1,page_view,2026-09-30T00:00:00Z,/pricing\n" +
		"C9,page_view,2026-09-30T00:00:00Z,/pricing\n"
	out, errs, sum := run(t, leadfile.Options{
		Input: strings.NewReader(leads), InputName: "leads.csv", InputFormat: leadfile.CSV,
		Events: strings.NewReader(events), EventsName: "events.csv", OutputFormat: leadfile.CSV,
	})
	assert.Equal(t, []string{
		`leads.csv:3: lead C2: employees: want a whole number, got "lots"`,
		`leads.csv:4: lead C3: broken CSV: a quoted cell is not closed, or has text after its closing quote (column 22); close the quote, and write a quote inside a cell as ""`,
		`events.csv:3: no lead in the leads file has lead_id "C9"; the event was not used`,
	}, errs)
	assert.Equal(t, 3, sum.Rows)
	assert.Equal(t, 1, sum.UnmatchedEvents)
	// C1 by hand: fit = mid-market 15 + decision maker 25 = 40 (grade B; no country, so no
	// country points); engagement = one pricing view a day old, 10 × 0.5^(1/14) = 9.5169...,
	// under the 10 that "engaged" needs.
	assert.Equal(t, "id,total,fit,engagement,grade,stage,sales_ready,disqualified,gates,fired,unknown,error\n"+
		"C1,49.5169515301062,40,9.516951530106196,B,,false,false,,fit.mid-market fit.decision-maker engagement.pricing-page,,\n"+
		"C2,,,,,,,,,,,\"employees: want a whole number, got \"\"lots\"\"\"\n"+
		"C3,,,,,,,,,,,\"broken CSV: a quoted cell is not closed, or has text after its closing quote (column 22); close the quote, and write a quote inside a cell as \"\"\"\"\"\n", out)
}

// A file of 100,000 undeclared columns names 20 of them, then counts the
// rest in one warning.
func TestManyUnknownColumnsWarnOnce(t *testing.T) {
	cols := make([]string, 100_000)
	cells := make([]string, len(cols))
	for i := range cols {
		cols[i], cells[i] = fmt.Sprintf("c%d", i), "0"
	}
	cols[50_000] = "Employees" // a misspelt field far down the header
	leads := "id,email," + strings.Join(cols, ",") + "\nL1,a@b.io," + strings.Join(cells, ",") + "\n"
	var warnings []string
	_, _, sum := run(t, leadfile.Options{Input: strings.NewReader(leads), InputName: "wide.csv", InputFormat: leadfile.CSV,
		NoEvents: true, OutputFormat: leadfile.NDJSON, OnWarning: func(w string) { warnings = append(warnings, w) }})
	assert.Equal(t, 1, sum.Scored)
	require.Len(t, warnings, 22)
	assert.Equal(t, `wide.csv:1: column "Employees" is not in the model, so no rule reads it; did you mean "employees"?`, warnings[20])
	assert.Equal(t, `wide.csv:1: 99979 more columns are not in the model ("c20", "c21", "c22", ...), so no rule reads them`, warnings[21])
}

// A misspelt column is reported before the first row and counted in the
// summary; with StrictData every row carrying it fails alone.
func TestUnknownColumnsAndKeys(t *testing.T) {
	leads := "id,email,Employees,Job Title,country\n" +
		"C1,a@acme.io,250,VP Sales,US\n" +
		"C2,b@acme.io,,,US\n" +
		"C3,c@acme.io,40,CTO,US\n"
	events := "lead_id,type,at,URL\n" +
		"C1,page_view,2026-09-30T00:00:00Z,/pricing\n" +
		"C2,webinar_attend,2026-09-29T00:00:00Z,\n"
	for _, strict := range []bool{false, true} {
		var warnings []string
		out, errs, sum := run(t, leadfile.Options{
			Input: strings.NewReader(leads), InputName: "leads.csv", InputFormat: leadfile.CSV,
			Events: strings.NewReader(events), EventsName: "events.csv", OutputFormat: leadfile.NDJSON,
			StrictData: strict, OnWarning: func(w string) { warnings = append(warnings, w) },
		})
		assert.Equal(t, []string{
			`leads.csv:1: column "Employees" is not in the model, so no rule reads it; did you mean "employees"?`,
			`leads.csv:1: column "Job Title" is not in the model, so no rule reads it; did you mean "title"?`,
			`events.csv:1: column "URL" is not in the model, so no rule reads it; did you mean "url"?`,
		}, warnings)
		assert.Equal(t, []string{
			`unknown key "Employees" in 2 rows; did you mean "employees"?`,
			`unknown key "Job Title" in 2 rows; did you mean "title"?`,
			`unknown event key "URL" in 1 row; did you mean "url"?`,
			`unknown event type "webinar_attend" in 1 row; did you mean "webinar_attended"?`,
		}, sum.Unknown.Lines())
		assert.Equal(t, 3, sum.Rows)
		assert.Equal(t, sum.Rows, sum.Scored+sum.Failed, "rows in = scored + failed")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 3, "one output row per input row")
		if !strict {
			assert.Empty(t, errs)
			assert.Equal(t, 3, sum.Scored)
			assert.Contains(t, lines[1], `"unknown":[{"kind":"event type","name":"webinar_attend","did_you_mean":"webinar_attended"}]`)
			continue
		}
		assert.Equal(t, 3, sum.Failed, "each row carries an unknown cell or event")
		assert.Equal(t, []string{
			`leads.csv:2: lead C1: unknown event key "URL"; did you mean "url"?; unknown key "Employees"; did you mean "employees"?; unknown key "Job Title"; did you mean "title"? (the model does not declare it, so no rule would read it)`,
			`leads.csv:3: lead C2: unknown event type "webinar_attend"; did you mean "webinar_attended"? (the model does not declare it, so no rule would read it)`,
			`leads.csv:4: lead C3: unknown key "Employees"; did you mean "employees"?; unknown key "Job Title"; did you mean "title"? (the model does not declare it, so no rule would read it)`,
		}, errs)
	}
}

// A bad row of a CSV events file whose lead_id can be read fails that
// lead alone, with every such row of it at its line (scored without them,
// it would be wrong); the other leads are scored, whichever reader takes
// the file (the fast one, or encoding/csv for a file with quotes). A bad
// row whose cells cannot be told apart names no lead to fail, so it stops
// the run.
func TestBadEventRowsFailTheirLead(t *testing.T) {
	const cellsError = "this row has 2 cells but the header has 4; it is 2 cells short: check that the row was exported whole, and that a cell holding a line break is in quotes"
	for _, quote := range []string{"", `"`} {
		events := "lead_id,type,at,minutes\n" + quote + "C1" + quote + ",webinar_attended,yesterday,30\nC1,,2026-09-01,1\nC2,webinar_attended,2026-09-01,10\nC1,webinar_attended,2026-09-01,many\nC9,webinar_attended,2026-09-01,many\nC1,webinar_attended\n"
		out, errs, sum := run(t, leadfile.Options{Input: strings.NewReader("id,email\nC1,a@b.io\nC2,b@b.io\n"), InputName: "leads.csv", InputFormat: leadfile.CSV,
			Events: strings.NewReader(events), EventsName: "events.csv"})
		assert.Equal(t, []string{
			"leads.csv:2: lead C1: its events could not all be read, and scoring it without them would be wrong:\n" +
				`  events.csv:2: at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "yesterday"` + "\n" +
				"  events.csv:3: type: empty; every event needs its type\n" +
				`  events.csv:5: minutes: want a number, got "many"` + "\n" +
				"  events.csv:7: " + cellsError,
			"events.csv:6: no lead in the leads file has lead_id \"C9\"; the event was not used",
		}, errs, "quote %q", quote)
		assert.Equal(t, 2, sum.Rows)
		assert.Equal(t, 1, sum.Scored, "C2, with its event")
		assert.Equal(t, 1, sum.Failed)
		assert.Contains(t, out, `{"id":"C1","line":2,"error":"its events could not all be read`)
	}

	opts := leadfile.Options{
		Scorer: scorer(t), AsOf: asOf, Output: &bytes.Buffer{},
		Input: strings.NewReader("id,email\nC1,a@b.io\n"), InputName: "leads.csv", InputFormat: leadfile.CSV,
		Events: strings.NewReader("lead_id,type,at,minutes\n,webinar_attended\nC1,webinar_attended,2026-09-01,many\n"), EventsName: "events.csv",
	}
	_, err := leadfile.Score(opts)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "the events file has bad rows; fix them, since leads scored without their events would be wrong:\nevents.csv:2: "), err.Error())
	assert.NotContains(t, err.Error(), "events.csv:3", "C1's own bad row fails C1, not the run")

	opts.Events = strings.NewReader("lead,type\n")
	opts.Input = strings.NewReader("id,email\n")
	_, err = leadfile.Score(opts)
	assert.EqualError(t, err, "events.csv:1: the events header lacks at, lead_id; it needs lead_id, type and at")
}

func TestOverlongRowsFailAlone(t *testing.T) {
	huge := `{"id":"H","email":"` + strings.Repeat("x", leadfile.DefaultMaxRow) + `"}`
	in := `{"id":"A","email":"a@b.io"}` + "\n" + huge + "\n" + `{"id":"C","email":"c@b.io"}` + "\n"
	out, errs, sum := run(t, leadfile.Options{Input: strings.NewReader(in), InputName: "big.ndjson"})
	assert.Equal(t, []string{"big.ndjson:2: the row is longer than 4 MiB, the most a row may hold, and was not read whole (raise the limit with --max-row (Options.MaxRow in Go))"}, errs)
	assert.Equal(t, 2, sum.Scored)
	assert.Equal(t, 3, strings.Count(out, "\n"))

	// The same with CSV, and a limit of 1 KiB: the long row fails, the
	// rows around it are scored, and line numbers still line up.
	csvIn := "id,email,title\nA,a@b.io,CTO\nB,b@b.io," + strings.Repeat("y", 2000) + "\nC,c@b.io,CTO\n"
	out, errs, sum = run(t, leadfile.Options{Input: strings.NewReader(csvIn), InputName: "big.csv", InputFormat: leadfile.CSV, MaxRow: 1 << 10, NoEvents: true})
	assert.Equal(t, []string{"big.csv:3: the row is longer than 1 KiB, the most a row may hold, and was not read whole (raise the limit with --max-row (Options.MaxRow in Go))"}, errs)
	assert.Equal(t, 2, sum.Scored)
	assert.Equal(t, 3, strings.Count(out, "\n"))
}

// An events row over the limit is a bad row of the events file (which
// stops the run), with its line, whichever reader takes the file: the fast
// one, or encoding/csv for a file with quotes.
func TestOverlongEventRowsAreBadRows(t *testing.T) {
	long := "A,page_view,2026-09-01T00:00:00Z,," + strings.Repeat("u", 2000) + ",\n"
	for _, quote := range []string{"", `"`} {
		events := "lead_id,type,at,campaign,url,minutes\n" + quote + "A" + quote + ",page_view,2026-09-01T00:00:00Z,,,\n" + long + "A,page_view,2026-09-02T00:00:00Z,,,\n"
		_, err := leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Input: strings.NewReader("id,email\nA,a@b.io\n"), InputName: "leads.csv", InputFormat: leadfile.CSV,
			Events: strings.NewReader(events), EventsName: "events.csv", MaxRow: 1 << 10, Output: io.Discard})
		assert.EqualError(t, err, "the events file has bad rows; fix them, since leads scored without their events would be wrong:\n"+
			"events.csv:3: the row is longer than 1 KiB, the most a row may hold, and was not read whole (raise the limit with --max-row (Options.MaxRow in Go))", "quote %q", quote)
	}
}

// A header line over the limit fails the file: cut, it would lose column
// names without a word. The events file is read at the same limit.
func TestOverlongHeaderFailsTheFile(t *testing.T) {
	wide := "id,email," + strings.Repeat("x", 2000) + "\nA,a@b.io,1\n"
	_, err := leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Input: strings.NewReader(wide), InputName: "leads.csv", InputFormat: leadfile.CSV,
		MaxRow: 1 << 10, NoEvents: true, Output: io.Discard})
	assert.EqualError(t, err, "leads.csv:1: the header line is longer than 1 KiB, the most a row may hold, so its last column names would be lost; check that the file is a CSV with one header line, or raise the limit with --max-row (Options.MaxRow in Go)")

	for _, header := range []string{"lead_id,type,at,", `"lead_id",type,at,`} { // the fast reader, then encoding/csv
		_, err = leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Input: strings.NewReader("id,email\nA,a@b.io\n"), InputName: "leads.csv", InputFormat: leadfile.CSV,
			Events: strings.NewReader(header + strings.Repeat("x", 2000) + "\n"), EventsName: "events.csv", MaxRow: 1 << 10, Output: io.Discard})
		assert.EqualError(t, err, "events.csv:1: the header line is longer than 1 KiB, the most a row may hold, so its last column names would be lost; check that the file is a CSV with one header line, or raise the limit with --max-row (Options.MaxRow in Go)", header)
	}
}

// rowsReader makes n NDJSON rows of about size bytes each as it is read,
// allocating nothing per row, so a test can feed hundreds of megabytes
// without holding them or leaving garbage that would blur the heap.
type rowsReader struct {
	n, size int
	i, pos  int // the row being written, and the position in it
}

// The long text is the lead's source, which the model compares whole: a
// title of megabytes would reach the steps limit, as three patterns read it.
const rowHead, rowTail = `{"id":"R","email":"a@b.io","source":"`, `"}` + "\n"

var vs = bytes.Repeat([]byte("v"), 64<<10)

func (r *rowsReader) Read(p []byte) (int, error) {
	if r.i == r.n {
		return 0, io.EOF
	}
	var n int
	switch body := r.pos - len(rowHead); {
	case body < 0:
		n = copy(p, rowHead[r.pos:])
	case body < r.size:
		n = copy(p, vs[:min(len(vs), r.size-body)])
	default:
		n = copy(p, rowTail[body-r.size:])
	}
	if r.pos += n; r.pos == len(rowHead)+r.size+len(rowTail) {
		r.i, r.pos = r.i+1, 0
	}
	return n, nil
}

// Memory stays flat with long rows: the bound documented on Score (at most
// 4 × workers batches of at most 1 MiB plus one row in flight, and one lead
// decoded per worker) holds, measured on the heap while 30 rows of 3 MiB
// (under the limit) and 30 of 8 MiB (over it) go through 2 workers.
func TestMemoryStaysFlatWithLongRows(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("reads 330 MB, and the race detector changes what memory holds; .ci/run runs it without -race")
	}
	for _, tc := range []struct {
		name          string
		rows, size    int
		scored, faild int
	}{
		{"rows under the limit", 30, 3 << 20, 30, 0},
		{"rows over the limit", 30, 8 << 20, 0, 30},
	} {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := make(chan struct{})
		peak := make(chan uint64)
		go func() {
			var most uint64
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					peak <- most
					return
				case <-time.After(2 * time.Millisecond):
					runtime.ReadMemStats(&m)
					most = max(most, m.HeapInuse)
				}
			}
		}()
		sum, err := leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Workers: 2,
			Input: &rowsReader{n: tc.rows, size: tc.size}, InputName: "long.ndjson", Output: io.Discard})
		close(stop)
		grew := float64(<-peak) - float64(base.HeapInuse)
		require.NoError(t, err)
		assert.Equal(t, tc.scored, sum.Scored, tc.name)
		assert.Equal(t, tc.faild, sum.Failed, tc.name)
		// In flight: 4 × 2 workers × (1 MiB + 4 MiB) = 40 MiB of input;
		// decoding: 2 workers × a few times a 4 MiB row. 30 rows of 8 MiB
		// used to reach 500 MB.
		bound := float64(4*2*(1<<20+leadfile.DefaultMaxRow) + 2*8*leadfile.DefaultMaxRow)
		assert.Less(t, grew, bound, "%s: the heap grew by %.0f MiB", tc.name, grew/(1<<20))
		t.Logf("%s: heap grew by %.0f MiB (bound %.0f MiB)", tc.name, grew/(1<<20), bound/(1<<20))
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n += len(p); w.n > 100_000 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteFailureStopsWithoutHanging(t *testing.T) {
	var in bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&in, leadgen.New(3), 5000))
	_, err := leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Input: &in, InputName: "x", Output: &failingWriter{}})
	assert.EqualError(t, err, "writing the results: disk full")
}

func TestDecodeJSON(t *testing.T) {
	lead, err := leadfile.DecodeJSON([]byte(`{"id":42,"email":"a@b.io","events":[{"type":"page_view","at":"2026-09-01","url":"/x"}]}`))
	require.NoError(t, err)
	assert.Equal(t, "42", lead.ID)
	require.Len(t, lead.Events, 1)
	assert.Equal(t, "page_view", lead.Events[0].Type)
	assert.Equal(t, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), lead.Events[0].At)
	assert.Equal(t, "/x", lead.Events[0].Fields["url"])

	for in, want := range map[string]string{
		`null`:                             "want a JSON object for the lead, got null",
		`{"id":true}`:                      "id: want text or a number, got bool",
		`{"events":{}}`:                    "events: want a list of event objects",
		`{"events":[1]}`:                   "event 1: want an object with type and at",
		`{"events":[{"at":"2026-01-01"}]}`: "event 1: type: want the event type as text",
		`{"events":[{"type":"x","at":5}]}`: "event 1 (x): at: want a time like 2026-03-01T09:30:00Z, got the number 5",
		`"lead"`:                           "want a JSON object {...} for the lead, got a text",
	} {
		_, err := leadfile.DecodeJSON([]byte(in))
		if assert.Error(t, err, in) {
			assert.Equal(t, want, err.Error(), in)
		}
	}
}

// Each NDJSON line `score` writes is json.Marshal of the library's
// scoring.Row for that lead, byte for byte.
func TestNDJSONRowIsTheLibrarysRow(t *testing.T) {
	data, err := os.ReadFile(testdata("leads.ndjson"))
	require.NoError(t, err)
	extra := `{"id":"X1","email":"a@b.io","Employees":5,"Job \"Title\"":"ünï","events":[{"type":"webinar_attend","at":"2026-09-01","URL":"/x"}]}` + "\n" +
		`{"id":"<X&2>\u2028\t","email":"a@b.io","a<b>&c\u2029":1}` + "\n"
	data = append(data, extra...)
	out, errs, _ := run(t, leadfile.Options{Input: bytes.NewReader(data), InputName: "leads.ndjson"})
	assert.Empty(t, errs)
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	s := scorer(t)
	in := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	require.Len(t, got, len(in))
	for i, line := range in {
		lead, err := leadfile.DecodeJSON([]byte(line))
		require.NoError(t, err)
		res, err := s.Score(lead, asOf)
		require.NoError(t, err)
		want, err := json.Marshal(res.Row())
		require.NoError(t, err)
		require.Equal(t, string(want), got[i], "line %d", i+1)
		var back scoring.Row
		require.NoError(t, json.Unmarshal([]byte(got[i]), &back))
		require.Equal(t, res.Row(), back, "line %d reads back", i+1)
	}
	assert.Contains(t, got[len(got)-2], `"unknown":[{"kind":"event key","name":"URL","did_you_mean":"url"}`)
}

// Readers: each bad row fails alone, with its line, and is counted.
func TestReaderProblemsFailAlone(t *testing.T) {
	leads := "id,email,employees,title\n" +
		"C1,a@acme.io,250,CTO\n" +
		"C2,b@acme.io,250\n" + // a cell short
		"C3,c@acme.io,250,CTO,extra\n" + // a cell over
		"C4,\"d@acme.io,12,CTO\n" + // the quote opens here ...
		"C5,e@acme.io,12,CTO\n" + // ... and swallows these two lines
		"C6,f@acme.io,12,CTO\n"
	out, errs, sum := run(t, leadfile.Options{Input: strings.NewReader(leads), InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true})
	assert.Equal(t, []string{
		"leads.csv:3: lead C2: this row has 3 cells but the header has 4; it is 1 cell short: check that the row was exported whole, and that a cell holding a line break is in quotes",
		"leads.csv:4: lead C3: this row has 5 cells but the header has 4; it has 1 cell too many: a cell that holds the delimiter (a comma, say) must be in quotes",
		`leads.csv:5: lead C4: broken CSV: a quote opened in this row is not closed before line 7, so lines 5 to 7 were read as one cell; close the quote, and write a quote inside a cell as ""`,
		"leads.csv:6: lead C5: broken CSV: swallowed by the quote left open on line 5",
		"leads.csv:7: lead C6: broken CSV: swallowed by the quote left open on line 5",
	}, errs)
	assert.Equal(t, 6, sum.Rows, "six rows below the header")
	assert.Equal(t, 1, sum.Scored)
	assert.Equal(t, 5, sum.Failed)
	assert.Equal(t, 6, strings.Count(out, "\n"), "one output row per input row")
	assert.Contains(t, out, `{"id":"C2","line":3,`, "the id of a row whose cells do not count right is its first cell (review rev15a 3f)")
	// With the id in another column, a comma in a cell before it may have
	// moved it: the row names no lead.
	_, errs, _ = run(t, leadfile.Options{Input: strings.NewReader("email,id\na@acme.io,X1,extra\n"), InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true})
	assert.Equal(t, []string{"leads.csv:2: this row has 3 cells but the header has 2; it has 1 cell too many: a cell that holds the delimiter (a comma, say) must be in quotes"}, errs)

	ndjson := "\ufeff" + `{"id":"J1","email":"a@acme.io"}` + "\n" + // a byte-order mark, as Excel writes
		`{"id":"J2","email":"a@acme.io","employees":1e400}` + "\n" +
		`{"id":"J3","email":"a@acme.io","employees":10,"employees":5000}` + "\n" +
		`{"id":"J4","email":"a@acme.io","events":[{"type":"page_view","at":"2026-09-01","url":"/a","u\u0072l":"/b"}]}` + "\n" +
		`{"id":"J5","email":"a@acme.io","events":[{"type":"page_view","at":"2026-09-01"},{"type":"page_view","at":"2026-09-02"}]}` + "\n"
	_, errs, sum = run(t, leadfile.Options{Input: strings.NewReader(ndjson), InputName: "leads.ndjson"})
	assert.Equal(t, []string{
		"leads.ndjson:2: lead J2: the number 1e400 at byte 49 is out of range: numbers must lie within ±1.8e308",
		`leads.ndjson:3: lead J3: key "employees" appears twice in one object (again at byte 47); keep one, since which one counts would be a guess`,
		`leads.ndjson:4: lead J4: key "url" appears twice in one object (again at byte 91); keep one, since which one counts would be a guess`,
	}, errs)
	assert.Equal(t, 5, sum.Rows)
	assert.Equal(t, 2, sum.Scored, "J1 (after its BOM) and J5 (equal keys in different objects are fine)")
}

// A row without an id fails alone, in CSV and NDJSON, straight or decoded.
func TestARowWithoutAnIDFailsAlone(t *testing.T) {
	// An id of white space only is no id either (review rev15a 3a).
	ndjson := `{"id":"A","email":"a@b.io"}` + "\n" + `{"email":"b@b.io"}` + "\n" + `{"id":"","email":"c@b.io"}` + "\n" + `{"id":"   ","email":"d@b.io"}` + "\n"
	out, errs, sum := run(t, leadfile.Options{Input: strings.NewReader(ndjson), InputName: "l.ndjson"})
	assert.Equal(t, []string{"l.ndjson:2: " + leadfile.ErrNoID.Error(), "l.ndjson:3: " + leadfile.ErrNoID.Error(), "l.ndjson:4: " + leadfile.ErrNoID.Error()}, errs)
	assert.Equal(t, [2]int{1, 3}, [2]int{sum.Scored, sum.Failed})
	assert.Contains(t, out, `{"id":"","line":4,`, "refused as an empty id is")

	csvIn := "id,email\nA,a@b.io\n,b@b.io\n \t ,c@b.io\n"
	_, errs, sum = run(t, leadfile.Options{Input: strings.NewReader(csvIn), InputName: "l.csv", InputFormat: leadfile.CSV, NoEvents: true})
	assert.Equal(t, []string{"l.csv:3: " + leadfile.ErrNoID.Error(), "l.csv:4: " + leadfile.ErrNoID.Error()}, errs)
	assert.Equal(t, [2]int{1, 2}, [2]int{sum.Scored, sum.Failed})

	var got []string
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: scorer(t), Input: strings.NewReader(ndjson), InputName: "l.ndjson"}, func(line int, _ scoring.Lead, err error) error {
		if err != nil {
			got = append(got, fmt.Sprintf("%d: %v", line, err))
		}
		return nil
	}))
	assert.Equal(t, []string{"2: " + leadfile.ErrNoID.Error(), "3: " + leadfile.ErrNoID.Error(), "4: " + leadfile.ErrNoID.Error()}, got)
}

// endless is an input with no line end, as /dev/zero.
type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// An NDJSON line is skipped to reach the next row, but not past 1 GiB: an
// input with no line end is not NDJSON, and ends with an error.
func TestEndlessNDJSONLineEnds(t *testing.T) {
	_, err := leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Input: endless{}, InputName: "zero", Output: io.Discard})
	require.EqualError(t, err, "zero:1: 1024 MiB without a line end; the input is not NDJSON (one lead per line)")
}

// Spaces where a number, a time or true/false goes are no value, as an
// empty cell is (a spreadsheet leaves them); in a text field they are the
// text. The fast binding and the decode (which dispositions force) agree.
func TestBlankTypedCellsAreEmpty(t *testing.T) {
	in := "id,email,employees,created_at,title\nC1,a@b.io,  ,  ,  \nC2,a@b.io,,,\n"
	for _, decode := range []bool{false, true} {
		opts := leadfile.Options{Input: strings.NewReader(in), InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true}
		if decode {
			opts.Dispositions = func(string) []scoring.Disposition { return nil }
		}
		out, errs, sum := run(t, opts)
		assert.Empty(t, errs, "decode %v", decode)
		assert.Equal(t, 2, sum.Scored, "decode %v", decode)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 2)
		assert.Equal(t, strings.Replace(lines[1], `"C2"`, `"C1"`, 1), lines[0], "C1's blanks read as C2's empty cells (decode %v)", decode)
	}
}

// A number cell is read as a spreadsheet writes it: hexadecimal
// (0x1p3 is 8 to Go), digits with underscores (1_000) and Infinity are
// refused at their row, in the straight binding and in the decode alike,
// where both used to read them as numbers without a word.
func TestNumberCellsAreDecimal(t *testing.T) {
	in := "id,email,annual_revenue\nH1,a@b.io,0x1p3\nH2,a@b.io,1_000\nH3,a@b.io,Infinity\nH4,a@b.io,2.5e6\nH5,a@b.io,-0.5\n"
	for _, decode := range []bool{false, true} {
		opts := leadfile.Options{Input: strings.NewReader(in), InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true}
		if decode {
			opts.Dispositions = func(string) []scoring.Disposition { return nil }
		}
		_, errs, sum := run(t, opts)
		assert.Equal(t, []string{
			`leads.csv:2: lead H1: annual_revenue: want a number, got "0x1p3"`,
			`leads.csv:3: lead H2: annual_revenue: want a number, got "1_000"`,
			`leads.csv:4: lead H3: annual_revenue: want a number, got "Infinity"`,
		}, errs, "decode %v", decode)
		assert.Equal(t, 2, sum.Scored, "decode %v", decode)
	}
}

// A whole number written with a fraction or an exponent (150.0, 1e2) is
// read for an int field in a CSV cell as it is in a JSON lead; 1.5 is not
// whole. The straight binding and the decode agree.
func TestWholeNumberCellsForInts(t *testing.T) {
	in := "id,email,employees\nW1,a@b.io,150.0\nW2,a@b.io,1e2\nW3,a@b.io,1.5\nW4,a@b.io,150\n"
	js := "{\"id\":\"W1\",\"email\":\"a@b.io\",\"employees\":150.0}\n{\"id\":\"W2\",\"email\":\"a@b.io\",\"employees\":1e2}\n{\"id\":\"W3\",\"email\":\"a@b.io\",\"employees\":1.5}\n{\"id\":\"W4\",\"email\":\"a@b.io\",\"employees\":150}\n"
	want := func(out string) []string {
		var totals []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var r struct {
				ID    string  `json:"id"`
				Total float64 `json:"total"`
				Error string  `json:"error"`
			}
			require.NoError(t, json.Unmarshal([]byte(l), &r))
			totals = append(totals, fmt.Sprintf("%s %v %t", r.ID, r.Total, r.Error != ""))
		}
		return totals
	}
	outJ, _, _ := run(t, leadfile.Options{Input: strings.NewReader(js), InputName: "leads.ndjson"})
	for _, decode := range []bool{false, true} {
		opts := leadfile.Options{Input: strings.NewReader(in), InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true}
		if decode {
			opts.Dispositions = func(string) []scoring.Disposition { return nil }
		}
		out, errs, sum := run(t, opts)
		assert.Equal(t, []string{`leads.csv:4: lead W3: employees: want a whole number, got "1.5"`}, errs, "decode %v", decode)
		assert.Equal(t, 3, sum.Scored, "decode %v", decode)
		assert.Equal(t, want(outJ), want(out), "CSV as JSON (decode %v)", decode)
	}
}

// A column given twice in a CSV header stops the read, naming both
// columns and the fix.
func TestDuplicateCSVColumn(t *testing.T) {
	in := "id,email,employees,employees\nA,a@b.io,1,2\n"
	opts := leadfile.Options{Input: strings.NewReader(in), InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true, Scorer: scorer(t), AsOf: asOf, Output: io.Discard}
	_, err := leadfile.Score(opts)
	require.ErrorContains(t, err, `column "employees" appears twice in the header (columns 3 and 4), so which one a rule reads would be a guess; rename or drop one in the export`)
}

// A header without its id column, where the reason can be told, fails the
// file once at its header, not each row with "the lead has no id": a
// column that is id but for case gets a did-you-mean, and a header of
// one column holding semicolons (or tabs) says the file looks separated
// by them (review rev15a 3c). A header with no id at all still fails each
// row, as before.
func TestHeaderWithoutTheIDColumn(t *testing.T) {
	for in, want := range map[string]string{
		"ID,email\nC1,a@x\n":           `l.csv:1: the header has no id column, so every row would fail without its id; did you mean "id"? (column 1 is "ID", and column names count case): rename it id`,
		"email, Id \na@x,C1\n":         `l.csv:1: the header has no id column, so every row would fail without its id; did you mean "id"? (column 2 is "Id", and column names count case): rename it id`,
		"id;email;employees\nS1;a;5\n": `l.csv:1: the header looks separated by ";": read with commas between cells it is one column, "id;email;employees", so no row has an id; export the file with commas between cells, or read it with a source mapping (--source) that says delimiter: ";"`,
		"\ufeffid\temail\nS1\ta\n":     `l.csv:1: the header looks separated by tabs: read with commas between cells it is one column, "id\temail", so no row has an id; export the file with commas between cells, or read it with a source mapping (--source) that says delimiter: "\t"`,
	} {
		_, err := leadfile.Score(leadfile.Options{Scorer: scorer(t), Input: strings.NewReader(in), InputName: "l.csv", InputFormat: leadfile.CSV, NoEvents: true, Output: io.Discard})
		assert.EqualError(t, err, want, in)
	}
	_, errs, sum := run(t, leadfile.Options{Input: strings.NewReader("email\na@x\nb@x\n"), InputName: "l.csv", InputFormat: leadfile.CSV, NoEvents: true})
	assert.Equal(t, []string{"l.csv:2: " + leadfile.ErrNoID.Error(), "l.csv:3: " + leadfile.ErrNoID.Error()}, errs)
	assert.Equal(t, 2, sum.Failed)
}

// The rows of a broken quote name their leads by their lines' first
// cells when the id is the first column, however the input is cut into
// reads and with CRLF line ends; a first cell that opens the quote names
// none (review rev15a 3f).
func TestBrokenQuoteRowsNameTheirLeads(t *testing.T) {
	in := "id,email\r\nA1,a@x\r\nA2,\"b@x\r\nA3,c@x\r\nA4,d@x\r\n"
	for name, r := range map[string]io.Reader{"whole": strings.NewReader(in), "byte by byte": iotest.OneByteReader(strings.NewReader(in))} {
		out, errs, _ := run(t, leadfile.Options{Input: r, InputName: "l.csv", InputFormat: leadfile.CSV, NoEvents: true})
		assert.Equal(t, []string{
			`l.csv:3: lead A2: broken CSV: a quote opened in this row is not closed before line 5, so lines 3 to 5 were read as one cell; close the quote, and write a quote inside a cell as ""`,
			"l.csv:4: lead A3: broken CSV: swallowed by the quote left open on line 3",
			"l.csv:5: lead A4: broken CSV: swallowed by the quote left open on line 3",
		}, errs, name)
		assert.Contains(t, out, `{"id":"A3","line":4,`, name)
	}
	_, errs, _ := run(t, leadfile.Options{Input: strings.NewReader("id,email\nB1,\"x\"\n\"B2,y\nB3,z\n"), InputName: "l.csv", InputFormat: leadfile.CSV, NoEvents: true})
	assert.Equal(t, []string{
		`l.csv:3: broken CSV: a quote opened in this row is not closed before line 4, so lines 3 to 4 were read as one cell; close the quote, and write a quote inside a cell as ""`,
		"l.csv:4: lead B3: broken CSV: swallowed by the quote left open on line 3",
	}, errs, "a first cell that opens the quote names no lead")
}
