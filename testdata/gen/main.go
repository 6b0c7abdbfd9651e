// Command gen writes realistic leads with events for the bundled model,
// deterministically from a seed:
//
//	go run ./testdata/gen -n 1000 > testdata/leads.ndjson
//	go run ./testdata/gen -n 1000 -csv testdata/leads.csv,testdata/events.csv
//	go run ./testdata/gen -n 1000000 > /tmp/leads-1m.ndjson
//	go run ./testdata/gen -n 1000 -outcomes testdata/b2b-saas.yaml > testdata/outcomes.csv
//	go run ./testdata/gen -costs > testdata/costs.csv
//	go run ./testdata/gen -n 3000 -seed 12 > testdata/backtest/leads.ndjson
//	go run ./testdata/gen -n 3000 -seed 12 -realistic-outcomes > testdata/backtest/outcomes.csv
//	go run ./testdata/gen -n 1000 -dispositions testdata/b2b-saas.yaml > testdata/dispositions.csv
//	go run ./testdata/gen -paths -n 1000000 > /tmp/paths-1m.csv
//	go run ./testdata/gen -truth testdata/backtest/truth -n 8000
//	go run ./testdata/gen -n 1000 -crm testdata/crm
//	go run ./testdata/gen -n 100000 -stream > /tmp/stream-100k.ndjson
//
// Outcomes (opportunities and won deals) follow each lead's scoring
// timeline: leads that became sales-ready are far likelier to win.
//
// The bundled files are made with the default seed; regenerating them gives
// the same bytes.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/internal/gendata"
	"github.com/leadscore/leadscore/internal/leadgen"
)

func main() {
	n := flag.Int("n", 1000, "how many leads")
	seed := flag.Uint64("seed", 1, "random seed")
	csvFiles := flag.String("csv", "", "write CSV to LEADS,EVENTS instead of NDJSON to standard output")
	outcomes := flag.String("outcomes", "", "write the CRM outcomes of the leads, scored with this model, as CSV")
	costs := flag.Bool("costs", false, "write the campaigns' cost table as CSV")
	realistic := flag.Bool("realistic-outcomes", false, "write CRM outcomes with a lost column, drawn from each lead's traits (leadgen.RealisticOutcome), as exported at the base time")
	dispositions := flag.String("dispositions", "", "write sales' dispositions of the leads, scored with this model, as CSV")
	paths := flag.Bool("paths", false, "write n aggregated paths (path;total_conversions;total_conversion_value;total_null)")
	truth := flag.String("truth", "", "write the known-truth set for DIR/truth.yaml: DIR/leads.ndjson and DIR/outcomes.csv (leadgen.Truth)")
	crm := flag.String("crm", "", "write the leads as HubSpot-style and Salesforce-style exports into DIR (leadgen.CRMs), for DIR/hubspot.yaml and DIR/salesforce.yaml")
	streamLines := flag.Bool("stream", false, "write the leads as `leadscore stream` input: each lead's fields at its creation and each event, with ids, all in time order")
	flag.Parse()
	if *streamLines {
		if err := writeStream(os.Stdout, leadgen.New(*seed), *n); err != nil {
			fail(err)
		}
		return
	}
	if *crm != "" {
		if err := writeCRM(*crm, *seed, *n); err != nil {
			fail(err)
		}
		return
	}
	if *truth != "" {
		if err := writeTruth(*truth, *seed, *n); err != nil {
			fail(err)
		}
		return
	}
	if *paths {
		if err := leadgen.WritePaths(os.Stdout, *n, *seed); err != nil {
			fail(err)
		}
		return
	}
	g := leadgen.New(*seed)
	if *costs {
		fmt.Println("campaign,cost")
		for _, c := range leadgen.Costs {
			fmt.Println(c[0] + "," + c[1])
		}
		return
	}
	if *realistic {
		var out []leadgen.Outcome
		for i := 0; i < *n; i++ {
			out = append(out, leadgen.RealisticOutcome(*seed, g.Next(), leadgen.Base))
		}
		if err := leadgen.WriteOutcomesLost(os.Stdout, out); err != nil {
			fail(err)
		}
		return
	}
	if *dispositions != "" {
		scorer, err := leadscore.Load(*dispositions)
		if err != nil {
			fail(err)
		}
		if err := gendata.WriteDispositions(os.Stdout, scorer, *seed, *n); err != nil {
			fail(err)
		}
		return
	}
	if *outcomes != "" {
		if err := writeOutcomes(*outcomes, g, *n, *seed); err != nil {
			fail(err)
		}
		return
	}
	if *csvFiles == "" {
		if err := leadgen.WriteNDJSON(os.Stdout, g, *n); err != nil {
			fail(err)
		}
		return
	}
	names := strings.Split(*csvFiles, ",")
	if len(names) != 2 {
		fail(fmt.Errorf("-csv takes two files, LEADS,EVENTS"))
	}
	leads, err := os.Create(names[0])
	if err != nil {
		fail(err)
	}
	events, err := os.Create(names[1])
	if err != nil {
		fail(err)
	}
	if err := leadgen.WriteCSV(leads, events, g, *n); err != nil {
		fail(err)
	}
	if err := leads.Close(); err != nil {
		fail(err)
	}
	if err := events.Close(); err != nil {
		fail(err)
	}
}

