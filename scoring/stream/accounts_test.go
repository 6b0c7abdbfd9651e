package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
	"github.com/leadscore/leadscore/scoring/stream/boltstore"
)

const accountsModel = "../../testdata/accounts/model.yaml"

func accountScorer(t testing.TB, path string) *scoring.AccountScorer {
	t.Helper()
	m, err := rules.CompileFile(path)
	require.NoError(t, err)
	as, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	return as
}

// acctLine is one line of a person: an event, or an update of its fields.
type acctLine struct {
	lead   string
	id     string
	event  *scoring.Event
	fields map[string]any
}

// acctRun is a consumer of lines as leadscore stream is: one transaction
// a line, an event clock, the re-checks due before a line's event fired
// first, and the change lines reported after the commit.
type acctRun struct {
	a     *stream.Accounts
	store stream.AccountStore
	clock time.Time
	due   map[string]time.Time // the accounts' next re-checks
	out   []string             // the change lines
}

func newAcctRun(t testing.TB, a *stream.Accounts, store stream.AccountStore, clock time.Time) *acctRun {
	r := &acctRun{a: a, store: store, clock: clock, due: map[string]time.Time{}}
	require.NoError(t, store.EachAccount(func(acc stream.Account) error {
		if !acc.Next.IsZero() {
			r.due[acc.ID] = acc.Next
		}
		return nil
	}))
	return r
}

// fire runs the re-checks due at or before t, earliest first (then by
// account id): a re-check due at the clock has fired once it reaches it.
func (r *acctRun) fire(tx stream.Tx, t time.Time, report func(*stream.AccountChange) error) error {
	for {
		id, at := "", time.Time{}
		for _, k := range slices.Sorted(maps.Keys(r.due)) {
			if d := r.due[k]; !d.After(t) && (id == "" || d.Before(at)) {
				id, at = k, d
			}
		}
		if id == "" {
			return nil
		}
		delete(r.due, id)
		c, err := r.a.Recheck(context.Background(), tx, id, at)
		if err != nil {
			return err
		}
		if err := report(c); err != nil {
			return err
		}
		if err := r.noteNext(tx, id); err != nil {
			return err
		}
	}
}

func (r *acctRun) noteNext(tx stream.Tx, id string) error {
	acc, _, err := tx.(stream.AccountTx).Account(id)
	if err != nil {
		return err
	}
	if acc.Next.IsZero() {
		delete(r.due, id)
	} else {
		r.due[id] = acc.Next
	}
	return nil
}

