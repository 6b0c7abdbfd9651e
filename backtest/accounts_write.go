package backtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// summary is the account report's opening paragraph: the answers first.
func (r *AccountReport) summary() []string {
	until := "no end"
	if r.Until != nil {
		until = r.Until.Format(time.RFC3339)
	}
	c, l := r.Accounts, r.Leads
	lines := []string{
		fmt.Sprintf("Model %s, accounts, snapshot at %s (T0), outcomes in (T0, %s]; the sales-ready account stage is %s.", r.Model, r.At.Format(time.RFC3339), until, orDash(r.Stage)),
		fmt.Sprintf("%s: %d in the backtest (%d of them with no outcome row, counted as not won); left out: %d with no person by T0, %d won or lost by T0, %s at T0, %d failed to score%s.",
			plural(c.Added, "account"), c.InBacktest, c.WithoutOutcome, c.NotCreated, c.Decided, plural(c.OpenOpportunity, "open opportunity"), c.Failed, unreadableRows(c.Unreadable)),
		fmt.Sprintf("%s: %d matched (%d by account id, %d by domain) = %s at T0 + %d created after T0; %d unmatched, %d failed.",
			plural(l.Added, "lead"), l.Matched, l.ByID, l.ByDomain, People(l.People), l.NotCreated, l.Unmatched, l.Failed),
		fmt.Sprintf("In the backtest: %d won (%s), %d %s, revenue %s.", r.Won, pct(r.WinRate), r.Opportunities, verbN(r.Opportunities, "became an opportunity", "became opportunities"), money(r.Revenue)),
	}
	if c.OutcomesWithoutAccount > 0 {
		lines = append(lines, fmt.Sprintf("%s of the outcomes file %s no account of the accounts file; not used.", plural(c.OutcomesWithoutAccount, "row"), verbN(c.OutcomesWithoutAccount, "names", "name")))
	}
	if c.OutcomesOfFailedAccounts > 0 {
		lines = append(lines, fmt.Sprintf("%s of the outcomes file %s for accounts whose row failed (see the accounts that failed); not used: fix those rows and run again.", plural(c.OutcomesOfFailedAccounts, "row"), verbN(c.OutcomesOfFailedAccounts, "is", "are")))
	}
	s := r.SalesReady
	lines = append(lines,
		fmt.Sprintf("AUC %s, 95%% interval %s, on %d won against %d not won (a won account outscores one that did not win in %s of pairs).",
			f3(r.AUC), interval(r.AUCInterval, f3), r.Won, c.InBacktest-r.Won, pct(r.AUC)),
		fmt.Sprintf("The sales-ready account definition picked %s, %d of them won: precision %s, recall %s; it missed %s worth %s.",
			plural(s.Leads, "account"), s.Won, withInterval(s.Precision, s.PrecisionInterval, pct), withInterval(s.Recall, s.RecallInterval, pct),
			plural(s.MissedWon, "won deal"), money(s.MissedRevenue)),
		fmt.Sprintf("Verdict on the sales-ready definition: %s: %s.", r.Verdict, r.Why))
	if cp := r.Capacity; cp != nil {
		lines = append(lines, cp.answer())
	}
	return lines
}

// answer says the hand-offs per week in a sentence.
func (c *AccountCapacity) answer() string {
	if c.Weeks <= 0 && c.First.IsZero() {
		return "Hand-offs: no person arrived by T0, so no accounts per week can be measured."
	}
	if c.Weeks <= 0 {
		return fmt.Sprintf("Hand-offs: the first person arrived at T0 itself (%s), so the history has no length to count accounts per week over.", c.First.Format(time.RFC3339))
	}
	return fmt.Sprintf("Hand-offs: the current definition made %s sales-ready over the last %s %s (from %s): %s accounts a week (95%%: %s); %s of them won after, %s won deals a week (95%%: %s).",
		plural(c.HandedOver, "account"), num(c.Weeks), verbN(map[bool]int{true: 1, false: 2}[c.Weeks == 1], "week", "weeks"), c.From.Format("2006-01-02"), f2(c.PerWeek), interval(c.PerWeekInterval, f2),
		pctOf(c.Won, c.HandedOver), f2(c.ExpectedWon), interval(c.ExpectedWonInterval, f2))
}

