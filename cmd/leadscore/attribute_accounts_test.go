package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// attributeAccountsArgs is attribute --accounts on the bundled accounts
// example, its leads' events tagged with campaigns and channels.
func attributeAccountsArgs(extra ...string) []string {
	return append([]string{"attribute", "--accounts", td("accounts/accounts.ndjson"), "--leads", td("accounts/attribution/leads.ndjson"),
		"--model", td("accounts/attribution/model.yaml"), "--outcomes", td("accounts/outcomes.csv"), "--at", "2026-12-01"}, extra...)
}

type journeyOut struct {
	ID      string `json:"id"`
	Touches []struct {
		At       time.Time `json:"at"`
		Campaign string    `json:"campaign"`
		Channel  string    `json:"channel"`
	} `json:"touches"`
	Milestones map[string]time.Time `json:"milestones"`
	Converted  bool                 `json:"converted"`
	Revenue    float64              `json:"revenue"`
}

// Each account's journey is built independently here: its people as
// score --accounts lists them, their tagged events up to --at in time
// order, its outcome from the CSV; and its sales-ready moment is the
// first moment, among its people's arrivals and events, at which score
// --accounts calls it sales-ready.
func TestAttributeAccountsJourneysAreTheAccountsPeople(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	out := filepath.Join(t.TempDir(), "journeys.ndjson")
	code, _, errOut := leadscore(t, "", attributeAccountsArgs("--journeys-out", out, "--models", "linear")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "testdata/accounts/accounts.ndjson: 5 account rows read: 0 failed to read, 5 accounts = 5 journeys + 0 failed + 0 with no person and no deal by --at\n")
	assert.Contains(t, errOut, "testdata/accounts/attribution/leads.ndjson: 14 lead rows read: 0 could not be read, 0 failed, 11 matched to an account, 3 unmatched\n")
	var journeys []journeyOut
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var j journeyOut
		require.NoError(t, json.Unmarshal(sc.Bytes(), &j))
		journeys = append(journeys, j)
	}

	// Members by score --accounts.
	scoreAt := func(when time.Time) map[string]map[string]any {
		code, rows, errOut := leadscore(t, "", "score", "--model", td("accounts/attribution/model.yaml"), "--accounts", td("accounts/accounts.ndjson"),
			"--at", when.Format(time.RFC3339Nano), td("accounts/attribution/leads.ndjson"))
		require.Equal(t, exitOK, code, errOut)
		byID := map[string]map[string]any{}
		for _, line := range strings.Split(strings.TrimSpace(rows), "\n") {
			var r map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &r))
			byID[r["id"].(string)] = r
		}
		return byID
	}
	accounts := scoreAt(at)
	type event struct {
		At                      time.Time
		Type, Campaign, Channel string
	}
	leads := map[string][]event{}
	for _, line := range strings.Split(strings.TrimSpace(readFileT(t, td("accounts/attribution/leads.ndjson"))), "\n") {
		var l struct {
			ID     string  `json:"id"`
			Events []event `json:"events"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &l))
		leads[l.ID] = l.Events
	}
	outcomes := map[string][]string{}
	rows, err := csv.NewReader(strings.NewReader(readFileT(t, td("accounts/outcomes.csv")))).ReadAll()
	require.NoError(t, err)
	for _, r := range rows[1:] {
		outcomes[r[0]] = r
	}

	require.Len(t, journeys, 5)
	for _, j := range journeys {
		acc := accounts[j.ID]
		require.NotNil(t, acc, j.ID)
		var want []event
		var moments []time.Time
		for _, m := range acc["members"].([]any) {
			for _, e := range leads[m.(map[string]any)["id"].(string)] {
				moments = append(moments, e.At)
				if e.At.After(at) || (e.Campaign == "" && e.Channel == "") {
					continue
				}
				if e.Campaign == "" {
					e.Campaign = "(" + e.Channel + ")"
				}
				want = append(want, e)
			}
		}
		slices.SortStableFunc(want, func(a, b event) int { return a.At.Compare(b.At) })
		require.Len(t, j.Touches, len(want), j.ID)
		for i, w := range want {
			got := j.Touches[i]
			assert.True(t, got.At.Equal(w.At) && got.Campaign == w.Campaign && got.Channel == w.Channel, "%s touch %d: %+v, want %+v", j.ID, i, got, w)
		}
		o := append(outcomes[j.ID], "", "", "", "", "")
		won, _ := time.Parse("2006-01-02", o[2])
		wantWon := o[2] != "" && !won.After(at)
		assert.Equal(t, wantWon, j.Converted, j.ID)
		if wantWon {
			rev, _ := strconv.ParseFloat(o[3], 64)
			assert.Equal(t, rev, j.Revenue, j.ID)
		}

		// The sales-ready moment: the first moment at which score
		// --accounts says so.
		slices.SortFunc(moments, func(a, b time.Time) int { return a.Compare(b) })
		var first time.Time
		for _, m := range moments {
			if m.After(at) {
				break
			}
			if r := scoreAt(m)[j.ID]; r["sales_ready"] == true {
				first = m
				break
			}
		}
		got, ok := j.Milestones["sales_ready"]
		assert.Equal(t, !first.IsZero(), ok, "%s: sales-ready", j.ID)
		if ok {
			assert.True(t, got.Equal(first), "%s: sales-ready at %v, want %v", j.ID, got, first)
		}
	}
}

func readFileT(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// The credit, worked by hand: A-ACME won 48,000 on 2026-11-20 after seven
// touches of its people (nurture-q3 twice, organic three times, demo-ads
// and webinar-sept once each), so linear gives nurture-q3 2/7 of it,
// 13,714.29, and first touch all of it to nurture-q3 (its first touch,
// 2026-06-01); A-UMBRELLA won 120,000 in 2025, before any touch of its
// people: "(no touch)"; A-HOOLI's win on 2026-12-15 is after --at.
func TestAttributeAccountsCreditByHand(t *testing.T) {
	code, out, errOut := leadscore(t, "", attributeAccountsArgs("--models", "first_touch,linear", "--format", "csv")...)
	require.Equal(t, exitOK, code, errOut)
	rows, err := csv.NewReader(strings.NewReader(strings.SplitN(out, "\n\n", 2)[0])).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	credit := map[string][]string{}
	for _, r := range rows[1:] {
		if r[col["level"]] == "campaign" {
			credit[r[col["name"]]] = r
		}
	}
	get := func(campaign, what string) float64 {
		r, ok := credit[campaign]
		require.True(t, ok, "no row for %s in\n%s", campaign, out)
		v, err := strconv.ParseFloat(r[col[what]], 64)
		require.NoError(t, err)
		return v
	}
	assert.InDelta(t, 48000.0*2/7, get("nurture-q3", "linear_revenue"), 1e-6)
	assert.InDelta(t, 48000.0*3/7, get("(organic)", "linear_revenue"), 1e-6)
	assert.InDelta(t, 48000.0/7, get("demo-ads", "linear_revenue"), 1e-6)
	assert.Equal(t, 48000.0, get("nurture-q3", "first_touch_revenue"))
	assert.Equal(t, 120000.0, get("(no touch)", "first_touch_revenue"))
	assert.Equal(t, 120000.0, get("(no touch)", "linear_revenue"))
	assert.Contains(t, errOut, "1 won deal (revenue 9,000) after it not counted")
}

func TestAttributeAccountsRefuses(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"attribute", "--accounts", td("accounts/accounts.ndjson"), "--journeys", td("journeys.ndjson")}, "--accounts goes with --leads and --model"},
		{[]string{"attribute", "--accounts", td("accounts/accounts.ndjson"), "--leads", td("accounts/attribution/leads.ndjson"), "--model", td("accounts/attribution/model.yaml")}, "--accounts needs --outcomes"},
		{attributeAccountsArgs("--dispositions", td("dispositions.csv")), "sales' verdicts are on leads, not yet on accounts"},
		{[]string{"attribute", "--accounts", td("accounts/accounts.ndjson"), "--leads", td("accounts/leads.ndjson"), "--model", td("accounts/model.yaml"), "--outcomes", td("accounts/outcomes.csv")}, `has no event field "campaign"`},
		{[]string{"attribute", "--accounts", td("accounts/accounts.ndjson"), "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("accounts/outcomes.csv")}, "has no accounts section"},
	} {
		code, _, errOut := leadscore(t, "", c.args...)
		assert.Equal(t, exitUsage, code, strings.Join(c.args, " "))
		assert.Contains(t, errOut, c.want, strings.Join(c.args, " "))
	}
}

// A bad lead row, and a lead given twice to one account, fail alone with
// their lines; the rest are attributed and the counts reconcile.
func TestAttributeAccountsBadRowsFailAlone(t *testing.T) {
	dir := t.TempDir()
	lines := strings.Split(strings.TrimSpace(readFileT(t, td("accounts/attribution/leads.ndjson"))), "\n")
	lines = append(lines, `{"id":"L99","email":`, lines[0])
	leads := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	args := attributeAccountsArgs()
	args[4] = leads
	code, _, errOut := leadscore(t, "", args...)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, leads+":15:")
	assert.Contains(t, errOut, leads+":16: lead L01:")
	assert.Contains(t, errOut, leads+": 16 lead rows read: 1 could not be read, 1 failed, 11 matched to an account, 3 unmatched\n")
}

// An account won by --at whose people were all created after it keeps its
// journey (no touch yet), as an account with no people does: its deal is
// counted, never dropped; the leads created after --at are counted as
// leads, the accounts as accounts.
func TestAttributeAccountsWonBeforeItsPeople(t *testing.T) {
	dir := filepath.Join("testdata", "accounts-created")
	code, out, errOut := leadscore(t, "", "attribute", "--accounts", filepath.Join(dir, "accounts.ndjson"), "--leads", filepath.Join(dir, "leads.ndjson"),
		"--model", filepath.Join(dir, "model.yaml"), "--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-12-01", "--models", "first_touch", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var rep struct {
		Campaigns []struct {
			Credit []struct {
				Revenue float64 `json:"revenue"`
			} `json:"credit"`
		} `json:"campaigns"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	total := 0.0
	for _, c := range rep.Campaigns {
		total += c.Credit[0].Revenue
	}
	assert.Equal(t, 2500.0, total, "A1 1,000 + A2 500 + A3 700 + A4 300, all won by --at")
	assert.Contains(t, errOut, "2 leads created after it left out")
	assert.Contains(t, errOut, "4 accounts = 4 journeys + 0 failed + 0 with no person and no deal by --at")
}
