package feedback

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A cell holding a | or a line break (an owner "ana|bo", a campaign
// "spring\nsale") stays one cell of its Markdown table.
func TestMarkdownCellsEscaped(t *testing.T) {
	var b strings.Builder
	table{head: []string{"owner", "verdicts"}, right: []bool{false, true}, rows: [][]string{{"ana|bo", "1"}, {"spring\nsale", "2"}, {`a\b`, "3"}}}.write(&b, true)
	assert.Equal(t, "| owner | verdicts |\n| --- | ---: |\n| ana\\|bo | 1 |\n| spring sale | 2 |\n| a\\\\b | 3 |\n", b.String())
}
