package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The development guide's layout table names every command, in the order
// leadscore's help lists them.
func TestLayoutNamesEveryCommand(t *testing.T) {
	data, err := os.ReadFile("../../docs/guide/development.md")
	require.NoError(t, err)
	var row string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "| `cmd/leadscore` |") {
			row = line
		}
	}
	require.NotEmpty(t, row, "the layout table has a row for cmd/leadscore")
	var named, want []string
	for _, m := range regexp.MustCompile("`([a-z]+)`").FindAllStringSubmatch(strings.SplitN(row, "|", 3)[2], -1) {
		named = append(named, m[1])
	}
	for _, c := range commands {
		want = append(want, c.name)
	}
	assert.Equal(t, want, named)
}
