// Package leadscore lets sales and marketing write down, in a YAML rule
// file, what a sales-ready lead is, and scores leads against it inside Go
// backends: compile the file once, score millions of leads, from many
// goroutines, each score explaining itself.
//
// The work is split into packages with one job each:
//
//	dsl        reads rule files: YAML in, a positioned Document out, strict
//	rules      compiles a Document into an immutable Model of typed expr programs
//	scoring    scores leads with a Model at an as-of time
//
// This package is the one-call path for the common case:
//
//	scorer, err := leadscore.Load("rules/b2b-saas.yaml") // at start-up
//	...
//	res, err := scorer.Score(scoring.Lead{ID: id, Fields: lead, Events: events}, time.Now())
package leadscore

import (
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Load compiles the rule file at path (with its includes) and returns a
// Scorer, safe for concurrent use. The error, when not nil, is a
// dsl.Diagnostics listing every problem in the file, each as file:line:col.
// Options such as rules.WithLimits set the model's limits.
func Load(path string, opts ...rules.Option) (*scoring.Scorer, error) {
	m, err := rules.CompileFile(path, opts...)
	if err != nil {
		return nil, err
	}
	return scoring.New(m), nil
}
