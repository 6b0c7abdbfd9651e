package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// acc is a file of the bundled accounts example.
func acc(name string) string { return td(filepath.Join("accounts", name)) }

// The leads of these tests: Ana (L01) and Ben (L02) of Acme, a person each.
const (
	ana = `{"id":"L01","email":"ana@acme.com","title":"VP Engineering","country":"US","events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]}`
	ben = `{"id":"L02","email":"ben@acme.com","title":"Engineering Manager","country":"US","events":[{"type":"page_view","at":"2026-09-20T10:00:00Z","url":"/pricing"}]}`
)

// diff --accounts names each lead that failed once: a lead the leads'
// impact could not score (a title that is a number) fails the account
// impact too, and was named twice.
func TestDiffAccountsNamesAFailedLeadOnce(t *testing.T) {
	leads := writeTemp(t, "leads.ndjson", ana+"\n"+
		`{"id":"L02","email":"ben@acme.com","title":"Engineering Manager","country":"US","created_at":"yesterday","events":[]}`+"\n"+
		`{"id":"L03","email":"cai@acme.com","title":42,"country":"US","events":[]}`+"\n")
	code, _, errOut := leadscore(t, "", "diff", acc("model.yaml"), acc("model-v2.yaml"), "--leads", leads, "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code, errOut)
	assert.Equal(t, 1, strings.Count(errOut, "leads.ndjson:3: lead L03: title"), errOut)
	assert.Equal(t, 1, strings.Count(errOut, "leads.ndjson:2: lead L02: created_at"), errOut)
	assert.Contains(t, errOut, "3 leads: under "+acc("model-v2.yaml")+" 1 matched (0 by account id, 1 by domain), 0 unmatched, 2 failed", errOut)
}

// Two rows of one lead id whose first is created after the as-of time:
// the first is counted as not yet created, the second fails, and its
// message says the first is not one of the account's people either
// (it said "an account counts each person once", as if the first were).
func TestDuplicateLeadOfALeadNotYetCreated(t *testing.T) {
	later := `{"id":"L01","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-10-05T00:00:00Z","events":[]}`
	earlier := `{"id":"L01","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-09-05T00:00:00Z","events":[]}`
	leads := writeTemp(t, "leads.ndjson", later+"\n"+earlier+"\n"+ben+"\n")
	want := "leads.ndjson:2: lead L01: account A-ACME has a lead with this id already (at line 1), created after the as-of time, so not yet one of its people; one lead id is one person, so this row was left out (counted as failed) and the account counts neither row"

	code, out, errOut := leadscore(t, "", "score", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, want)
	// 3 leads = 1 matched by domain (Ben) + 1 not yet created (line 1, also matched) + 1 failed.
	assert.Contains(t, errOut, "3 leads: 0 matched by account_id, 2 by domain, 0 unmatched, 1 failed")
	assert.Contains(t, errOut, "1 lead of the matched created after the as-of time")
	var acme map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		if r["id"] == "A-ACME" {
			acme = r
		}
	}
	require.NotNil(t, acme)
	assert.EqualValues(t, 1, acme["people"], "Ben alone")

	code, _, errOut = leadscore(t, "", "backtest", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01", "--outcomes", acc("outcomes.csv"), leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, want)

	code, _, errOut = leadscore(t, "", "attribute", "--model", acc("attribution/model.yaml"), "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01", "--outcomes", acc("outcomes.csv"), "--leads", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, want)
	assert.Contains(t, errOut, "1 lead created after it left out")
}

// diff --accounts' JSON counts the leads as its text does, with the
// matched leads not yet created (the text said 1; the JSON had no key).
func TestDiffAccountsJSONCountsLeadsNotYetCreated(t *testing.T) {
	later := `{"id":"L01","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-10-05T00:00:00Z","events":[]}`
	earlier := `{"id":"L01","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-09-05T00:00:00Z","events":[]}`
	leads := writeTemp(t, "leads.ndjson", later+"\n"+earlier+"\n"+ben+"\n"+`{"id":"L09","email":"joe@gmail.com","events":[]}`+"\n")
	code, out, errOut := leadscore(t, "", "diff", acc("model.yaml"), acc("model-v2.yaml"), "--leads", leads, "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01", "--format", "json")
	assert.Equal(t, exitProblem, code, errOut)
	var rep struct {
		AccountImpact struct {
			Leads map[string]int `json:"leads"`
		} `json:"account_impact"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	// 4 leads: line 1 matched but not yet created, line 2 failed (its id
	// is line 1's), Ben matched and a person, Joe unmatched (free mail).
	assert.Equal(t, map[string]int{"added": 4, "matched": 2, "matched_by_id": 0, "matched_by_domain": 2, "unmatched": 1, "failed": 1, "people": 1, "not_created": 1}, rep.AccountImpact.Leads)
	assert.Contains(t, errOut, "1 lead of the matched created after the as-of time")
}

// An email value holding several addresses matches no account (it was
// matched silently by the domain after its last "@"), with a reason that
// names the value, in every command that matches.
func TestSeveralAddressesMatchNoAccount(t *testing.T) {
	comma := `ana@acme.com, bo@globex.io`
	semi := `ben@acme.com;x@globex.io`
	leads := writeTemp(t, "leads.ndjson", `{"id":"L01","email":"`+comma+`","title":"VP Engineering","country":"US","events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]}`+"\n"+
		`{"id":"L02","email":"`+semi+`","title":"Engineering Manager","country":"US","events":[]}`+"\n"+
		`{"id":"L03","email":"cai@acme.com","title":"Engineer","country":"US","events":[]}`+"\n")
	reason := func(v string) string {
		return `email "` + v + `" holds several addresses, so it could be more than one company's people; write the person's own address alone`
	}

	code, _, errOut := leadscore(t, "", "score", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01", leads)
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "3 leads: 0 matched by account_id, 1 by domain, 2 unmatched, 0 failed")
	assert.Contains(t, errOut, "leads.ndjson:1: lead L01: no account_id; "+reason(comma))
	assert.Contains(t, errOut, "leads.ndjson:2: lead L02: no account_id; "+reason(semi))

	code, out, errOut := leadscore(t, "", "backtest", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01", "--outcomes", acc("outcomes.csv"), "--format", "json", leads)
	require.Contains(t, []int{exitOK, exitProblem}, code, errOut)
	var bt struct {
		Leads     map[string]int `json:"leads"`
		Unmatched []struct {
			ID     string `json:"id"`
			Reason string `json:"reason"`
		} `json:"unmatched"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &bt), out)
	assert.Equal(t, 2, bt.Leads["unmatched"])
	assert.Equal(t, 1, bt.Leads["matched_by_domain"])
	require.Len(t, bt.Unmatched, 2)
	assert.Contains(t, bt.Unmatched[0].Reason, reason(comma))

	in := `{"lead_id":"L01","fields":{"email":"` + comma + `","title":"VP Engineering","country":"US"}}` + "\n" +
		`{"lead_id":"L01","id":"e1","type":"demo_request","at":"2026-09-25T10:00:00Z"}` + "\n"
	code, _, errOut = leadscore(t, in, "stream", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "1 to no account (L01: no account_id; "+reason(comma)+")")
}

// declaredCreated is the accounts example's model with created_at declared
// a time.
func declaredCreated(t *testing.T) string {
	t.Helper()
	src := readFileT(t, acc("model.yaml"))
	require.Contains(t, src, "  country: string\n")
	return writeTemp(t, "model.yaml", strings.Replace(src, "  country: string\n", "  country: string\n  created_at: time\n", 1))
}

// Empty text in the created field is no creation time in every command,
// also when the model declares the field a time (the lead failed: "want a
// time ..., got \"\""): Ana, created "" with a demo request on 09-25, is a
// person of Acme from her first event, as an empty CSV cell makes her.
func TestEmptyCreatedIsAbsentWhenDeclared(t *testing.T) {
	model := declaredCreated(t)
	nd := writeTemp(t, "leads.ndjson", `{"id":"L01","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"  ","events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]}`+"\n"+
		`{"id":"L02","email":"ben@acme.com","title":"Engineering Manager","country":"US","created_at":"2026-09-01T00:00:00Z","events":[]}`+"\n")
	for _, args := range [][]string{
		{"score", "--model", model, "--at", "2026-10-01", "--accounts", acc("accounts.ndjson"), nd},
		{"score", "--model", model, "--at", "2026-10-01", nd},
		{"explain", "--model", model, "--at", "2026-10-01", "--accounts", acc("accounts.ndjson"), "--account", "A-ACME", nd},
		{"backtest", "--model", model, "--at", "2026-10-01", "--accounts", acc("accounts.ndjson"), "--outcomes", acc("outcomes.csv"), nd},
	} {
		code, out, errOut := leadscore(t, "", args...)
		assert.NotContains(t, errOut+out, "want a time", args)
		assert.NotContains(t, errOut+out, "failed, so not counted", args)
		if args[0] == "score" && len(args) > 6 {
			assert.Equal(t, exitOK, code, errOut)
			assert.Contains(t, errOut, "2 leads: 0 matched by account_id, 2 by domain, 0 unmatched, 0 failed")
			stage, total, ok := accountStanding(t, out, "A-ACME")
			require.True(t, ok)
			// fit 50; engagement: Ana 40 + Ben 0 on top, 5 for Ana engaged: 45.
			assert.Equal(t, "aware", stage)
			assert.Equal(t, 95.0, total)
		}
	}
	in := `{"lead_id":"L01","fields":{"email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":""}}` + "\n" +
		`{"lead_id":"L01","id":"e1","type":"demo_request","at":"2026-09-25T10:00:00Z"}` + "\n"
	code, out, errOut := leadscore(t, in, "stream", "--model", model, "--accounts", acc("accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitOK, code, errOut)
	_, _, stage, score := accountStandings(t, out, "A-ACME")
	assert.Equal(t, []string{"aware"}, stage)
	assert.Equal(t, []float64{95}, score)
}

// explain --account names every lead of the account that failed, whatever
// the reason (it named only a creation that is no time), with its line,
// and exits 1 as score --accounts does: Ben's title is a number, Cai's
// event has no time, Dee's creation is no time, Eve (Acme's by her
// account id, on a free-mail address) has an event field of the wrong
// type. Ana is the one person.
func TestExplainAccountNamesEveryFailedLead(t *testing.T) {
	leads := writeTemp(t, "leads.ndjson", ana+"\n"+
		`{"id":"L02","email":"ben@acme.com","title":42,"country":"US","events":[]}`+"\n"+
		`{"id":"L03","email":"cai@acme.com","title":"Engineer","country":"US","events":[{"type":"page_view","at":"yesterday"}]}`+"\n"+
		`{"id":"L04","email":"dee@acme.com","title":"Engineer","country":"US","created_at":"soon","events":[]}`+"\n"+
		`{"id":"L05","account_id":"A-ACME","email":"eve@gmail.com","title":"Engineer","country":"US","events":[{"type":"page_view","at":"2026-09-25T10:00:00Z","url":7}]}`+"\n"+
		`{"id":"L06","email":"gus@globex.io","title":7,"country":"US","events":[]}`+"\n")
	args := []string{"explain", "--model", acc("model.yaml"), "--at", "2026-10-01", "--accounts", acc("accounts.ndjson"), "--account", "A-ACME", leads}
	code, out, errOut := leadscore(t, "", append(args, "--format", "json")...)
	assert.Equal(t, exitProblem, code, errOut)
	var x struct {
		People int            `json:"people"`
		Failed []failedPerson `json:"failed"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &x), out)
	assert.Equal(t, 1, x.People)
	var got []string
	for _, f := range x.Failed {
		got = append(got, fmt.Sprintf("%s@%d", f.ID, f.Line))
	}
	assert.Equal(t, []string{"L02@2", "L03@3", "L04@4", "L05@5"}, got, "L06 is Globex's")
	require.Len(t, x.Failed, 4)
	assert.Equal(t, "title: want text, got the number 42", x.Failed[0].Reason)

	code, out, errOut = leadscore(t, "", args...)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, out, "leads.ndjson:3): failed, so not counted: event 1 (page_view): at: want a time")
	assert.Contains(t, out, "leads.ndjson:5): failed, so not counted: event page_view at 2026-09-25T10:00:00Z: url: want text, got the number 7")
	assert.NotContains(t, out, "L06")
}

