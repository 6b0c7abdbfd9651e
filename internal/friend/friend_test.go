package friend_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// zeroKey calls a closed method the way code outside the module can: a
// generic function infers the Key's type and passes its zero value.
func zeroKey[K, R any](f func(K, []byte, time.Time) (R, string, bool, error)) error {
	var k K
	_, _, _, err := f(k, []byte(`{"id":"x"}`), time.Time{})
	return err
}

func newEvaluator[K, R any](f func(K, bool) R) (r R) {
	var k K
	return f(k, false)
}

// Only K's key opens a closed method: the zero Key, which a generic
// function outside the module can make, is refused.
func TestOnlyKOpens(t *testing.T) {
	assert.NoError(t, friend.K().Check())
	assert.ErrorIs(t, friend.Key{}.Check(), friend.ErrNotFriend)

	m, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	s := scoring.New(m)
	assert.ErrorIs(t, zeroKey(s.ScoreJSON), friend.ErrNotFriend)
	assert.PanicsWithError(t, friend.ErrNotFriend.Error(), func() { newEvaluator(m.NewEvaluator) })
	assert.NotNil(t, m.NewEvaluator(friend.K(), false))
}
