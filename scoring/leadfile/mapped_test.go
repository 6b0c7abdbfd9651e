package leadfile_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/source"
)

// Each bundled CRM export, read through its mapping, scores exactly as
// the canonical NDJSON of the same leads does: lead by lead, the same
// totals, scores, grade, stage, gates and rules fired; only the ids are
// the CRM's.
func TestCRMExportsScoreAsTheCanonicalLeads(t *testing.T) {
	s := scorer(t)
	want, errs, wantSum := run(t, leadfile.Options{Scorer: s, AsOf: asOf, Input: open(t, "leads.ndjson"), InputName: "leads.ndjson"})
	require.Empty(t, errs)
	wantRows := strings.Split(strings.TrimSpace(want), "\n")
	require.Len(t, wantRows, 1000)
	for _, crm := range leadgen.CRMs {
		t.Run(crm.Name, func(t *testing.T) {
			mapping, err := source.ParseFile(testdata(filepath.Join("crm", crm.Name+".yaml")))
			require.NoError(t, err)
			contacts, activities := crm.Files()
			var warnings []string
			got, errs, sum := run(t, leadfile.Options{Scorer: s, AsOf: asOf, Source: mapping,
				Input: open(t, "crm/"+contacts), InputName: contacts, Events: open(t, "crm/"+activities), EventsName: activities,
				OnWarning: func(w string) { warnings = append(warnings, w) }})
			require.Empty(t, errs)
			want := wantSum
			if crm.Name == "hubspot" { // its export repeats some activities, as HubSpot's do
				want.RepeatedEvents = 54
				assert.Equal(t, []string{`hubspot-activities.csv:99: 54 activity rows repeat an earlier row's id (column "Activity ID") and content; counted once`}, warnings)
			} else {
				assert.Empty(t, warnings, "every column is mapped or ignored")
			}
			assert.True(t, want.Equal(sum), "summaries: want %+v, got %+v", want, sum)
			gotRows := strings.Split(strings.TrimSpace(got), "\n")
			require.Len(t, gotRows, len(wantRows))
			for i := range wantRows {
				var w, g map[string]any
				require.NoError(t, json.Unmarshal([]byte(wantRows[i]), &w))
				require.NoError(t, json.Unmarshal([]byte(gotRows[i]), &g))
				assert.Equal(t, crm.RecordID(w["id"].(string)), g["id"], "row %d", i+1)
				w["id"] = g["id"]
				if !assert.Equal(t, w, g, "lead %s", g["id"]) {
					return
				}
			}
		})
	}
}

// Read (explain, diff, backtest) gives the same leads as the canonical
// file: the same fields and events, but for the ids and for unsubscribed,
// which the export writes as No where the canonical file leaves it out.
func TestCRMExportsReadAsTheCanonicalLeads(t *testing.T) {
	s := scorer(t)
	var want []scoring.Lead
	sc := bufio.NewScanner(open(t, "leads.ndjson"))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l, err := leadfile.DecodeJSON(sc.Bytes())
		require.NoError(t, err)
		want = append(want, l)
	}
	for _, crm := range leadgen.CRMs {
		mapping, err := source.ParseFile(testdata(filepath.Join("crm", crm.Name+".yaml")))
		require.NoError(t, err)
		contacts, activities := crm.Files()
		i := 0
		err = leadfile.Read(leadfile.Options{Scorer: s, Source: mapping, Input: open(t, "crm/"+contacts), InputName: contacts,
			Events: open(t, "crm/"+activities), EventsName: activities}, func(line int, got scoring.Lead, err error) error {
			require.NoError(t, err)
			w := want[i]
			i++
			assert.Equal(t, crm.RecordID(w.ID), got.ID)
			fields := got.Fields.(map[string]any)
			if fields["unsubscribed"] == false {
				delete(fields, "unsubscribed")
			}
			assert.Equal(t, normalize(w.Fields), normalize(got.Fields), "%s lead %s", crm.Name, got.ID)
			require.Len(t, got.Events, len(w.Events))
			for j := range w.Events {
				assert.True(t, w.Events[j].At.Equal(got.Events[j].At), "%s lead %s event %d", crm.Name, got.ID, j)
				assert.Equal(t, w.Events[j].Type, got.Events[j].Type)
				assert.Equal(t, normalize(w.Events[j].Fields), normalize(got.Events[j].Fields))
			}
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, len(want), i)
	}
}

