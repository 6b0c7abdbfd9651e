package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/reference.md describes every function a rule file can call, and
// says which of expr's builtins are not available.
func TestReferenceDescribesEveryFunction(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join("..", "docs", "reference.md"))
	require.NoError(t, err)
	for _, name := range functionNames {
		assert.True(t, strings.Contains(string(ref), "| `"+name+"("), "docs/reference.md has no row for %s()", name)
	}
	for _, name := range disabledBuiltins {
		assert.True(t, strings.Contains(string(ref), "`"+name+"()`"), "docs/reference.md does not say %s() is not available", name)
	}
}
