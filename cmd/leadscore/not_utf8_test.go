package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// utf16Bytes encodes text as UTF-16, little or big endian, with or
// without a byte-order mark, as Excel's "Unicode text" and other tools
// save it.
func utf16Bytes(text string, big, bom bool) []byte {
	var order binary.ByteOrder = binary.LittleEndian
	if big {
		order = binary.BigEndian
	}
	u := utf16.Encode([]rune(text))
	if bom {
		u = append([]uint16{0xfeff}, u...)
	}
	out := make([]byte, 2*len(u))
	for i, c := range u {
		order.PutUint16(out[2*i:], c)
	}
	return out
}

// cp1252 encodes text as Windows-1252, as an older Excel "CSV" saves it.
func cp1252(t *testing.T, text string) []byte {
	t.Helper()
	s, err := charmap.Windows1252.NewEncoder().String(text)
	require.NoError(t, err)
	return []byte(s)
}

// withLine returns the bundled file name with its line n (1 the header)
// rewritten by edit.
func withLine(t *testing.T, name string, n int, edit func(string) string) string {
	t.Helper()
	src, err := os.ReadFile(td(name))
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	was := lines[n-1]
	lines[n-1] = edit(was)
	require.NotEqual(t, was, lines[n-1], "the edit must change line %d of %s", n, name)
	return strings.Join(lines, "\n")
}

// inputRun is one command that reads a CSV input, the one its case swaps.
type inputRun struct {
	name string
	file string // the bundled file that is swapped
	args func(swapped string) []string
	// header is how the command prefixes an error of the file's first
	// line: "FILE:1: " or "FILE: line 1 (the header): ".
	header func(swapped string) string
}

func notUTF8Runs() []inputRun {
	model := td("b2b-saas.yaml")
	at := "2026-10-01"
	fileLine := func(f string) string { return f + ":1: " }
	headerLine := func(f string) string { return f + ": line 1 (the header): " }
	return []inputRun{
		{"leads", "leads.csv", func(f string) []string {
			return []string{"score", "--model", model, "--at", at, "--events", td("events.csv"), f}
		}, fileLine},
		{"events", "events.csv", func(f string) []string {
			return []string{"score", "--model", model, "--at", at, "--events", f, td("leads.csv")}
		}, fileLine},
		{"mapped contacts", "crm/hubspot-contacts.csv", func(f string) []string {
			return []string{"score", "--model", model, "--at", at, "--source", td("crm/hubspot.yaml"), "--events", td("crm/hubspot-activities.csv"), f}
		}, fileLine},
		{"mapped activities", "crm/hubspot-activities.csv", func(f string) []string {
			return []string{"score", "--model", model, "--at", at, "--source", td("crm/hubspot.yaml"), "--events", f, td("crm/hubspot-contacts.csv")}
		}, fileLine},
		{"check --leads", "leads.csv", func(f string) []string {
			return []string{"check", "--leads", f, "--events", td("events.csv"), "--at", at, model}
		}, fileLine},
		{"outcomes", "backtest/outcomes.csv", func(f string) []string {
			return []string{"backtest", "--model", model, "--outcomes", f, "--at", "2026-07-01", td("leads.ndjson")}
		}, headerLine},
		{"dispositions", "dispositions.csv", func(f string) []string {
			return []string{"feedback", "--model", model, "--leads", td("leads.ndjson"), "--dispositions", f, "--at", at}
		}, headerLine},
		{"init --sample", "crm/hubspot-contacts.csv", func(f string) []string {
			return []string{"init", "--sample", f, "--model", model, "-o", f + ".yaml"}
		}, fileLine},
	}
}

