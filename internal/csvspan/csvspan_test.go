package csvspan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// readAll reads a file with encoding/csv and checks each record, returning
// the records that pass and the errors, as a reader would.
func readAll(t *testing.T, text string) (recs [][]string, errs []*Error) {
	t.Helper()
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, errs
		}
		if err != nil {
			t.Fatalf("not the silent case: %v", err)
		}
		if e := Check(r, header, rec); e != nil {
			errs = append(errs, e)
			continue
		}
		recs = append(recs, rec)
	}
}

// The silent case: an unclosed quote whose swallowed stretch comes out
// with the header's number of cells fails with the lines it swallowed; the
// rows before and after it are read.
func TestUnclosedQuoteFlagged(t *testing.T) {
	text := "id,company,status\n" + // 1
		"L1,Zeta,open\n" + // 2
		"L2,\"Acme, Inc,open\n" + // 3: the quote opens here
		"L3,Beta,won\n" + // 4
		"L4,Gamma,lost\n" + // 5
		"L5,Delta Corp\",open\n" + // 6: a stray quote closes it
		"L6,Eta,won\n" // 7
	recs, errs := readAll(t, text)
	if len(recs) != 2 || recs[0][0] != "L1" || recs[1][0] != "L6" {
		t.Errorf("records read: %q, want L1 and L6", recs)
	}
	if len(errs) != 1 {
		t.Fatalf("errors: %v, want one", errs)
	}
	e := errs[0]
	want := Error{Column: "company", Index: 1, Line: 3, First: 3, Last: 6, RowLike: 4}
	if *e != want {
		t.Errorf("error %+v, want %+v", *e, want)
	}
	if e.Lines() != 4 {
		t.Errorf("Lines() = %d, want 4 (lines 3 to 6)", e.Lines())
	}
	msg := e.Error()
	for _, s := range []string{`column "company"`, "lines 4 to 6", "line 4 reads as a row", `""`} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
}

// Two lines: the only swallowed row is the line where the cell ends, which
// counts the record's last cell.
func TestUnclosedQuoteLastLine(t *testing.T) {
	_, errs := readAll(t, "id,company,status\nL1,\"Acme Inc,open\nL2,Beta\",won\n")
	if len(errs) != 1 || errs[0].RowLike != 3 || errs[0].Last != 3 {
		t.Fatalf("errors %+v, want one, row-like line 3", errs)
	}
}

// A quote opened in the first column: the opening line's first cell is
// read from the cell's first line.
func TestUnclosedQuoteFirstColumn(t *testing.T) {
	_, errs := readAll(t, "id,company,status\n\"L1,Acme,open\nL2,Beta,won\nL3\",Gamma,lost\n")
	if len(errs) != 1 || errs[0].Index != 0 || errs[0].Column != "id" || errs[0].RowLike != 3 {
		t.Fatalf("errors %+v, want one in column id, row-like line 3", errs)
	}
	if !strings.Contains(errs[0].Error(), `column "id"`) {
		t.Error(errs[0].Error())
	}
}

// Legitimate multi-line notes are read whole, even when a note's line has
// as many commas as the header, or begins with a word.
func TestMultiLineNotesRead(t *testing.T) {
	note := "Called Tuesday, left a message.\nSpoke to Jane, she wants pricing\nFollow up, next week"
	text := "id,notes,status\n" +
		"L1,\"" + note + "\",open\n" +
		"L2,\"one line\",won\n" +
		"L3,\"Thanks\nBob, see you\",lost\n" +
		"L4,\"ends with a break\n\",lost\n" +
		// a line of the header's cells whose first cell has the id's
		// shape: prose puts a space after its commas
		"L5,\"Scored at T0\nT0, until the accounts are scored, for that replay\",open\n"
	recs, errs := readAll(t, text)
	if len(errs) != 0 {
		t.Fatalf("legitimate notes flagged: %v", errs)
	}
	if len(recs) != 5 || recs[0][1] != note {
		t.Fatalf("records %q", recs)
	}
}

// Extra counts the line breaks inside cells.
func TestExtra(t *testing.T) {
	if got := Extra([]string{"a\nb", "c", "d\n\ne"}); got != 3 {
		t.Errorf("Extra = %d, want 3", got)
	}
}

func TestShape(t *testing.T) {
	for in, want := range map[string]string{"L0000042": "a9", "L7": "a9", "jane.doe@acme.com": "a@a", "bo@x.io": "a@a", "Spoke to Jane": "a a a", " 42 ": "9", "": "", "A-17/3": "a9/9"} {
		if got := shape(in); got != want {
			t.Errorf("shape(%q) = %q, want %q", in, got, want)
		}
	}
}

