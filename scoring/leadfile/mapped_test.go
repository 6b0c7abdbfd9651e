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
			assert.Empty(t, warnings, "every column is mapped or ignored")
			assert.True(t, wantSum.Equal(sum), "summaries: want %+v, got %+v", wantSum, sum)
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
		"a.csv:5: no lead in the leads file has this lead_id; the event was not used",
	}, errs)
	assert.Empty(t, warnings)
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

	_, err = leadfile.Score(leadfile.Options{Scorer: scorer(t), AsOf: asOf, Source: mapping, Input: strings.NewReader("Record ID,E-mail\n"), InputName: "c.csv", Output: io.Discard, NoEvents: true})
	assert.EqualError(t, err, `c.csv:1: the header has no column "Email", which fields.email (m.yaml:5:17) reads; did you mean "E-mail"?
c.csv:1: the header has no column "Created", which fields.created_at (m.yaml:5:45) reads; fix the column name in the mapping, or export the column`)
}
