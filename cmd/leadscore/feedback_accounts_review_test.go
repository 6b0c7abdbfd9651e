package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// reviewModel is the bundled feedback model with a creation time, campaign
// and channel on events, a 10-day hold, and, when simple, a buying-group
// stage that needs only a decision maker at an A account (fit: software
// 25 + 1200 employees 25).
func reviewModel(t *testing.T, simple bool) string {
	t.Helper()
	src, err := os.ReadFile(td("accounts/feedback/model.yaml"))
	require.NoError(t, err)
	m := string(src)
	for _, r := range [][2]string{
		{"  title: string\n", "  title: string\n  created_at: time\n"},
		{"    hold: 30d", "    hold: 10d"},
	} {
		require.Contains(t, m, r[0])
		m = strings.Replace(m, r[0], r[1], 1)
	}
	if simple {
		old := `when: engaged() >= 3 && engaged("decision_maker") >= 1 && grade != "C"`
		require.Contains(t, m, old)
		m = strings.Replace(m, old, `when: people("decision_maker") >= 1 && grade == "A"`, 1)
		m = strings.Replace(m, "events:\n", "events:\n  campaign: string\n  channel: string\n", 1)
	}
	return writeTemp(t, "model.yaml", m)
}

func feedbackAccountsJSON(t *testing.T, model, accounts, leads, disp, at string) (feedback.Report, string) {
	t.Helper()
	code, out, errOut := leadscore(t, "", "feedback", "--accounts", writeTemp(t, "acc.ndjson", accounts), "--leads", writeTemp(t, "leads.ndjson", leads),
		"--model", model, "--dispositions", writeTemp(t, "d.csv", disp), "--at", at, "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var r feedback.Report
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	return r, errOut
}

// A person with no creation time and no event counts throughout. At A-T
// that is an intern (no role that makes it ready): the account is ready
// when its VP arrives, 09-10, and the 09-11 acceptance is its verdict. At
// A-U the timeless person is the VP: the account was ready before any
// moment the replay knows, so it is counted apart ("moment unknown", with
// a warning), not as never sales-ready.
func TestFeedbackAccountsTimelessPeople(t *testing.T) {
	model := reviewModel(t, true)
	r, errOut := feedbackAccountsJSON(t, model,
		`{"id":"A-T","domain":"t.com","industry":"Software","employees":1200}
{"id":"A-U","domain":"u.com","industry":"Software","employees":1200}
`,
		`{"id":"T0","email":"intern@t.com","title":"Intern","country":"US","events":[]}
{"id":"T1","email":"vp@t.com","title":"VP Sales","country":"US","created_at":"2026-09-10T00:00:00Z","events":[]}
{"id":"U0","email":"vp@u.com","title":"VP Sales","country":"US","events":[]}
{"id":"U1","email":"eng@u.com","title":"Engineer","country":"US","created_at":"2026-09-10T00:00:00Z","events":[]}
`,
		"account_id,at,status,reason,owner\nA-T,2026-09-11T00:00:00Z,accepted,,ana\nA-U,2026-09-11T00:00:00Z,accepted,,ana\n", "2026-10-01")
	assert.Equal(t, 2, r.Leads)
	assert.Equal(t, 1, r.SalesReady, "A-T")
	assert.Equal(t, 1, r.Accepted, "A-T's verdict, a day after its hand-off")
	require.Len(t, r.SLA.ByOwner, 1)
	assert.Equal(t, 0, r.NotHandedOff, "A-U is sales-ready, not never")
	assert.Equal(t, 1, r.MomentUnknown, "A-U")
	require.NotEmpty(t, r.Warnings)
	assert.Contains(t, r.Warnings[0], "1 account was sales-ready by the as-of time, but when is not known")
	assert.Contains(t, errOut, "2 used = 1 sales-ready by the as-of time + 1 sales-ready, moment unknown + 0 not\n")
}

// After a recycle on 09-02 12:00 and its 10-day hold, A-ONE stays ready
// (its people's webinars count 90 days, the engaged window 30 days, to
// 10-01): it is sales-ready again at the hold's end, 09-12 12:00, though
// none of its people has an event after it (A-TWO has one on 09-20, which
// alone made the replay look again before the fix).
func TestFeedbackAccountsReadyAgainAtTheHoldsEnd(t *testing.T) {
	model := reviewModel(t, false)
	people := func(dom, extra string) string {
		return `{"id":"` + dom + `1","email":"a@` + dom + `.com","title":"VP Sales","country":"US","events":[{"type":"webinar_attended","at":"2026-09-01T10:00:00Z","minutes":30}]}
{"id":"` + dom + `2","email":"b@` + dom + `.com","title":"Engineer","country":"US","events":[{"type":"webinar_attended","at":"2026-09-01T11:00:00Z","minutes":30}]}
{"id":"` + dom + `3","email":"c@` + dom + `.com","title":"Analyst","country":"US","events":[{"type":"webinar_attended","at":"2026-09-01T12:00:00Z","minutes":30}` + extra + `]}
`
	}
	r, _ := feedbackAccountsJSON(t, model,
		`{"id":"A-ONE","domain":"one.com","industry":"Software","employees":1200}
{"id":"A-TWO","domain":"two.com","industry":"Software","employees":1200}
`,
		people("one", "")+people("two", `,{"type":"email_click","at":"2026-09-20T12:00:00Z"}`),
		"account_id,at,status,reason,owner\nA-ONE,2026-09-02T12:00:00Z,recycled,bad_timing,ana\nA-TWO,2026-09-02T12:00:00Z,recycled,bad_timing,ana\n", "2026-10-15")
	assert.Equal(t, 2, r.Recycle.Leads)
	assert.Equal(t, 2, r.Recycle.SalesReadyAgain, "both, at 09-12 12:00")
	// Before the hold ends it is not again.
	r, _ = feedbackAccountsJSON(t, model,
		`{"id":"A-ONE","domain":"one.com","industry":"Software","employees":1200}`+"\n", people("one", ""),
		"account_id,at,status,reason,owner\nA-ONE,2026-09-02T12:00:00Z,recycled,bad_timing,ana\n", "2026-09-12T11:00:00Z")
	assert.Equal(t, 0, r.Recycle.SalesReadyAgain)
}

// A-X is handed off when its VP arrives (09-03); the engineer arrives on
// 09-20 with an older touch (09-02, campaign c-late). The sourcing touch
// is the VP's, c-p1 by email: the engineer was not there at the hand-off.
func TestFeedbackAccountsSourceFromPeoplePresent(t *testing.T) {
	model := reviewModel(t, true)
	r, _ := feedbackAccountsJSON(t, model,
		`{"id":"A-X","domain":"x.com","industry":"Software","employees":1200}`+"\n",
		`{"id":"P1","email":"a@x.com","title":"VP Sales","country":"US","created_at":"2026-09-03T00:00:00Z","events":[{"type":"email_click","at":"2026-09-03T00:00:00Z","campaign":"c-p1","channel":"email"}]}
{"id":"P2","email":"b@x.com","title":"Engineer","country":"US","created_at":"2026-09-20T00:00:00Z","events":[{"type":"email_click","at":"2026-09-02T00:00:00Z","campaign":"c-late","channel":"paid"}]}
`,
		"account_id,at,status,reason\nA-X,2026-09-04T00:00:00Z,accepted,\n", "2026-10-01")
	require.Len(t, r.Campaigns, 1)
	assert.Equal(t, "c-p1", r.Campaigns[0].Name)
	require.Len(t, r.Channels, 1)
	assert.Equal(t, "email", r.Channels[0].Name)
}

// An account whose own fields are invalid fails alike with people and
// without (as score --accounts fails it), and its verdicts are not "used":
// they are left out with their account, apart from failed rows, and the
// counts reconcile (1 used + 0 failed + 3 left out = 4 rows).
func TestFeedbackAccountsFailedAccountsVerdicts(t *testing.T) {
	model := reviewModel(t, true)
	accounts := writeTemp(t, "acc.ndjson", `{"id":"A-OK","domain":"ok.com","industry":"Software","employees":1200}
{"id":"A-LONE","domain":"lone.com","employees":12.5,"customer":"perhaps"}
{"id":"A-PEOPLE","domain":"people.com","employees":12.5,"customer":"perhaps"}
`)
	leads := writeTemp(t, "leads.ndjson", `{"id":"K1","email":"vp@ok.com","title":"VP Sales","country":"US","created_at":"2026-09-10T00:00:00Z","events":[]}
{"id":"P1","email":"vp@people.com","title":"VP Sales","country":"US","created_at":"2026-09-10T00:00:00Z","events":[]}
`)
	disp := writeTemp(t, "d.csv", "account_id,at,status,reason\nA-OK,2026-09-11T00:00:00Z,accepted,\nA-LONE,2026-09-11T00:00:00Z,accepted,\nA-PEOPLE,2026-09-11T00:00:00Z,accepted,\nA-PEOPLE,2026-09-12T00:00:00Z,rejected,too_small\n")
	code, out, errOut := leadscore(t, "", "feedback", "--accounts", accounts, "--leads", leads, "--model", model, "--dispositions", disp, "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code)
	bad := `: employees: want a whole number, got the number 12.5; customer: want true or false, got the text "perhaps"; the account is left out of the report`
	assert.Equal(t, accounts+":2: account A-LONE"+bad+"\n"+
		accounts+":3: account A-PEOPLE"+bad+"\n"+
		"3 account rows: 0 could not be read, 2 failed to score, 1 used = 1 sales-ready by the as-of time + 0 not\n"+
		"2 lead rows: 0 could not be read, 0 failed, 2 matched to an account, 0 unmatched\n"+
		"4 disposition rows: 1 used, 0 failed, 3 left out with their accounts\n", errOut)
	assert.Contains(t, out, "Warning: 3 of 4 disposition rows are on accounts that failed to score and are left out with their accounts.")
	assert.Contains(t, out, "1 account; 1 became sales-ready and went to sales; 1 got a verdict, 0 none yet.")
}

// A reason whose contradicts names only a lead rule judges nothing at
// account level: the report says so by name, with how many accounts were
// given it, rather than counting it among reasons given too rarely.
func TestFeedbackAccountsReasonOfLeadRulesOnly(t *testing.T) {
	src, err := os.ReadFile(reviewModel(t, true))
	require.NoError(t, err)
	m := strings.Replace(string(src), "contradicts: [decision_maker, account.breadth]", "contradicts: [fit.decision-maker]", 1)
	require.NotEqual(t, string(src), m)
	model := writeTemp(t, "m.yaml", m)
	var acc, leads, disp strings.Builder
	disp.WriteString("account_id,at,status,reason\n")
	for i := range 12 {
		fmt.Fprintf(&acc, `{"id":"A%d","domain":"a%d.com","industry":"Software","employees":1200}`+"\n", i, i)
		fmt.Fprintf(&leads, `{"id":"P%d","email":"vp@a%d.com","title":"VP Sales","country":"US","created_at":"2026-09-10T00:00:00Z","events":[]}`+"\n", i, i)
		fmt.Fprintf(&disp, "A%d,2026-09-11T00:00:00Z,rejected,no_buying_group\n", i)
	}
	r, _ := feedbackAccountsJSON(t, model, acc.String(), leads.String(), disp.String(), "2026-10-01")
	assert.Equal(t, 12, r.Rejected)
	assert.Equal(t, []string{"no_buying_group"}, r.NotJudged)
	require.Len(t, r.Warnings, 1)
	assert.Equal(t, "Reason no_buying_group contradicts fit.decision-maker, which names no account rule, roll-up or role, so it is not judged at account level (12 accounts were given it); name account rules, their categories or roles in its contradicts", r.Warnings[0])
	for _, e := range r.Evidence {
		assert.False(t, e.Contradicted, "no account rule or role is contradicted: %+v", e)
	}
}

// An unknown account id that differs from one only in case or in how an
// accented letter is encoded (NFD "C" + combining cedilla against NFC
// "Ç") is told which id it means.
func TestFeedbackAccountsDidYouMeanCaseAndNormalForm(t *testing.T) {
	model := reviewModel(t, true)
	accounts := writeTemp(t, "acc.ndjson", `{"id":"A-\u00c7af\u00e9","domain":"u.com","industry":"Software","employees":1200}
{"id":"A-ACME","domain":"acme.com","industry":"Software","employees":1200}
`)
	leads := writeTemp(t, "leads.ndjson", `{"id":"U1","email":"vp@u.com","title":"VP Sales","country":"US","created_at":"2026-09-10T00:00:00Z","events":[]}`+"\n")
	disp := writeTemp(t, "d.csv", "account_id,at,status,reason\nA-C\u0327afe\u0301,2026-09-11T00:00:00Z,accepted,\na-acme,2026-09-11T00:00:00Z,accepted,\n")
	code, _, errOut := leadscore(t, "", "feedback", "--accounts", accounts, "--leads", leads, "--model", model, "--dispositions", disp, "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code)
	same := `? (they differ only in case, spaces or how an accented letter is encoded); write the account_id as the accounts file does`
	assert.Contains(t, errOut, disp+":2: no account in the accounts file has the id \"A-C\u0327afe\u0301\"; did you mean \"A-\u00c7af\u00e9\""+same+"\n")
	assert.Contains(t, errOut, disp+`:3: no account in the accounts file has the id "a-acme"; did you mean "A-ACME"`+same+"\n")
	assert.Contains(t, errOut, "2 disposition rows: 0 used, 2 failed\n")
}

// A reason contradicting an account gate is refused in the words of
// accounts, at the gate's name in the file.
func TestFeedbackAccountsReasonOnAnAccountGate(t *testing.T) {
	src, err := os.ReadFile(td("accounts/feedback/model.yaml"))
	require.NoError(t, err)
	m := strings.Replace(string(src), "contradicts: [account.size]", "contradicts: [gate.customer]", 1)
	require.NotEqual(t, string(src), m)
	_, err = rules.CompileBytes("m.yaml", []byte(m))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rejection reason too_small contradicts gate.customer, an account gate; an account a gate stops never reaches sales, so no rejection can contradict it: name the account rules, categories or roles that made the account sales-ready")
}