// take applies one line in one transaction.
func (r *acctRun) take(ln acctLine) error {
	var lines []string
	clock := r.clock
	due := maps.Clone(r.due)
	report := func(c *stream.AccountChange) error {
		if c == nil {
			return nil
		}
		b, err := json.Marshal(c)
		lines = append(lines, string(b))
		return err
	}
	err := r.store.Update(func(tx stream.Tx) error {
		sc := r.a.Leads()
		cause := "fields"
		if ln.event != nil {
			cause = "event"
			if ln.event.At.After(clock) {
				if err := r.fire(tx, ln.event.At, report); err != nil {
					return err
				}
				clock = ln.event.At
			}
		}
		l, ok, err := tx.Lead(ln.lead)
		if err != nil {
			return err
		}
		if !ok {
			l = stream.Lead{ID: ln.lead}
		}
		st := sc.NewState(ln.lead)
		if l.State != nil {
			if st, err = sc.Load(l.State); err != nil {
				return err
			}
		}
		if ln.event != nil {
			if err := st.Add(*ln.event); err != nil {
				return err
			}
			l.SawEvent(ln.event.At)
			if l.State, err = st.Marshal(); err != nil {
				return err
			}
		} else {
			merged := map[string]any{}
			if l.Fields != nil {
				if err := json.Unmarshal(l.Fields, &merged); err != nil {
					return err
				}
			}
			maps.Copy(merged, ln.fields)
			if l.Fields, err = json.Marshal(merged); err != nil {
				return err
			}
		}
		changes, err := r.a.Take(context.Background(), tx, &l, st, clock, cause)
		if err != nil {
			return err
		}
		for i := range changes {
			if err := report(&changes[i]); err != nil {
				return err
			}
		}
		if err := tx.Put(l); err != nil {
			return err
		}
		for _, id := range []string{l.Account} {
			if id != "" {
				if err := r.noteNext(tx, id); err != nil {
					return err
				}
			}
		}
		for _, c := range changes {
			if err := r.noteNext(tx, c.AccountID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.due = due // rolled back
		return err
	}
	r.clock = clock
	r.out = append(r.out, lines...)
	return nil
}

// TestAccountsHandWorked follows one account of three people through a
// stream, with change lines worked out by hand from testdata/accounts's
// model (fit: Software +25, 1200 employees +25; engagement: the top three
// people's engagement, and 5 for each person with 10 or more engaged in
// the last 30 days; aware at 1 engaged person, buying-group, sales-ready,
// at 3 with a decision maker and a grade above C).
func TestAccountsHandWorked(t *testing.T) {
	as := accountScorer(t, accountsModel)
	accounts := []scoring.Account{
		{ID: "A-ACME", Fields: map[string]any{"domain": "acme.com", "industry": "Software", "employees": 1200}},
		{ID: "A-GLOBEX", Fields: map[string]any{"domain": "globex.io", "industry": "Fintech", "employees": 350}},
	}
	a, err := stream.NewAccounts(as, accounts)
	require.NoError(t, err)
	store := stream.NewMemoryStore()
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	r := newAcctRun(t, a, store, start)
	ev := func(typ, at string, f map[string]any) *scoring.Event {
		ts, err := time.Parse(time.RFC3339, at)
		require.NoError(t, err)
		return &scoring.Event{Type: typ, At: ts, Fields: f}
	}
	lines := []acctLine{
		// A decision maker with no events: fit 50 (grade A), engagement 0.
		{lead: "L1", fields: map[string]any{"email": "ana@acme.com", "title": "VP Engineering", "country": "US"}},
		// Her demo request: engagement 40 (top) + 5 (one engaged person): aware.
		{lead: "L1", id: "e1", event: ev("demo_request", "2026-09-02T10:00:00Z", nil)},
		// A manager, then his pricing page view (10): top 40+10, 2 engaged: 60; still aware.
		{lead: "L2", fields: map[string]any{"email": "ben@ACME.com", "title": "Engineering Manager"}},
		{lead: "L2", id: "e2", event: ev("page_view", "2026-09-03T10:00:00Z", map[string]any{"url": "/pricing"})},
		// An analyst matched by account id: her webinar (15) makes three
		// engaged people with a decision maker: top 40+15+10, 3 engaged 15.
		{lead: "L3", fields: map[string]any{"email": "cy@gmail.com", "account_id": "A-ACME", "title": "Data Analyst"}},
		{lead: "L3", id: "e3", event: ev("webinar_attended", "2026-09-04T10:00:00Z", map[string]any{"minutes": 45.0})},
		// A free-mail lead with no account id matches no account; its event
		// moves the clock past the re-checks: on 2 October at 10:00 the demo
		// request leaves its 30 days (L1 neither engaged nor engaged 40):
		// top 15+10, 2 engaged 10; on 4 October at 10:00 L3's last activity
		// is 30 days old and L2's page view left its window the day before:
		// top 15, none engaged.
		{lead: "L4", fields: map[string]any{"email": "dee@gmail.com", "title": "CEO"}},
		{lead: "L4", id: "e4", event: ev("demo_request", "2026-10-10T00:00:00Z", nil)},
	}
	for _, ln := range lines {
		require.NoError(t, r.take(ln))
	}
	want := []string{
		`{"account_id":"A-ACME","at":"2026-09-01T00:00:00Z","cause":"fields","lead_id":"L1","from":null,"to":{"stage":"","grade":"A","score":50,"sales_ready":false}}`,
		`{"account_id":"A-ACME","at":"2026-09-02T10:00:00Z","cause":"event","lead_id":"L1","from":{"stage":"","grade":"A","score":50,"sales_ready":false},"to":{"stage":"aware","grade":"A","score":95,"sales_ready":false}}`,
		`{"account_id":"A-ACME","at":"2026-09-04T10:00:00Z","cause":"event","lead_id":"L3","from":{"stage":"aware","grade":"A","score":95,"sales_ready":false},"to":{"stage":"buying-group","grade":"A","score":130,"sales_ready":true,"sales_ready_at":"2026-09-04T10:00:00Z"}}`,
		`{"account_id":"A-ACME","at":"2026-10-02T10:00:00Z","cause":"recheck","from":{"stage":"buying-group","grade":"A","score":130,"sales_ready":true,"sales_ready_at":"2026-09-04T10:00:00Z"},"to":{"stage":"aware","grade":"A","score":85,"sales_ready":false}}`,
		`{"account_id":"A-ACME","at":"2026-10-04T10:00:00Z","cause":"recheck","from":{"stage":"aware","grade":"A","score":85,"sales_ready":false},"to":{"stage":"","grade":"A","score":65,"sales_ready":false}}`,
	}
	require.Equal(t, want, r.out)

	byID, byDomain, unmatched, err := stream.Matched(store)
	require.NoError(t, err)
	require.Equal(t, 1, byID)
	require.Equal(t, 2, byDomain)
	require.Equal(t, []scoring.Unmatched{{LeadID: "L4", Reason: "no account_id; gmail.com is a free-mail domain"}}, unmatched)
}

// acctData is a random history: accounts, and lines of their people in
// arrival order (events late or early, fields before or after events,
// a person's email changed so that it moves to another account).
type acctData struct {
	accounts []scoring.Account
	lines    []acctLine
	start    time.Time
}

func randomAccounts(seed uint64) acctData {
	r := rand.New(rand.NewPCG(seed, 0xacc7))
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	domains := []string{"acme.com", "globex.io", "initech.com", "umbrella.org"}
	industries := []string{"Software", "Fintech", "Retail", "SaaS"}
	var d acctData
	d.start = start
	nAcc := 2 + r.IntN(3)
	for i := range nAcc {
		f := map[string]any{"domain": domains[i], "industry": industries[r.IntN(len(industries))], "employees": []int{50, 200, 1200}[r.IntN(3)]}
		if r.IntN(6) == 0 {
			f["customer"] = true
		}
		d.accounts = append(d.accounts, scoring.Account{ID: fmt.Sprintf("A%d", i), Fields: f})
	}
	titles := []string{"VP Engineering", "Engineering Manager", "Data Analyst", "Student", "Head of IT", "Director of Sales", ""}
	email := func(name string) string {
		switch r.IntN(8) {
		case 0:
			return name + "@gmail.com"
		case 1:
			return name + "@nowhere.example"
		case 2:
			return name + "@initech.co.uk" // an alias of initech.com
		}
		return name + "@" + domains[r.IntN(len(domains))]
	}
	nLeads := 3 + r.IntN(8)
	seq := 0
	for i := range nLeads {
		id := fmt.Sprintf("L%02d", i)
		f := map[string]any{"email": email(strings.ToLower(id)), "title": titles[r.IntN(len(titles))], "country": []string{"US", "DE", "FR"}[r.IntN(3)]}
		if r.IntN(4) == 0 {
			f["account_id"] = []string{"A0", "A1", "A9"}[r.IntN(3)]
		}
		d.lines = append(d.lines, acctLine{lead: id, fields: f})
		for range r.IntN(7) {
			seq++
			typ := []string{"email_click", "page_view", "webinar_attended", "demo_request", "unread_type"}[r.IntN(5)]
			e := &scoring.Event{Type: typ, At: start.Add(time.Duration(r.IntN(150*24)) * time.Hour)}
			switch typ {
			case "page_view":
				e.Fields = map[string]any{"url": []string{"/pricing", "/blog"}[r.IntN(2)]}
			case "webinar_attended":
				e.Fields = map[string]any{"minutes": []float64{5, 30, 60}[r.IntN(3)]}
			}
			d.lines = append(d.lines, acctLine{lead: id, id: fmt.Sprintf("e%d", seq), event: e})
		}
		if r.IntN(3) == 0 { // a new email or title, later
			d.lines = append(d.lines, acctLine{lead: id, fields: map[string]any{"email": email(strings.ToLower(id) + "x"), "title": titles[r.IntN(len(titles))]}})
		}
	}
	// Arrival order: mostly by time, with some lines late; a lead's field
	// updates stay in their order.
	at := func(ln acctLine) time.Time {
		if ln.event != nil {
			return ln.event.At
		}
		return start.Add(time.Duration(r.IntN(150*24)) * time.Hour)
	}
	keys := make([]time.Time, len(d.lines))
	for i, ln := range d.lines {
		keys[i] = at(ln)
		if r.IntN(5) == 0 {
			keys[i] = keys[i].Add(time.Duration(r.IntN(40*24)) * time.Hour) // late
		}
	}
	idx := make([]int, len(d.lines))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return keys[i].Compare(keys[j]) })
	out := make([]acctLine, 0, len(d.lines))
	for _, i := range idx {
		out = append(out, d.lines[i])
	}
	// Field lines of one lead in their original order.
	for _, id := range leadIDs(out) {
		var pos []int
		var orig []acctLine
		for k, ln := range out {
			if ln.lead == id && ln.event == nil {
				pos = append(pos, k)
			}
		}
		for _, ln := range d.lines {
			if ln.lead == id && ln.event == nil {
				orig = append(orig, ln)
			}
		}
		for k, p := range pos {
			out[p] = orig[k]
		}
	}
	d.lines = out
	return d
}

func leadIDs(lines []acctLine) []string {
	var ids []string
	for _, ln := range lines {
		if !slices.Contains(ids, ln.lead) {
			ids = append(ids, ln.lead)
		}
	}
	slices.Sort(ids)
	return ids
}

// fromScratch scores the accounts anew from the lines taken so far:
// every lead with fields, with all its events, as of asOf.
func fromScratch(t testing.TB, as *scoring.AccountScorer, d acctData, upto int, asOf time.Time) *scoring.AccountsScored {
	t.Helper()
	fields := map[string]map[string]any{}
	events := map[string][]scoring.Event{}
	for _, ln := range d.lines[:upto] {
		if ln.event != nil {
			events[ln.lead] = append(events[ln.lead], *ln.event)
			continue
		}
		if fields[ln.lead] == nil {
			fields[ln.lead] = map[string]any{}
		}
		maps.Copy(fields[ln.lead], ln.fields)
	}
	var leads []scoring.Lead
	for _, id := range slices.Sorted(maps.Keys(fields)) {
		f := map[string]any{}
		maps.Copy(f, fields[id])
		f["id"] = id
		lead, err := scoring.LeadFromMap(jsonRound(t, f))
		require.NoError(t, err)
		lead.Events = events[id]
		leads = append(leads, lead)
	}
	out, err := as.Score(d.accounts, leads, asOf)
	require.NoError(t, err)
	require.Empty(t, out.Errors)
	return out
}

// jsonRound gives a map as it reads back from JSON (numbers as float64).
func jsonRound(t testing.TB, m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// accountJSON is what the equality compares of an account's result: all
// of it, with each person's own result.
func accountJSON(t testing.TB, r *scoring.AccountResult) string {
	type member struct {
		P      *scoring.Person
		Result *scoring.Result
	}
	var ms []member
	for _, p := range r.Members {
		res := *p.Result
		// A state names only unknown lead fields (see the package doc):
		// unknown events are checked as they arrive.
		res.Unknown = slices.DeleteFunc(slices.Clone(res.Unknown), func(u rules.Unknown) bool { return strings.HasPrefix(string(u.Kind), "event") })
		if len(res.Unknown) == 0 {
			res.Unknown = nil
		}
		ms = append(ms, member{p, &res})
	}
	b, err := json.Marshal(struct {
		R  *scoring.AccountResult
		Ms []member
	}{r, ms})
	require.NoError(t, err)
	return string(b)
}

// TestAccountsEqualFullRescore is the equality property of accounts in a
// stream: after every line, taken in arrival order, each account's result
// from the stream's store is the one scoring the account from scratch
// gives (every person matched to it with all its events so far, as of the
// stream's clock); the leads are matched as from scratch (by id, by
// domain, none); and every account's reported standing is its standing
// now, but for a re-check due at the clock exactly (the time-driven changes
// were found and reported by their re-checks).
//
// It runs on the bundled accounts model (windows only: re-checks are exact)
// and on one with decay and an events() count in a role, where re-checks
// are searched (see State.NextChange).
func TestAccountsEqualFullRescore(t *testing.T) {
	for _, path := range []string{accountsModel, "testdata/accounts-decay.yaml"} {
		t.Run(filepath.Base(path), func(t *testing.T) { accountsEqualFullRescore(t, path) })
	}
}

func accountsEqualFullRescore(t *testing.T, path string) {
	as := accountScorer(t, path)
	seeds := 60
	if testing.Short() {
		seeds = 15
	}
	for seed := range uint64(seeds) {
		d := randomAccounts(seed)
		a, err := stream.NewAccounts(as, d.accounts)
		require.NoError(t, err)
		store := stream.NewMemoryStore()
		r := newAcctRun(t, a, store, d.start)
		for k, ln := range d.lines {
			require.NoError(t, r.take(ln), "seed %d line %d", seed, k+1)
			want := fromScratch(t, as, d, k+1, r.clock)
			for i, acc := range d.accounts {
				var got *scoring.AccountResult
				var stored stream.Account
				require.NoError(t, store.View(func(tx stream.Tx) error {
					var err error
					if got, err = a.Score(context.Background(), tx, acc.ID, r.clock); err != nil {
						return err
					}
					stored, _, err = tx.(stream.AccountTx).Account(acc.ID)
					return err
				}))
				require.Equal(t, accountJSON(t, want.Results[i]), accountJSON(t, got), "seed %d line %d account %s", seed, k+1, acc.ID)
				if k%5 == 0 { // the re-check found with people's results held between their moments
					var found, all time.Time
					require.NoError(t, store.View(func(tx stream.Tx) error {
						var err error
						found, all, err = a.NextChanges(tx, acc.ID, r.clock)
						return err
					}))
					require.Equal(t, all, found, "seed %d line %d account %s: the next change", seed, k+1, acc.ID)
				}
				if stored.Standing != nil {
					w := want.Results[i]
					require.Equal(t, [2]string{w.Stage, w.Grade}, [2]string{stored.Standing.Stage, stored.Standing.Grade}, "seed %d line %d account %s: the reported standing", seed, k+1, acc.ID)
				}
			}
			byID, byDomain, unmatched, err := stream.Matched(store)
			require.NoError(t, err)
			require.Equal(t, [2]int{want.ByID, want.ByDomain}, [2]int{byID, byDomain}, "seed %d line %d", seed, k+1)
			unmatched = slices.DeleteFunc(unmatched, func(u scoring.Unmatched) bool { return u.Reason == "no fields were given for it" })
			slices.SortFunc(want.Unmatched, func(x, y scoring.Unmatched) int { return strings.Compare(x.LeadID, y.LeadID) })
			require.Equal(t, fmt.Sprint(want.Unmatched), fmt.Sprint(unmatched), "seed %d line %d", seed, k+1)
		}
	}
}

// TestAccountsRestart stops the stream in the middle (the store closed
// and opened again, a new Accounts over it) and finds the same change
// lines, byte for byte, as a run without a stop; in a bbolt file.
func TestAccountsRestart(t *testing.T) {
	as := accountScorer(t, accountsModel)
	for seed := range uint64(12) {
		d := randomAccounts(100 + seed)
		a, err := stream.NewAccounts(as, d.accounts)
		require.NoError(t, err)
		straight := newAcctRun(t, a, stream.NewMemoryStore(), d.start)
		for _, ln := range d.lines {
			require.NoError(t, straight.take(ln))
		}

		path := filepath.Join(t.TempDir(), "state.db")
		cut := len(d.lines) / 2
		var out []string
		clock := d.start
		for _, part := range [][]acctLine{d.lines[:cut], d.lines[cut:]} {
			store, err := boltstore.Open(path)
			require.NoError(t, err)
			a, err := stream.NewAccounts(as, d.accounts) // as a new process would
			require.NoError(t, err)
			r := newAcctRun(t, a, store, clock)
			for _, ln := range part {
				require.NoError(t, r.take(ln))
			}
			out, clock = append(out, r.out...), r.clock
			require.NoError(t, store.Close())
		}
		require.Equal(t, straight.out, out, "seed %d", seed)
		require.NotEmpty(t, out)
	}
}

// Changes that decay alone brings are found by the account's re-checks,
// at the moments worked out by hand, the last of them after every window
// has closed: under testdata/accounts-decay.yaml an email click gives its
// person 3 points, halving every 30 days with no window. The account (fit
// 50) is graded A while its engagement (its top three people's
// engagement, and 5 for each engaged person) is 6 or more, and is aware
// while someone is engaged (10 points or more, active in the last 30
// days). Five clicks at T0 give the one person 15: grade A at the second
// click (6), aware at the fourth (12); the person's 15 fall below 10 at
// T0 + 30d × log2(15/10) = 17.55 days (no one engaged), and the account's
// 15 below 6 at T0 + 30d × log2(15/6) = 39.66 days, past the 30 days after
// which nothing but decay moves.
func TestAccountsDecayRecheck(t *testing.T) {
	as := accountScorer(t, "testdata/accounts-decay.yaml")
	acme := scoring.Account{ID: "A-ACME", Fields: map[string]any{"domain": "acme.com", "industry": "Software", "employees": 1200}}
	a, err := stream.NewAccounts(as, []scoring.Account{acme})
	require.NoError(t, err)
	t0 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	r := newAcctRun(t, a, stream.NewMemoryStore(), t0)
	require.NoError(t, r.take(acctLine{lead: "L1", fields: map[string]any{"email": "ana@acme.com", "title": "Engineer"}}))
	for i := range 5 {
		require.NoError(t, r.take(acctLine{lead: "L1", id: fmt.Sprint(i), event: &scoring.Event{Type: "email_click", At: t0}}))
	}
	// A later line of a lead of no account moves the clock past both.
	require.NoError(t, r.take(acctLine{lead: "L2", id: "x", event: &scoring.Event{Type: "email_click", At: t0.Add(60 * 24 * time.Hour)}}))

	type step struct {
		cause, stage, grade string
		at                  time.Time
	}
	days := func(d float64) time.Time { return t0.Add(time.Duration(d * 24 * float64(time.Hour))) }
	want := []step{
		{"fields", "", "B", t0},
		{"event", "", "A", t0},
		{"event", "aware", "A", t0},
		{"recheck", "", "A", days(30 * math.Log2(15.0/10.0))},
		{"recheck", "", "B", days(30 * math.Log2(15.0/6.0))},
	}
	require.Len(t, r.out, len(want), "%q", r.out)
	for i, line := range r.out {
		var c stream.AccountChange
		require.NoError(t, json.Unmarshal([]byte(line), &c))
		w := want[i]
		require.Equal(t, [3]string{w.cause, w.stage, w.grade}, [3]string{c.Cause, c.To.Stage, c.To.Grade}, line)
		require.WithinDuration(t, w.at, c.At, time.Second, line)
	}
}

// A Take that fails (here: as of a time before a person's latest event)
// changes nothing: neither the lead nor the stored accounts.
func TestAccountsTakeFailsAlone(t *testing.T) {
	as := accountScorer(t, accountsModel)
	acme := scoring.Account{ID: "A-ACME", Fields: map[string]any{"domain": "acme.com", "industry": "Software", "employees": 1200}}
	a, err := stream.NewAccounts(as, []scoring.Account{acme})
	require.NoError(t, err)
	store := stream.NewMemoryStore()
	t1 := time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)
	r := newAcctRun(t, a, store, t1)
	require.NoError(t, r.take(acctLine{lead: "L1", fields: map[string]any{"email": "ana@acme.com", "title": "VP Sales"}}))
	require.NoError(t, r.take(acctLine{lead: "L1", id: "e1", event: &scoring.Event{Type: "demo_request", At: t1.Add(time.Hour)}}))

	err = store.Update(func(tx stream.Tx) error {
		l := stream.Lead{ID: "L2", Fields: json.RawMessage(`{"email":"ben@acme.com"}`)}
		_, err := a.Take(context.Background(), tx, &l, a.Leads().NewState("L2"), t1, "fields")
		require.ErrorIs(t, err, stream.ErrBeforeLatest)
		require.Equal(t, stream.Lead{ID: "L2", Fields: json.RawMessage(`{"email":"ben@acme.com"}`)}, l)
		acc, _, err := tx.(stream.AccountTx).Account("A-ACME")
		require.NoError(t, err)
		require.Equal(t, []string{"L1"}, acc.People)
		return nil
	})
	require.NoError(t, err)
}

// A person whose stored state cannot be read is left out of its account,
// reported to OnLeftOut, and does not fail a colleague's Take: the account
// is scored with the others, as if the person were not matched to it.
func TestAccountsPersonLeftOut(t *testing.T) {
	as := accountScorer(t, accountsModel)
	acme := scoring.Account{ID: "A-ACME", Fields: map[string]any{"domain": "acme.com", "industry": "Software", "employees": 1200}}
	a, err := stream.NewAccounts(as, []scoring.Account{acme})
	require.NoError(t, err)
	type left struct{ account, lead string }
	var got []left
	a.OnLeftOut(func(accountID, leadID string, err error) {
		require.Error(t, err)
		got = append(got, left{accountID, leadID})
	})
	store := stream.NewMemoryStore()
	t1 := time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)
	r := newAcctRun(t, a, store, t1)
	require.NoError(t, r.take(acctLine{lead: "L1", fields: map[string]any{"email": "ana@acme.com", "title": "VP Sales"}}))
	require.NoError(t, r.take(acctLine{lead: "L2", fields: map[string]any{"email": "ben@acme.com", "title": "VP Sales"}}))
	require.NoError(t, r.take(acctLine{lead: "L2", id: "e0", event: &scoring.Event{Type: "demo_request", At: t1}}))
	require.Empty(t, got)
	// L2's state is spoilt in the store.
	require.NoError(t, store.Update(func(tx stream.Tx) error {
		l, _, err := tx.Lead("L2")
		require.NoError(t, err)
		l.State = []byte("not a state")
		return tx.Put(l)
	}))
	require.NoError(t, r.take(acctLine{lead: "L1", id: "e1", event: &scoring.Event{Type: "email_click", At: t1.Add(time.Hour)}}))
	require.Equal(t, []left{{"A-ACME", "L2"}}, got[:1])
	var res *scoring.AccountResult
	require.NoError(t, store.View(func(tx stream.Tx) error {
		res, err = a.Score(context.Background(), tx, "A-ACME", t1.Add(time.Hour))
		return err
	}))
	require.Len(t, res.Members, 1)
	require.Equal(t, "L1", res.Members[0].LeadID)
}
