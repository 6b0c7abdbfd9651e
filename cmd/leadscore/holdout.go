package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
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
