package htmlreport

import (
	"fmt"
	"strings"
	"time"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring/review"
)

// AccountView is the review page's account view: the rows score
// --accounts writes for the accounts file, summed up. It is the JSON of
// the view (report's "accounts").
type AccountView struct {
	File string    `json:"file"`
	AsOf time.Time `json:"as_of"`
	// Rows is the accounts file's rows: Scored + Failed.
	Rows         int `json:"rows"`
	Scored       int `json:"scored"`
	Failed       int `json:"failed"`
	SalesReady   int `json:"sales_ready"`
	Disqualified int `json:"disqualified"`
	// Stages are the scored accounts by stage, the ladder's top first,
	// then those with no stage: score --accounts's "stages:" line.
	Stages []AccountStage `json:"stages"`
	// Grades are the scored accounts by grade, in the grade list's order;
	// "" is no grade.
	Grades []AccountGrade `json:"grades"`
	// Total is the spread of the scored accounts' totals (nearest rank).
	Total review.Quantiles `json:"total"`
	// Top are the highest totals, highest first (ties in file order).
	Top []TopAccount `json:"top"`
	// TiedLeftOut are the accounts left out of Top with the total of its
	// last account: the cut-off falls among equals, in file order.
	TiedLeftOut int             `json:"tied_left_out"`
	FailedRows  []FailedAccount `json:"failed_rows"`
	// Unmatched counts the leads that match no account (score
	// --unmatched); UnmatchedLeads are the first of them.
	Unmatched      int             `json:"unmatched"`
	UnmatchedLeads []UnmatchedLead `json:"unmatched_leads"`
	// People are the people of the accounts scored: the sum of their
	// rows' people.
	People int `json:"people"`
	// LeadsFile is the leads file the accounts' people come from, and
	// Leads what score --accounts counted of its leads.
	LeadsFile string      `json:"leads_file"`
	Leads     *LeadCounts `json:"leads"`
}