// The bundled exports are what `go run ./testdata/gen -n 1000 -crm
// testdata/crm` writes.
func TestCRMExportsAreRegenerable(t *testing.T) {
	for _, crm := range leadgen.CRMs {
		var contacts, activities bytes.Buffer
		require.NoError(t, crm.Write(&contacts, &activities, leadgen.New(1), 1000))
		c, a := crm.Files()
		for name, got := range map[string]*bytes.Buffer{c: &contacts, a: &activities} {
			want := open(t, "crm/"+name)
			var b bytes.Buffer
			_, err := b.ReadFrom(want)
			require.NoError(t, err)
			assert.Equal(t, b.String(), got.String(), name)
		}
	}
}

// normalize writes the values of a lead's fields alike, however they were
// decoded: times in UTC as RFC 3339, numbers as float64, lists as strings.
func normalize(fields any) map[string]any {
	out := map[string]any{}
	m, _ := fields.(map[string]any)
	for k, v := range m {
		switch v := v.(type) {
		case time.Time:
			out[k] = v.UTC().Format(time.RFC3339Nano)
		case int:
			out[k] = float64(v)
		case []any:
			var items []string
			for _, item := range v {
				items = append(items, item.(string))
			}
			out[k] = items
		default:
			out[k] = v
		}
	}
	return out
}

