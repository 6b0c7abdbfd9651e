// Package leadscore lets sales and marketing write down, in a YAML rule
// file, what a sales-ready lead is, and scores leads against it inside Go
// backends: compile the file once, score millions of leads, from many
// goroutines, each score explaining itself.
//
// This package is the one door for the common case: load a rule file (from
// disk, or built into the binary with go:embed), then score and explain
// leads with the Scorer it returns. The types a backend handles are here
// too, as aliases, so one import does.
//
//	scorer, err := leadscore.Load("rules/b2b-saas.yaml") // at start-up
//	...
//	var lead leadscore.Lead
//	err = json.Unmarshal(body, &lead)                    // per request
//	res, err := scorer.Score(lead, time.Now())
//
// The work is split into packages with one job each:
//
//	dsl          reads rule files: YAML in, a positioned Document out, strict
//	rules        compiles a Document into an immutable Model of typed expr programs
//	scoring      scores leads with a Model at an as-of time; explains; timelines
//	attribution  credits campaigns and channels with conversions and revenue
package leadscore

import (
	"io/fs"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// The types a backend handles, from the packages that define them.
type (
	// Scorer scores leads with one compiled model, from many goroutines.
	Scorer = scoring.Scorer
	// Lead is a lead to score: its id, fields (a map or a struct) and events.
	Lead = scoring.Lead
	// Event is something a lead did, at a time.
	Event = scoring.Event
	// Result is what a score says about one lead.
	Result = scoring.Result
	// Explanation is a score with every rule, condition and stage explained.
	Explanation = scoring.Explanation
	// Timeline is a lead's score history, event by event.
	Timeline = scoring.Timeline
	// Diagnostics lists the problems of a rule file, each as file:line:col.
	Diagnostics = dsl.Diagnostics
	// ScoreError is a lead that could not be scored (its data, or a rule
	// that failed on it); other leads are unaffected.
	ScoreError = scoring.Error
)

// Load compiles the rule file at path (with its includes) and returns a
// Scorer, safe for concurrent use. The error, when not nil, is a
// Diagnostics listing every problem in the file, each as file:line:col;
// errors.Is(err, fs.ErrNotExist) holds when the file is missing. Options
// such as rules.WithLimits set the model's limits.
func Load(path string, opts ...rules.Option) (*Scorer, error) {
	m, err := rules.CompileFile(path, opts...)
	if err != nil {
		return nil, err
	}
	return scoring.New(m), nil
}

// LoadFS is Load from a file system, such as an embed.FS that builds the
// rule files into the binary:
//
//	//go:embed rules
//	var ruleFiles embed.FS
//	scorer, err := leadscore.LoadFS(ruleFiles, "rules/b2b-saas.yaml")
func LoadFS(fsys fs.FS, name string, opts ...rules.Option) (*Scorer, error) {
	m, err := rules.CompileFS(fsys, name, opts...)
	if err != nil {
		return nil, err
	}
	return scoring.New(m), nil
}