// UnmatchedLead is a lead that matches no account, and why.
type UnmatchedLead struct {
	ID     string `json:"id"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// AccountStage is the accounts at one stage.
type AccountStage struct {
	Stage      string `json:"stage"`
	SalesReady bool   `json:"sales_ready"`
	Accounts   int    `json:"accounts"`
}

// AccountGrade is the accounts of one grade.
type AccountGrade struct {
	Grade    string `json:"grade"`
	Accounts int    `json:"accounts"`
}

// TopAccount is one account of the top list: its row of score --accounts,
// without its people's rows.
type TopAccount struct {
	ID           string   `json:"id"`
	Total        float64  `json:"total"`
	Grade        string   `json:"grade"`
	Stage        string   `json:"stage"`
	SalesReady   bool     `json:"sales_ready"`
	Disqualified bool     `json:"disqualified"`
	People       int      `json:"people"`
	Engaged      int      `json:"engaged"`
	Present      []string `json:"present_roles"`
	Missing      []string `json:"missing_roles"`
}

// FailedAccount is an account row that could not be read or scored.
type FailedAccount struct {
	ID    string `json:"id"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// AccountViewSummary is the view's tile: the sales-ready accounts of those
// scored, and the account rows that failed when some did.
func AccountViewSummary(v *AccountView, prefix string) []Tile {
	path := func(k string) string { return p(prefix, k) }
	detail := ln("of ", Int(path("scored"), v.Scored), " accounts scored")
	if v.Scored > 0 {
		detail = ln(detail, " (", Derived(float64(v.SalesReady)/float64(v.Scored), "pct"), ")")
	}
	if v.Failed > 0 {
		detail = ln(detail, "; ", Int(path("failed"), v.Failed), " of ", Int(path("rows"), v.Rows), " account rows failed")
	}
	return []Tile{{KPI: "sales_ready_accounts", Label: "Sales-ready accounts", Value: Int(path("sales_ready"), v.SalesReady), Detail: detail}}
}

// AccountViewSource says what the account view rests on: the accounts
// file, its rows and the accounts scored, as of when, their people from
// which leads.
func AccountViewSource(v *AccountView, prefix string) Sentence {
	return ln("Accounts: "+v.File+", ", Int(p(prefix, "rows"), v.Rows), " "+numfmt.Noun(v.Rows, "row")+", ", Int(p(prefix, "scored"), v.Scored),
		" scored as of "+v.AsOf.Format("2006-01-02")+", their people from "+v.LeadsFile+" (score --accounts).")
}

// AccountWarnings are the account parts' warnings for the first screen:
// an accounts file with no account, account rows that failed, and every
// warning of the account backtest (bt, nil without it), the evidence too
// thin for a verdict first among them.
func AccountWarnings(v *AccountView, bt *backtest.AccountReport) []string {
	var out []string
	if v != nil {
		switch {
		case v.Rows == 0:
			out = append(out, fmt.Sprintf("Accounts: %s has no account rows, so no account is scored and every lead is unmatched; check that it is the right file.", v.File))
		case v.Failed > 0:
			out = append(out, fmt.Sprintf("Accounts: %s of the %s of %s could not be read or scored and %s left out of the account view (each is listed there with its line and what to fix).",
				numfmt.Thousands(v.Failed), numfmt.Count(v.Rows, "account row"), v.File, isAre(v.Failed)))
		}
	}
	if bt != nil {
		for _, w := range bt.Warnings {
			out = append(out, "Account backtest: "+w)
		}
	}
	return out
}

// AccountViewSection is the account view: the accounts by stage and by
// grade, the spread of their totals, and the top accounts with the roles
// of their buying group present and missing.
func AccountViewSection(v *AccountView, prefix string) Section {
	path := func(parts ...any) string { return p(prefix, parts...) }
	sec := Section{ID: "accounts", Title: "Accounts and buying groups"}
	sec.Intro = []string{fmt.Sprintf("%s of %s scored as of %s with their people from the leads (score --accounts): %d sales-ready, %d disqualified.",
		numfmt.Count(v.Scored, "account"), v.File, v.AsOf.Format("2006-01-02"), v.SalesReady, v.Disqualified)}
	if v.Unmatched > 0 {
		sec.Intro = append(sec.Intro, fmt.Sprintf("%s %s no account, so %s no account's %s; %s listed at the end of this section.",
			numfmt.Count(v.Unmatched, "lead"), map[bool]string{true: "matches", false: "match"}[v.Unmatched == 1], map[bool]string{true: "it is", false: "they are"}[v.Unmatched == 1],
			map[bool]string{true: "person", false: "people"}[v.Unmatched == 1], map[bool]string{true: "it is", false: "they are"}[v.Unmatched == 1]))
	}
	if v.Failed > 0 {
		sec.Warnings = append(sec.Warnings, fmt.Sprintf("%s of %s could not be read or scored and %s left out of the account view; each is listed at the end of this section with its line and what to fix.",
			numfmt.Count(v.Failed, "account row"), v.File, isAre(v.Failed)))
	}

	if lc := v.Leads; lc != nil {
		sec.Blocks = append(sec.Blocks, leadCountsBlock(v, prefix))
	}

	var groups []string
	var vals [][]float64
	st := &Table{Head: []string{"stage", "accounts"}}
	for i, s := range v.Stages {
		name := stageName(s.Stage)
		if s.SalesReady {
			name += " (sales-ready)"
		}
		groups = append(groups, name)
		vals = append(vals, []float64{float64(s.Accounts)})
		st.Rows = append(st.Rows, Row{Cells: []Cell{Text(name), Int(path("stages", i, "accounts"), s.Accounts)}})
	}
	st.Rows = append(st.Rows, Row{Cells: []Cell{Text("of them, disqualified by a gate"), Int(path("disqualified"), v.Disqualified)}})
	b := Block{Title: "Accounts by stage", Table: st, Note: "The account stage ladder, top first; the counts are score --accounts's stages line."}
	if len(groups) > 0 {
		b.Chart = Bars("Accounts at each stage", groups, []string{"accounts"}, vals, "int")
	}
	sec.Blocks = append(sec.Blocks, b)

	if len(v.Grades) > 0 {
		gt := &Table{Head: []string{"grade", "accounts"}}
		for i, g := range v.Grades {
			gt.Rows = append(gt.Rows, Row{Cells: []Cell{Text(orText(g.Grade, "no grade")), Int(path("grades", i, "accounts"), g.Accounts)}})
		}
		sec.Blocks = append(sec.Blocks, Block{Title: "Accounts by grade", Table: gt})
	}
	if v.Scored > 0 {
		q := v.Total
		tp := func(k string) string { return path("total", k) }
		dt := &Table{Head: []string{"score", "p10", "p25", "median", "p75", "p90", "mean"}, Rows: []Row{{Cells: []Cell{Text("account total"),
			Number(tp("p10"), q.P10, "dec1"), Number(tp("p25"), q.P25, "dec1"), Number(tp("median"), q.Median, "dec1"),
			Number(tp("p75"), q.P75, "dec1"), Number(tp("p90"), q.P90, "dec1"), Number(tp("mean"), q.Mean, "dec1")}}}}
		sec.Blocks = append(sec.Blocks, Block{Title: "Account score distribution", Table: dt,
			Chart: Boxes("Account totals: whiskers p10 to p90, box p25 to p75, bar at the median", []Box{{Label: "account total", P: [5]float64{q.P10, q.P25, q.Median, q.P75, q.P90}}}, []string{"accounts"}),
			Note:  "Percentiles by the nearest rank, over the " + numfmt.Count(v.Scored, "account") + " scored."})
	}

	tt := &Table{Sortable: true, Head: []string{"account", "total", "grade", "stage", "people", "engaged", "roles present", "roles missing"}}
	for i, a := range v.Top {
		stage := stageName(a.Stage)
		if a.Disqualified {
			stage += " (disqualified)"
		}
		tt.Rows = append(tt.Rows, Row{Cells: []Cell{Text(a.ID), Number(path("top", i, "total"), a.Total, wholeOr(a.Total, "dec1")), Text(orDash(a.Grade)), Text(stage),
			Int(path("top", i, "people"), a.People), Int(path("top", i, "engaged"), a.Engaged), Text(orDash(strings.Join(a.Present, ", "))), Text(orDash(strings.Join(a.Missing, ", ")))}})
	}
	note := "Highest total first. Roles missing are the buying-group roles the model defines that none of the account's people holds."
	if len(v.Top) < v.Scored {
		note = fmt.Sprintf("The first %d of %d, highest total first. ", len(v.Top), v.Scored) + note[len("Highest total first. "):]
	}
	if v.TiedLeftOut > 0 {
		note += fmt.Sprintf(" %s not listed %s the same total as the last one listed (%s): the list cuts among equals in the accounts file's order.",
			numfmt.Count(v.TiedLeftOut, "account"), map[bool]string{true: "has", false: "have"}[v.TiedLeftOut == 1], numfmt.Float(v.Top[len(v.Top)-1].Total, 'f', -1))
	}
	switch {
	case v.Scored == 0:
		note = "None: no account was scored."
	case len(v.Top) == 0:
		note = fmt.Sprintf("None listed: --top 0 lists no account of the %s scored.", numfmt.Count(v.Scored, "account"))
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "Top accounts and their buying groups", Table: tt, Note: note})

	if len(v.FailedRows) > 0 {
		ft := &Table{Head: []string{"account", "line", "why"}}
		for i, f := range v.FailedRows {
			ft.Rows = append(ft.Rows, Row{Cells: []Cell{Text(orDash(f.ID)), Int(path("failed_rows", i, "line"), f.Line), Text(f.Error)}})
		}
		sec.Blocks = append(sec.Blocks, Block{Title: "Account rows left out", Table: ft})
	}
	if lc := v.Leads; lc != nil && lc.Failed > 0 {
		ft := &Table{Head: []string{"lead row", "what is wrong"}}
		for _, e := range lc.FailedRows {
			where, why, _ := strings.Cut(e, ": ")
			ft.Rows = append(ft.Rows, Row{Cells: []Cell{Text(where), Text(why)}})
		}
		b := Block{Title: "Lead rows left out", Lead: ln(Int(p(prefix, "leads", "failed"), lc.Failed), " "+numfmt.Noun(lc.Failed, "lead row")+" could not be read or scored; fix "+map[bool]string{true: "it", false: "them"}[lc.Failed == 1]+" and run again."), Table: ft}
		if len(lc.FailedRows) < lc.Failed {
			b.Note = fmt.Sprintf("The first %d of %d; leadscore score --accounts names them all on stderr.", len(lc.FailedRows), lc.Failed)
		}
		sec.Blocks = append(sec.Blocks, b)
	}
	if v.Unmatched > 0 {
		ut := &Table{Head: []string{"lead", "line", "why it matches no account"}}
		for i, u := range v.UnmatchedLeads {
			ut.Rows = append(ut.Rows, Row{Cells: []Cell{Text(u.ID), Int(path("unmatched_leads", i, "line"), u.Line), Text(u.Reason)}})
		}
		b := Block{Title: "Leads that match no account", Lead: ln(Int(path("unmatched"), v.Unmatched), " "+numfmt.Noun(v.Unmatched, "lead")+" unmatched.")}
		b.Table = ut
		if len(v.UnmatchedLeads) < v.Unmatched {
			b.Note = fmt.Sprintf("The first %d of %d; leadscore score --accounts --unmatched FILE writes them all.", len(v.UnmatchedLeads), v.Unmatched)
		}
		sec.Blocks = append(sec.Blocks, b)
	}
	return sec
}