// words for notes: some with commas, quotes and digits inside, none a row
// of the file (a note is text, not an id and its cells).
var words = []string{"call", "back", "Tuesday,", "pricing", "\"urgent\"", "Jane", "42", "seats,", "Q3", "re:", "demo", "-", "ok", "L", "(cc)", "x,y"}

func note(rnd *rand.Rand) string {
	var b strings.Builder
	for i, n := 0, rnd.IntN(25); i < n; i++ {
		if i > 0 {
			if rnd.IntN(4) == 0 {
				b.WriteString([]string{"\n", "\r\n", "\n\n"}[rnd.IntN(3)])
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString(words[rnd.IntN(len(words))])
	}
	return b.String()
}

// genFile writes a valid file with encoding/csv.Writer: ids L<n>, random
// multi-line notes in random columns.
func genFile(rnd *rand.Rand, rows, cols int) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = rnd.IntN(2) == 0
	header := []string{"id"}
	for c := 1; c < cols; c++ {
		header = append(header, fmt.Sprintf("c%d", c))
	}
	w.Write(header)
	for i := range rows {
		rec := []string{fmt.Sprintf("L%d", rnd.IntN(100000)+i)}
		for c := 1; c < cols; c++ {
			if rnd.IntN(3) == 0 {
				rec = append(rec, note(rnd))
			} else {
				rec = append(rec, fmt.Sprintf("v%d", rnd.IntN(10)))
			}
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.String()
}

// Property: a valid file re-encoded by encoding/csv.Writer, with random
// multi-line cells, is never flagged, and reads back whole.
func TestWrittenFilesNeverFlagged(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	spanned := 0
	for range 2000 {
		rows, cols := 1+rnd.IntN(8), 1+rnd.IntN(6)
		text := genFile(rnd, rows, cols)
		recs, errs := readAll(t, text)
		if len(errs) > 0 {
			t.Fatalf("flagged %+v in\n%s", errs[0], text)
		}
		if len(recs) != rows {
			t.Fatalf("%d records, want %d", len(recs), rows)
		}
		for _, rec := range recs {
			if Extra(rec) > 0 {
				spanned++
			}
		}
	}
	if spanned < 1000 {
		t.Fatalf("only %d records spanned lines: the test is not testing multi-line cells", spanned)
	}
	t.Logf("2000 files, %d records spanning lines, none flagged", spanned)
}

// cellKinds make the cells of a column of one kind: e-mail addresses,
// counts, dates, picklist values (the first four, of a fixed shape), free
// text, mostly empty cells.
var cellKinds = []func(*rand.Rand) string{
	func(r *rand.Rand) string {
		return []string{"ann", "bo.li", "x_y"}[r.IntN(3)] + "@" + []string{"acme.io", "b.com"}[r.IntN(2)]
	},
	func(r *rand.Rand) string { return fmt.Sprint(r.IntN(5000)) },
	func(r *rand.Rand) string { return fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28)) },
	func(r *rand.Rand) string { return []string{"open", "won", "lost"}[r.IntN(3)] },
	func(r *rand.Rand) string {
		return []string{"Acme Inc", "Beta", "Gamma & Sons", "VP Sales", "CTO"}[r.IntN(5)]
	},
	func(r *rand.Rand) string { return []string{"", "", "", "x"}[r.IntN(4)] },
}

// Property: in a valid file of CRM-like rows (two columns at least of a
// fixed shape), a quote opened at the start of
// a cell and a stray one at the end of a cell two or more rows below, when
// encoding/csv reads the result without an error and with the header's
// number of cells in every record (the silent case), is always flagged.
func TestSilentSwallowAlwaysFlagged(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	silent := 0
	for range 5000 {
		rows, cols := 3+rnd.IntN(8), 2+rnd.IntN(8)
		lines := []string{strings.Join(append([]string{"id"}, make([]string, cols-1)...), ",h")}
		// Columns of a CRM export: each of one kind, one of them free text.
		// Two of them at least of a fixed shape (the rule needs a column
		// besides the broken one to set rows side by side).
		kinds := make([]int, cols)
		for c := 1; c < cols; c++ {
			kinds[c] = rnd.IntN(len(cellKinds))
			if c <= 2 {
				kinds[c] = rnd.IntN(4)
			}
		}
		grid := make([][]string, rows)
		for i := range rows {
			grid[i] = []string{fmt.Sprintf("L%d", 1000+i)}
			for c := 1; c < cols; c++ {
				grid[i] = append(grid[i], cellKinds[kinds[c]](rnd))
			}
		}
		open := rnd.IntN(rows - 2)
		close := open + 2 + rnd.IntN(rows-open-2)
		oc, cc := rnd.IntN(cols), rnd.IntN(cols)
		grid[open][oc] = `"` + grid[open][oc]
		grid[close][cc] += `"`
		for _, rec := range grid {
			lines = append(lines, strings.Join(rec, ","))
		}
		text := strings.Join(lines, "\n") + "\n"
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord = -1
		header, _ := r.Read()
		ok, flagged := true, false
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) || len(rec) != len(header) {
				ok = false // a reader fails it already
				break
			}
			if Check(r, header, rec) != nil {
				flagged = true
			}
		}
		if !ok {
			continue
		}
		silent++
		if !flagged {
			t.Fatalf("silent swallow not flagged:\n%s", text)
		}
	}
	if silent < 500 {
		t.Fatalf("only %d silent cases of 5000: the test is not testing them", silent)
	}
	t.Logf("%d silent swallows of 5000 files, every one flagged", silent)
}