// A fields line whose declared field has the wrong type, before the
// stream's first event, fails at its own line (it was taken, and its
// error blamed on the lead's later valid event lines, which were refused),
// with --accounts or not; the event lines are kept, the lead is counted as
// failed in the accounts summary (it was "to no account: no fields were
// given for it"), and Acme stands where score --accounts puts it on the
// same leads (Cai failing there too).
func TestStreamFieldsOfWrongTypeFailAtTheirLine(t *testing.T) {
	in := `{"lead_id":"L3","fields":{"email":"c@acme.com","title":"Analyst","country":"US","account_id":7}}
{"lead_id":"L1","fields":{"email":"a@acme.com","title":"CEO","country":"US"}}
{"lead_id":"L1","id":"e0","type":"demo_request","at":"2026-09-20T10:00:00Z"}
{"lead_id":"L3","id":"e1","type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}
{"lead_id":"L3","id":"e2","type":"page_view","at":"2026-09-22T10:00:00Z","url":"/pricing"}
`
	const wrong = "stdin:1: lead L3: account_id: want text, got the number 7"
	for _, accounts := range []bool{false, true} {
		args := []string{"stream", "--model", acc("model.yaml"), "--state", t.TempDir()}
		if accounts {
			args = append(args, "--accounts", acc("accounts.ndjson"))
		}
		code, out, errOut := leadscore(t, in, args...)
		assert.Equal(t, exitProblem, code, errOut)
		assert.Contains(t, errOut, wrong)
		assert.Equal(t, 1, strings.Count(errOut, "lead L3: account_id: want text"), "said once, at its line: %s", errOut)
		assert.Contains(t, errOut, "5 lines in: 4 applied, 0 duplicates skipped, 1 failed;")
		if !accounts {
			continue
		}
		assert.Contains(t, errOut, "2 leads in the store = 0 matched by id + 1 by domain + 0 to no account + 1 failed; failed: L3 (stdin:1: account_id: want text, got the number 7)")
		_, _, stage, score := accountStandings(t, out, "A-ACME")
		require.NotEmpty(t, stage)

		leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"a@acme.com","title":"CEO","country":"US","events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z"}]}
{"id":"L3","email":"c@acme.com","title":"Analyst","country":"US","account_id":7,"events":[{"type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"},{"type":"page_view","at":"2026-09-22T10:00:00Z","url":"/pricing"}]}
`)
		code, rows, errOut := leadscore(t, "", "score", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--at", "2026-09-22T10:00:00Z", leads)
		assert.Equal(t, exitProblem, code, errOut)
		assert.Contains(t, errOut, "leads.ndjson:2: lead L3: account_id: want text, got the number 7")
		wantStage, wantTotal, ok := accountStanding(t, rows, "A-ACME")
		require.True(t, ok)
		assert.Equal(t, wantStage, stage[len(stage)-1])
		assert.Equal(t, wantTotal, score[len(score)-1])
	}
}

// A lead whose only line, a fields line, failed is not in the store: the
// summary counts it as failed beside the store's leads, and says so.
func TestStreamAccountsSummaryCountsAFailedLeadNotStored(t *testing.T) {
	in := `{"lead_id":"L9","fields":{"email":"z@acme.com","title":7}}` + "\n" +
		`{"lead_id":"L1","fields":{"email":"a@gmail.com","title":"CEO","country":"US"}}` + "\n" +
		`{"lead_id":"L1","id":"e0","type":"demo_request","at":"2026-09-20T10:00:00Z"}` + "\n"
	code, _, errOut := leadscore(t, in, "stream", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, "2 leads in the store or failed = 0 matched by id + 0 by domain + 1 to no account (L1: no account_id; gmail.com is a free-mail domain) + 1 failed; failed: L9 (stdin:1: title: want text, got the number 7)")
}

// Ids given as JSON numbers of more than 15 digits keep their digits (a
// float64 read 12345678901234567 as 12345678901234568: two accounts were
// "one id given twice", two leads one lead), in the accounts file, the
// leads file (either way of reading a line) and the stream; a whole
// number of that size in an int field keeps them too, and one out of
// range is named with its own digits.
func TestLongNumericIDsKeepTheirDigits(t *testing.T) {
	accounts := writeTemp(t, "accounts.ndjson", `{"id":12345678901234567,"domain":"acme.com","industry":"Software","employees":1200}
{"id":12345678901234568,"domain":"globex.io","industry":"Fintech","employees":12345678901234567}
`)
	leads := writeTemp(t, "leads.ndjson", `{"id":12345678901234567,"email":"ana@acme.com","title":"VP Engineering","country":"US","events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]}
{"id":12345678901234568,"email":"ben@globex.io","title":"Engineering Manager","country":"US","events":[]}
{"id":12345678901234569,"email":"cai@globex.io","title":"Engineering Manager","country":"US","events":[],"unknown":{"x":1}}
`)
	code, out, errOut := leadscore(t, "", "score", "--model", acc("model.yaml"), "--at", "2026-10-01", "--accounts", accounts, leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "3 leads: 0 matched by account_id, 3 by domain, 0 unmatched, 0 failed")
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"12345678901234567", "12345678901234568"}, ids)
	assert.Contains(t, out, `"12345678901234569"`, "Cai, Globex's second person")

	code, out, errOut = leadscore(t, "", "score", "--model", acc("model.yaml"), "--at", "2026-10-01", leads)
	require.Equal(t, exitOK, code, errOut)
	for _, id := range []string{"12345678901234567", "12345678901234568", "12345678901234569"} {
		assert.Contains(t, out, `{"id":"`+id+`"`)
	}

	big := writeTemp(t, "big.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":99999999999999999999999}`+"\n")
	code, _, errOut = leadscore(t, "", "score", "--model", acc("model.yaml"), "--at", "2026-10-01", "--accounts", big, leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, "big.ndjson:1: account A1: employees: want a whole number, got the number 99999999999999999999999")

	in := `{"lead_id":12345678901234567,"fields":{"email":"a@acme.com","title":"CEO","country":"US"}}
{"lead_id":12345678901234568,"fields":{"email":"b@acme.com","title":"CEO","country":"US"}}
{"lead_id":12345678901234567,"id":1,"type":"demo_request","at":"2026-09-20T10:00:00Z"}
`
	code, out, errOut = leadscore(t, in, "stream", "--model", acc("model.yaml"), "--accounts", accounts, "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "2 leads in the store = 0 matched by id + 2 by domain")
	assert.Contains(t, out, `"lead_id":"12345678901234568"`)
	assert.Contains(t, out, `"account_id":"12345678901234567"`)
}

// An address written with a name ("Ann Lee <ann@acme.com>") is matched by
// the address in its brackets (it matched no account: its domain read as
// "acme.com>"), and an address with nothing before its "@" matches none,
// with the reason (it matched acme.com's account silently): in score,
// explain (a failed lead is named among the people of the account it
// would belong to) and stream.
func TestAddressWithNameAndAddressWithoutName(t *testing.T) {
	noName := `email "@acme.com" has no name before its "@", so it is no one's address; write the person's whole address, name@company.com, or the company's domain alone, company.com`
	leads := writeTemp(t, "leads.ndjson", `{"id":"L01","email":"Ann Lee <ann@acme.com>","title":"VP Engineering","country":"US","events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]}`+"\n"+
		`{"id":"L02","email":"@acme.com","title":"Engineering Manager","country":"US","events":[]}`+"\n"+
		`{"id":"L03","email":"\"Lee, Bo\" <bo@acme.com>","title":42,"country":"US","events":[]}`+"\n")

	code, out, errOut := leadscore(t, "", "score", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, "3 leads: 0 matched by account_id, 1 by domain, 1 unmatched, 1 failed")
	assert.Contains(t, errOut, "leads.ndjson:2: lead L02: no account_id; "+noName)
	acme := strings.Split(out, "\n")[0]
	assert.Contains(t, acme, `"id":"A-ACME"`)
	assert.Contains(t, acme, `"members":[{"id":"L01","matched":"domain"`)

	code, out, errOut = leadscore(t, "", "explain", "--model", acc("model.yaml"), "--at", "2026-10-01", "--accounts", acc("accounts.ndjson"), "--account", "A-ACME", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, out, "  L03 (")
	assert.Contains(t, out, "leads.ndjson:3): failed, so not counted: title: want text, got the number 42")
	assert.Contains(t, out, "  L01 (by domain)")

	in := `{"lead_id":"L01","fields":{"email":"Ann Lee <ann@acme.com>","title":"VP Engineering","country":"US"}}` + "\n" +
		`{"lead_id":"L02","fields":{"email":"@acme.com","title":"Engineer","country":"US"}}` + "\n" +
		`{"lead_id":"L01","id":"e1","type":"demo_request","at":"2026-09-25T10:00:00Z"}` + "\n"
	code, _, errOut = leadscore(t, in, "stream", "--model", acc("model.yaml"), "--accounts", acc("accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "1 by domain + 1 to no account (L02: no account_id; "+noName+")")
}
