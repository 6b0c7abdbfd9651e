package main

import (
	"fmt"
	"io"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/numfmt"
)

// outcomesSeen notes which rows of an outcomes file name a lead the
// command read (scored, failed or created after --at, each a lead of the
// file), so that the rows naming none are reported at their lines rather
// than dropped without a word. It keeps only the ids the file has rows
// for (an unknown id gets no did-you-mean: a near id is another lead).
// Not safe for concurrent use: call saw and note from the goroutine that
// takes the leads in input order (known is safe from any).
type outcomesSeen struct {
	outcomes map[string]attribution.Outcome
	had      map[string]bool
	// nameless counts the lead rows that failed before their id could be
	// read: an outcome row naming no lead may be one of theirs.
	nameless int
}

func newOutcomesSeen(outcomes map[string]attribution.Outcome) *outcomesSeen {
	return &outcomesSeen{outcomes: outcomes, had: map[string]bool{}}
}

// saw notes a lead row with the id ("" for a row that failed before its
// id could be read); a nil outcomesSeen notes nothing.
func (s *outcomesSeen) saw(id string) { s.note(id, s.known(id)) }

// known reports whether the outcomes file has a row for id. It only reads
// the outcomes, so the workers that decode the leads may ask it at once
// and leave note, in input order, only the answer: one look-up in the
// outcomes per lead on every core instead of on the goroutine in order.
func (s *outcomesSeen) known(id string) bool {
	if s == nil || id == "" {
		return false
	}
	_, ok := s.outcomes[id]
	return ok
}

// note is saw with known's answer for id.
func (s *outcomesSeen) note(id string, known bool) {
	if s == nil {
		return
	}
	if id == "" {
		s.nameless++
		return
	}
	if known {
		s.had[id] = true
	}
}

// report writes each outcome row naming no lead read, at its line of file,
// and a line that sums them up; it returns them, and the summary for the
// report's warnings ("" for none).
func (s *outcomesSeen) report(w io.Writer, file string) (int, string) {
	if s == nil {
		return 0, ""
	}
	un := attribution.UnmatchedOutcomes(s.outcomes, func(id string) bool { return s.had[id] }, nil, "lead")
	if len(un) == 0 {
		return 0, ""
	}
	for _, u := range un {
		fmt.Fprintf(w, "%s:%d: %v\n", file, u.Line, u.Err)
	}
	summary := attribution.UnmatchedSummary(un, file)
	if s.nameless > 0 {
		summary += fmt.Sprintf("; %s of the leads file failed before their id could be read (named above), so an outcome row here may be one of theirs: fix those rows before acting on these", numfmt.Count(s.nameless, "row"))
	}
	fmt.Fprintln(w, summary)
	return len(un), summary
}
