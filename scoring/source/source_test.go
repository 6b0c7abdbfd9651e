package source_test

import (
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
		{"required", header + "fields: {title: T}\n", `m.yaml:3:1: warning: fields: model b2b-saas requires email, but no column is mapped to it, so every lead will fail; map the column that holds it`},
		{"option type", header + "fields: {email: Email, employees: {column: E, layout: \"2006-01-02\"}}\n", `m.yaml:4:47: fields.employees: layout: reads the cells of a time field, and employees is an int field; leave it out`},
		{"bool option", header + "fields: {email: Email, title: {column: T, \"true\": [Y]}}\n", `m.yaml:4:43: fields.title: true: names the true cells of a bool field, and title is a string field; leave it out`},
		{"ignored too", header + "fields: {email: Email}\nignore: [Email]\n", `m.yaml:4:17: fields.email: column "Email" is also under ignore:; take it out of one`},
		{"event field", header + "fields: {email: Email}\nevents: {lead: L, type: T, at: A, fields: {campain: C}}\n", `m.yaml:5:44: events.fields: "campain" is not an event field of model b2b-saas; did you mean "campaign"?`},
		{"event type", header + "fields: {email: Email}\nevents: {lead: L, type: {column: T, values: {Demo: demo}}, at: A}\n", `m.yaml:5:52: events.type.values: "Demo" reads as event type "demo", which model b2b-saas does not declare; its event types are email_open, email_click, page_view, content_download, webinar_registered, webinar_attended, demo_request, trial_signup`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mp, err := source.Parse("m.yaml", []byte(c.src))
			require.NoError(t, err)
			assert.Equal(t, c.want, mp.Check(m).Error())
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
		{"1.234", "1.234.000", 1234000, true},
		{"1 234,56", "1 234 567,5", 1234567.5, true},
		{"1 234,56", "1\u00a0234,5", 1234.5, true},
		{"USD 1,234", "USD 2,000,000", 2000000, true},
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
