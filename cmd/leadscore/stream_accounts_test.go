package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accountLines returns the account change lines of a stream's output.
func accountLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.Contains(l, `"account_id"`) {
			lines = append(lines, l)
		}
	}
	return lines
}

// accountStandings returns, for each account change line of account id in
// a stream's output, when it was, its cause, and the stage and score it
// changed to.
func accountStandings(t *testing.T, out, id string) (at, cause, stage []string, score []float64) {
	t.Helper()
	for _, l := range accountLines(out) {
		var line struct {
			AccountID string `json:"account_id"`
			At        string `json:"at"`
			Cause     string `json:"cause"`
			To        struct {
				Stage string  `json:"stage"`
				Score float64 `json:"score"`
			} `json:"to"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &line))
		if line.AccountID == id {
			at, cause = append(at, line.At), append(cause, line.Cause)
			stage, score = append(stage, line.To.Stage), append(score, line.To.Score)
		}
	}
	return at, cause, stage, score
}

// accountStanding returns the stage and total of account id in the rows of
// score --accounts, and whether it has a row.
func accountStanding(t *testing.T, rows, id string) (stage string, total float64, ok bool) {
	t.Helper()
	for _, r := range strings.Split(strings.TrimSuffix(rows, "\n"), "\n") {
		var row struct {
			ID    string  `json:"id"`
			Total float64 `json:"total"`
			Stage string  `json:"stage"`
		}
		require.NoError(t, json.Unmarshal([]byte(r), &row))
		if row.ID == id {
			return row.Stage, row.Total, true
		}
	}
	return "", 0, false
}

// The account changes of testdata/stream/accounts.ndjson (one account of
// three people, and a free-mail lead) under testdata/accounts's model,
// worked out by hand:
// fit 50 (Software, 1200 employees: grade A); engagement is the top three
// people's engagement and 5 for each person engaged (10 or more, active
// in the last 30 days). L1, before the first event, is matched at it: her
// demo request (40) makes the account aware, 50+40+5. L2's pricing page
// (10): 50+50+10, still aware. L3 (by account id) and her webinar (15):
// three engaged with a decision maker, buying-group and sales-ready,
// 50+65+15. On 2 October at 10:00 the demo request leaves its 30 days:
// 50+25+10, aware; on 4 October at 10:00 L3's last activity is 30 days
// old and L2's page view left the day before: none engaged, 50+15. L4, at
// a free-mail domain with no account id, is counted as matched to none.
func TestStreamAccountsHandWorked(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", dir, td("stream/accounts.ndjson"))
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, []string{
		`{"seq":2,"account_id":"A-ACME","at":"2026-09-02T10:00:00Z","cause":"event","lead_id":"L1","from":null,"to":{"stage":"aware","grade":"A","score":95,"sales_ready":false},"id":"e1"}`,
		`{"seq":7,"account_id":"A-ACME","at":"2026-09-04T10:00:00Z","cause":"event","lead_id":"L3","from":{"stage":"aware","grade":"A","score":95,"sales_ready":false},"to":{"stage":"buying-group","grade":"A","score":130,"sales_ready":true,"sales_ready_at":"2026-09-04T10:00:00Z"},"id":"e3"}`,
		`{"seq":10,"account_id":"A-ACME","at":"2026-10-02T10:00:00Z","cause":"recheck","from":{"stage":"buying-group","grade":"A","score":130,"sales_ready":true,"sales_ready_at":"2026-09-04T10:00:00Z"},"to":{"stage":"aware","grade":"A","score":85,"sales_ready":false}}`,
		`{"seq":12,"account_id":"A-ACME","at":"2026-10-04T10:00:00Z","cause":"recheck","from":{"stage":"aware","grade":"A","score":85,"sales_ready":false},"to":{"stage":"","grade":"A","score":65,"sales_ready":false}}`,
	}, accountLines(out))
	assert.Equal(t, `8 lines in: 8 applied, 0 duplicates skipped, 0 failed; 13 changes written (seq 1 to 13, 4 at a re-check); event clock 2026-10-10T00:00:00Z
accounts: 4 account changes among them; 4 leads in the store = 1 matched by id + 2 by domain + 1 to no account (L4: no account_id; gmail.com is a free-mail domain)
`, errOut)
}

// randomAccountsInput is a stream of people of testdata/accounts's
// accounts (and of none), in time order: fields at a lead's first line,
// events, and some leads' new email later (moving them to another account).
func randomAccountsInput(seed uint64, leads int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x57ea))
	domains := []string{"acme.com", "globex.io", "initech.com", "initech.co.uk", "umbrella.com", "hooli.com", "gmail.com", "nowhere.example"}
	titles := []string{"VP Engineering", "Engineering Manager", "Data Analyst", "Head of IT", "Student", "Director of Product"}
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	type row struct {
		at   time.Time
		line []byte
	}
	var rows []row
	for i := range leads {
		id := fmt.Sprintf("L%03d", i)
		first := start.Add(time.Duration(r.IntN(100*24)) * time.Hour)
		f := map[string]any{"email": fmt.Sprintf("p%d@%s", i, domains[r.IntN(len(domains))]), "title": titles[r.IntN(len(titles))], "country": "US"}
		if r.IntN(5) == 0 {
			f["account_id"] = []string{"A-ACME", "A-HOOLI", "A-NONE"}[r.IntN(3)]
		}
		line, _ := json.Marshal(map[string]any{"lead_id": id, "fields": f})
		rows = append(rows, row{first, line})
		for k := range r.IntN(6) {
			at := first.Add(time.Duration(1+r.IntN(60*24)) * time.Hour)
			e := map[string]any{"lead_id": id, "id": fmt.Sprintf("%s-%d", id, k), "at": at.Format(time.RFC3339)}
			switch r.IntN(4) {
			case 0:
				e["type"] = "demo_request"
			case 1:
				e["type"], e["url"] = "page_view", "/pricing"
			case 2:
				e["type"], e["minutes"] = "webinar_attended", 30
			default:
				e["type"] = "email_click"
			}
			line, _ := json.Marshal(e)
			rows = append(rows, row{at, line})
		}
		if r.IntN(4) == 0 {
			line, _ := json.Marshal(map[string]any{"lead_id": id, "fields": map[string]any{"email": fmt.Sprintf("p%d@%s", i, domains[r.IntN(len(domains))])}})
			rows = append(rows, row{first.Add(time.Duration(r.IntN(60*24)) * time.Hour), line})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	var b bytes.Buffer
	for _, x := range rows {
		b.Write(x.line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// A run stopped in the middle and started again on the rest of the input
// (the state database closed and opened again) writes the same changes,
// byte for byte, as one run; and at the end each account stands where
// score --accounts puts it as of the event clock, on the full history.
func TestStreamAccountsRestartAndScore(t *testing.T) {
	model, accounts := td("accounts/model.yaml"), td("accounts/accounts.ndjson")
	input := randomAccountsInput(7, 60)
	lines := bytes.SplitAfter(input, []byte("\n"))
	lines = lines[:len(lines)-1]

	code, straight, straightErr := leadscore(t, string(input), "stream", "--model", model, "--accounts", accounts, "--state", t.TempDir())
	require.Equal(t, exitOK, code, straightErr)
	require.Greater(t, len(accountLines(straight)), 10)

	dir := t.TempDir()
	var parts strings.Builder
	half := len(lines) / 2
	for _, part := range [][][]byte{lines[:half], lines[half:]} {
		code, out, errOut := leadscore(t, string(bytes.Join(part, nil)), "stream", "--model", model, "--accounts", accounts, "--state", dir)
		require.Equal(t, exitOK, code, errOut)
		parts.WriteString(out)
	}
	assert.Equal(t, straight, parts.String())

	// Each account's last change is where it stands at the event clock.
	last := map[string]accountChangeLine{}
	var clock time.Time
	for _, l := range strings.Split(strings.TrimSuffix(straight, "\n"), "\n") {
		var c accountChangeLine
		require.NoError(t, json.Unmarshal([]byte(l), &c))
		if c.At.After(clock) {
			clock = c.At
		}
		if c.AccountID != "" {
			last[c.AccountID] = c
		}
	}
	var leads bytes.Buffer
	byLead := map[string]map[string]any{}
	var order []string
	for _, l := range lines {
		var x map[string]any
		require.NoError(t, json.Unmarshal(l, &x))
		id := x["lead_id"].(string)
		if byLead[id] == nil {
			byLead[id] = map[string]any{"id": id, "events": []any{}}
			order = append(order, id)
		}
		if f, ok := x["fields"].(map[string]any); ok {
			for k, v := range f {
				byLead[id][k] = v
			}
			continue
		}
		delete(x, "lead_id")
		delete(x, "id")
		byLead[id]["events"] = append(byLead[id]["events"].([]any), x)
	}
	for _, id := range order {
		b, _ := json.Marshal(byLead[id])
		leads.Write(append(b, '\n'))
	}
	file := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(file, leads.Bytes(), 0o644))
	code, rows, errOut := leadscore(t, "", "score", "--model", model, "--accounts", accounts, "--at", clock.Format(time.RFC3339), file)
	require.Equal(t, exitOK, code, errOut)
	for _, l := range strings.Split(strings.TrimSuffix(rows, "\n"), "\n") {
		var row accountRow
		require.NoError(t, json.Unmarshal([]byte(l), &row))
		c, ok := last[row.ID]
		if !ok {
			assert.Zero(t, row.People, "account %s has people but no change line", row.ID)
			continue
		}
		assert.Equal(t, [3]any{row.Stage, row.Grade, row.SalesReady}, [3]any{c.To.Stage, c.To.Grade, c.To.SalesReady}, "account %s", row.ID)
	}
	// The stream's counts of matched leads are score's, all its leads.
	m := regexp.MustCompile(`(\d+) leads: (\d+) matched by account_id, (\d+) by domain, (\d+) unmatched`).FindStringSubmatch(errOut)
	require.NotNil(t, m, errOut)
	assert.Contains(t, straightErr, fmt.Sprintf("%s leads in the store = %s matched by id + %s by domain + %s to no account", m[1], m[2], m[3], m[4]))
}

// A state database built without --accounts, or with other accounts, is
// refused with --accounts, naming --rebuild; a bad row of the accounts
// file stops the run before it takes anything.
func TestStreamAccountsRefused(t *testing.T) {
	in, err := os.ReadFile(td("stream/accounts.ndjson"))
	require.NoError(t, err)
	streamAccountsIn := string(in)
	dir := t.TempDir()
	code, _, errOut := leadscore(t, streamAccountsIn, "stream", "--model", td("accounts/model.yaml"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	code, _, errOut = leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "was built without --accounts: its leads were matched to no account")
	assert.Contains(t, errOut, "--rebuild HISTORY.ndjson")

	dir = t.TempDir()
	code, _, errOut = leadscore(t, streamAccountsIn, "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	other := filepath.Join(t.TempDir(), "accounts.ndjson")
	require.NoError(t, os.WriteFile(other, []byte(`{"id":"A-ACME","domain":"acme.io","industry":"Software","employees":1200}`+"\n"), 0o644))
	code, _, errOut = leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", other, "--state", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "was built with other accounts")
	code, _, errOut = leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--state", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "keeps accounts (it was built with --accounts)")
	// --rebuild with the new accounts puts it right.
	history := filepath.Join(t.TempDir(), "history.ndjson")
	require.NoError(t, os.WriteFile(history, []byte(streamAccountsIn), 0o644))
	code, _, errOut = leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", other, "--state", dir, "--rebuild", history)
	require.Equal(t, exitOK, code, errOut)
	code, _, errOut = leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", other, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "4 leads in the store = 1 matched by id + 0 by domain + 3 to no account")

	bad := filepath.Join(t.TempDir(), "accounts.ndjson")
	require.NoError(t, os.WriteFile(bad, []byte(`{"id":"A-ACME","domain":"acme.com","employees":"many"}`+"\n"), 0o644))
	code, out, errOut := leadscore(t, streamAccountsIn, "stream", "--model", td("accounts/model.yaml"), "--accounts", bad, "--state", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, bad+":1:")
	assert.Contains(t, errOut, "nothing was taken")

	code, _, errOut = leadscore(t, "", "stream", "--model", td("b2b-saas.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "has no accounts section")
}

// errModel writes testdata/accounts's model with a role that fails for a
// person whose seniority is not a number: the lead scores, its account
// does not.
func errModel(t *testing.T) string { return seniorityModel(t, true) }

// seniorityModel is errModel, without its role when role is false.
func seniorityModel(t *testing.T, role bool) string {
	t.Helper()
	b, err := os.ReadFile(td("accounts/model.yaml"))
	require.NoError(t, err)
	s := strings.Replace(string(b), "  country: string\n", "  country: string\n  seniority: string\n", 1)
	if role {
		s = strings.Replace(s, "  roles:\n", "  roles:\n    senior: int(seniority) >= 3\n", 1)
	}
	require.NotEqual(t, string(b), s)
	file := filepath.Join(t.TempDir(), "model.yaml")
	require.NoError(t, os.WriteFile(file, []byte(s), 0o644))
	return file
}

// A line that fails at the accounts step fails alone: it writes no change
// line (of its lead either), uses no seq and stores nothing, so the next
// good line of the lead reports the change from where it stood before.
func TestStreamAccountsFailedLineWritesNothing(t *testing.T) {
	in := `{"lead_id":"L1","id":"e0","type":"demo_request","at":"2026-09-01T10:00:00Z"}
{"lead_id":"L1","id":"f1","fields":{"email":"ana@acme.com","title":"CEO","country":"US","seniority":"5"}}
{"lead_id":"L2","id":"f2","fields":{"email":"bo@acme.com","title":"CEO","country":"US","seniority":"five"}}
{"lead_id":"L2","id":"f4","fields":{"email":"bo@acme.com","title":"CEO","country":"US","seniority":"4"}}
`
	dir := t.TempDir()
	code, out, errOut := leadscore(t, in, "stream", "--model", errModel(t), "--accounts", td("accounts/accounts.ndjson"), "--state", dir)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "stdin:3: lead L2:")
	assert.Contains(t, errOut, "4 lines in: 3 applied, 0 duplicates skipped, 1 failed; 3 changes written (seq 1 to 3")
	var seqs []uint64
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var c struct {
			Seq    uint64          `json:"seq"`
			ID     string          `json:"id"`
			LeadID string          `json:"lead_id"`
			From   json.RawMessage `json:"from"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &c))
		seqs = append(seqs, c.Seq)
		assert.NotEqual(t, "f2", c.ID, "the failed line wrote a change: %s", l)
		if c.ID == "f4" {
			assert.Equal(t, "null", string(c.From), "L2 was stored by its failed line: %s", l)
		}
	}
	assert.Equal(t, []uint64{1, 2, 3}, seqs)
	// Nothing of the failed line is stored: with the first three lines
	// alone, L2 is not in the store, and A-ACME counts L1 only.
	dir = t.TempDir()
	first3 := strings.Join(strings.SplitAfter(in, "\n")[:3], "")
	code, _, errOut = leadscore(t, first3, "stream", "--model", errModel(t), "--accounts", td("accounts/accounts.ndjson"), "--state", dir)
	assert.Equal(t, exitProblem, code, errOut)
	// L2, whose one line failed, is counted as failed, with the line.
	assert.Contains(t, errOut, "2 leads in the store or failed = 0 matched by id + 1 by domain + 0 to no account + 1 failed; failed: L2 (stdin:3: ")
	code, dump, errOut := leadscore(t, "", "stream", "--model", errModel(t), "--state", dir, "--dump", "--at", "2026-09-01T10:00:00Z")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, 1, strings.Count(dump, "\n"), dump)
	assert.NotContains(t, dump, `"id":"L2"`)
}

