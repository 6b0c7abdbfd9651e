package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring"
)

// leadCounts are what the run counted of the leads.
func (run *accountRun) leadCounts() htmlreport.LeadCounts {
	return htmlreport.LeadCounts{Leads: run.leads, ByID: run.byID, ByDomain: run.byDomain, NotCreated: run.notCreated,
		Unmatched: run.unmatchedN, OfFailedAccounts: run.ofBadAccounts, Failed: run.badLeadsN, FailedRows: append([]string{}, run.badLeads[:min(len(run.badLeads), maxShownErrors)]...)}
}

// unreadableWhy says, of a lead that matched no account, that its
// account's row could not be read when the lead names that row's account
// id (ofBad set); otherwise, when some rows could not be read and the
// lead has a domain no account has (or an id, and a row's id could not be
// read either), that its account may be among them. why is the matcher's
// reason.
func (run *accountRun) unreadableWhy(p *scoring.Person, why string) (reason string, ofBad bool) {
	if len(run.badAccounts) == 0 || p == nil {
		return why, false
	}
	if p.AccountID != "" {
		for _, b := range run.badAccounts {
			if b.id == p.AccountID {
				return fmt.Sprintf("its account %s's row (%s:%d) could not be read: fix the row and score again", b.id, run.file, b.line), true
			}
		}
	}
	// The hint is for a lead a readable account would have matched: by a
	// domain no account has, or by an id when a row's id is unknown too.
	noID := false
	for _, b := range run.badAccounts {
		noID = noID || b.id == ""
	}
	if !strings.Contains(why, "no account has the domain") && !(p.AccountID != "" && noID) {
		return why, false
	}
	lines := ""
	for i, b := range run.badAccounts {
		if i == 3 {
			lines += fmt.Sprintf(" and %d more", len(run.badAccounts)-i)
			break
		}
		if i > 0 {
			lines += ", "
		}
		lines += fmt.Sprintf("%s:%d", run.file, b.line)
	}
	return why + "; its account may be a row that could not be read (" + lines + "): fix those rows and score again", false
}

// unreadableHint says, when rows of the accounts file could not be read
// and some leads are unmatched, that those rows' people are among them.
func (run *accountRun) unreadableHint(stderr io.Writer) {
	if n := len(run.badAccounts); n > 0 && run.unmatchedN > 0 {
		rows := "its row"
		if n > 1 {
			rows = "their rows"
		}
		fmt.Fprintf(stderr, "(the people of the %s that could not be read are among the unmatched: fix %s and score again)\n", numfmt.Count(n, "account"), rows)
	}
}
