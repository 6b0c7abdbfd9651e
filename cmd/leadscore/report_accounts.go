package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/numfmt"

	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/review"
)

// accountViewRow is what the account view reads of a row of score
// --accounts: an account's result, or (Error set) a row that failed.
type accountViewRow struct {
	htmlreport.TopAccount
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// readAccountView sums up the NDJSON rows of score --accounts (out) for
// the review page: stage and grade counts in the model's ladder and grade
// order, the totals' spread, and the top accounts by total.
// unmatched is what score --unmatched wrote: the leads that match no
// account, of which the view lists the first maxShownErrors.
// counts are what score --accounts counted of the leads of leadsFile.
func readAccountView(m *rules.Model, file, leadsFile string, counts *htmlreport.LeadCounts, asOf time.Time, out, unmatched []byte, top int) (*htmlreport.AccountView, error) {
	v := &htmlreport.AccountView{File: file, LeadsFile: leadsFile, Leads: counts, AsOf: asOf, Top: []htmlreport.TopAccount{}, FailedRows: []htmlreport.FailedAccount{}, UnmatchedLeads: []htmlreport.UnmatchedLead{}}
	us := bufio.NewScanner(bytes.NewReader(unmatched))
	us.Buffer(nil, 1<<30)
	for us.Scan() {
		var u htmlreport.UnmatchedLead
		if err := json.Unmarshal(us.Bytes(), &u); err != nil {
			return nil, fmt.Errorf("reading the unmatched leads of score --accounts: %v", err)
		}
		if v.Unmatched++; len(v.UnmatchedLeads) < maxShownErrors {
			v.UnmatchedLeads = append(v.UnmatchedLeads, u)
		}
	}
	if err := us.Err(); err != nil {
		return nil, err
	}
	stages, grades := map[string]int{}, map[string]int{}
	var totals []float64
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<30)
	for sc.Scan() {
		var r accountViewRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("reading the rows of score --accounts: %v", err)
		}
		v.Rows++
		if r.Error != "" {
			v.Failed++
			v.FailedRows = append(v.FailedRows, htmlreport.FailedAccount{ID: r.ID, Line: r.Line, Error: r.Error})
			continue
		}
		v.Scored++
		stages[r.Stage]++
		grades[r.Grade]++
		if r.SalesReady {
			v.SalesReady++
		}
		if r.Disqualified {
			v.Disqualified++
		}
		totals = append(totals, r.Total)
		v.People += r.People
		v.Top = append(v.Top, r.TopAccount)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	am := m.Accounts.Model
	for i := len(am.Stages) - 1; i >= 0; i-- {
		s := am.Stages[i]
		v.Stages = append(v.Stages, htmlreport.AccountStage{Stage: s.ID, SalesReady: s.SalesReady, Accounts: stages[s.ID]})
	}
	v.Stages = append(v.Stages, htmlreport.AccountStage{Stage: "", Accounts: stages[""]})
	for _, g := range am.Grades {
		v.Grades = append(v.Grades, htmlreport.AccountGrade{Grade: g.Name, Accounts: grades[g.Name]})
	}
	if len(am.Grades) > 0 && grades[""] > 0 {
		v.Grades = append(v.Grades, htmlreport.AccountGrade{Grade: "", Accounts: grades[""]})
	}
	v.Total = review.QuantilesOf(totals)
	sort.SliceStable(v.Top, func(i, j int) bool { return v.Top[i].Total > v.Top[j].Total })
	if k := min(top, len(v.Top)); k < len(v.Top) {
		// Accounts left out with the total of the last one listed (or, for
		// --top 0, of the first) are cut in file order: say how many.
		cut := v.Top[max(k-1, 0)].Total
		for _, a := range v.Top[k:] {
			if a.Total == cut && k > 0 {
				v.TiedLeftOut++
			}
		}
		v.Top = v.Top[:k]
	}
	return v, nil
}

// accountOutcomeErrors are the rows of the account outcomes file that
// backtest --accounts leaves out (a bad row, an account's second row),
// as it names them on stderr: FILE:LINE: what is wrong. The file was read
// by the backtest already; one that cannot be read has none here.
func accountOutcomeErrors(file string) []string {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	errs := []string{}
	_, _, _ = attribution.ReadAccountOutcomes(f, func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%s:%d: %v", file, line, err))
	})
	return errs
}

// outcomeRowsWarning says that rows of the outcomes file were left out,
// naming the first of them; "" for none.
func outcomeRowsWarning(file string, errs []string) string {
	if len(errs) == 0 {
		return ""
	}
	shown := errs[:min(len(errs), 3)]
	more := ""
	if len(errs) > len(shown) {
		more = fmt.Sprintf(" (and %d more)", len(errs)-len(shown))
	}
	return fmt.Sprintf("%s of %s could not be used and %s left out (an account with no row read counts as not won; an account given twice keeps its first row): %s%s; fix them and run again.",
		numfmt.Count(len(errs), "outcome row"), file, isAreN(len(errs)), strings.Join(shown, "; "), more)
}

func isAreN(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