// A key of an NDJSON accounts file the model does not declare is warned
// about once, at its first row, with the declared name nearest to it, as
// a CSV file's column is; the stream runs on (score --accounts reports it
// in the rows).
func TestStreamAccountsUndeclaredKeyWarned(t *testing.T) {
	file := filepath.Join(t.TempDir(), "accounts.ndjson")
	require.NoError(t, os.WriteFile(file, []byte(`{"id":"A-ACME","domain":"acme.com","industry":"Software","employees":1200}
{"id":"A-GLOBEX","domain":"globex.io","industy":"Fintech","employees":350}
{"id":"A-HOOLI","domain":"hooli.com","industy":"Software","employees":40,"tier":"gold"}
`), 0o644))
	code, _, errOut := leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", file, "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, `warning: `+file+`:2: key "industy" is not in the model, so no rule reads it (and in 1 more row); did you mean "industry"?
warning: `+file+`:3: key "tier" is not in the model, so no rule reads it
`, errOut[:strings.Index(errOut, "0 lines in")])
}

// A re-check due exactly at the stream's clock fires when an event brings
// the clock to it, before the event is taken: L1's demo request (1
// September, 10:00) leaves its 30 days on 1 October at 10:00, the time of
// L9's event, so A-ACME is back to fit alone (50) after that line, as
// score --accounts at that time finds it; and L1 falls back the same way.
func TestStreamAccountsRecheckAtClock(t *testing.T) {
	in := `{"lead_id":"L1","id":"f1","fields":{"email":"a@acme.com","title":"CEO","country":"US"}}
{"lead_id":"L1","id":"e1","type":"demo_request","at":"2026-09-01T10:00:00Z"}
{"lead_id":"L9","id":"f9","fields":{"email":"z@globex.io","title":"CEO"}}
{"lead_id":"L9","id":"e9","type":"demo_request","at":"2026-10-01T10:00:00Z"}
`
	code, out, errOut := leadscore(t, in, "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"account_id":"A-ACME","at":"2026-10-01T10:00:00Z","cause":"recheck","from":{"stage":"aware","grade":"A","score":95,"sales_ready":false},"to":{"stage":"","grade":"A","score":50,"sales_ready":false}}`)
	assert.Contains(t, out, `"lead_id":"L1","at":"2026-10-01T10:00:00Z","cause":"recheck"`)
}

// A person whose stored data cannot be scored (a role added to the model
// fails on its seniority) is left out of its account, named once, and
// does not fail the lines of its colleagues: L1's event is taken, and
// A-ACME is scored with L1 and L3, as score --accounts scores it with L2
// failed alone.
func TestStreamAccountsColleagueLeftOut(t *testing.T) {
	dir := t.TempDir()
	first := `{"lead_id":"L1","id":"f1","fields":{"email":"ana@acme.com","title":"CEO","country":"US","seniority":"5"}}
{"lead_id":"L2","id":"f2","fields":{"email":"bo@acme.com","title":"CEO","country":"US","seniority":"five"}}
{"lead_id":"L1","id":"e1","type":"demo_request","at":"2026-09-01T10:00:00Z"}
`
	code, out1, errOut := leadscore(t, first, "stream", "--model", seniorityModel(t, false), "--accounts", td("accounts/accounts.ndjson"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	second := `{"lead_id":"L3","id":"f3","fields":{"email":"cy@acme.com","title":"VP Engineering","country":"US","seniority":"4"}}
{"lead_id":"L1","id":"e2","type":"webinar_attended","at":"2026-09-02T10:00:00Z","minutes":40}
{"lead_id":"L3","id":"e3","type":"demo_request","at":"2026-09-03T10:00:00Z"}
`
	code, out, errOut := leadscore(t, second, "stream", "--model", errModel(t), "--accounts", td("accounts/accounts.ndjson"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, 1, strings.Count(errOut, "lead L2 is left out of account A-ACME"), errOut)
	assert.Contains(t, errOut, "3 lines in: 3 applied, 0 duplicates skipped, 0 failed")
	assert.Contains(t, errOut, "1 left out of their accounts")

	history := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(history, []byte(`{"id":"L1","email":"ana@acme.com","title":"CEO","country":"US","seniority":"5","events":[{"type":"demo_request","at":"2026-09-01T10:00:00Z"},{"type":"webinar_attended","at":"2026-09-02T10:00:00Z","minutes":40}]}
{"id":"L2","email":"bo@acme.com","title":"CEO","country":"US","seniority":"five","events":[]}
{"id":"L3","email":"cy@acme.com","title":"VP Engineering","country":"US","seniority":"4","events":[{"type":"demo_request","at":"2026-09-03T10:00:00Z"}]}
`), 0o644))
	code, rows, errOut := leadscore(t, "", "score", "--model", errModel(t), "--accounts", td("accounts/accounts.ndjson"), "--at", "2026-09-03T10:00:00Z", history)
	require.Equal(t, exitProblem, code, errOut)
	var acme accountRow
	for _, l := range strings.Split(strings.TrimSuffix(rows, "\n"), "\n") {
		var row accountRow
		require.NoError(t, json.Unmarshal([]byte(l), &row))
		if row.ID == "A-ACME" {
			acme = row
		}
	}
	require.Equal(t, 2, acme.People)
	var last accountChangeLine
	for _, l := range accountLines(out1 + out) {
		require.NoError(t, json.Unmarshal([]byte(l), &last))
	}
	require.Equal(t, "A-ACME", last.AccountID, out)
	assert.Equal(t, [3]any{acme.Stage, acme.Grade, acme.SalesReady}, [3]any{last.To.Stage, last.To.Grade, last.To.SalesReady})
}

// A lead whose fields came before the stream's first event time is scored
// when the clock gets one, with its own change line then (not at its next
// line), its result the one score gives as of that time.
func TestStreamAccountsWaitingLeadGetsItsLine(t *testing.T) {
	in := `{"lead_id":"L1","fields":{"email":"ana@acme.com","title":"VP Engineering","country":"US"}}
{"lead_id":"L2","fields":{"email":"ben@acme.com","title":"Engineering Manager"}}
{"lead_id":"L2","id":"e1","type":"demo_request","at":"2026-09-02T10:00:00Z"}
`
	code, out, errOut := leadscore(t, in, "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	var line struct {
		LeadID string          `json:"lead_id"`
		At     string          `json:"at"`
		Cause  string          `json:"cause"`
		Result json.RawMessage `json:"result"`
	}
	found := false
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		require.NoError(t, json.Unmarshal([]byte(l), &line))
		if line.LeadID == "L1" && line.Result != nil {
			found = true
			break
		}
	}
	require.True(t, found, "L1 has no change line:\n%s", out)
	assert.Equal(t, "2026-09-02T10:00:00Z", line.At)
	assert.Equal(t, "fields", line.Cause)
	code, row, errOut := leadscore(t, `{"id":"L1","email":"ana@acme.com","title":"VP Engineering","country":"US"}`+"\n", "score", "--model", td("accounts/model.yaml"), "--at", "2026-09-02T10:00:00Z", "--quiet")
	require.Equal(t, exitOK, code, errOut)
	assert.JSONEq(t, row, string(line.Result), "L1's line is score's row as of the first event")
	assert.Contains(t, errOut+out, `"total":35`)
}

// With --clock wall, an event dated after the wall clock is refused, its
// line named: taken as of its own time, it held back the lines of its
// account's other people (as of now, before it) until the clock passed it.
func TestStreamAccountsWallClockFutureEvent(t *testing.T) {
	future := time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339)
	past := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	in := `{"lead_id":"L1","fields":{"email":"ana@acme.com","title":"VP Engineering","country":"US"}}
{"lead_id":"L1","id":"e1","type":"demo_request","at":"` + future + `"}
{"lead_id":"L2","fields":{"email":"ben@acme.com","title":"Engineering Manager"}}
{"lead_id":"L2","id":"e2","type":"page_view","url":"/pricing","at":"` + past + `"}
`
	code, out, errOut := leadscore(t, in, "stream", "--clock", "wall", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "stdin:2: event demo_request at "+future+" is later than the wall clock")
	assert.Contains(t, errOut, "4 lines in: 3 applied, 0 duplicates skipped, 1 failed")
	assert.NotContains(t, errOut, "before the latest event taken")
	assert.NotContains(t, out, future)
	assert.Regexp(t, `"account_id":"A-ACME","at":"[^"]+","cause":"event","lead_id":"L2","from":\{"stage":"","grade":"A","score":50,"sales_ready":false\},"to":\{"stage":"aware"`, out, "L2's page view moves the account")
}

// An accounts file edited between runs (A-ACME's employees 1200 → 150,
// its industry taken out) is said at the restart, each field named with
// the account and its line; the accounts not edited, whose stored values
// went through JSON, are not named.
func TestStreamAccountsEditedFieldsWarned(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", dir, td("stream/accounts.ndjson"))
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, errOut, "warning")
	src, err := os.ReadFile(td("accounts/accounts.ndjson"))
	require.NoError(t, err)
	edited := strings.Replace(string(src), `"industry":"Software","employees":1200`, `"employees":150`, 1)
	require.NotEqual(t, string(src), edited)
	file := filepath.Join(t.TempDir(), "accounts.ndjson")
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o644))
	code, _, errOut = leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", file, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "warning: "+file+":1: account A-ACME: employees is 150, was 1200 when the account was last scored (the accounts file was edited since the last run); its stage and grade stay as they were until its next line or re-check re-scores it\n"+
		"warning: "+file+":1: account A-ACME: industry is absent, was \"Software\" when the account was last scored (the accounts file was edited since the last run); its stage and grade stay as they were until its next line or re-check re-scores it\n",
		errOut[:strings.Index(errOut, "0 lines in")])
	// Given the file it was scored with again, nothing is said.
	code, _, errOut = leadscore(t, "", "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, errOut, "warning")
}

