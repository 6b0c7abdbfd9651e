// Package friend lets one of leadscore's packages call what another keeps
// for it. Go has no friend packages: a method that scoring must call on a
// rules.Model, or leadfile on a scoring.Scorer, has to be exported. Such a
// method takes a Key, and only code inside this module can make one (this
// package is internal), so the method is exported for the compiler and
// closed to everyone else. Its doc comment says who calls it.
//
// The alternative it replaces was a package of function variables, typed
// with any, set in init and asserted back at run time: a dependency the
// compiler could not see. With a Key the call is an ordinary method call,
// type-checked where it is written.
package friend

import (
	"context"
	"fmt"
)

// Key is the argument that closes a method to callers outside leadscore:
// pass Key{}.
type Key struct{}

// Stopped returns the error an evaluation returns when its context stopped
// it: it wraps the context's cause, so errors.Is(err, context.Canceled) or
// context.DeadlineExceeded holds. rules and scoring both return it.
func Stopped(ctx context.Context) error {
	return fmt.Errorf("scoring stopped: %w", context.Cause(ctx))
}
