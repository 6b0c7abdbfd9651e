package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// score --accounts holds the accounts' fields packed (internal/fieldpack)
// while the leads are read: every row it writes, and its summary, are
// those of the accounts held as the maps they were read into, for fields
// of every type, from NDJSON (nested objects, lists, long integers) and
// from CSV.
func TestScoreAccountsPackedFieldsScoreAsTheirMaps(t *testing.T) {
	model := writeTemp(t, "model.yaml", `leadscore: 1
model: packed
fields:
  email: string
  account_id: string
  title: string
scores:
  fit: {min: 0, max: 10}
rules:
  - {id: lead.title, score: fit, reason: A title, when: title != "", points: 5}
stages:
  - {id: mql, description: A title, when: fit >= 5, sales_ready: true}
accounts:
  match: {id_field: account_id, domain_from: email}
  fields:
    domain: string
    industry: string
    employees: int
    revenue: float
    customer: {type: bool, default: false}
    renewal: time
    tags: list
    hq.country: string
    big_id: string
  scores:
    fit: {min: 0, max: 100}
  rules:
    - {id: account.size, score: fit, reason: Large, when: employees >= 200, points: 20}
    - {id: account.revenue, score: fit, reason: Revenue, when: revenue > 1.5, points: 10}
    - {id: account.renewal, score: fit, reason: Renews soon, when: renewal < date("2026-12-01"), points: 15}
    - {id: account.tags, score: fit, reason: Tagged, when: '"saas" in tags', points: 25}
    - {id: account.country, score: fit, reason: German, when: hq.country == "DE", points: 5}
    - {id: account.people, score: fit, reason: People, people: count, points: 1, max: 10}
    - {id: gate.customer, disqualify: A customer, when: customer}
  grades:
    - {grade: A, when: fit >= 50}
    - {grade: B}
  stages:
    - {id: ready, description: Ready, when: fit >= 40, sales_ready: true}
`)
	var nd, csv, leads strings.Builder
	csv.WriteString("id,domain,industry,employees,revenue,customer,renewal,tags,big_id\n")
	for i := range 40 {
		fmt.Fprintf(&nd, `{"id":"A%02d","domain":"a%d.com","industry":"Soft\u00e9","employees":%d,"revenue":%g,"customer":%t,"renewal":"2026-%02d-15T10:30:00+02:00","tags":["%s","x%d"],"hq":{"country":"%s"},"big_id":"12345678901234567%d"}`+"\n",
			i, i, i*17, float64(i)/10, i%7 == 0, 1+i%12, []string{"saas", "crm", "crm"}[i%3], i, []string{"DE", "FR"}[i%2], i%10)
		fmt.Fprintf(&csv, "A%02d,a%d.com,Soft,%d,%g,%t,2026-%02d-15T10:30:00+02:00,%s|x%d,12345678901234567%d\n",
			i, i, i*17, float64(i)/10, i%7 == 0, 1+i%12, []string{"saas", "crm", "crm"}[i%3], i, i%10)
		for k := range i % 4 {
			fmt.Fprintf(&leads, `{"id":"L%02d-%d","email":"p%d@a%d.com","title":"T"}`+"\n", i, k, k, i)
		}
	}
	leadsFile := writeTemp(t, "leads.ndjson", leads.String())
	for _, accounts := range []string{writeTemp(t, "accounts.ndjson", nd.String()), writeTemp(t, "accounts.csv", csv.String())} {
		for _, grouped := range []bool{false, true} {
			args := []string{"score", "--model", model, "--at", "2026-10-01", "--accounts", accounts, leadsFile}
			if grouped {
				args = append(args, "--grouped")
			}
			code, packed, packedErr := leadscore(t, "", args...)
			require.Equal(t, exitOK, code, packedErr)
			packAccountFields = false
			code, maps, mapsErr := leadscore(t, "", args...)
			packAccountFields = true
			require.Equal(t, exitOK, code, mapsErr)
			assert.Equal(t, maps, packed, accounts)
			assert.Equal(t, mapsErr, packedErr, accounts)
			// Every rule fired for some account, and not for all: the
			// fields were read.
			for _, rule := range []string{"account.size", "account.revenue", "account.renewal", "account.tags", "account.people", "gate.customer", "account.country"} {
				n := strings.Count(packed, `"`+rule+`"`)
				if rule == "account.country" && strings.HasSuffix(accounts, ".csv") {
					continue // the CSV has no nested field
				}
				assert.True(t, n > 0 && n < 40, "%s: %s fired for %d accounts", accounts, rule, n)
			}
		}
	}
}

// loosenGC puts the collector's percent back when the last of the commands
// overlapping in one process ends, in whatever order they end, and leaves
// it alone when the environment sets GOGC or GOMEMLIMIT.
func TestLoosenGCOverlapping(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	os.Unsetenv("GOGC")
	os.Unsetenv("GOMEMLIMIT")
	percent := func() int {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	before := percent()
	defer debug.SetGCPercent(before)
	stopA := loosenGC(accountsGCPercent)
	require.Equal(t, accountsGCPercent, percent())
	stopB := loosenGC(accountsGCPercent)
	stopA() // A ends while B runs: B keeps the loosened collector
	require.Equal(t, accountsGCPercent, percent())
	stopB()
	require.Equal(t, before, percent(), "the last to end puts it back")

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}[env])
			stop := loosenGC(accountsGCPercent)
			require.Equal(t, before, percent(), "the user's choice")
			stop()
			require.Equal(t, before, percent())
		})
	}
}
