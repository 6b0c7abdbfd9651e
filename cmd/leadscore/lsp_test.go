package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leadscore lsp answers on stdin and stdout: a session that opens the
// bundled model with a typo gets the typo back, positioned, and ends cleanly.
func TestLSPCommand(t *testing.T) {
	abs, err := filepath.Abs(td("b2b-saas.yaml"))
	require.NoError(t, err)
	src := "leadscore: 1\nmodel: m\nfields: {industry: string}\nscores: {fit: {}}\nrules:\n  - {id: r, score: fit, points: 1, when: industy == \"x\"}\n"
	var in strings.Builder
	for _, m := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`,
		fmt.Sprintf(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file://%s","version":1,"text":%q}}}`, filepath.ToSlash(abs), src),
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	} {
		fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	// industy starts at column 41 of line 5 (0-based): "  - {id: r, score: fit, points: 1, when: " is 41 characters.
	code, out, errOut := leadscore(t, in.String(), "lsp")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"range":{"start":{"line":5,"character":41},"end":{"line":5,"character":48}},"severity":1,"source":"leadscore","message":"unknown name \"industy\"; did you mean \"industry\"?"`)
	assert.Contains(t, out, `"id":2,"result":null`)

	code, _, errOut = leadscore(t, "", "lsp")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "the editor closed the connection without exit")
}
