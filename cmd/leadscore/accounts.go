package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/internal/suggest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// accountRun is what score --accounts and explain --account read and
// score: the accounts file, the leads matched to its accounts, and each
// account's result. Every lead is one of: matched (by id or by domain),
// unmatched (with the reason), or failed (with its row).
type accountRun struct {
	file     string // the accounts file's name
	accounts []scoring.Account
	lines    []int                    // each account's line in the accounts file
	results  []*scoring.AccountResult // nil where the account failed
	errs     []error                  // the account's error, where it failed

	// badAccounts are the rows of the accounts file that could not be
	// read, in file order.
	badAccounts []badAccount

	leads, byID, byDomain int
	unmatched             []unmatchedLead
	// badLeads are the leads that could not be read or scored.
	badLeads []string
}

// badAccount is a row of the accounts file that could not be read.
type badAccount struct {
	line int
	id   string
	err  error
}

// unmatchedLead is a lead that found no account.
type unmatchedLead struct {
	ID     string `json:"id"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// lineRE finds the library's "line N: " at the start of a message's line.
var lineRE = regexp.MustCompile(`(?m)^line (\d+): `)

// readAccountsFile reads the accounts file: NDJSON, or CSV when its name
// ends in .csv.
func readAccountsFile(run *accountRun, s *scoring.AccountScorer, name string, maxRow int, stderr io.Writer) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	format := leadfile.NDJSON
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		format = leadfile.CSV
	}
	run.file = name
	opts := leadfile.Options{Input: f, InputName: name, InputFormat: format, MaxRow: maxRow,
		OnWarning: func(w string) { fmt.Fprintln(stderr, "warning: "+w) }}
	return leadfile.ReadAccounts(opts, s, func(line int, a scoring.Account, err error) error {
		if err != nil {
			run.badAccounts = append(run.badAccounts, badAccount{line: line, id: a.ID, err: accountErr(a.ID, err)})
			return nil
		}
		run.accounts = append(run.accounts, a)
		run.lines = append(run.lines, line)
		return nil
	})
}

func accountErr(id string, err error) error {
	if id == "" {
		return err
	}
	return fmt.Errorf("account %s: %w", id, err)
}

// scoreAccounts matches the leads of opts to run's accounts and scores
// the accounts (only the one with id only, when only is not "").
func scoreAccounts(run *accountRun, s *scoring.AccountScorer, opts leadfile.Options, asOf time.Time, only string) error {
	m, err := s.NewMatcher(run.accounts)
	if err != nil {
		// "line 3: ..." of the library is FILE:3: here, as every row error is.
		msg := lineRE.ReplaceAllString(err.Error(), run.file+":$1: ")
		return fmt.Errorf("the accounts cannot be told apart, so leads cannot be matched to them:\n%s", msg)
	}
	people := make([][]*scoring.Person, len(run.accounts))
	name := opts.InputName
	err = leadfile.Read(opts, func(line int, lead scoring.Lead, err error) error {
		run.leads++
		if err == nil {
			if opts.Dispositions != nil {
				lead.Dispositions = append(lead.Dispositions, opts.Dispositions(lead.ID)...)
			}
			var p *scoring.Person
			if p, err = s.Person(lead, asOf); err == nil {
				i, how, why := m.Match(p)
				switch {
				case i < 0:
					run.unmatched = append(run.unmatched, unmatchedLead{ID: lead.ID, Line: line, Reason: why})
				case how == scoring.MatchedByID:
					run.byID++
				default:
					run.byDomain++
				}
				if i >= 0 {
					p.Matched = how
					people[i] = append(people[i], p)
				}
				return nil
			}
		}
		var e *scoring.Error
		if errors.As(err, &e) {
			err = e.Err
		}
		run.badLeads = append(run.badLeads, leadfile.RowError{File: name, Line: line, LeadID: lead.ID, Err: err}.Error())
		return nil
	})
	if err != nil {
		return err
	}
	run.results = make([]*scoring.AccountResult, len(run.accounts))
	run.errs = make([]error, len(run.accounts))
	for i, a := range run.accounts {
		if only != "" && a.ID != only {
			continue
		}
		run.results[i], run.errs[i] = s.ScoreAccount(a, people[i], asOf)
	}
	return nil
}

// failedAccountRow is the row of an account that could not be read or scored,
// as score writes a lead's.
type failedAccountRow struct {
	ID    string `json:"id"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// accountRow is one account's row of score --accounts.
type accountRow struct {
	ID           string              `json:"id"`
	Total        float64             `json:"total"`
	Scores       scoring.Scores      `json:"scores"`
	Grade        string              `json:"grade"`
	Stage        string              `json:"stage"`
	SalesReady   bool                `json:"sales_ready"`
	Disqualified bool                `json:"disqualified"`
	Gates        []string            `json:"gates"`
	Fired        []string            `json:"fired"`
	People       int                 `json:"people"`
	Engaged      int                 `json:"engaged"`
	Roles        []scoring.RoleCount `json:"roles"`
	Present      []string            `json:"present_roles"`
	Missing      []string            `json:"missing_roles"`
	Members      []memberRow         `json:"members"`
	Unknown      []unknownJSON       `json:"unknown,omitempty"`
}

// memberRow is one of an account's people, with its own result.
type memberRow struct {
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

type unknownJSON struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	DidYouMean string `json:"did_you_mean,omitempty"`
}

func scoresOf(r *scoring.Result) scoring.Scores {
	out := scoring.Scores{}
	for _, c := range r.Categories {
		out = append(out, scoring.NamedScore{Name: c.Name, Score: c.Score})
	}
	return out
}

func ruleIDs(r *scoring.Result) (gates, fired []string) {
	gates, fired = []string{}, []string{}
	for _, g := range r.Gates {
		gates = append(gates, g.Rule)
	}
	for _, f := range r.Fired {
		fired = append(fired, f.Rule)
	}
	return gates, fired
}

func newAccountRow(r *scoring.AccountResult) accountRow {
	row := accountRow{ID: r.LeadID, Total: r.Total, Scores: scoresOf(&r.Result), Grade: r.Grade, Stage: r.Stage,
		SalesReady: r.SalesReady, Disqualified: r.Disqualified, People: r.People, Engaged: r.Engaged,
		Roles: r.Roles, Missing: r.Missing, Members: []memberRow{}}
	row.Gates, row.Fired = ruleIDs(&r.Result)
	if row.Roles == nil {
		row.Roles = []scoring.RoleCount{}
	}
	row.Present = []string{}
	for _, rc := range r.Roles {
		if rc.People > 0 {
			row.Present = append(row.Present, rc.Role)
		}
	}
	for _, u := range r.Unknown {
		row.Unknown = append(row.Unknown, unknownJSON{Kind: string(u.Kind), Name: u.Name, DidYouMean: u.DidYouMean})
	}
	for _, p := range r.Members {
		m := memberRow{ID: p.LeadID, Matched: p.Matched, Roles: p.Roles, Engaged: p.Engaged, Total: p.Result.Total,
			Scores: scoresOf(p.Result), Grade: p.Result.Grade, Stage: p.Result.Stage, SalesReady: p.Result.SalesReady,
			Disqualified: p.Result.Disqualified}
		_, m.Fired = ruleIDs(p.Result)
		if m.Roles == nil {
			m.Roles = []string{}
		}
		row.Members = append(row.Members, m)
	}
	return row
}

// runScoreAccounts is score --accounts: one NDJSON row per account of the
// accounts file, in its order; a bad account row gets a row with its
// error. The summary and the unmatched leads go to stderr.
func runScoreAccounts(s *scoring.AccountScorer, accountsFile string, opts leadfile.Options, asOf time.Time, unmatchedFile string, quiet bool, stderr io.Writer) int {
	run := &accountRun{}
	if err := readAccountsFile(run, s, accountsFile, opts.MaxRow, stderr); err != nil {
		fmt.Fprintf(stderr, "leadscore score: %v\n", err)
		return exitUsage
	}
	if err := scoreAccounts(run, s, opts, asOf, ""); err != nil {
		fmt.Fprintf(stderr, "leadscore score: %v\n", err)
		return exitUsage
	}
	enc := json.NewEncoder(opts.Output)
	enc.SetEscapeHTML(false)
	var failed []string // the accounts file's rows that failed, read or scored
	tally := map[string]int{}
	dq := 0
	var unknown scoring.UnknownTally
	bad := run.badAccounts
	failRow := func(line int, id string, err error) error {
		failed = append(failed, leadfile.RowError{File: accountsFile, Line: line, Err: err}.Error())
		return enc.Encode(failedAccountRow{ID: id, Line: line, Error: err.Error()})
	}
	for i, r := range run.results {
		for len(bad) > 0 && bad[0].line < run.lines[i] {
			if err := failRow(bad[0].line, bad[0].id, bad[0].err); err != nil {
				fmt.Fprintf(stderr, "leadscore score: %v\n", err)
				return exitUsage
			}
			bad = bad[1:]
		}
		if r == nil {
			if err := failRow(run.lines[i], run.accounts[i].ID, run.errs[i]); err != nil {
				fmt.Fprintf(stderr, "leadscore score: %v\n", err)
				return exitUsage
			}
			continue
		}
		tally[r.Stage]++
		if r.Disqualified {
			dq++
		}
		unknown.Add(r.Unknown)
		if err := enc.Encode(newAccountRow(r)); err != nil {
			fmt.Fprintf(stderr, "leadscore score: %v\n", err)
			return exitUsage
		}
	}
	for _, b := range bad {
		if err := failRow(b.line, b.id, b.err); err != nil {
			fmt.Fprintf(stderr, "leadscore score: %v\n", err)
			return exitUsage
		}
	}
	for _, list := range [][]string{failed, run.badLeads} {
		for i, line := range list {
			if i == maxShownErrors {
				fmt.Fprintf(stderr, "(%d more not shown)\n", len(list)-i)
				break
			}
			fmt.Fprintln(stderr, line)
		}
	}
	if unmatchedFile != "" {
		if err := writeUnmatched(unmatchedFile, run.unmatched); err != nil {
			fmt.Fprintf(stderr, "leadscore score: %v\n", err)
			return exitUsage
		}
	}
	if !quiet {
		n := len(run.accounts) + len(run.badAccounts)
		fmt.Fprintf(stderr, "%d %s in: %d scored, %d failed (as of %s)\n", n, numfmt.Noun(n, "account"),
			n-len(failed), len(failed), asOf.Format(time.RFC3339))
		m := s.AccountModel().Model
		var parts []string
		for i := len(m.Stages) - 1; i >= 0; i-- {
			st := m.Stages[i]
			label := st.ID
			if st.SalesReady {
				label += " (sales-ready)"
			}
			parts = append(parts, fmt.Sprintf("%s %d", label, tally[st.ID]))
		}
		parts = append(parts, fmt.Sprintf("no stage %d", tally[""]))
		fmt.Fprintf(stderr, "stages: %s; disqualified %d\n", strings.Join(parts, ", "), dq)
		fmt.Fprintf(stderr, "%d %s: %d matched by %s, %d by domain, %d unmatched, %d failed\n", run.leads, numfmt.Noun(run.leads, "lead"),
			run.byID, orText(s.AccountModel().IDField, "id"), run.byDomain, len(run.unmatched), len(run.badLeads))
		if n := len(run.badAccounts); n > 0 && len(run.unmatched) > 0 {
			rows := "its row"
			if n > 1 {
				rows = "their rows"
			}
			fmt.Fprintf(stderr, "(the people of the %s that could not be read are among the unmatched: fix %s and score again)\n", numfmt.Count(n, "account"), rows)
		}
		for i, u := range run.unmatched {
			if i == maxShownErrors {
				fmt.Fprintf(stderr, "(%d more unmatched leads not shown; --unmatched FILE writes them all)\n", len(run.unmatched)-i)
				break
			}
			fmt.Fprintf(stderr, "unmatched: %s:%d: lead %s: %s\n", displayName(opts.InputName), u.Line, u.ID, u.Reason)
		}
		writeUnknown(stderr, unknown)
	}
	if len(failed)+len(run.badLeads) > 0 {
		return exitProblem
	}
	return exitOK
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// writeUnmatched writes the unmatched leads as NDJSON: id, line, reason.
func writeUnmatched(name string, us []unmatchedLead) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for _, u := range us {
		if err := enc.Encode(u); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// runExplainAccount is explain --account: the account's points, from its
// fields and from its people, matched from the leads of opts.
func runExplainAccount(s *scoring.AccountScorer, id, accountsFile string, opts leadfile.Options, asOf time.Time, asJSON bool, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore explain: "+format+"\n", a...)
		return exitUsage
	}
	run := &accountRun{}
	if err := readAccountsFile(run, s, accountsFile, opts.MaxRow, stderr); err != nil {
		return fail("%v", err)
	}
	i := -1
	var ids []string
	for j, a := range run.accounts {
		ids = append(ids, a.ID)
		if a.ID == id {
			i = j
		}
	}
	if i < 0 {
		for _, b := range run.badAccounts {
			fmt.Fprintln(stderr, leadfile.RowError{File: accountsFile, Line: b.line, Err: b.err})
		}
		return fail("%s has no account with id %q%s", accountsFile, id, didYouMeanID(id, ids))
	}
	if err := scoreAccounts(run, s, opts, asOf, id); err != nil {
		return fail("%v", err)
	}
	for _, bad := range run.badLeads {
		fmt.Fprintln(stderr, bad)
	}
	r := run.results[i]
	if r == nil {
		return fail("%s:%d: %v", accountsFile, run.lines[i], run.errs[i])
	}
	x, err := s.ExplainAccount(r)
	if err != nil {
		return fail("%v", err)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		out := struct {
			accountRow
			Points  []scoring.Fired        `json:"points"`
			Rollups []scoring.RollupPoints `json:"rollups"`
			// Explanation is the account's own model explained: its
			// rules, gates and stages, part by part, and the next stage.
			Explanation *scoring.Explanation `json:"explanation"`
		}{newAccountRow(r), r.Fired, r.Rollups, x}
		if err := enc.Encode(out); err != nil {
			return fail("%v", err)
		}
		return exitOK
	}
	explainAccount(stdout, s, r, x)
	return exitOK
}

// explainAccountCmd reads the flags of explain --account and explains it.
func explainAccountCmd(m *rules.Model, id, accountsFile, name, in, events, sourceFile, dispositionsFile string, noEvents, strict bool, maxRow int, asOf time.Time, asJSON bool, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore explain: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case id == "":
		return fail("--accounts goes with --account ID: the account to explain")
	case accountsFile == "":
		return fail("--account needs --accounts FILE: the accounts file the account is in")
	case m.Accounts == nil:
		return fail("--account: %s has no accounts section; add accounts: (see the accounts section of docs/reference.md)", m.Name)
	}
	var opts []scoring.Option
	if strict {
		opts = append(opts, scoring.WithUnknownData(scoring.RefuseUnknown))
	}
	s, _ := scoring.NewAccountScorer(m, opts...)
	lo := leadfile.Options{Scorer: s.Leads(), NoEvents: noEvents, MaxRow: maxRow, OnError: func(e leadfile.RowError) { fmt.Fprintln(stderr, e.Error()) }}
	if name == "-" {
		if in == "csv" {
			return fail("CSV leads are read from a file, not standard input")
		}
		lo.Input, lo.InputName = stdin, "stdin"
	} else {
		closeLeads, err := openLeads(&lo, name, in, events)
		defer closeLeads()
		if err != nil {
			return fail("%v", err)
		}
	}
	if err := attachSource(&lo, sourceFile, m, stderr); err != nil {
		return fail("--source: %v", err)
	}
	if _, err := attachDispositions(&lo, dispositionsFile, m, stderr); err != nil {
		return exitUsage
	}
	return runExplainAccount(s, id, accountsFile, lo, asOf, asJSON, stdout, stderr)
}

// didYouMeanID suggests the account id nearest to id.
func didYouMeanID(id string, ids []string) string {
	if s := suggest.Nearest(id, ids); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// explainAccount writes which rules, roll-ups and people gave an account
// its points, its buying group, and its people's own results.
func explainAccount(w io.Writer, s *scoring.AccountScorer, r *scoring.AccountResult, x *scoring.Explanation) {
	am := s.AccountModel()
	var cats []string
	for _, c := range r.Categories {
		cats = append(cats, fmt.Sprintf("%s %s", c.Name, fnum(c.Score)))
	}
	fmt.Fprintf(w, "Account %s as of %s: total %s (%s)", r.LeadID, r.AsOf.Format(time.RFC3339), fnum(r.Total), strings.Join(cats, ", "))
	if r.Grade != "" {
		fmt.Fprintf(w, ", grade %s", r.Grade)
	}
	stage := r.Stage
	if stage == "" {
		stage = "none"
	}
	fmt.Fprintf(w, ", stage %s", stage)
	if r.SalesReady {
		fmt.Fprint(w, " (sales-ready)")
	}
	fmt.Fprintln(w)
	for _, g := range r.Gates {
		fmt.Fprintf(w, "Disqualified by %s: %s", g.Rule, g.Reason)
		if r.Blocked != "" {
			fmt.Fprintf(w, " (it would otherwise stand on %s)", r.Blocked)
		}
		fmt.Fprintln(w)
	}
	for _, c := range r.Categories {
		if c.Raw != c.Score {
			fmt.Fprintf(w, "%s: the rules give %s, clamped to %s\n", c.Name, fnum(c.Raw), fnum(c.Score))
		}
	}

	rollups := map[string]scoring.RollupPoints{}
	for _, rp := range r.Rollups {
		rollups[rp.Rule] = rp
	}
	fmt.Fprintln(w, "\nfrom the account's fields:")
	fired := false
	for _, f := range r.Fired {
		if _, ok := rollups[f.Rule]; ok {
			continue
		}
		fired = true
		fmt.Fprintf(w, "  %-28s %-12s %6s  %s\n", f.Rule, f.Category, signed(f.Points), f.Reason)
	}
	if !fired {
		fmt.Fprintln(w, "  (no rule fired)")
	}
	fmt.Fprintln(w, "\nfrom its people (roll-ups):")
	for _, x := range am.Rollups {
		rp := rollups[x.ID]
		how := x.Strategy
		switch x.Strategy {
		case "top":
			how = fmt.Sprintf("top %d", x.Top)
		case "count":
			how = fmt.Sprintf("count, %s each", fnum(x.Points))
		}
		if x.Of != nil {
			how += " of " + x.Of.Source
		}
		if x.When != nil {
			how += ", people with " + x.When.Source
		}
		if x.Within > 0 {
			how += ", active within " + x.WithinText
		}
		fmt.Fprintf(w, "  %-28s %-12s %6s  %s", x.ID, x.Category.Name, signed(rp.Points), how)
		if rp.Uncapped != rp.Points {
			fmt.Fprintf(w, " (people give %s, capped at %s)", fnum(rp.Uncapped), fnum(x.Max))
		}
		fmt.Fprintln(w)
		if len(rp.From) == 0 {
			fmt.Fprintln(w, "      nobody counted")
		}
		var from []string
		for _, pp := range rp.From {
			from = append(from, fmt.Sprintf("%s %s", pp.LeadID, fnum(pp.Value)))
		}
		if len(from) > 0 {
			fmt.Fprintf(w, "      %s\n", strings.Join(from, ", "))
		}
	}

	people := "people"
	if r.People == 1 {
		people = "person"
	}
	fmt.Fprintf(w, "\nbuying group: %d %s, %d engaged\n", r.People, people, r.Engaged)
	for _, rc := range r.Roles {
		var who []string
		for _, p := range r.Members {
			if p.HasRole(rc.Role) {
				who = append(who, p.LeadID)
			}
		}
		fmt.Fprintf(w, "  %-16s %d (%d engaged)", rc.Role, rc.People, rc.Engaged)
		if len(who) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(who, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(w, "  missing: %s\n", strings.Join(r.Missing, ", "))
	}
	x.WriteStages(w)

	fmt.Fprintln(w, "\npeople:")
	if len(r.Members) == 0 {
		fmt.Fprintln(w, "  (no lead matched this account)")
	}
	for _, p := range r.Members {
		pr := p.Result
		var cats []string
		for _, c := range pr.Categories {
			cats = append(cats, fmt.Sprintf("%s %s", c.Name, fnum(c.Score)))
		}
		fmt.Fprintf(w, "  %s (by %s): total %s (%s)", p.LeadID, p.Matched, fnum(pr.Total), strings.Join(cats, ", "))
		if pr.Grade != "" {
			fmt.Fprintf(w, ", grade %s", pr.Grade)
		}
		if pr.Stage != "" {
			fmt.Fprintf(w, ", stage %s", pr.Stage)
		}
		if pr.SalesReady {
			fmt.Fprint(w, " (sales-ready)")
		}
		if p.Engaged {
			fmt.Fprint(w, ", engaged")
		} else {
			fmt.Fprint(w, ", not engaged")
		}
		if len(p.Roles) > 0 {
			fmt.Fprintf(w, ", %s", strings.Join(p.Roles, ", "))
		}
		fmt.Fprintln(w)
		for _, f := range pr.Fired {
			fmt.Fprintf(w, "      %-28s %-12s %6s  %s\n", f.Rule, f.Category, signed(f.Points), f.Reason)
		}
	}
}

// fnum writes a number as short as it reads back.
func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func signed(v float64) string {
	if v >= 0 {
		return "+" + fnum(v)
	}
	return fnum(v)
}