// unreadableRows is ", N rows failed to read" of the summary, or "".
func unreadableRows(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %s could not be read", plural(n, "row"))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (r *AccountReport) tables() []table {
	var ts []table
	s := r.SalesReady
	ts = append(ts, table{title: "The sales-ready account definition as a classifier of won deals",
		intro:   "Snapshot view: sales-ready at T0, won after it. Intervals are 95% Wilson intervals.",
		headers: []string{"", "accounts", "won", "precision", "95% interval", "recall", "95% interval", "lift", "opportunities", "opp. precision", "opp. recall", "won revenue", "won, not sales-ready", "their revenue"},
		rows: [][]string{{"sales-ready", itoa(s.Leads), itoa(s.Won), pct(s.Precision), interval(s.PrecisionInterval, pct), pct(s.Recall), interval(s.RecallInterval, pct), f2(s.Lift), itoa(s.Opportunities),
			pct(s.OpportunityPrecision), pct(s.OpportunityRecall), money(s.Revenue), itoa(s.MissedWon), money(s.MissedRevenue)}}})
	rank := table{title: "Ranking", intro: fmt.Sprintf("Snapshot view, on %d won and %d not-won accounts. AUC: the chance that a won account scores higher than one that did not win (ties count half; 0.5 is a coin toss), with its 95%% interval (DeLong's variance, on the logit scale).", r.Won, r.Accounts.InBacktest-r.Won),
		headers: []string{"score", "AUC (won)", "95% interval", "AUC (opportunity)"}}
	rank.rows = append(rank.rows, []string{"total", f3(r.AUC), interval(r.AUCInterval, f3), f3(r.AUCOpportunity)})
	for _, c := range r.CategoryAUC {
		rank.rows = append(rank.rows, []string{c.Name, f3(c.Value), "", ""})
	}
	ts = append(ts, rank)
	st := table{title: "Conversion by account stage", intro: "Snapshot view: the account's stage at T0.", headers: []string{"stage", "accounts", "opportunities", "opp. rate", "won", "win rate", "95% interval", "lift"}}
	for _, g := range r.Stages {
		st.rows = append(st.rows, []string{g.Name, itoa(g.Leads), itoa(g.Opportunities), pct(g.OpportunityRate), itoa(g.Won), pct(g.WinRate), interval(g.WinRateInterval, pct), f2(g.Lift)})
	}
	ts = append(ts, st)
	var eff, lo, hi *float64
	if e := r.Effect; e != nil {
		eff, lo, hi = &e.Estimate, &e.Low, &e.High
	}
	ts = append(ts, table{title: "Verdict on the sales-ready definition",
		intro:   fmt.Sprintf("Do sales-ready accounts win more than the rest? The log-odds of winning of a sales-ready account over the others (a logistic fit penalised as the rules' joint fit, λ = %s), judged with the lead backtest's minimums: at least %d won deals (--min-won), %d accounts on each side, %d won deals expected or seen among the sales-ready.", num(JointLambda), r.MinWon, MinRuleLeads, MinRuleWon),
		headers: []string{"verdict", "log-odds", "95% interval", "why"},
		rows:    [][]string{{r.Verdict, f2(eff), interval(ivOf(lo, hi), f2), r.Why}}})
	if len(r.Rules) > 0 {
		t := table{title: "Account rules and gates against won deals",
			intro:   "Snapshot view: the accounts each account rule or gate fired on at T0, and how many of them won after. A gate stopping accounts that went on to win, or a rule firing almost only on winners, is leakage suspected (on at least 5 won accounts): the accounts file may hold values from after T0.",
			headers: []string{"rule", "kind", "accounts", "won", "win rate", "leakage"}}
		for _, s := range r.Rules {
			kind, leak := "rule", "—"
			if s.Gate {
				kind = "gate"
			}
			if s.Leakage != "" {
				leak = LeakageSuspected
			} else if s.Check != "" {
				leak = "too few to tell: check the fields"
			}
			t.rows = append(t.rows, []string{s.Rule, kind, itoa(s.Fired), itoa(s.FiredWon), pct(s.WinRate), leak})
		}
		ts = append(ts, t)
	}
	if c := r.Capacity; c != nil {
		t := table{title: "Hand-offs per week", intro: "Timeline view: each account replayed up to T0 at every moment one of its people arrived or had an event, or one of their events left a window (of a rule, an events() count or the engaged window); an account is handed over at the first moment it is sales-ready. " + c.answer() + " Intervals 95% (exact Poisson for flows, Wilson for rates).",
			headers: []string{"week from", "handed over", "won after"}}
		for _, w := range c.Weekly {
			t.rows = append(t.rows, []string{w.From.Format("2006-01-02"), itoa(w.HandedOver), itoa(w.Won)})
		}
		ts = append(ts, t)
	}
	if len(r.Failed) > 0 {
		t := table{title: "Accounts that failed", intro: "Left out of every figure: their rows could not be read, or they could not be scored. Fix the rows (the line is in the accounts file) and run again.",
			headers: []string{"account", "line", "failed to", "why"}}
		for _, f := range r.Failed {
			line, what := "—", "score"
			if f.Line > 0 {
				line = itoa(f.Line)
			}
			if f.Unreadable {
				what = "read"
			}
			t.rows = append(t.rows, []string{orDash(f.ID), line, what, f.Reason})
		}
		ts = append(ts, t)
	}
	if len(r.Unmatched) > 0 {
		intro := "Leads that found no account: counted, never merged into a near account."
		shown := r.Unmatched
		if len(shown) > maxUnmatchedShown {
			shown = shown[:maxUnmatchedShown]
			intro += fmt.Sprintf(" The first %d by id of %d; --format json lists them all.", maxUnmatchedShown, len(r.Unmatched))
		}
		t := table{title: "Unmatched leads", intro: intro, headers: []string{"lead", "line", "why"}}
		for _, u := range shown {
			line := "—"
			if u.Line > 0 {
				line = itoa(u.Line)
			}
			t.rows = append(t.rows, []string{u.ID, line, u.Reason})
		}
		ts = append(ts, t)
	}
	return ts
}

// maxUnmatchedShown is how many unmatched leads the text and Markdown
// reports list.
const maxUnmatchedShown = 20

func ivOf(lo, hi *float64) *Interval {
	if lo == nil || hi == nil {
		return nil
	}
	return &Interval{*lo, *hi}
}

// WriteText writes the account report as aligned text tables, for a terminal.
func (r *AccountReport) WriteText(w io.Writer) error {
	return writeText(w, r.summary(), r.Warnings, r.tables(), r.Notes)
}

// WriteMarkdown writes the account report as Markdown, to paste into a
// pull request.
func (r *AccountReport) WriteMarkdown(w io.Writer) error {
	var top strings.Builder
	top.WriteString("## Backtest of accounts\n\n")
	for _, l := range r.summary() {
		top.WriteString("- " + l + "\n")
	}
	top.WriteString("\n")
	return writeMarkdown(w, top.String(), r.Warnings, r.tables(), r.Notes)
}

// WriteJSON writes the account report as indented JSON; a ratio with
// nothing to divide by is null.
func (r *AccountReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// People counts people: 1 person, 2 people.
func People(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}
