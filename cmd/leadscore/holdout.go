package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// challengerDiagnostics checks the challenger a model's holdout names
// (withhold: {challenger: FILE}): that it is a rule file beside or below
// the model, and that it compiles. The problems are errors at the
// challenger's name in the model; none without a challenger.
func challengerDiagnostics(m *rules.Model) dsl.Diagnostics {
	h := m.Holdout
	if h == nil || h.Challenger == "" || m.Document == nil || m.Document.Holdout == nil || len(m.Document.Files) == 0 {
		return nil
	}
	doc := m.Document
	at := doc.Holdout.Challenger.Pos
	if why := dsl.CheckIn(filepath.Dir(doc.Files[0]), h.Challenger); why != "" {
		return dsl.Diagnostics{doc.Diag(at, fmt.Sprintf("challenger %s: %s; name the challenger's rule file relative to this one", h.Challenger, why))}
	}
	if filepath.Clean(h.ChallengerPath) == filepath.Clean(doc.Files[0]) {
		return dsl.Diagnostics{doc.Diag(at, fmt.Sprintf("challenger %s is this rule file; name another definition to compare with", h.Challenger))}
	}
	_, err := rules.CompileFile(h.ChallengerPath)
	var ds dsl.Diagnostics
	switch {
	case errors.As(err, &ds):
		n := 0
		for _, d := range ds {
			if d.Severity == dsl.Error {
				n++
			}
		}
		return dsl.Diagnostics{doc.Diag(at, fmt.Sprintf("challenger %s does not compile (%d %s); run leadscore check %s", h.Challenger, n, numfmt.Noun(n, "error"), h.ChallengerPath))}
	case err != nil:
		return dsl.Diagnostics{doc.Diag(at, fmt.Sprintf("challenger %s: %v", h.Challenger, err))}
	}
	return nil
}

// holdoutStarts reports whether the model's holdout experiment has a
// start (starts:), before which leads are in neither group.
func holdoutStarts(m *rules.Model) bool {
	return m.Holdout != nil && !m.Holdout.Starts.IsZero()
}

// storedRow is a stored lead's result as of at, as score writes it, with
// its place in the holdout experiment h: for a holdout with a start, the
// lead came at its creation (createdField, "" for created_at) or, without
// one, at its first event. A lead with neither yet has come by at, the
// time it is scored as of: scored before the start, it came before it. A
// lead stored with events by a version that kept no first event was in
// use before the experiment, and is in neither group unless its creation
// says otherwise.
func storedRow(res *scoring.Result, h *rules.Holdout, l *stream.Lead, createdField string, at time.Time) (scoring.Row, error) {
	if h == nil || h.Starts.IsZero() {
		return res.RowIn(h), nil
	}
	fields, err := leadFields(l)
	if err != nil {
		return scoring.Row{}, err
	}
	came, err := scoring.Lead{ID: l.ID, Fields: fields}.Created(createdField)
	if err != nil {
		return scoring.Row{}, &scoring.Error{LeadID: l.ID, Err: err}
	}
	switch {
	case !came.IsZero():
	case !l.First.IsZero():
		came = l.First
	case l.State != nil:
		came = h.Starts.Add(-time.Nanosecond) // events before this version kept the first: in use before the experiment
	case at.Before(h.Starts):
		came = at // no time yet, but here before the start
	}
	return res.RowAt(h, came), nil
}
