package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// referenceMember is a person's row as score --accounts wrote it before
// its rows were written by hand: encoding/json of this struct.
type referenceMember struct {
	ID           string         `json:"id"`
	Matched      string         `json:"matched"`
	Roles        []string       `json:"roles"`
	Engaged      bool           `json:"engaged"`
	Total        float64        `json:"total"`
	Scores       scoring.Scores `json:"scores"`
	Grade        string         `json:"grade"`
	Stage        string         `json:"stage"`
	SalesReady   bool           `json:"sales_ready"`
	Disqualified bool           `json:"disqualified"`
	Fired        []string       `json:"fired"`
}

func encodeJSON(t testing.TB, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return b.Bytes()
}

// referenceRow is an account's row by encoding/json, its people's rows
// included.
func referenceRow(t testing.TB, r *scoring.AccountResult) []byte {
	var members [][]byte
	for _, p := range r.Members {
		m := referenceMember{ID: p.LeadID, Matched: p.Matched, Roles: p.Roles, Engaged: p.Engaged, Total: p.Result.Total,
			Scores: scoresOf(p.Result), Grade: p.Result.Grade, Stage: p.Result.Stage, SalesReady: p.Result.SalesReady,
			Disqualified: p.Result.Disqualified}
		_, m.Fired = ruleIDs(p.Result)
		if m.Roles == nil {
			m.Roles = []string{}
		}
		members = append(members, bytes.TrimSuffix(encodeJSON(t, m), []byte("\n")))
	}
	return encodeJSON(t, newAccountRow(r, members))
}

// accountsData writes n generated accounts and their people (grouped by
// account, in the accounts' order), with some awkward ones: ids and
// titles with characters JSON escapes, an account with a field the
// accounts section does not declare, an account row without an id, a
// lead row that is not JSON and a lead whose title is escaped in JSON.
func accountsData(t testing.TB, dir string, n int, seed uint64) (accountsFile string, leadLines []string) {
	var ab, lb bytes.Buffer
	require.NoError(t, leadgen.WriteAccounts(&ab, &lb, leadgen.NewAccounts(seed), n, 6))
	accountLines := strings.Split(strings.TrimSuffix(ab.String(), "\n"), "\n")
	accountLines[1] = strings.Replace(accountLines[1], `"industry"`, `"region":"EMEA","industry"`, 1)
	accountLines = append(accountLines[:3], append([]string{`{"domain":"no-id.example"}`}, accountLines[3:]...)...)
	leadLines = strings.Split(strings.TrimSuffix(lb.String(), "\n"), "\n")
	leadLines[0] = strings.Replace(leadLines[0], `"id":"P`, `"id":"<&>\u2028é P`, 1)
	leadLines[1] = strings.Replace(leadLines[1], `"title":"`, `"title":"\u0056P \"quoted\" `, 1)
	leadLines = append(leadLines[:5], append([]string{`{"id": "broken"`}, leadLines[5:]...)...)
	accountsFile = filepath.Join(dir, "accounts.ndjson")
	require.NoError(t, os.WriteFile(accountsFile, []byte(strings.Join(accountLines, "\n")+"\n"), 0o644))
	return accountsFile, leadLines
}

func writeLines(t testing.TB, name string, lines []string) string {
	require.NoError(t, os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return name
}

// expectedAccountRows scores the accounts and leads through the library
// (leadfile.Read's maps, AccountScorer.Score, one lead at a time) and
// writes each account's row with encoding/json, in the accounts file's
// order; the account rows that fail are left out.
func expectedAccountRows(t testing.TB, s *scoring.AccountScorer, accountsFile, leadsFile string, asOf time.Time) string {
	f, err := os.Open(accountsFile)
	require.NoError(t, err)
	defer f.Close()
	var accounts []scoring.Account
	require.NoError(t, leadfile.ReadAccounts(leadfile.Options{Input: f, InputName: accountsFile}, s, func(_ int, a scoring.Account, err error) error {
		if err == nil {
			accounts = append(accounts, a)
		}
		return nil
	}))
	lf, err := os.Open(leadsFile)
	require.NoError(t, err)
	defer lf.Close()
	var leads []scoring.Lead
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s.Leads(), Input: lf, InputName: leadsFile}, func(_ int, lead scoring.Lead, err error) error {
		if err == nil {
			leads = append(leads, lead)
		}
		return nil
	}))
	out, err := s.Score(accounts, leads, asOf)
	require.NoError(t, err)
	var b bytes.Buffer
	for _, r := range out.Results {
		if r != nil {
			b.Write(referenceRow(t, r))
		}
	}
	return b.String()
}

