package csvspan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
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
	for _, s := range []string{"column company", "lines 4 to 6", "line 4 reads as a row", `""`} {
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
	if !strings.Contains(errs[0].Error(), "column id") {
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
		"L4,\"ends with a break\n\",lost\n"
	recs, errs := readAll(t, text)
	if len(errs) != 0 {
		t.Fatalf("legitimate notes flagged: %v", errs)
	}
	if len(recs) != 4 || recs[0][1] != note {
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
}

// Property: in a valid file of simple rows, a quote opened at the start of
// a cell and a stray one at the end of a cell two or more rows below, when
// encoding/csv reads the result without an error and with the header's
// number of cells in every record (the silent case), is always flagged.
func TestSilentSwallowAlwaysFlagged(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	silent := 0
	for range 5000 {
		rows, cols := 3+rnd.IntN(8), 2+rnd.IntN(5)
		lines := []string{strings.Join(append([]string{"id"}, make([]string, cols-1)...), ",h")}
		grid := make([][]string, rows)
		for i := range rows {
			grid[i] = []string{fmt.Sprintf("L%d", 1000+i)}
			for c := 1; c < cols; c++ {
				grid[i] = append(grid[i], fmt.Sprintf("v%d", rnd.IntN(100)))
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
