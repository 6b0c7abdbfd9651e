package source_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadscore/leadscore/internal/fuzzinput"
	"github.com/leadscore/leadscore/scoring/source"
)

// TestMain bounds the fuzzing engine's minimization (see fuzzinput).
func TestMain(m *testing.M) { fuzzinput.Main(m) }

// FuzzMapping feeds arbitrary YAML through the mapping reader and the
// checker, then binds what parses to a header and reads a row: nothing may
// panic, and every problem has a position.
func FuzzMapping(f *testing.F) {
	f.Add([]byte(full), "Record ID,Email,Country,Tech,Created,Unsub,Revenue,Employees", "1,a,United States,a;b,2026-03-08 02:30,Yes,$1,5")
	f.Add([]byte(header+"fields: {email: Email, unsubscribed: {column: U, \"true\": [Y]}}\n"), "Record ID,Email,U", ",,Y")
	f.Add([]byte("leadscore: 1\nsource: x\nid: [\n"), "", "")
	f.Add([]byte(header+"delimiter: \";\"\ntimezone: America/Santiago\nfields: {email: Email, title: Email, created_at: {column: C, layout: \"2006-01-02\"}}\nevents: {id: A, lead: Record ID, type: T, at: A}\n---\n"), "Record ID;Email;C", "1;a;2026-09-06")
	mdl := model(f)
	f.Fuzz(func(t *testing.T, src []byte, header, row string) {
		if fuzzinput.Skip(len(src)) {
			return
		}
		m, err := source.Parse("m.yaml", src)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "m.yaml:") {
					t.Fatalf("a problem without a position: %q", line)
				}
			}
			return
		}
		if m.Check(mdl).HasErrors() {
			return
		}
		r, _, err := m.Leads("c.csv", strings.Split(header, ","))
		if err != nil {
			return
		}
		r.Lead(strings.Split(row, ","))
		if m.Events != nil {
			if e, _, err := m.EventRows("a.csv", strings.Split(header, ",")); err == nil {
				e.Event(strings.Split(row, ","))
			}
		}
	})
}

// FuzzValues feeds arbitrary cells through the value parsers: a number
// format and a cell, a layout and a cell in a zone with daylight saving.
// Nothing may panic; a time read back is one the cell's wall clock names.
func FuzzValues(f *testing.F) {
	f.Add("$1,234.56", "-$1,234.50", "2006-01-02 15:04", "2026-03-08 02:30")
	f.Add("1.234,56 €", "1.234.567,8 €", "01/02/2006 15:04:05", "11/01/2026 01:30:00")
	f.Add("1 234", "12 345", "", "2026-07-01")
	f.Add("1234.567", "0.125", "2006-01-02", "2026-03-08")
	f.Add("1.234", "1.234", "2006-01-02 15:04 MST", "2026-03-08 10:00 EST")
	ny, _ := time.LoadLocation("America/New_York")
	f.Fuzz(func(t *testing.T, format, number, layout, cell string) {
		if nf, err := source.ParseNumberFormat(format); err == nil {
			nf.Parse(number)
		}
		got, err := source.ParseTime(cell, layout, ny)
		// The layouts a mapping would give (a whole date, a 24-hour clock)
		// write back what they read.
		whole := strings.Contains(layout, "2006") && strings.Contains(layout, "01") && strings.Contains(layout, "02") && strings.Contains(layout, "15")
		if err == nil && whole && !strings.ContainsAny(layout, "MZ-") {
			if again, err := source.ParseTime(got.In(ny).Format(layout), layout, ny); err == nil && !again.Equal(got) {
				t.Fatalf("%q read as %v, written back and read as %v", cell, got, again)
			}
		}
	})
}

// FuzzDraft drafts a mapping from arbitrary exports: nothing may panic,
// and every draft parses as a mapping, and checks against the model with
// no error but about values the draft could not map.
func FuzzDraft(f *testing.F) {
	f.Add("Record ID,Email,Job Title,Unsubscribed,Revenue\n1,a@b.c,VP,Yes,\"$1,234.00\"\n2,,,No,\n", "Record ID,Activity Type,Activity Date\n1,Page View,07/25/2026 23:05\n")
	f.Add("a,,a b,#x,\"k: v\"\n1,2,3,4,5\n", "")
	f.Add("\ufeffId,CreatedDate\n1,2026-01-02T03:04:05Z\n", "Id,Type\n1,x\n")
	f.Add("Id,Email.,Email!,Email#,email_2\n1,a,b,c,d\n2,"+strings.Repeat("x", 130)+",,,\n", "") // one name many times; a row over MaxRow
	f.Fuzz(func(t *testing.T, contacts, events string) {
		if fuzzinput.Skip(len(contacts) + len(events)) {
			return
		}
		opts := source.DraftOptions{Contacts: strings.NewReader(contacts), ContactsName: "c.csv", Rows: 50, MaxRow: 128}
		if events != "" {
			opts.Events, opts.EventsName = strings.NewReader(events), "a.csv"
		}
		draft, err := source.Draft(opts)
		if err != nil {
			return
		}
		if _, err := source.Parse("d.yaml", draft); err != nil {
			t.Fatalf("the draft does not parse: %v\n%s", err, draft)
		}
	})
}