// accountRows are the rows of score --accounts' output that are accounts
// scored (not an account row's error).
func accountRows(out string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(out, "\n") {
		if strings.Contains(line, `"members":`) {
			b.WriteString(line)
		}
	}
	return b.String()
}

var summaryRE = regexp.MustCompile(`(\d+) leads?: (\d+) matched by account_id, (\d+) by domain, (\d+) unmatched, (\d+) failed`)

// leadCounts reads the leads' summary line: leads, by id, by domain,
// unmatched, failed.
func leadCounts(t testing.TB, stderr string) [5]int {
	m := summaryRE.FindStringSubmatch(stderr)
	require.NotNil(t, m, stderr)
	var out [5]int
	for i := range out {
		out[i], _ = strconv.Atoi(m[i+1])
	}
	return out
}

// score --accounts, restructured to read leads on every core straight into
// the evaluator, to write its rows by hand and (with --grouped) to score
// each account as its leads end, writes the rows the library's one-lead-
// at-a-time path and encoding/json write, byte for byte: with and without
// --grouped, on one worker and on several, with the leads in order and
// shuffled (without --grouped).
func TestScoreAccountsEqualsTheLibraryPath(t *testing.T) {
	dir := t.TempDir()
	model := td("accounts/model.yaml")
	m, err := rules.CompileFile(model)
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	accountsFile, lines := accountsData(t, dir, 300, 5)
	grouped := writeLines(t, filepath.Join(dir, "grouped.ndjson"), lines)
	shuffled := append([]string(nil), lines...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	shuffledFile := writeLines(t, filepath.Join(dir, "shuffled.ndjson"), shuffled)

	want := expectedAccountRows(t, s, accountsFile, grouped, asOf)
	require.Equal(t, 300, strings.Count(want, "\n"))
	require.Contains(t, want, `"unknown":[{"kind":"key","name":"region"}]`)
	require.Contains(t, want, `"id":"<&>\u2028é P`)
	for _, c := range []struct {
		name  string
		leads string
		flags []string
	}{
		{"in order", grouped, nil},
		{"in order, one worker", grouped, []string{"--workers", "1"}},
		{"grouped", grouped, []string{"--grouped"}},
		{"grouped, one worker", grouped, []string{"--grouped", "--workers", "1"}},
		{"shuffled", shuffledFile, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"score", "--model", model, "--at", "2026-10-01", "--accounts", accountsFile}, c.flags...)
			code, out, errOut := leadscore(t, "", append(args, c.leads)...)
			assert.Equal(t, exitProblem, code, errOut) // the account without an id and the broken lead
			assert.Equal(t, want, accountRows(out))
			assert.Equal(t, 301, strings.Count(out, "\n"), "one row per row of the accounts file")
			assert.Contains(t, out, `{"id":"","line":4,"error":"the account has no id;`)
			n := leadCounts(t, errOut)
			assert.Equal(t, len(lines), n[0])
			assert.Equal(t, n[0], n[1]+n[2]+n[3]+n[4], "every lead is matched, unmatched or failed: %v", n)
			assert.Equal(t, 1, n[4], "the broken line fails alone")
			assert.Contains(t, errOut, "broken JSON")
		})
	}
}