// A lead created after the stream's clock is not yet one of its account's
// people, as score --accounts counts it at that time; the account takes
// it in at a re-check at its creation, where score --accounts then puts
// the account.
func TestStreamAccountsPersonJoinsAtCreation(t *testing.T) {
	in := `{"lead_id":"C1","fields":{"email":"c1@acme.com","title":"VP Engineering","country":"US","created_at":"2026-10-05T00:00:00Z"}}
{"lead_id":"C1","id":"e1","type":"demo_request","at":"2026-09-25T10:00:00Z"}
{"lead_id":"Z9","id":"z1","type":"page_view","at":"2026-10-06T00:00:00Z"}
`
	code, out, errOut := leadscore(t, in, "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	var got []string
	ats, causes, stages, scores := accountStandings(t, out, "A-ACME")
	for i := range ats {
		got = append(got, fmt.Sprintf("%s %s %q %v", ats[i], causes[i], stages[i], scores[i]))
	}
	lead := `{"id":"C1","email":"c1@acme.com","title":"VP Engineering","country":"US","created_at":"2026-10-05T00:00:00Z","events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]}` + "\n"
	var want []string
	for _, at := range []string{"2026-09-25T10:00:00Z", "2026-10-05T00:00:00Z"} {
		code, rows, errOut := leadscore(t, lead, "score", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--at", at, "--quiet")
		require.Equal(t, exitOK, code, errOut)
		if stage, total, ok := accountStanding(t, rows, "A-ACME"); ok {
			cause := "event"
			if len(want) > 0 {
				cause = "recheck"
			}
			want = append(want, fmt.Sprintf("%s %s %q %v", at, cause, stage, total))
		}
	}
	require.Equal(t, want, got, "the stream's account lines are score --accounts at their times")
	require.NotEqual(t, want[0], want[1])
}

// An account's re-check that fails is said, with what stays of the
// account, counted in the summary, and fails the run's status; and a
// re-check whose look-ahead fails is not lost (issue 30's review): the
// Hooli account is grade A from 2026-09-25T00:00 (L2, an engineer, joins
// and the engineers' roll-up gives 25), which score --accounts at that
// time says too; only at 2026-09-27T00:00, when L3 joins, does the
// roll-up 1e300 / (daysSince(created_at) + 1e-300) give +Inf (a
// division by 0 would fail L3 itself, not the account). The stream writes B to A
// at 09-25 as a re-check and reports the failure at 09-27, with its own
// time (it reported 09-25 as failed and kept B until 09-30).
func TestStreamAccountsFailedLookAheadKeepsTheRecheck(t *testing.T) {
	src := readFileT(t, td("accounts/model.yaml"))
	src = strings.Replace(src, "  country: string\n", "  country: string\n  created_at: time\n", 1)
	require.Contains(t, src, "  rules:\n    - id: account.industry")
	src = strings.Replace(src, "  rules:\n    - id: account.industry", `  rules:
    - {id: account.engineers, score: fit, people: count, points: 25, max: 25, when: 'title == "Engineer"'}
    - {id: account.fresh, score: engagement, people: sum, of: 1e300 / (daysSince(created_at) + 1e-300), when: 'title == "Analyst"'}
    - id: account.industry`, 1)
	model := writeTemp(t, "mrf.yaml", src)
	lines := `{"lead_id":"L1","id":"f1","fields":{"email":"a@hooli.com","title":"CEO","country":"US","created_at":"2026-09-01T00:00:00Z"}}
{"lead_id":"L1","id":"e1","type":"demo_request","at":"2026-09-20T10:00:00Z"}
{"lead_id":"L2","id":"f2","fields":{"email":"b@hooli.com","title":"Engineer","country":"US","created_at":"2026-09-25T00:00:00Z"}}
{"lead_id":"L3","id":"f3","fields":{"email":"c@hooli.com","title":"Analyst","country":"US","created_at":"2026-09-27T00:00:00Z"}}
{"lead_id":"L1","id":"e2","type":"page_view","at":"2026-09-30T10:00:00Z","url":"/pricing"}
`
	code, out, errOut := leadscore(t, lines, "stream", "--model", model, "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, out, `"account_id":"A-HOOLI","at":"2026-09-25T00:00:00Z","cause":"recheck","from":{"stage":"aware","grade":"B","score":70,"sales_ready":false},"to":{"stage":"aware","grade":"A","score":95,"sales_ready":false}}`)
	assert.Contains(t, errOut, "the re-check of account A-HOOLI at 2026-09-27T00:00:00Z failed")
	assert.NotContains(t, errOut, "at 2026-09-25T00:00:00Z failed")
	assert.Equal(t, 1, strings.Count(errOut, "failed, so its standing"))
	assert.Contains(t, errOut, "roll-up account.fresh gives +Inf points")
	assert.Contains(t, errOut, "it stands as last scored until a line of one of its people scores it again")
	assert.Contains(t, errOut, "5 lines in: 5 applied, 0 duplicates skipped, 0 failed;")
	assert.Contains(t, errOut, "; 1 re-check of accounts failed (named above)")

	// score --accounts at 09-25 agrees: grade A, 95.
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"a@hooli.com","title":"CEO","country":"US","created_at":"2026-09-01T00:00:00Z","events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z"}]}
{"id":"L2","email":"b@hooli.com","title":"Engineer","country":"US","created_at":"2026-09-25T00:00:00Z"}
`)
	code, out, errOut = leadscore(t, "", "score", "--model", model, "--accounts", td("accounts/accounts.ndjson"), "--at", "2026-09-25T00:00:00Z", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `{"id":"A-HOOLI","total":95,`)
	assert.Contains(t, out, `"grade":"A"`)
}

// A fields line whose created_at is no time fails at its own line
// whatever the order of the lines: before the first event (when the lead
// waits for the clock to be matched; it was taken, and failed later with
// no line, and again at its valid event lines) as after it. The event
// lines of the lead are kept in both orders.
func TestStreamAccountsBadCreatedAtFailsAtItsLine(t *testing.T) {
	fieldsLine := `{"lead_id":"L3","fields":{"email":"c@acme.com","title":"Analyst","country":"US","created_at":"soon"}}`
	l1 := `{"lead_id":"L1","fields":{"email":"a@acme.com","title":"CEO","country":"US"}}
{"lead_id":"L1","id":"e0","type":"demo_request","at":"2026-09-20T10:00:00Z"}`
	events := `{"lead_id":"L3","id":"e1","type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}
{"lead_id":"L3","id":"e2","type":"page_view","at":"2026-09-22T10:00:00Z","url":"/pricing"}`
	for _, tc := range []struct {
		name, in string
		line     int
	}{
		{"before the first event", fieldsLine + "\n" + l1 + "\n" + events + "\n", 1},
		{"after it", l1 + "\n" + fieldsLine + "\n" + events + "\n", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := leadscore(t, tc.in, "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
			assert.Equal(t, exitProblem, code, errOut)
			assert.Contains(t, errOut, fmt.Sprintf(`stdin:%d: lead L3: created_at is "soon", not a time: it says when the lead joins its account's people`, tc.line))
			assert.Equal(t, 1, strings.Count(errOut, `lead L3: created_at is "soon"`), "said once, at its line")
			assert.Contains(t, errOut, fmt.Sprintf(`failed: L3 (stdin:%d: created_at is "soon"`, tc.line), "counted as failed in the summary")
			assert.Contains(t, errOut, "5 lines in: 4 applied, 0 duplicates skipped, 1 failed;")
		})
	}
}

