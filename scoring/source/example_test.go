package source_test

import (
	"encoding/csv"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/source"
)

// Read a HubSpot contacts export as it comes out of the CRM, through its
// mapping: columns renamed, "United Kingdom" read as GB, "$34,902,819.00"
// as a number, "Jira;Marketo" as a list (an empty cell is missing), and
// local times (the portal's zone, America/New_York) as instants; then score
// each row.
func ExampleMapping_Leads() {
	model, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	mapping, err := source.ParseFile("../../testdata/crm/hubspot.yaml")
	if err != nil {
		log.Fatal(err)
	}
	if err := mapping.Check(model).Err(); err != nil {
		log.Fatal(err) // a column mapped to a field the model does not have, ...
	}
	f, err := os.Open("../../testdata/crm/hubspot-contacts.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = mapping.Comma()
	header, err := r.Read()
	if err != nil {
		log.Fatal(err)
	}
	rows, warnings, err := mapping.Leads("hubspot-contacts.csv", header)
	if err != nil {
		log.Fatal(err) // the export lacks a column the mapping reads
	}
	fmt.Println(len(warnings), "unmapped columns")

	s := scoring.New(model)
	for range 2 {
		rec, err := r.Read()
		if err != nil {
			log.Fatal(err)
		}
		lead, err := rows.Lead(rec) // fields only: events come from the activities export
		if err != nil {
			fmt.Println(err) // this row alone fails
			continue
		}
		fields := lead.Fields.(map[string]any)
		fmt.Printf("%s %v %.2f %v %s\n", lead.ID, fields["country"], fields["annual_revenue"], fields["tech_stack"], fields["created_at"].(time.Time).UTC().Format(time.RFC3339))
		res, err := s.Score(lead, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("  fit", res.Score("fit"), "grade", res.Grade, res.RuleIDs())
	}
	// Without their activities both leads have "gone quiet"; to score the
	// contacts with their events, give leadfile.Options a Source and Events.

	// Output:
	// 0 unmapped columns
	// 50000001 GB 34902819.00 [jira marketo] 2026-06-17T07:09:35Z
	//   fit 25 grade C [fit.mid-market fit.target-country engagement.gone-quiet gate.student]
	// 50000002 AU 48058969.00 <nil> 2026-04-06T07:49:52Z
	//   fit 35 grade C [fit.mid-market fit.practitioner fit.target-country engagement.gone-quiet]
}