// With --grouped, leads that do not come grouped by account in the
// accounts file's order fail alone, each with a message naming where its
// account's leads ended; every lead is still counted once; leads that do
// are scored as without it.
func TestScoreAccountsGroupedOutOfOrder(t *testing.T) {
	// The bundled example's leads come grouped in the accounts file's
	// order: --grouped changes nothing.
	code, out, errOut := leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--grouped",
		"--accounts", td("accounts/accounts.ndjson"), td("accounts/leads.ndjson"))
	assert.Equal(t, exitOK, code, errOut)
	golden(t, "accounts.ndjson", out)

	// Leads of A then B then A: the second A lead fails, naming the line
	// the first group ended at.
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A","domain":"a.com"}`+"\n"+`{"id":"B","domain":"b.com"}`+"\n")
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"x@a.com"}`+"\n"+`{"id":"L2","email":"y@b.com"}`+"\n"+`{"id":"L3","email":"z@a.com"}`+"\n")
	code, out, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--grouped", "--accounts", accounts, leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, leads+":3: lead L3: account A's leads ended at line 1, and --grouped scored it then, so this lead of it comes too late")
	assert.Contains(t, errOut, "3 leads: 0 matched by account_id, 2 by domain, 0 unmatched, 1 failed")
	assert.Contains(t, out, `{"id":"A",`)
	assert.Contains(t, out, `"people":1,`)
	assert.Contains(t, errOut, "2 accounts in: 2 scored, 0 failed")
	assert.Contains(t, errOut, "warning: 1 account was written before all of their leads came (A): --grouped scores an account when its leads seem to end, so these rows leave the late leads out")

	// Leads of B then A: A has had no lead when B's come, so it is scored
	// with no people and its lead fails.
	leads = writeTemp(t, "leads2.ndjson", `{"id":"L1","email":"y@b.com"}`+"\n"+`{"id":"L2","email":"x@a.com"}`+"\n")
	_, _, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--grouped", "--accounts", accounts, leads)
	assert.Contains(t, errOut, leads+":2: lead L2: leads of accounts after A in "+accounts+" came first, and --grouped scored A then, with no people")
	assert.Contains(t, errOut, "warning: 1 account was written before all of their leads came (A)")

	// The bundled leads backwards: three accounts are written short, and
	// the summary says which.
	lines := strings.Split(strings.TrimSpace(mustRead(t, td("accounts/leads.ndjson"))), "\n")
	slices.Reverse(lines)
	leads = writeTemp(t, "leads3.ndjson", strings.Join(lines, "\n")+"\n")
	code, _, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--grouped", "--accounts", td("accounts/accounts.ndjson"), leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "warning: 3 accounts were written before all of their leads came (A-ACME, A-GLOBEX, A-INITECH)")
	// In order, no warning.
	_, _, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--grouped", "--accounts", td("accounts/accounts.ndjson"), td("accounts/leads.ndjson"))
	assert.NotContains(t, errOut, "written before all")
}

// With --grouped, the people held at once are one account's: memory
// does not grow with the leads. Without it, every matched person is held
// until the leads end.
func TestScoreAccountsGroupedHoldsOneAccount(t *testing.T) {
	dir := t.TempDir()
	m, err := rules.CompileFile(td("accounts/model.yaml"))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	accountsFile, lines := accountsData(t, dir, 400, 8)
	leadsFile := writeLines(t, filepath.Join(dir, "leads.ndjson"), lines)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, grouped := range []bool{true, false} {
		run := &accountRun{}
		require.NoError(t, readAccountsFile(run, s, accountsFile, 0, io.Discard))
		f, err := os.Open(leadsFile)
		require.NoError(t, err)
		largest, flushed := 0, 0
		err = scoreAccounts(run, s, leadfile.Options{Input: f, InputName: leadsFile}, asOf, "", true, grouped, func(i int, people []member) error {
			require.Equal(t, flushed, i, "accounts are flushed once each, in order")
			flushed++
			largest = max(largest, len(people))
			return nil
		})
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, len(run.accounts), flushed)
		matched := run.byID + run.byDomain
		require.Greater(t, matched, 2000)
		if grouped {
			assert.Equal(t, largest, run.held, "grouped: at most the largest account's people at once")
			assert.Less(t, run.held, 12)
		} else {
			assert.Equal(t, matched, run.held, "not grouped: every matched person until the end")
		}
	}
}

// The rows written by hand are what encoding/json writes of the same
// rows, on random results with awkward strings, nil and empty lists.
func TestAccountRowsAreEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"", "a", "fit", "<b>&", "\"q\"", "é\u2028", "\x01\b\f", "\xff", "sales-ready"}
	word := func() string { return words[rng.IntN(len(words))] }
	list := func() []string {
		if rng.IntN(4) == 0 {
			return nil
		}
		out := []string{}
		for range rng.IntN(3) {
			out = append(out, word())
		}
		return out
	}
	num := func() float64 {
		return []float64{0, 1, -2.5, 1e-7, 1e21, 123.456, 33.333333333333336}[rng.IntN(7)]
	}
	result := func() scoring.Result {
		r := scoring.Result{LeadID: word(), Total: num(), Grade: word(), Stage: word(), SalesReady: rng.IntN(2) == 0, Disqualified: rng.IntN(2) == 0}
		for range rng.IntN(3) {
			r.Categories = append(r.Categories, scoring.CategoryScore{Name: word(), Score: num()})
		}
		for range rng.IntN(3) {
			r.Fired = append(r.Fired, scoring.Fired{Rule: word()})
		}
		for range rng.IntN(2) {
			r.Gates = append(r.Gates, scoring.Gate{Rule: word()})
		}
		return r
	}
	for range 500 {
		r := &scoring.AccountResult{Result: result(), People: rng.IntN(5), Engaged: rng.IntN(5), Missing: list()}
		for range rng.IntN(3) {
			r.Roles = append(r.Roles, scoring.RoleCount{Role: word(), People: rng.IntN(2), Engaged: rng.IntN(2)})
		}
		for range rng.IntN(2) {
			r.Unknown = append(r.Unknown, rules.Unknown{Kind: rules.UnknownKind(word()), Name: word(), DidYouMean: word()})
		}
		for range rng.IntN(3) {
			pr := result()
			r.Members = append(r.Members, &scoring.Person{LeadID: word(), Result: &pr, Roles: list(), Engaged: rng.IntN(2) == 0, Matched: word()})
		}
		var members [][]byte
		for _, p := range r.Members {
			members = append(members, appendMember(nil, p))
		}
		want := referenceRow(t, r)
		got := appendAccountRow(nil, r, members)
		require.Equal(t, string(want), string(got), fmt.Sprintf("%+v", r))
	}
}

// A second lead with the id of one of its account's people fails alone,
// named by its line and the first one's, and is counted once (as failed);
// the account counts the person once. So with --grouped.
func TestScoreAccountsDuplicateLead(t *testing.T) {
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A","domain":"a.com"}`+"\n")
	demo := `"events":[{"type":"demo_request","at":"2026-09-25T10:00:00Z"}]`
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"x@a.com",`+demo+`}`+"\n"+
		`{"id":"L2","email":"y@a.com"}`+"\n"+
		`{"id":"L1","email":"x@a.com",`+demo+`}`+"\n")
	for _, flags := range [][]string{nil, {"--grouped"}} {
		args := append([]string{"score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", accounts}, flags...)
		code, out, errOut := leadscore(t, "", append(args, leads)...)
		assert.Equal(t, exitProblem, code)
		assert.Contains(t, errOut, leads+":3: lead L1: account A has a lead with this id already (at line 1); an account counts each person once, so this one was left out")
		assert.Contains(t, errOut, "3 leads: 0 matched by account_id, 2 by domain, 0 unmatched, 1 failed")
		// L1's demo request gives it 40 engagement, once: the top 3 are 40 and 0.
		assert.Contains(t, out, `"scores":{"fit":0,"engagement":45},`)
		assert.Contains(t, out, `"people":2,`)
	}
	// One lead id at two accounts is one person given twice: the second
	// row fails, naming the first's line and account, in score, backtest
	// and attribute --accounts alike; B has no person.
	two := writeTemp(t, "two.ndjson", `{"id":"A","domain":"a.com"}`+"\n"+`{"id":"B","domain":"b.com"}`+"\n")
	leads = writeTemp(t, "moved.ndjson", `{"id":"L1","email":"x@a.com",`+demo+`}`+"\n"+
		`{"id":"L2","email":"y@a.com"}`+"\n"+
		`{"id":"L1","email":"x@b.com",`+demo+`}`+"\n")
	outcomes := writeTemp(t, "outcomes.csv", "account_id,opportunity,won,revenue,lost\nB,2026-10-05,2026-11-01,100,\n")
	const moved = ":3: lead L1: a lead with this id is already at line 1, a person of account A; this row matches account B, and one lead id is one person, who cannot count for two accounts, so this one was left out"
	for _, flags := range [][]string{nil, {"--grouped"}} {
		args := append([]string{"score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", two}, flags...)
		code, out, errOut := leadscore(t, "", append(args, leads)...)
		assert.Equal(t, exitProblem, code)
		assert.Contains(t, errOut, leads+moved)
		assert.Contains(t, out, `"missing_roles":["decision_maker","champion","user"],"members":[]}`, flags)
	}
	code, out, errOut := leadscore(t, "", "backtest", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", two, "--outcomes", outcomes, "--format", "json", leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, leads+moved)
	assert.Contains(t, out, `"people": 2,`)
	assert.Contains(t, out, `"failed": 1,`)
	code, _, errOut = leadscore(t, "", "attribute", "--accounts", two, "--leads", leads, "--model", td("accounts/attribution/model.yaml"), "--outcomes", outcomes, "--at", "2026-12-01")
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, leads+moved)

	// An account of many people looks its people up by id: the same.
	var many strings.Builder
	for i := range 40 {
		fmt.Fprintf(&many, `{"id":"L%d","email":"p%d@a.com"}`+"\n", i, i)
	}
	many.WriteString(`{"id":"L3","email":"again@a.com"}` + "\n")
	leads = writeTemp(t, "many.ndjson", many.String())
	code, out, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", accounts, leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, leads+":41: lead L3: account A has a lead with this id already (at line 4);")
	assert.Contains(t, out, `"people":40,`)
}

// explain --account writes a roll-up that gives nothing with "-", as it
// writes a lead's rules that did not fire, says why when people were
// counted, and leaves it out of the points.
func TestExplainAccountZeroPointRollup(t *testing.T) {
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A","domain":"a.com"}`+"\n")
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"x@a.com","events":[]}`+"\n")
	code, out, errOut := leadscore(t, "", "explain", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--account", "A", "--accounts", accounts, leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `from its people (roll-ups):
  account.top-engagement       engagement        -  top 3 of engagement
      L1 0
      (they add up to 0 points: not fired)
  account.breadth              engagement        -  count, 5 each, people with engagement >= 10, active within 30d
      nobody counted
