package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// linesOnce writes each line once, whatever pieces it comes in; blank
// lines always; a last line without its newline on Flush, once too.
func TestLinesOnce(t *testing.T) {
	var b strings.Builder
	w := newLinesOnce(&b)
	for _, piece := range []string{"a.csv:3: bad\n", "a.csv:", "3: bad\nsum", "mary\n", "\n", "a.csv:3: bad\n", "\n", "summary\n", "a.csv:4: bad\n", "last"} {
		_, err := w.Write([]byte(piece))
		require.NoError(t, err)
	}
	assert.Equal(t, "a.csv:3: bad\nsummary\n\n\na.csv:4: bad\n", b.String())
	require.NoError(t, w.Flush())
	_, _ = w.Write([]byte("last"))
	require.NoError(t, w.Flush())
	assert.Equal(t, "a.csv:3: bad\nsummary\n\n\na.csv:4: bad\nlast", b.String())
}