// A bad cell fails its row alone; a bad activity fails its lead alone; an
// activity exported twice counts once; an activity of no lead is reported.
func TestMappedRowsFailAlone(t *testing.T) {
	mapping, err := source.Parse("m.yaml", []byte(`leadscore: 1
source: crm
id: Record ID
timezone: America/New_York
fields: {email: Email, created_at: {column: Created, layout: "2006-01-02 15:04"}}
events:
  id: Activity ID
  lead: Record ID
  type: {column: Type, values: {Demo Request: demo_request, Page View: page_view}}
  at: {column: Date, layout: "2006-01-02 15:04"}
`))
	require.NoError(t, err)
	contacts := "Record ID,Email,Created\n1,a@b.io,2026-09-01 10:00\n2,b@b.io,2026-03-08 02:30\n,c@b.io,\n3,d@b.io,\n"
	activities := "Activity ID,Record ID,Type,Date\nA1,1,Demo Request,2026-09-20 10:00\nA1,1,Demo Request,2026-09-20 10:00\nA2,3,Demo,2026-09-20 10:00\nA3,9,Page View,2026-09-20 10:00\n"
	var warnings []string
	out, errs, sum := run(t, leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping,
		Input: strings.NewReader(contacts), InputName: "c.csv", Events: strings.NewReader(activities), EventsName: "a.csv",
		OnWarning: func(w string) { warnings = append(warnings, w) }})
	assert.Equal(t, []string{
		`c.csv:3: lead 2: column "Created" (created_at): "2026-03-08 02:30" does not exist in America/New_York: the clocks skipped that hour when daylight saving time began; check that timezone: America/New_York is the zone the export writes in, or export times with their UTC offset (a layout ending in -07:00)`,
		`c.csv:4: column "Record ID" is empty; every lead needs its id (id: at m.yaml:3:5)`,
		"c.csv:5: lead 3: its activities could not all be read, and scoring it without them would be wrong:\n  a.csv:4: column \"Type\" (event type): \"Demo\" is not in the values: of type (m.yaml:9:24); add it there, as \"Demo\": VALUE",
		"a.csv:5: no lead in the leads file has Record ID \"9\"; the event was not used",
	}, errs)
	assert.Equal(t, []string{`a.csv:3: 1 activity row repeats an earlier row's id (column "Activity ID") and content; counted once`}, warnings)
	assert.Equal(t, 1, sum.RepeatedEvents)
	assert.Equal(t, 4, sum.Rows)
	assert.Equal(t, 1, sum.Scored)
	assert.Equal(t, 1, sum.UnmatchedEvents)
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &first))
	assert.Contains(t, first["fired"], "engagement.demo-request")
	assert.Equal(t, 40.0, first["scores"].(map[string]any)["engagement"], "the demo exported twice counts once")

	_, err = leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping, Input: strings.NewReader(contacts), InputName: "c.csv",
		Events: strings.NewReader("Activity ID,Record ID,Type,Date\nA1,,Page View,2026-09-20 10:00\n"), EventsName: "a.csv", Output: io.Discard})
	assert.EqualError(t, err, "the events file has bad rows; fix them, since leads scored without their events would be wrong:\n"+
		`a.csv:2: column "Record ID" is empty; every activity needs the id of its lead (events.lead: at m.yaml:8:9)`)

	// An activity row over the limit is a bad row too; a header over it fails the file.
	_, err = leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping, Input: strings.NewReader(contacts), InputName: "c.csv", MaxRow: 1 << 10,
		Events: strings.NewReader("Activity ID,Record ID,Type,Date\nA1,1,Page View,2026-09-20 10:00" + strings.Repeat(" ", 2000) + "\n"), EventsName: "a.csv", Output: io.Discard})
	assert.EqualError(t, err, "the events file has bad rows; fix them, since leads scored without their events would be wrong:\n"+
		"a.csv:2: the row is longer than 1 KiB, the most a row may hold, and was not read whole (raise the limit with --max-row (Options.MaxRow in Go))")
	_, err = leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping, Input: strings.NewReader(contacts), InputName: "c.csv", MaxRow: 1 << 10,
		Events: strings.NewReader("Activity ID,Record ID,Type,Date," + strings.Repeat("x", 2000) + "\n"), EventsName: "a.csv", Output: io.Discard})
	assert.EqualError(t, err, "a.csv:1: the header line is longer than 1 KiB, the most a row may hold, so its last column names would be lost; check that the file is a CSV with one header line, or raise the limit with --max-row (Options.MaxRow in Go)")

	_, err = leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping, Input: strings.NewReader("Record ID,E-mail\n"), InputName: "c.csv", Output: io.Discard, NoEvents: true})
	assert.EqualError(t, err, `c.csv:1: the header has no column "Email", which fields.email (m.yaml:5:17) reads; did you mean "E-mail"?
c.csv:1: the header has no column "Created", which fields.created_at (m.yaml:5:45) reads; fix the column name in the mapping, or export the column`)
}