// The stream's accounts summary reconciles every lead the store keeps
// (it counted 12 of 16: a lead waiting for the first event time, or
// whose fields line failed, was in no count).
func TestStreamAccountsSummaryReconciles(t *testing.T) {
	in := `{"lead_id":"L1","fields":{"email":"a@acme.com","title":"CEO","country":"US"}}
{"lead_id":"L2","fields":{"email":"b@acme.com","title":"CTO","country":"US","created_at":"soon"}}
{"lead_id":"L2","id":"e2","type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}
{"lead_id":"L3","fields":{"email":"c@gmail.com","title":"CEO","country":"US"}}
`
	code, _, errOut := leadscore(t, in, "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitProblem, code, errOut)
	// L1 waits for the first event time (none before its line), then is
	// matched at L2's event; L2's fields line fails, so it has no fields
	// and no account: it failed, with the reason (it was counted to no
	// account, "no fields were given for it"); L3 is free mail.
	assert.Contains(t, errOut, "3 leads in the store = 0 matched by id + 1 by domain + 1 to no account (L3: no account_id; gmail.com is a free-mail domain) + 1 failed; failed: L2 (stdin:2: created_at is \"soon\", not a time")
	assert.NotContains(t, errOut, "no fields were given")

	code, _, errOut = leadscore(t, `{"lead_id":"L1","fields":{"email":"a@acme.com","title":"CEO","country":"US"}}`+"\n", "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "1 lead in the store = 0 matched by id + 0 by domain + 0 to no account + 1 not matched yet (waiting for the first event time)")
}

// --created-field names the field that says when a lead joins its
// account's people, in the stream as in score --accounts: the stream's
// account lines are score --accounts --created-field at their times, a
// store made under one field is not used under another, and the flag
// without --accounts is refused.
func TestStreamAccountsCreatedField(t *testing.T) {
	src, err := os.ReadFile(td("accounts/model.yaml"))
	require.NoError(t, err)
	text := strings.Replace(string(src), "  country: string\n", "  country: string\n  signup_at: time\n", 1)
	require.NotEqual(t, string(src), text)
	model := filepath.Join(t.TempDir(), "model.yaml")
	require.NoError(t, os.WriteFile(model, []byte(text), 0o644))
	accounts := td("accounts/accounts.ndjson")
	in := `{"lead_id":"C1","fields":{"email":"c1@acme.com","title":"VP Engineering","country":"US","signup_at":"2026-10-05T00:00:00Z"}}
{"lead_id":"C1","id":"e1","type":"demo_request","at":"2026-09-25T10:00:00Z"}
{"lead_id":"Z9","id":"z1","type":"page_view","at":"2026-10-06T00:00:00Z"}
`
	lead := `{"id":"C1","email":"c1@acme.com","title":"VP Engineering","country":"US","signup_at":"2026-10-05T00:00:00Z","events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]}` + "\n"
	acme := func(out string) []string {
		var got []string
		ats, _, stages, scores := accountStandings(t, out, "A-ACME")
		for i := range ats {
			got = append(got, fmt.Sprintf("%s %q %v", ats[i], stages[i], scores[i]))
		}
		return got
	}
	scored := func(at string, flags ...string) string {
		args := append([]string{"score", "--model", model, "--accounts", accounts, "--at", at, "--quiet"}, flags...)
		code, rows, errOut := leadscore(t, lead, args...)
		require.Equal(t, exitOK, code, errOut)
		stage, total, ok := accountStanding(t, rows, "A-ACME")
		require.True(t, ok, "score --accounts at %s wrote no row of A-ACME", at)
		return fmt.Sprintf("%s %q %v", at, stage, total)
	}

	state := t.TempDir()
	code, out, errOut := leadscore(t, in, "stream", "--model", model, "--accounts", accounts, "--created-field", "signup_at", "--state", state)
	require.Equal(t, exitOK, code, errOut)
	got := acme(out)
	want := []string{scored("2026-09-25T10:00:00Z", "--created-field", "signup_at"), scored("2026-10-05T00:00:00Z", "--created-field", "signup_at")}
	require.Equal(t, want, got, "the stream's account lines are score --accounts --created-field at their times")
	// Without the flag, signup_at is no creation: C1 is a person at its
	// demo, and the account's standing then differs.
	require.NotEqual(t, scored("2026-09-25T10:00:00Z"), want[0])

	// The store holds people matched under signup_at: under created_at
	// it is refused, with how to rebuild.
	code, _, errOut = leadscore(t, "", "stream", "--model", model, "--accounts", accounts, "--state", state)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "--rebuild")

	code, _, errOut = leadscore(t, "", "stream", "--model", model, "--created-field", "signup_at", "--state", t.TempDir())
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "--created-field goes with --accounts")
	code, _, errOut = leadscore(t, "", "stream", "--model", model, "--accounts", accounts, "--created-field", "title", "--state", t.TempDir())
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "title")
}