// writeOutcomes scores each generated lead's timeline with the model and
// draws its CRM outcome from when it became sales-ready.
func writeOutcomes(model string, g *leadgen.Generator, n int, seed uint64) error {
	scorer, err := leadscore.Load(model)
	if err != nil {
		return err
	}
	var out []leadgen.Outcome
	for i := 0; i < n; i++ {
		l := g.Next()
		lead, at, err := gendata.SalesReady(scorer, l)
		if err != nil {
			return err
		}
		employees := 0
		if l.Employees != nil {
			employees = *l.Employees
		}
		last, err := time.Parse(time.RFC3339, l.CreatedAt)
		if err != nil {
			return err
		}
		for _, e := range lead.Events {
			if e.At.After(last) {
				last = e.At
			}
		}
		out = append(out, leadgen.Outcomes(seed, l.ID, last, at, employees))
	}
	return leadgen.WriteOutcomes(os.Stdout, out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

// writeTruth writes the known-truth leads and outcomes into dir.
func writeTruth(dir string, seed uint64, n int) error {
	leads, err := os.Create(dir + "/leads.ndjson")
	if err != nil {
		return err
	}
	defer leads.Close()
	outcomes, err := os.Create(dir + "/outcomes.csv")
	if err != nil {
		return err
	}
	defer outcomes.Close()
	if err := leadgen.WriteTruth(leads, outcomes, leadgen.Truth(seed, n)); err != nil {
		return err
	}
	if err := leads.Close(); err != nil {
		return err
	}
	return outcomes.Close()
}

// writeCRM writes each bundled CRM's exports of the leads into dir.
func writeCRM(dir string, seed uint64, n int) error {
	for _, c := range leadgen.CRMs {
		contactsName, activitiesName := c.Files()
		contacts, err := os.Create(filepath.Join(dir, contactsName))
		if err != nil {
			return err
		}
		activities, err := os.Create(filepath.Join(dir, activitiesName))
		if err != nil {
			contacts.Close()
			return err
		}
		err = c.Write(contacts, activities, leadgen.New(seed), n)
		if cerr := contacts.Close(); err == nil {
			err = cerr
		}
		if cerr := activities.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeStream writes n leads from g as the lines `leadscore stream` reads:
// {"lead_id","id":"fields-ID","fields":{...}} at the lead's creation and
// {"lead_id","id":"ID-i","type","at",...} for its i-th event, all sorted by
// time (a lead's fields before the events at the same time).
func writeStream(w io.Writer, g *leadgen.Generator, n int) error {
	type row struct {
		at     time.Time
		fields bool
		line   []byte
	}
	var rows []row
	add := func(at string, fields bool, v any) error {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return err
		}
		line, err := json.Marshal(v)
		rows = append(rows, row{t, fields, line})
		return err
	}
	for range n {
		data, err := json.Marshal(g.Next())
		if err != nil {
			return err
		}
		var lead map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&lead); err != nil {
			return err
		}
		id, _ := lead["id"].(string)
		events, _ := lead["events"].([]any)
		delete(lead, "id")
		delete(lead, "events")
		created, _ := lead["created_at"].(string)
		if err := add(created, true, map[string]any{"lead_id": id, "id": "fields-" + id, "fields": lead}); err != nil {
			return err
		}
		for i, e := range events {
			ev := e.(map[string]any)
			ev["lead_id"], ev["id"] = id, fmt.Sprintf("%s-%d", id, i)
			at, _ := ev["at"].(string)
			if err := add(at, false, ev); err != nil {
				return err
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if !rows[i].at.Equal(rows[j].at) {
			return rows[i].at.Before(rows[j].at)
		}
		return rows[i].fields && !rows[j].fields
	})
	bw := bufio.NewWriterSize(w, 1<<16)
	for _, r := range rows {
		bw.Write(r.line)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