// Activity ids: a row that repeats an earlier row's id and content is the
// same activity exported twice, counted once and counted in the summary;
// a row with an earlier row's id and other content fails, and the earlier
// row with it, each naming the other, since which activity the export
// means cannot be told. Columns under events.ignore do not count as
// content.
func TestMappedActivityIDs(t *testing.T) {
	mapping, err := source.Parse("m.yaml", []byte(`leadscore: 1
source: crm
id: Record ID
fields: {email: Email}
events:
  id: Activity ID
  lead: Record ID
  type: {column: Type, values: {Demo Request: demo_request, Page View: page_view}}
  at: Date
  ignore: [Exported At]
`))
	require.NoError(t, err)
	contacts := "Record ID,Email\n1,a@b.io\n2,b@b.io\n3,c@b.io\n4,d@b.io\n"
	activities := "Activity ID,Record ID,Type,Date,Exported At\n" +
		"A1,1,Demo Request,2026-09-20 10:00,2026-09-30\n" +
		"A1,1,Demo Request,2026-09-20 10:00,2026-10-01\n" + // the same activity, exported again: counted once
		"A2,2,Page View,2026-09-20 10:00,\n" +
		"A2,2,Demo Request,2026-09-20 10:00,\n" + // another activity with A2's id: both fail
		"A3,3,Page View,2026-09-21 10:00,\n" +
		"A3,4,Page View,2026-09-21 10:00,\n" + // another lead's activity with A3's id: both leads fail
		"A1,1,Demo Request,2026-09-20 10:00,\n"
	var warnings []string
	out, errs, sum := run(t, leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping,
		Input: strings.NewReader(contacts), InputName: "c.csv", Events: strings.NewReader(activities), EventsName: "a.csv",
		OnWarning: func(w string) { warnings = append(warnings, w) }})
	const fix = "two activities cannot share an id, so which one the export means cannot be told and neither is counted; fix the export, or map events.id to the column that tells activities apart (or leave events.id out if the export has none)"
	assert.Equal(t, []string{
		"c.csv:3: lead 2: its activities could not all be read, and scoring it without them would be wrong:\n" +
			`  a.csv:4: activity id "A2" (column "Activity ID") is also on line 5, with different content (column "Type": "Page View" on line 4, "Demo Request" on line 5); ` + fix + "\n" +
			`  a.csv:5: activity id "A2" (column "Activity ID") is also on line 4, with different content (column "Type": "Page View" on line 4, "Demo Request" on line 5); ` + fix,
		"c.csv:4: lead 3: its activities could not all be read, and scoring it without them would be wrong:\n" +
			`  a.csv:6: activity id "A3" (column "Activity ID") is also on line 7, with different content (column "Record ID": "3" on line 6, "4" on line 7); ` + fix,
		"c.csv:5: lead 4: its activities could not all be read, and scoring it without them would be wrong:\n" +
			`  a.csv:7: activity id "A3" (column "Activity ID") is also on line 6, with different content (column "Record ID": "3" on line 6, "4" on line 7); ` + fix,
	}, errs)
	assert.Equal(t, []string{`a.csv:3: 2 activity rows repeat an earlier row's id (column "Activity ID") and content; counted once`}, warnings)
	assert.Equal(t, 2, sum.RepeatedEvents)
	assert.Equal(t, 1, sum.Scored)
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &first))
	assert.Equal(t, 40.0, first["scores"].(map[string]any)["engagement"], "the demo exported three times counts once")
}

// A mapping with events.id the lead's column would keep one activity per
// lead: refused when the mapping is read.
func TestMappedActivityIDIsNotTheLead(t *testing.T) {
	_, err := source.Parse("m.yaml", []byte("leadscore: 1\nsource: crm\nid: Record ID\nfields: {email: Email}\nevents: {id: Record ID, lead: Record ID, type: T, at: A}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `m.yaml:5:31: events.lead: column "Record ID" is also events.id (m.yaml:5:14)`)
}

// delimiter: reads exports separated by something else than commas, the
// contacts and the activities alike.
func TestMappedDelimiter(t *testing.T) {
	mapping, err := source.Parse("m.yaml", []byte(`leadscore: 1
source: crm
id: Record ID
delimiter: ";"
fields: {email: Email, annual_revenue: {column: Revenue, format: "1.234,56"}}
events: {lead: Record ID, type: {column: Type, values: {Demo Request: demo_request}}, at: Date}
`))
	require.NoError(t, err)
	out, errs, _ := run(t, leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping,
		Input: strings.NewReader("Record ID;Email;Revenue\n1;a@b.io;1.250.000,50\n"), InputName: "c.csv",
		Events: strings.NewReader("Record ID;Type;Date\n1;Demo Request;2026-09-20 10:00\n"), EventsName: "a.csv"})
	require.Empty(t, errs)
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.Split(out, "\n")[0]), &first))
	assert.Equal(t, 40.0, first["scores"].(map[string]any)["engagement"])

	comma, err := source.Parse("m.yaml", []byte("leadscore: 1\nsource: crm\nid: Record ID\nfields: {email: Email}\n"))
	require.NoError(t, err)
	_, err = leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: comma, Input: strings.NewReader("Record ID;Email\n1;a@b.io\n"), InputName: "c.csv", Output: io.Discard, NoEvents: true})
	assert.EqualError(t, err, `c.csv:1: the header looks separated by ";": set delimiter: ";" in the mapping (m.yaml); read with "," between cells, it is one column, "Record ID;Email", so none of the columns the mapping reads is found`)
}