`)
	code, out, errOut = leadscore(t, "", "explain", "--format", "json", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--account", "A", "--accounts", accounts, leads)
	require.Equal(t, exitOK, code, errOut)
	var x struct {
		Fired   []string        `json:"fired"`
		Points  []scoring.Fired `json:"points"`
		Rollups []scoring.RollupPoints
	}
	require.NoError(t, json.Unmarshal([]byte(out), &x))
	assert.Empty(t, x.Fired)
	assert.Empty(t, x.Points)
	require.Len(t, x.Rollups, 2)
	assert.Equal(t, []scoring.PersonPoints{{LeadID: "L1", Value: 0}}, x.Rollups[0].From)
}

// score --accounts keeps the first 100 unmatched and failed leads for
// stderr and counts the rest, writing every unmatched lead to --unmatched
// as it comes: what it holds does not grow with the leads.
func TestScoreAccountsManyUnmatchedAndFailed(t *testing.T) {
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A","domain":"a.com"}`+"\n")
	var b strings.Builder
	for i := range 130 {
		fmt.Fprintf(&b, `{"id":"U%d","email":"u%d@gmail.com"}`+"\n", i, i)
	}
	for i := range 105 {
		fmt.Fprintf(&b, `{"id":"F%d","email":"f%d@a.com","title":%d}`+"\n", i, i, i)
	}
	b.WriteString(`{"id":"M1","email":"m@a.com"}` + "\n")
	leads := writeTemp(t, "leads.ndjson", b.String())
	unmatched := filepath.Join(t.TempDir(), "unmatched.ndjson")
	code, out, errOut := leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", accounts, "--unmatched", unmatched, leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, `"people":1,`)
	assert.Contains(t, errOut, "236 leads: 0 matched by account_id, 1 by domain, 130 unmatched, 105 failed\n")
	assert.Equal(t, 100, strings.Count(errOut, "\nunmatched: "))
	assert.Contains(t, errOut, "(30 more unmatched leads not shown; --unmatched FILE writes them all)\n")
	assert.Equal(t, 100, strings.Count(errOut, ": want text, got the number"))
	assert.Contains(t, errOut, "(5 more not shown)\n")
	data, err := os.ReadFile(unmatched)
	require.NoError(t, err)
	assert.Equal(t, 130, strings.Count(string(data), "\n"))
	assert.Contains(t, string(data), `{"id":"U129","line":130,"reason":"no account_id; gmail.com is a free-mail domain"}`+"\n")

	// No unmatched lead: --unmatched is written, empty.
	leads = writeTemp(t, "one.ndjson", `{"id":"M1","email":"m@a.com"}`+"\n")
	code, _, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", accounts, "--unmatched", unmatched, leads)
	assert.Equal(t, exitOK, code, errOut)
	data, err = os.ReadFile(unmatched)
	require.NoError(t, err)
	assert.Empty(t, data)
}

// failingWriter takes n bytes, then fails.
type failingWriter struct{ n int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(b)
	return len(b), nil
}

// When the rows cannot be written, score --accounts stops with the
// writer's error (exit 2), and does not hang with accounts still to
// write.
func TestScoreAccountsWriteFails(t *testing.T) {
	dir := t.TempDir()
	accountsFile, lines := accountsData(t, dir, 3000, 11)
	leads := writeLines(t, filepath.Join(dir, "leads.ndjson"), lines)
	for _, grouped := range []bool{false, true} {
		args := []string{"score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", accountsFile, "--workers", "2"}
		if grouped {
			args = append(args, "--grouped")
		}
		done := make(chan struct{})
		var code int
		var errOut bytes.Buffer
		go func() {
			defer close(done)
			code = run(append(args, leads), nil, &failingWriter{n: 100000}, &errOut)
		}()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatal("score --accounts hangs when its output fails")
		}
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errOut.String(), "leadscore score: disk full")
	}
}

// mustRead returns a file's text.
func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}