// A UTF-16 export (Excel's "Unicode text": with a byte-order mark, little
// endian, tab-separated; or without the mark, or big endian) stops every
// reader of leads, events, CRM exports, outcomes and dispositions at its
// first line with the fix, not with a wrong delimiter guess or a column
// that is "missing".
func TestUTF16ExportIsToldWhereverItIsRead(t *testing.T) {
	for _, r := range notUTF8Runs() {
		src, err := os.ReadFile(td(r.file))
		require.NoError(t, err)
		for _, form := range []struct {
			name     string
			big, bom bool
			tabs     bool
		}{{"LE BOM tabs", false, true, true}, {"LE no BOM", false, false, false}, {"BE BOM", true, true, false}} {
			t.Run(r.name+"/"+form.name, func(t *testing.T) {
				text := string(src)
				if form.tabs {
					text = strings.ReplaceAll(text, ",", "\t")
				}
				f := filepath.Join(t.TempDir(), filepath.Base(r.file))
				require.NoError(t, os.WriteFile(f, utf16Bytes(text, form.big, form.bom), 0o644))
				code, _, errOut := leadscore(t, "", r.args(f)...)
				assert.NotEqual(t, exitOK, code)
				assert.Contains(t, errOut, r.header(f)+`the file is UTF-16 text (as Excel's "Unicode text" saves it), not UTF-8; export the file as UTF-8 (in Excel: Save As "CSV UTF-8")`)
				assert.NotContains(t, errOut, "delimiter")
			})
		}
	}
}

// A Windows-1252 export (an older Excel "CSV") is told at the first cell
// that is not UTF-8, with its file:line, column and what it says read as
// Windows-1252: the row fails (it is not read as mojibake, nor told to
// add its cell to a values: list), and the rest are read.
func TestWindows1252CellIsToldWhereverItIsRead(t *testing.T) {
	const fix = `; export the file as UTF-8 (in Excel: Save As "CSV UTF-8")`
	for _, c := range []struct {
		run  string
		line int
		edit func(string) string
		want string
	}{
		{"leads", 4, func(l string) string { return strings.Replace(l, "Software Engineer", "Directeur Général", 1) },
			`:4: lead L0000003: column "title" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "Directeur Général")`},
		{"events", 6, func(l string) string { return strings.Replace(l, "nurture-q3", "Frühjahr", 1) },
			`:6: column "campaign" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "Frühjahr")`},
		{"mapped contacts", 2, func(l string) string { return strings.Replace(l, "Education Management", "Éducation", 1) },
			`:2: lead 50000001: column "Industry" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "Éducation")`},
		{"mapped activities", 2, func(l string) string { return strings.Replace(l, "newsletter", "Lettre d'été", 1) },
			`:2: column "Campaign" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "Lettre d'été")`},
		{"check --leads", 4, func(l string) string { return strings.Replace(l, "Software Engineer", "Directeur Général", 1) },
			`:4: lead L0000003: column "title" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "Directeur Général")`},
		{"outcomes", 3, func(l string) string { return strings.Replace(l, "L0000013", "L000001É", 1) },
			`:3: column "lead_id" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "L000001É")`},
		{"dispositions", 2, func(l string) string { return strings.Replace(l, "dev.p", "andré", 1) },
			`:2: column "owner" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "andré")`},
		{"init --sample", 2, func(l string) string { return strings.Replace(l, "Education Management", "Éducation", 1) },
			`:2: column "Industry" is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", it says "Éducation")`},
		{"leads", 1, func(l string) string { return strings.Replace(l, "title", "titré", 1) },
			`:1: the header is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", column 3 is "titré")`},
		{"mapped contacts", 1, func(l string) string { return strings.Replace(l, "Last Name", "Prénom", 1) },
			`:1: the header is not UTF-8 text (read as Windows-1252, the encoding of an older Excel "CSV", column 3 is "Prénom")`},
	} {
		var r inputRun
		for _, x := range notUTF8Runs() {
			if x.name == c.run {
				r = x
			}
		}
		t.Run(c.run+"/"+c.want[:3], func(t *testing.T) {
			// Only the edited cell is not UTF-8: the rest of the file is
			// ASCII, the same in both encodings.
			f := filepath.Join(t.TempDir(), filepath.Base(r.file))
			require.NoError(t, os.WriteFile(f, cp1252(t, withLine(t, r.file, c.line, c.edit)), 0o644))
			code, _, errOut := leadscore(t, "", r.args(f)...)
			if r.name != "check --leads" { // which reports failed rows, and exits 0 without --strict
				assert.NotEqual(t, exitOK, code)
			}
			assert.Contains(t, errOut, f+c.want+fix)
			assert.NotContains(t, errOut, `\x`, "no byte escapes: the cell is said as Windows-1252 text")
		})
	}
}