// A line whose JSON breaks after its lead_id names the lead, as score
// names a lead whose row breaks; a fields line of it counts the lead among
// the failed of the accounts summary, with the line and the reason (it
// was in no count, and the error named no lead). A lead_id given as a
// number keeps its digits; a line broken before its lead_id names none.
func TestStreamBrokenLineKeepsItsLead(t *testing.T) {
	in := `{"lead_id":"L1","id":"e0","type":"demo_request","at":"2026-09-01T10:00:00Z"}
{"lead_id":"L1","fields":{"email":"a@acme.com","title":"CEO","country":"US"}}
{"lead_id":"L2","fields":{"email":"b@acme.com","title":"CTO","country":"US"}
{"lead_id":12345678901234567,"id":"e9","type":"page_view","at":
{"id":"e8","lead_id":"L4","disposition":{"status":"rejected"},"fields":{
{"fields":{"email":"c@acme.com"},"lead_id":"L5"
{"fields":{"email":"d@acme.com"
`
	code, _, errOut := leadscore(t, in, "stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", t.TempDir())
	assert.Equal(t, exitProblem, code, errOut)
	const why = "not a JSON object (unexpected end of JSON input); each line is one event, field update or verdict"
	assert.Contains(t, errOut, "stdin:3: lead L2: "+why+"\n")
	assert.Contains(t, errOut, "stdin:4: lead 12345678901234567: "+why+"\n")
	assert.Contains(t, errOut, "stdin:5: lead L4: "+why+"\n")
	assert.Contains(t, errOut, "stdin:6: lead L5: "+why+"\n", "the lead_id may come after the fields")
	assert.Contains(t, errOut, "stdin:7: "+why+"\n", "no lead_id before the break")
	assert.Contains(t, errOut, "7 lines in: 2 applied, 0 duplicates skipped, 5 failed;")
	// L2's and L5's fields lines failed: they are counted as failed with
	// their lines; the event line of 12345678901234567 and L4's line (a
	// verdict, not fields) are no fields lines.
	assert.Contains(t, errOut, "3 leads in the store or failed = 0 matched by id + 1 by domain + 0 to no account + 2 failed; failed: L2 (stdin:3: "+why+"); L5 (stdin:6: "+why+")")
}
