// Package evalhook lets package scoring reach the expression evaluator of
// package rules without that evaluator crowding the public API of rules:
// rules registers its constructor here, and scoring asserts what it returns
// to an interface of its own.
package evalhook

import (
	"context"
	"fmt"
	"time"
)

// NewEvaluator returns a new evaluator for a *rules.Model: one goroutine's
// reusable state for evaluating the model's expressions, lead after lead.
// Package rules sets it when it is initialised.
var NewEvaluator func(model any) any

// NewPlainEvaluator is NewEvaluator with every expression run on expr's VM,
// none on the closures compiled for common shapes: the reference the
// differential tests compare the fast paths with.
var NewPlainEvaluator func(model any) any

// Compiled reports whether a *rules.Expr runs as Go closures compiled
// from its shape rather than on expr's VM.
var Compiled func(x any) bool

// ScoreJSON scores one NDJSON line with a *scoring.Scorer as of a time,
// decoding it straight into the evaluator (rules' BindJSON): it returns
// the *scoring.Result or the error Score would, and the lead's id, or
// ok false when the line needs the general path (decode, then Score).
// Package scoring sets it when it is initialised.
var ScoreJSON func(scorer any, line []byte, asOf time.Time) (res any, id string, ok bool, err error)

// ScoreCells scores one CSV row with a *scoring.Scorer as of a time: the
// lead's id, its cells by field index ("" for none) and its events
// ([]scoring.Event), bound straight into the evaluator (rules'
// BindCells). It returns the *scoring.Result or the error Score would, or
// ok false when the row needs the general path (decode, then Score).
// Package scoring sets it when it is initialised.
var ScoreCells func(scorer any, id string, cells []string, events any, asOf time.Time) (res any, ok bool, err error)

// Stopped returns the error for an evaluation its context stopped: it wraps
// the context's cause (errors.Is(err, context.Canceled) or
// context.DeadlineExceeded holds).
func Stopped(ctx context.Context) error {
	return fmt.Errorf("scoring stopped: %w", context.Cause(ctx))
}