// leadCountsBlock accounts for every lead of the leads file: matched to
// an account (by id or by domain), unmatched, or failed; of the matched,
// those created after the as-of time and those of an account that failed
// to score are no shown account's people.
func leadCountsBlock(v *AccountView, prefix string) Block {
	lc := v.Leads
	lp := func(k string) string { return p(prefix, "leads", k) }
	b := Block{Title: "Leads and the accounts they match", Lead: ln(Int(lp("leads"), lc.Leads), " "+numfmt.Noun(lc.Leads, "lead")+" in "+v.LeadsFile+" = ",
		Int(lp("matched_by_id"), lc.ByID), " matched by account id + ", Int(lp("matched_by_domain"), lc.ByDomain), " by domain + ",
		Int(lp("unmatched"), lc.Unmatched), " unmatched + ", Int(lp("failed"), lc.Failed), " failed.")}
	t := &Table{Head: []string{"leads", "count"}, Rows: []Row{
		{Cells: []Cell{Text("in the leads file"), Int(lp("leads"), lc.Leads)}},
		{Cells: []Cell{Text("matched to an account by its id"), Int(lp("matched_by_id"), lc.ByID)}},
		{Cells: []Cell{Text("matched to an account by domain"), Int(lp("matched_by_domain"), lc.ByDomain)}},
	}}
	if lc.NotCreated > 0 {
		t.Rows = append(t.Rows, Row{Cells: []Cell{Text("of the matched, created after the as-of time: not yet its people"), Int(lp("created_after_as_of"), lc.NotCreated)}})
	}
	if n := lc.ByID + lc.ByDomain - lc.NotCreated - v.People; n > 0 {
		t.Rows = append(t.Rows, Row{Cells: []Cell{Text("of the matched, people of an account that failed to score"), Derived(float64(n), "int")}})
	}
	t.Rows = append(t.Rows, Row{Cells: []Cell{Text("people of the accounts scored"), Int(p(prefix, "people"), v.People)}},
		Row{Cells: []Cell{Text("matching no account (listed below)"), Int(lp("unmatched"), lc.Unmatched)}})
	if lc.OfFailedAccounts > 0 {
		t.Rows = append(t.Rows, Row{Cells: []Cell{Text("of them, naming the id of an account row that failed"), Int(lp("unmatched_of_failed_accounts"), lc.OfFailedAccounts)}})
	}
	t.Rows = append(t.Rows, Row{Cells: []Cell{Text("could not be read or scored, left out (listed below)"), Int(lp("failed"), lc.Failed)}})
	b.Table = t
	b.Note = "Every lead is matched, unmatched or failed; the people of an account are its matched leads created by the as-of time."
	return b
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// LeadCounts are score --accounts's counts of the leads, which reconcile:
// Leads = ByID + ByDomain + Unmatched + Failed. NotCreated of the matched
// were created after the as-of time (not yet their account's people);
// OfFailedAccounts of the unmatched name the account id of an account row
// that could not be read.
type LeadCounts struct {
	Leads            int `json:"leads"`
	ByID             int `json:"matched_by_id"`
	ByDomain         int `json:"matched_by_domain"`
	NotCreated       int `json:"created_after_as_of"`
	Unmatched        int `json:"unmatched"`
	OfFailedAccounts int `json:"unmatched_of_failed_accounts"`
	Failed           int `json:"failed"`
	// FailedRows are the first of the failed leads' rows, each with its
	// line and what is wrong.
	FailedRows []string `json:"failed_rows"`
}
