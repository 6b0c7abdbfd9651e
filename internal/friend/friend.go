// Package friend lets one of leadscore's packages call what another keeps
// for it. Go has no friend packages: a method that scoring must call on a
// rules.Model, or leadfile on a scoring.Scorer, has to be exported. Such a
// method takes a Key, and only K, in this internal package, gives a valid
// one: the zero Key (which a generic function outside the module can make
// by inferring the type) is refused. The method is exported for the
// compiler and closed to everyone else. Its doc comment says who calls it.
//
// The alternative it replaces was a package of function variables, typed
// with any, set in init and asserted back at run time: a dependency the
// compiler could not see. With a Key the call is an ordinary method call,
// type-checked where it is written.
package friend

import (
	"context"
	"errors"
	"fmt"
)

// Key is the argument that closes a method to callers outside leadscore:
// pass K().
type Key struct{ valid *bool }

var key = Key{valid: new(bool)}

// K returns the valid Key.
func K() Key { return key }

// ErrNotFriend is what a closed method returns (or panics with, when it
// returns no error) given a Key that K did not make.
var ErrNotFriend = errors.New("this method is leadscore's own, closed to other callers (see internal/friend); use the package's public API")

// Check returns ErrNotFriend unless k came from K.
func (k Key) Check() error {
	if k.valid != key.valid {
		return ErrNotFriend
	}
	return nil
}

// Stopped returns the error an evaluation returns when its context stopped
// it: it wraps the context's cause, so errors.Is(err, context.Canceled) or
// context.DeadlineExceeded holds. rules and scoring both return it.
func Stopped(ctx context.Context) error {
	return fmt.Errorf("scoring stopped: %w", context.Cause(ctx))
}