// FuzzCheck: any file encoding/csv.Writer writes from ids and notes is
// never flagged (notes from the fuzzer's bytes, with line breaks).
func FuzzCheck(f *testing.F) {
	f.Add("Called, no answer\nL2 then", "x")
	f.Add("a\n\nb,c", "\"q\"\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, s := range []string{a, b} {
			// A note line that begins with a cell of the ids' shape
			// (letters, then digits) may be a row of the file, the one
			// thing the rule takes for a row; a note is not one.
			for _, l := range strings.Split(s, "\n") {
				first, _, _ := strings.Cut(l, ",")
				if shape(strings.Trim(first, `"`)) == "a9" {
					return
				}
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"id", "a", "b"})
		w.Write([]string{"L1", a, b})
		w.Write([]string{"L2", b, a})
		w.Flush()
		r := csv.NewReader(&buf)
		r.FieldsPerRecord = -1
		header, err := r.Read()
		if err != nil {
			return
		}
		for {
			rec, err := r.Read()
			if err != nil {
				return
			}
			if e := Check(r, header, rec); e != nil {
				t.Fatalf("flagged %+v: %q", e, rec)
			}
		}
	})
}

// BenchmarkCheckCost reads a 20,000-row file of 12 columns with
// encoding/csv, with and without Check on every record, in turn, and
// reports the time with over the time without (the check's overhead on a
// reader; a record without line breaks costs a scan of its cells).
func BenchmarkCheckCost(b *testing.B) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rnd := rand.New(rand.NewPCG(5, 6))
	header := []string{"id", "email", "company", "title", "employees", "country", "industry", "source", "created_at", "plan", "seats", "note"}
	w.Write(header)
	for i := range 20000 {
		rec := []string{fmt.Sprintf("L%07d", i)}
		for range len(header) - 1 {
			rec = append(rec, fmt.Sprintf("value %d, %d", rnd.IntN(1000), rnd.IntN(1000)))
		}
		w.Write(rec)
	}
	w.Flush()
	data := buf.Bytes()
	read := func(check bool) time.Duration {
		start := time.Now()
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		h, _ := r.Read()
		h = slices.Clone(h)
		for {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if check && Check(r, h, rec) != nil {
				b.Fatal("flagged")
			}
		}
		return time.Since(start)
	}
	var with, without time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			with += read(true)
			without += read(false)
		} else {
			without += read(false)
			with += read(true)
		}
	}
	b.ReportMetric(float64(with)/float64(without), "with/without")
}

// A note holding a number with thousands separators is no row, though its
// line has the header's count of cells and no space after its commas: a
// numeric id of the export (1002) has about as many digits as its rows'
// (1003), not one ("1" of "1,250,000"). A swallowed row of such ids is
// still flagged.
func TestNumericIDsAndNumbersInNotes(t *testing.T) {
	text := "id,email,notes\n1001,a@acme.io,\n1002,b@acme.io,\"Budget approved by the CFO:\n1,250,000\"\n1003,c@acme.io,\"Title:\nVP, EMEA 2,500,000 ARR\"\n"
	recs, errs := readAll(t, text)
	if len(errs) != 0 || len(recs) != 3 {
		t.Fatalf("notes flagged: %v (records %q)", errs, recs)
	}
	_, errs = readAll(t, "id,email,notes\n1001,a@acme.io,\n1002,b@acme.io,\"Budget approved\n1003,c@acme.io,\n1004,d@acme.io,x\"\n1005,e@acme.io,\n")
	if len(errs) != 1 || errs[0].RowLike != 4 {
		t.Fatalf("the swallowed rows of numeric ids are not flagged at line 4: %v", errs)
	}
	if got := errs[0].Error(); !strings.Contains(got, "so lines 4 to 5 were read as part of its cell") {
		t.Fatalf("message %q", got)
	}
}
