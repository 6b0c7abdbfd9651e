package source_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/source"
)

func model(t testing.TB) *rules.Model {
	t.Helper()
	m, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	return m
}

const header = "leadscore: 1\nsource: crm\nid: Record ID\n"

// Every message of the mapping reader and checker, whole: the wording is
// part of the contract.
func TestMappingMessages(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"empty", "", "m.yaml:1:1: the file is empty; a source mapping starts with leadscore: 1 and source: NAME"},
		{"not yaml", "fields: [a\n", "m.yaml:1:1: not valid YAML: line 1: did not find expected ',' or ']'"},
		{"not a mapping", "- a\n", `m.yaml:1:1: want a mapping of keys (leadscore:, source:, id:, fields:), got a list`},
		{"lacks keys", "leadscore: 1\n", "m.yaml:1:1: the source mapping lacks source: NAME (the CRM the exports come from, such as hubspot)\n" +
			"m.yaml:1:1: the source mapping lacks id: COLUMN (the column holding the lead id)\n" +
			"m.yaml:1:1: the source mapping lacks fields: (model field: column)"},
		{"version", "leadscore: 2\nsource: crm\nid: ID\nfields: {email: Email}\n", `m.yaml:1:12: leadscore: is the format version, 1; got "2"`},
		{"unknown key", header + "fields: {email: Email}\nignroe: [A]\n", `m.yaml:5:1: the source mapping: unknown key "ignroe"; did you mean "ignore"?`},
		{"twice", header + "fields: {email: Email, email: Mail}\n", `m.yaml:4:24: fields: "email" is given twice; keep one`},
		{"zone", header + "timezone: America/NewYork\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "America/NewYork" is not an IANA time zone; write it as Area/City, such as America/New_York, Europe/London or UTC`},
		{"local zone", header + "timezone: Local\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "Local" is not a zone: name the CRM's zone, such as America/New_York or Europe/Berlin, so the mapping reads the same on every machine`},
		{"option key", header + "fields: {email: {column: Email, colum: X}}\n", `m.yaml:4:33: fields.email: unknown key "colum"; did you mean "column"?`},
		{"no column", header + "fields: {email: {values: {a: b}}}\n", `m.yaml:4:17: fields.email: no column: say which column holds email, as {column: NAME, ...}`},
		{"field kind", header + "fields: {email: [a]}\n", `m.yaml:4:17: fields.email: want a column name, or {column: NAME, ...}, got a list`},
		{"layout", header + "fields: {created_at: {column: C, layout: \"15:04\"}}\n", `m.yaml:4:42: fields.created_at.layout: "15:04" does not write a whole date (year, month and day); a layout writes Go's reference time, Mon Jan 2 15:04:05 2006, as the export writes its times, such as "01/02/2006 15:04" or "2006-01-02 15:04:05"`},
		{"format digits", header + "fields: {employees: {column: E, format: \"$\"}}\n", `m.yaml:4:41: fields.employees.format: "$" has no digits; write a number as the export writes it, such as "1,234.56", "1.234,56" or "$1,234.56"`},
		{"format sign", header + "fields: {employees: {column: E, format: \"-1,234\"}}\n", `m.yaml:4:41: fields.employees.format: "-1,234": leave the sign out of the format (a cell may start with a minus sign anyway); write a number as the export writes it, such as "1,234.56", "1.234,56" or "$1,234.56"`},
		{"format letters", header + "fields: {employees: {column: E, format: \"1x234\"}}\n", `m.yaml:4:41: fields.employees.format: "1x234" has 'x' among its digits; write a number as the export writes it, such as "1,234.56", "1.234,56" or "$1,234.56"`},
		{"format same", header + "fields: {employees: {column: E, format: \"1,234,5\"}}\n", `m.yaml:4:41: fields.employees.format: "1,234,5" uses ',' for thousands and decimals; write a number as the export writes it, such as "1,234.56", "1.234,56" or "$1,234.56"`},
		{"true and false", header + "fields: {unsubscribed: {column: U, \"true\": [Y], \"false\": [y]}}\n", `m.yaml:4:49: fields.unsubscribed: "y" is both true and false; keep it in one list`},
		{"separator", header + "fields: {tech_stack: {column: T, separator: \"\"}}\n", `m.yaml:4:45: fields.tech_stack.separator: want the text between list items, such as ";", got ""`},
		{"events lack", header + "fields: {email: Email}\nevents: {id: A}\n", "m.yaml:5:9: events: lacks lead: COLUMN (the column holding the lead id)\n" +
			"m.yaml:5:9: events: lacks type: COLUMN (the column holding the event type), or {column, values}\n" +
			"m.yaml:5:9: events: lacks at: COLUMN (the column holding when it happened), or {column, layout}"},
		{"events at key", header + "fields: {email: Email}\nevents: {lead: L, type: T, at: {column: A, values: {a: b}}}\n", `m.yaml:5:44: events.at: unknown key "values"; the keys are column, layout`},
		{"ignore", header + "fields: {email: Email}\nignore: First Name\n", `m.yaml:5:9: ignore: want a list of columns, such as [First Name, Last Name], got "First Name"`},

		// A zone abbreviation in a layout would be read as UTC, or in the
		// machine's zone.
		{"layout abbreviation", header + "fields: {created_at: {column: C, layout: \"2006-01-02 15:04 MST\"}}\n", `m.yaml:4:42: fields.created_at.layout: "2006-01-02 15:04 MST" reads a zone abbreviation (MST), and abbreviations are ambiguous (CST is Chicago, China or Cuba) and read machine by machine, most as UTC: if the export writes offsets, use a numeric offset layout such as "2006-01-02 15:04 -07:00" (-07:00, or Z07:00 where UTC is written Z); if it writes abbreviations, export times with their offset or in UTC instead; or leave the zone out, "2006-01-02 15:04", and set timezone: to the CRM's zone`},
		{"event layout abbreviation", header + "fields: {email: Email}\nevents: {lead: L, type: T, at: {column: A, layout: \"Mon Jan _2 15:04:05 MST 2006\"}}\n", `m.yaml:5:52: events.at.layout: "Mon Jan _2 15:04:05 MST 2006" reads a zone abbreviation (MST), and abbreviations are ambiguous (CST is Chicago, China or Cuba) and read machine by machine, most as UTC: if the export writes offsets, use a numeric offset layout such as "Mon Jan _2 15:04:05 -07:00 2006" (-07:00, or Z07:00 where UTC is written Z); if it writes abbreviations, export times with their offset or in UTC instead; or leave the zone out, "Mon Jan _2 15:04:05 2006", and set timezone: to the CRM's zone`},

		// Abbreviations and fixed offsets as the zone.
		{"zone EST", header + "timezone: EST\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "EST" is a fixed offset, -05:00 all year, not a place, so times from the months the place keeps daylight saving time would be an hour off; did you mean America/New_York?`},
		{"zone MST", header + "timezone: MST\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "MST" is a fixed offset, -07:00 all year, not a place, so times from the months the place keeps daylight saving time would be an hour off; did you mean America/Denver, or America/Phoenix (no daylight saving)?`},
		{"zone CET", header + "timezone: CET\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "CET" is an abbreviation or old alias, not a place name, and the mapping should name the place whose clocks the CRM keeps; did you mean Europe/Berlin or Europe/Paris?`},
		{"zone EET", header + "timezone: EET\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "EET" is an abbreviation or old alias, not a place name, and the mapping should name the place whose clocks the CRM keeps; did you mean Europe/Athens or Europe/Helsinki?`},
		{"zone PDT", header + "timezone: PDT\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "PDT" is an abbreviation, not a zone; did you mean America/Los_Angeles?`},
		{"zone lower case", header + "timezone: est\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "est" is an abbreviation, not a zone; did you mean America/New_York?`},
		{"zone EST5EDT", header + "timezone: EST5EDT\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "EST5EDT" is an abbreviation or old alias, not a place name, and the mapping should name the place whose clocks the CRM keeps; did you mean America/New_York?`},
		{"zone GMT", header + "timezone: GMT\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "GMT" is a fixed offset, +00:00 all year, not a place, so times from the months the place keeps daylight saving time would be an hour off; did you mean Europe/London, or UTC for times in UTC?`},
		{"zone Zulu", header + "timezone: Zulu\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "Zulu" is UTC under another name; write timezone: UTC`},
		{"zone alias", header + "timezone: Japan\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "Japan" is a fixed offset, +09:00 all year, not a place, so times from the months the place keeps daylight saving time would be an hour off; name the place as Area/City, such as America/New_York or Europe/Berlin, or write timezone: UTC for times in UTC`},
		{"zone Etc/GMT+1", header + "timezone: Etc/GMT+1\nfields: {email: Email}\n", "m.yaml:4:11: timezone: \"Etc/GMT+1\" means UTC\u22121 all year (the sign of an Etc/GMT name is inverted); name the place, such as Atlantic/Azores, so its daylight saving time is followed, or write timezone: UTC for times in UTC"},
		{"zone Etc/GMT-2", header + "timezone: Etc/GMT-2\nfields: {email: Email}\n", "m.yaml:4:11: timezone: \"Etc/GMT-2\" means UTC+2 all year (the sign of an Etc/GMT name is inverted); name the place, such as Europe/Athens, so its daylight saving time is followed, or write timezone: UTC for times in UTC"},
		{"zone Etc/GMT", header + "timezone: Etc/GMT\nfields: {email: Email}\n", `m.yaml:4:11: timezone: "Etc/GMT" is UTC under another name; write timezone: UTC`},

		// Empty word lists, a second document.
		{"true empty", header + "fields: {unsubscribed: {column: U, \"true\": []}}\n", `m.yaml:4:44: fields.unsubscribed.true: an empty list, so no cell would read as it; list the words, such as [Yes, Y], or leave the key out for the usual ones (true, yes, 1 and false, no, 0)`},
		{"false empty", header + "fields: {unsubscribed: {column: U, \"true\": [Y], \"false\": []}}\n", `m.yaml:4:58: fields.unsubscribed.false: an empty list, so no cell would read as it; list the words, such as [Yes, Y], or leave the key out for the usual ones (true, yes, 1 and false, no, 0)`},
		{"empty word", header + "fields: {unsubscribed: {column: U, \"true\": [Y, \"\"]}}\n", `m.yaml:4:48: fields.unsubscribed.true: an empty word; an empty cell is a missing value, not true`},
		{"empty word alone", header + "fields: {unsubscribed: {column: U, \"false\": \"\"}}\n", `m.yaml:4:45: fields.unsubscribed.false: an empty word; an empty cell is a missing value, not false`},
		{"second document", header + "fields: {email: Email}\n---\nevents: {lead: L, type: T, at: A}\n", `m.yaml:5:1: a second YAML document starts here (after ---), and a source mapping is one document, so it would be read as nothing; take out the --- and merge what follows into the mapping, or put it in its own file`},
		{"second document bad", header + "fields: {email: Email}\n---\n[\n", `m.yaml:6:1: not valid YAML: line 6: did not find expected node content`},

		// One column for two of events' id, lead, type, at.
		{"events id is lead", header + "fields: {email: Email}\nevents: {id: Record ID, lead: Record ID, type: T, at: A}\n", `m.yaml:5:31: events.lead: column "Record ID" is also events.id (m.yaml:5:14); an activity's id, lead, type and time are four different columns of the export, so map events.lead to its own column (events.id is the activity's own id, such as Activity ID, which tells two activities of one lead apart; leave it out if the export has none)`},
		{"events type is at", header + "fields: {email: Email}\nevents: {lead: L, type: {column: D, values: {a: page_view}}, at: {column: D}}\n", `m.yaml:5:75: events.at: column "D" is also events.type (m.yaml:5:34); an activity's id, lead, type and time are four different columns of the export, so map events.at to its own column`},

		// The delimiter.
		{"delimiter long", header + "delimiter: \";;\"\nfields: {email: Email}\n", `m.yaml:4:12: delimiter: ";;" is not one character; write the one character between the export's cells, such as ";" or "\t" (a tab, in double quotes)`},
		{"delimiter quote", header + "delimiter: '\"'\nfields: {email: Email}\n", `m.yaml:4:12: delimiter: "\"" cannot separate cells, since cells are quoted with it or hold it; write the one character between the export's cells, such as ";" or "\t" (a tab, in double quotes)`},
		{"delimiter list", header + "delimiter: [\";\"]\nfields: {email: Email}\n", `m.yaml:4:12: delimiter: want one character, got a list; write the one character between the export's cells, such as ";" or "\t" (a tab, in double quotes)`},

		// Number formats whose separator could be either.
		{"format ambiguous", header + "fields: {employees: {column: E, format: \"1.234\"}}\n", `m.yaml:4:41: fields.employees.format: "1.234" is ambiguous: "." may be the thousands separator (1.234 is 1234) or the decimal mark (1.234 is 1.234); write an example with both separators, such as "1.234,50", a longer number, such as "1.234.567", or the decimal mark alone, such as "1234.5"`},
		{"format ambiguous currency", header + "fields: {employees: {column: E, format: \"USD 1,234\"}}\n", `m.yaml:4:41: fields.employees.format: "USD 1,234" is ambiguous: "," may be the thousands separator (1,234 is 1234) or the decimal mark (1,234 is 1.234); write an example with both separators, such as "USD 1,234.50", a longer number, such as "USD 1,234,567", or the decimal mark alone, such as "USD 1234,5"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := source.Parse("m.yaml", []byte(c.src))
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

func TestCheckMessages(t *testing.T) {
	m := model(t)
	cases := []struct{ name, src, want string }{
		{"field", header + "fields: {email: Email, titel: Job Title}\n", `m.yaml:4:24: fields: "titel" is not a field of model b2b-saas; did you mean "title"?`},
		{"field far", header + "fields: {email: Email, zzz: Z}\n", `m.yaml:4:24: fields: "zzz" is not a field of model b2b-saas; its fields are email, title, industry, employees, annual_revenue, country, source, tech_stack, created_at, unsubscribed`},
		{"required", header + "fields: {title: T}\n", `m.yaml:3:1: fields: model b2b-saas requires email, but no column is mapped to it, so every lead would fail; map the column that holds it`},
		{"option type", header + "fields: {email: Email, employees: {column: E, layout: \"2006-01-02\"}}\n", `m.yaml:4:47: fields.employees: layout: reads the cells of a time field, and employees is an int field; leave it out`},
		{"bool option", header + "fields: {email: Email, title: {column: T, \"true\": [Y]}}\n", `m.yaml:4:43: fields.title: true: names the true cells of a bool field, and title is a string field; leave it out`},
		{"ignored too", header + "fields: {email: Email}\nignore: [Email]\n", `m.yaml:4:17: fields.email: column "Email" is also under ignore:; take it out of one`},
		{"event field", header + "fields: {email: Email}\nevents: {lead: L, type: T, at: A, fields: {campain: C}}\n", `m.yaml:5:44: events.fields: "campain" is not an event field of model b2b-saas; did you mean "campaign"?`},
		{"event type", header + "fields: {email: Email}\nevents: {lead: L, type: {column: T, values: {Demo: demo}}, at: A}\n", `m.yaml:5:52: events.type.values: "Demo" reads as event type "demo", which model b2b-saas does not declare; did you mean "demo_request"?`},
		{"event type far", header + "fields: {email: Email}\nevents: {lead: L, type: {column: T, values: {Call: phone_call}}, at: A}\n", `m.yaml:5:52: events.type.values: "Call" reads as event type "phone_call", which model b2b-saas does not declare; its event types are email_open, email_click, page_view, content_download, webinar_registered, webinar_attended, demo_request, trial_signup`},
		{"event type several", header + "fields: {email: Email}\nevents: {lead: L, type: {column: T, values: {W: webinar}}, at: A}\n", `m.yaml:5:49: events.type.values: "W" reads as event type "webinar", which model b2b-saas does not declare; did you mean one of webinar_registered, webinar_attended?`},
		{"one column two fields", header + "fields: {email: Email, title: Email}\n", `m.yaml:4:31: warning: fields.title: column "Email" is also mapped to fields.email (m.yaml:4:17), so both read the same cells; map each to its own column unless that is meant`},
		{"event field shares type", header + "fields: {email: Email}\nevents: {lead: L, type: T, at: A, fields: {campaign: T}}\n", `m.yaml:5:54: warning: events.fields.campaign: column "T" is also mapped to events.type (m.yaml:5:25), so both read the same cells; map each to its own column unless that is meant`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mp, err := source.Parse("m.yaml", []byte(c.src))
			require.NoError(t, err)
			d := mp.Check(m)
			assert.Equal(t, c.want, d.Error())
			// What is no warning stops the mapping: a required field left
			// out would fail every lead.
			assert.Equal(t, !strings.Contains(c.want, ": warning: "), d.Err() != nil, c.name)
		})
	}
}

func mapping(t testing.TB, src string) *source.Mapping {
	t.Helper()
	mp, err := source.Parse("m.yaml", []byte(src))
	require.NoError(t, err)
	require.NoError(t, mp.Check(model(t)).Err())
	return mp
}

const full = header + `timezone: America/New_York
fields:
  email: Email
  country: {column: Country, values: {United States: US, United Kingdom: GB}}
  tech_stack: {column: Tech, separator: ";"}
  created_at: {column: Created, layout: "2006-01-02 15:04"}
  unsubscribed: {column: Unsub, "true": [Yes], "false": [No]}
  annual_revenue: {column: Revenue, format: "$1,234.56"}
  employees: Employees
ignore: [First Name]
events:
  id: Activity ID
  lead: Record ID
  type: {column: Type, values: {Page View: page_view}}
  at: {column: Date, layout: "01/02/2006 15:04"}
  fields: {minutes: Minutes}
`

func TestHeaderMessages(t *testing.T) {
	mp := mapping(t, full)
	_, _, err := mp.Leads("c.csv", []string{"Record ID", "Email", "Country/Region", "Tech", "Created", "Unsub", "Revenue", "Employes"})
	require.Error(t, err)
	assert.Equal(t, `c.csv:1: the header has no column "Country", which fields.country (m.yaml:7:21) reads; fix the column name in the mapping, or export the column
c.csv:1: the header has no column "Employees", which fields.employees (m.yaml:12:14) reads; did you mean "Employes"?`, err.Error())

	_, warnings, err := mp.Leads("c.csv", []string{"\ufeffRecord ID", "Email", "Country", "Tech", "Created", "Unsub", "Revenue", "Employees", "First Name", "Lead Status"})
	require.NoError(t, err)
	assert.Equal(t, []string{`c.csv:1: column "Lead Status" is neither mapped nor ignored, so no rule reads it; map it under fields: or list it under ignore: in m.yaml`}, warnings)

	_, _, err = mp.Leads("c.csv", []string{"Record ID", "Email", "Email"})
	assert.EqualError(t, err, `c.csv:1: column "Email" appears twice in the header, so which one the mapping means would be a guess; rename one in the export`)

	_, _, err = mapping(t, header+"fields: {email: Email}\n").EventRows("a.csv", []string{"x"})
	assert.EqualError(t, err, "m.yaml has no events: section to read a.csv with; add one (lead, type, at and fields: columns)")

	unchecked, err := source.Parse("m.yaml", []byte(full))
	require.NoError(t, err)
	_, _, err = unchecked.Leads("c.csv", nil)
	assert.EqualError(t, err, "the source mapping has not been checked against the model (Mapping.Check)")
}

func TestLeadRows(t *testing.T) {
	mp := mapping(t, full)
	r, _, err := mp.Leads("c.csv", []string{"Record ID", "Email", "Country", "Tech", "Created", "Unsub", "Revenue", "Employees", "First Name"})
	require.NoError(t, err)
	lead, err := r.Lead([]string{" 42 ", "a@b.io", "United Kingdom", "Slack; Jira;;", "2026-07-01 09:30", "yes", "-$1,234.50", "250", "Ana"})
	require.NoError(t, err)
	assert.Equal(t, "42", lead.ID)
	assert.Equal(t, map[string]any{
		"email": "a@b.io", "country": "GB", "tech_stack": []string{"Slack", "Jira"},
		"created_at":   time.Date(2026, 7, 1, 13, 30, 0, 0, time.UTC).In(lead.Fields.(map[string]any)["created_at"].(time.Time).Location()),
		"unsubscribed": true, "annual_revenue": -1234.5, "employees": 250,
	}, lead.Fields)

	cases := []struct {
		name string
		rec  []string
		want string
	}{
		{"no id", []string{"", "a@b.io", "", "", "", "", "", "", ""}, `column "Record ID" is empty; every lead needs its id (id: at m.yaml:3:5)`},
		{"values", []string{"1", "a", "Untied States", "", "", "", "", "", ""}, `column "Country" (country): "Untied States" is not in the values: of country (m.yaml:7:30); add it there, as "Untied States": VALUE; did you mean "United States"?`},
		{"layout", []string{"1", "a", "", "", "07/01/2026 09:30", "", "", "", ""}, `column "Created" (created_at): "07/01/2026 09:30" does not match the layout "2006-01-02 15:04" (such as "2026-03-01 09:30"); fix the layout if the whole column is written so`},
		// a day the month does not have matches the layout: it is no day (review rev15a 3d)
		{"no such day", []string{"1", "a", "", "", "2026-02-29 10:00", "", "", "", ""}, `column "Created" (created_at): "2026-02-29 10:00" is not a day of the calendar (read by the layout "2006-01-02 15:04", such as "2026-03-01 09:30", its day is past the end of its month); check the date`},
		{"gap", []string{"1", "a", "", "", "2026-03-08 02:30", "", "", "", ""}, `column "Created" (created_at): "2026-03-08 02:30" does not exist in America/New_York: the clocks skipped that hour when daylight saving time began; check that timezone: America/New_York is the zone the export writes in, or export times with their UTC offset (a layout ending in -07:00)`},
		{"twice", []string{"1", "a", "", "", "2026-11-01 01:30", "", "", "", ""}, `column "Created" (created_at): "2026-11-01 01:30" happens twice in America/New_York (at -04:00 and at -05:00: the clocks went back an hour when daylight saving time ended), so the export does not say which; export times with their UTC offset (a layout ending in -07:00), or in UTC with timezone: UTC`},
		{"bool", []string{"1", "a", "", "", "", "TRUE", "", "", ""}, `column "Unsub" (unsubscribed): "TRUE" is neither true (Yes) nor false (No)`},
		{"format", []string{"1", "a", "", "", "", "", "1.234,50", "", ""}, `column "Revenue" (annual_revenue): want a number written like "$1,234.56", got "1.234,50" (format: at m.yaml:11:45)`},
		{"plain number", []string{"1", "a", "", "", "", "", "", "1,200", ""}, `column "Employees" (employees): want a number, got "1,200"; if the export writes numbers with a currency sign or thousands separators, say how with format:, such as {column: Employees, format: "$1,234.56"}`},
		{"whole", []string{"1", "a", "", "", "", "", "", "12.5", ""}, `column "Employees" (employees): want a whole number for employees, got "12.5"`},
		{"two", []string{"", "a", "X", "", "", "", "", "", ""}, `column "Record ID" is empty; every lead needs its id (id: at m.yaml:3:5); column "Country" (country): "X" is not in the values: of country (m.yaml:7:30); add it there, as "X": VALUE`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.Lead(c.rec)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

func TestEventRows(t *testing.T) {
	mp := mapping(t, full)
	r, warnings, err := mp.EventRows("a.csv", []string{"Activity ID", "Record ID", "Type", "Date", "Minutes", "Owner"})
	require.NoError(t, err)
	assert.Equal(t, []string{`a.csv:1: column "Owner" is neither mapped nor ignored, so no rule reads it; map it under fields: or list it under ignore: in m.yaml`}, warnings)
	id, lead, ev, err := r.Event([]string{"A1", "42", "Page View", "03/08/2026 01:59", "1.5", "x"})
	require.NoError(t, err)
	assert.Equal(t, "A1", id)
	assert.Equal(t, "42", lead)
	assert.Equal(t, "page_view", ev.Type)
	assert.True(t, ev.At.Equal(time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC)), ev.At)
	assert.Equal(t, map[string]any{"minutes": 1.5}, ev.Fields)

	_, lead, _, err = r.Event([]string{"A2", "42", "Demo", "03/08/2026 02:00", "x", ""})
	assert.Equal(t, "42", lead, "the lead id is read even when the row fails")
	assert.EqualError(t, err, `column "Type" (event type): "Demo" is not in the values: of type (m.yaml:17:24); add it there, as "Demo": VALUE; `+
		`column "Date" (event time): "03/08/2026 02:00" does not exist in America/New_York: the clocks skipped that hour when daylight saving time began; check that timezone: America/New_York is the zone the export writes in, or export times with their UTC offset (a layout ending in -07:00); `+
		`column "Minutes" (minutes): want a number, got "x"; if the export writes numbers with a currency sign or thousands separators, say how with format:, such as {column: Minutes, format: "$1,234.56"}`)
	_, _, _, err = r.Event([]string{"A3", "", "", "", "", ""})
	assert.EqualError(t, err, `column "Record ID" is empty; every activity needs the id of its lead (events.lead: at m.yaml:16:9); column "Type" is empty; every activity needs its type; column "Date" is empty; every activity needs the time it happened`)
}

// Local times around daylight-saving changes: the hour that does not
// exist fails, the hour that repeats fails, the minutes around them read.
func TestDaylightSaving(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	london, _ := time.LoadLocation("Europe/London")
	sydney, _ := time.LoadLocation("Australia/Sydney")
	const layout = "2006-01-02 15:04:05"
	cases := []struct {
		cell string
		loc  *time.Location
		want string // RFC 3339 in UTC, or the start of the error
	}{
		{"2026-03-08 01:59:59", ny, "2026-03-08T06:59:59Z"},
		{"2026-03-08 02:00:00", ny, "does not exist"},
		{"2026-03-08 02:59:59", ny, "does not exist"},
		{"2026-03-08 03:00:00", ny, "2026-03-08T07:00:00Z"},
		{"2026-11-01 00:59:59", ny, "2026-11-01T04:59:59Z"},
		{"2026-11-01 01:00:00", ny, "happens twice"},
		{"2026-11-01 01:59:59", ny, "happens twice"},
		{"2026-11-01 02:00:00", ny, "2026-11-01T07:00:00Z"},
		{"2026-03-29 01:30:00", london, "does not exist"},
		{"2026-10-25 01:30:00", london, "happens twice"},
		{"2026-10-25 02:30:00", london, "2026-10-25T02:30:00Z"},
		{"2026-04-05 02:30:00", sydney, "happens twice"},
		{"2026-10-04 02:30:00", sydney, "does not exist"},
		{"2026-07-01 12:00:00", time.UTC, "2026-07-01T12:00:00Z"},
	}
	for _, c := range cases {
		got, err := source.ParseTime(c.cell, layout, c.loc)
		if strings.Contains(c.want, "T") {
			require.NoError(t, err, c.cell)
			assert.Equal(t, c.want, got.UTC().Format(time.RFC3339), "%s in %s", c.cell, c.loc)
		} else {
			require.Error(t, err, "%s in %s", c.cell, c.loc)
			assert.Contains(t, err.Error(), c.want, "%s in %s", c.cell, c.loc)
		}
	}
	// A layout with a zone reads the zone, whatever the mapping's.
	got, err := source.ParseTime("2026-11-01T01:30:00-05:00", "2006-01-02T15:04:05Z07:00", ny)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-01T06:30:00Z", got.UTC().Format(time.RFC3339))
	// Without a layout: RFC 3339 as written, the zone-less shapes in the zone.
	got, err = source.ParseTime("2026-07-01", "", ny)
	require.NoError(t, err)
	assert.Equal(t, "2026-07-01T04:00:00Z", got.UTC().Format(time.RFC3339))
	got, err = source.ParseTime("2026-07-01T09:00:00Z", "", ny)
	require.NoError(t, err)
	assert.Equal(t, "2026-07-01T09:00:00Z", got.UTC().Format(time.RFC3339))
	_, err = source.ParseTime("07/01/2026", "", ny)
	assert.EqualError(t, err, `"07/01/2026" is not a time in a shape read without a layout (2026-03-01 09:30:00, 2026-03-01, or RFC 3339); give the column a layout:, such as "01/02/2006 15:04"`)
}

func TestNumberFormats(t *testing.T) {
	cases := []struct {
		format, cell string
		want         float64
		ok           bool
	}{
		{"$1,234.56", "$1,234.50", 1234.5, true},
		{"$1,234.56", "1,234.50", 1234.5, true},
		{"$1,234.56", "-$1,234", -1234, true},
		{"$1,234.56", "$-12", -12, true},
		{"$1,234.56", "1234.5", 1234.5, true},
		{"$1,234.56", "1,23.5", 0, false},
		{"$1,234.56", "1,2345", 0, false},
		{"$1,234.56", "12.", 0, false},
		{"$1,234.56", "€12", 0, false},
		{"1.234,56 €", "1.234.567,89 €", 1234567.89, true},
		{"1.234,56 €", "12,5", 12.5, true},
		{"1.234.567", "1.234.000", 1234000, true},
		{"1.234.567", "1.234,5", 1234.5, true},
		{"1.234,56", "0.125", 0, false},
		{"1.234,56", "12.34", 0, false},
		{"1234.567", "0.125", 0.125, true},
		{"1234.567", "1,234.5", 0, false},
		{"0.125", "0.125", 0.125, true},
		{"12345,678", "0,5", 0.5, true},
		{"1 234", "1 234", 1234, true},
		{"1,234,567", "1,000", 1000, true},
		{"1 234,56", "1 234 567,5", 1234567.5, true},
		{"1 234,56", "1\u00a0234,5", 1234.5, true},
		{"USD 1,234,567", "USD 2,000,000", 2000000, true},
		{"1234,5", "1234,75", 1234.75, true},
		{"1,234.567", "1,234.567", 1234.567, true},
		{"1'234.56", "1'000'000.5", 1000000.5, true},
	}
	for _, c := range cases {
		f, err := source.ParseNumberFormat(c.format)
		require.NoError(t, err, c.format)
		got, err := f.Parse(c.cell)
		if !c.ok {
			assert.EqualError(t, err, `want a number written like "`+c.format+`", got "`+c.cell+`"`)
			continue
		}
		require.NoError(t, err, "%s as %s", c.cell, c.format)
		assert.Equal(t, c.want, got, "%s as %s", c.cell, c.format)
	}
}

func TestBooleansByDefault(t *testing.T) {
	mp := mapping(t, header+"fields: {email: Email, unsubscribed: U}\n")
	r, _, err := mp.Leads("c.csv", []string{"Record ID", "Email", "U"})
	require.NoError(t, err)
	for cell, want := range map[string]bool{"TRUE": true, "yes": true, "1": true, "False": false, "NO": false, "0": false} {
		lead, err := r.Lead([]string{"1", "a", cell})
		require.NoError(t, err)
		assert.Equal(t, want, lead.Fields.(map[string]any)["unsubscribed"], cell)
	}
	_, err = r.Lead([]string{"1", "a", "Y"})
	assert.EqualError(t, err, `column "U" (unsubscribed): "Y" is neither true (true, yes, 1) nor false (false, no, 0)`)
}

func TestIsMapping(t *testing.T) {
	assert.True(t, source.IsMapping([]byte(full)))
	assert.False(t, source.IsMapping([]byte("leadscore: 1\nmodel: m\n")))
	assert.False(t, source.IsMapping([]byte("[")))
}

// The bundled mappings parse and check against the bundled model.
func TestBundledMappings(t *testing.T) {
	for _, name := range []string{"hubspot", "salesforce"} {
		mp, ds := source.CheckFile("../../testdata/crm/"+name+".yaml", model(t))
		assert.Empty(t, ds, name)
		require.NotNil(t, mp, name)
		assert.Equal(t, name, mp.Name)
	}
	_, ds := source.CheckFile("nope.yaml", nil)
	assert.Equal(t, dsl.Diagnostics{{Pos: dsl.Pos{File: "nope.yaml"}, Message: "cannot read the source mapping: open nope.yaml: no such file or directory", Err: ds[0].Err}}, ds)
}

// UTC and the Area/City zones are kept; the zone of a mapping is the one
// named, whatever the machine's.
func TestZonesKept(t *testing.T) {
	for _, name := range []string{"UTC", "Etc/UTC", "America/New_York", "Europe/Berlin", "America/Phoenix", "US/Eastern"} {
		mp, err := source.Parse("m.yaml", []byte(header+"timezone: "+name+"\nfields: {email: Email}\n"))
		require.NoError(t, err, name)
		assert.Equal(t, name, mp.ZoneName, name)
	}
}

// A layout with a zone abbreviation is refused when reading too: Go reads
// CEST as UTC, and EST in the machine's zone when the machine uses it.
func TestTimeLayoutWithAbbreviation(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, cell := range []string{"2026-07-01 10:00 CEST", "2026-07-01 10:00 EST", "2026-07-01 10:00 UTC"} {
		_, err := source.ParseTime(cell, "2006-01-02 15:04 MST", ny)
		require.Error(t, err, cell)
		assert.Contains(t, err.Error(), `"2006-01-02 15:04 MST" reads a zone abbreviation (MST), and abbreviations are ambiguous`)
	}
	got, err := source.ParseTime("2026-07-01 10:00 +02:00", "2006-01-02 15:04 -07:00", ny)
	require.NoError(t, err)
	assert.Equal(t, "2026-07-01T08:00:00Z", got.UTC().Format(time.RFC3339))
}

// A day written without a time of day is the day's first instant, also
// where daylight saving time begins at midnight and midnight is skipped
// (01:00 is the first instant), or ends at 01:00 and midnight happens
// twice (the first of them). A time of day at a skipped midnight still
// fails.
func TestDayAtMidnightChange(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	santiago, havana, beirut := load("America/Santiago"), load("America/Havana"), load("Asia/Beirut")
	cases := []struct {
		cell, layout string
		loc          *time.Location
		want         string // RFC 3339 in UTC, and the local clock then
	}{
		{"2026-09-06", "2006-01-02", santiago, "2026-09-06T04:00:00Z 01:00"},
		{"2026-09-06", "", santiago, "2026-09-06T04:00:00Z 01:00"},
		{"06/09/2026", "02/01/2006", santiago, "2026-09-06T04:00:00Z 01:00"},
		{"2026-09-07", "2006-01-02", santiago, "2026-09-07T03:00:00Z 00:00"},
		{"2026-03-08", "2006-01-02", havana, "2026-03-08T05:00:00Z 01:00"},
		{"2026-11-01", "2006-01-02", havana, "2026-11-01T04:00:00Z 00:00"},
		{"2026-03-29", "2006-01-02", beirut, "2026-03-28T22:00:00Z 01:00"},
	}
	for _, c := range cases {
		got, err := source.ParseTime(c.cell, c.layout, c.loc)
		require.NoError(t, err, "%s in %s", c.cell, c.loc)
		assert.Equal(t, c.want, got.UTC().Format(time.RFC3339)+" "+got.In(c.loc).Format("15:04"), "%s in %s", c.cell, c.loc)
	}
	_, err := source.ParseTime("2026-09-06 00:30", "2006-01-02 15:04", santiago)
	assert.EqualError(t, err, `"2026-09-06 00:30" does not exist in America/Santiago: the clocks skipped that hour when daylight saving time began; check that timezone: America/Santiago is the zone the export writes in, or export times with their UTC offset (a layout ending in -07:00)`)
}

// An export separated by something else than the mapping's delimiter reads
// as a header of one column: one problem, with the fix.
func TestHeaderDelimiterHint(t *testing.T) {
	mp := mapping(t, header+"fields: {email: Email}\n")
	cases := []struct {
		header []string
		want   string
	}{
		{[]string{"Record ID;Email"}, `c.csv:1: the header looks separated by ";": set delimiter: ";" in the mapping (m.yaml); read with "," between cells, it is one column, "Record ID;Email", so none of the columns the mapping reads is found`},
		{[]string{"Record ID\tEmail"}, `c.csv:1: the header looks separated by tabs: set delimiter: "\t" in the mapping (m.yaml); read with "," between cells, it is one column, "Record ID\tEmail", so none of the columns the mapping reads is found`},
		{[]string{"Record ID"}, `c.csv:1: the header has no column "Email", which fields.email (m.yaml:4:17) reads; fix the column name in the mapping, or export the column`},
	}
	for _, c := range cases {
		_, _, err := mp.Leads("c.csv", c.header)
		assert.EqualError(t, err, c.want)
	}
	semi := mapping(t, header+"delimiter: \";\"\nfields: {email: Email}\nevents: {lead: Record ID, type: T, at: A}\n")
	_, _, err := semi.Leads("c.csv", []string{"Record ID,Email"})
	assert.EqualError(t, err, `c.csv:1: the header looks separated by ",": take delimiter: out of the mapping (m.yaml), or set it to ","; read with ";" between cells, it is one column, "Record ID,Email", so none of the columns the mapping reads is found`)
	_, _, err = semi.EventRows("a.csv", []string{"Record ID|T|A"})
	assert.EqualError(t, err, `a.csv:1: the header looks separated by "|": set delimiter: "|" in the mapping (m.yaml); read with ";" between cells, it is one column, "Record ID|T|A", so none of the columns the mapping reads is found`)
	assert.Equal(t, ';', semi.Comma())
}

// leadscore check without --model still reports what the mapping alone
// shows: its warnings come back from CheckFile, positioned.
func TestCheckFileWarningsWithoutModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	require.NoError(t, os.WriteFile(path, []byte(header+"fields: {email: Email, title: Email}\n"), 0o644))
	mp, ds := source.CheckFile(path, nil)
	require.NotNil(t, mp)
	assert.Equal(t, path+`:4:31: warning: fields.title: column "Email" is also mapped to fields.email (`+path+`:4:17), so both read the same cells; map each to its own column unless that is meant`, ds.Error())
	assert.False(t, ds.HasErrors())
	mp, ds = source.CheckFile(path, model(t))
	require.NotNil(t, mp)
	assert.Len(t, ds, 1, "the warning once, with a model")
}

// A mapping file over 1 MiB is refused, read no further than a byte past
// it; a draft stops at a row or header over DraftOptions.MaxRow, unread.
func TestReadsAreBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, source.MaxFileSize+1))
	_, err := source.ParseFile(big)
	assert.EqualError(t, err, big+": the file is over 1 MiB; a source mapping is a page of YAML")

	_, err = source.Draft(source.DraftOptions{Contacts: strings.NewReader("Id,Email\n1,a@b.io\n2," + strings.Repeat("x", 2000) + "\n"), ContactsName: "c.csv", MaxRow: 1 << 10})
	assert.EqualError(t, err, "c.csv:3: the row is longer than 1 KiB, the most a row may hold, and was not read whole (raise the limit with --max-row (DraftOptions.MaxRow in Go))")
	_, err = source.Draft(source.DraftOptions{Contacts: strings.NewReader("Id,Email," + strings.Repeat("x", 2000) + "\n1,a@b.io,\n"), ContactsName: "c.csv", MaxRow: 1 << 10})
	assert.EqualError(t, err, "c.csv:1: the header line is longer than 1 KiB, the most a row may hold, so its last column names would be lost; check that the file is a CSV with one header line, or raise the limit with --max-row (DraftOptions.MaxRow in Go)")
}
