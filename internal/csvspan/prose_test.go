package csvspan

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Real prose as notes: every paragraph of more than one line of the
// project's docs, in a quoted cell of files of 2 to 12 columns written by
// encoding/csv.Writer, is never flagged (lines with commas, ids such as T0
// or L2 at their starts, tables and code included).
func TestDocsProseNeverFlagged(t *testing.T) {
	var notes []string
	for _, glob := range []string{"../../docs/*.md", "../../docs/guide/*.md", "../../*.md"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range strings.Split(string(b), "\n\n") {
				if strings.Contains(strings.TrimSpace(p), "\n") {
					notes = append(notes, p)
				}
			}
		}
	}
	if len(notes) < 300 {
		t.Fatalf("only %d paragraphs found: the test is not reading the docs", len(notes))
	}
	for _, cols := range []int{2, 3, 4, 6, 12} {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		header := []string{"id"}
		for c := 1; c < cols; c++ {
			header = append(header, fmt.Sprintf("c%d", c))
		}
		w.Write(header)
		for i, note := range notes {
			rec := []string{fmt.Sprintf("L%07d", i)}
			for c := 1; c < cols; c++ {
				cell := []string{"", "open", "2026-09-01", "42", "ann@acme.io"}[c%5]
				if c == cols/2 {
					cell = note
				}
				rec = append(rec, cell)
			}
			w.Write(rec)
		}
		w.Flush()
		r := csv.NewReader(&buf)
		r.FieldsPerRecord = -1
		h, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if e := Check(r, h, rec); e != nil {
				t.Errorf("%d columns: %v; the note:\n%s", cols, e, rec[cols/2])
			}
		}
	}
}
