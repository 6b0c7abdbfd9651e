package review_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/review"
)

// A review shows durations as each file writes them (14d, not 2w), and a
// duration changes only when its length does.
func TestReviewShowsDurationsAsWritten(t *testing.T) {
	src, err := os.ReadFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	lists, err := os.ReadFile(td(filepath.Join("common", "lists.yaml")))
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "common"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	compile := func(s string) *rules.Model {
		path := filepath.Join(dir, "b2b-saas.yaml")
		require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
		m, err := rules.CompileFile(path)
		require.NoError(t, err)
		return m
	}
	variant := func(from, to string) *rules.Model {
		s := string(src)
		require.Contains(t, s, from)
		return compile(strings.Replace(s, from, to, 1))
	}
	const window = "    within: 30d\n"
	require.Contains(t, string(src), window)
	old := variant(window, "    within: 30d\n")
	details := func(new *rules.Model) [][]string {
		var out [][]string
		for _, c := range review.Compare(old, new) {
			out = append(out, c.Details)
		}
		return out
	}
	assert.Equal(t, [][]string{{"within 30d → 14d"}}, details(variant(window, "    within: 14d\n")))
	assert.Equal(t, [][]string{{"within 30d → 1w12h"}}, details(variant(window, "    within: 1w12h\n")))
	assert.Empty(t, details(variant(window, "    within: 720h\n")), "720h is 30d: not a change")
	assert.Empty(t, details(variant(window, "    within: 1mo\n")), "1mo is 30d: not a change")
	// A rule added (here, renamed) shows its window as written too.
	renamed := compile(strings.Replace(strings.Replace(string(src), "  - id: engagement.email-click\n", "  - id: engagement.email-clicks\n", 1), window, "    within: 14d\n", 1))
	assert.Equal(t, [][]string{{"+3 engagement per email_click event (at most 5, within 14d)"}, {"was: +3 engagement per email_click event (at most 5, within 30d)"}}, details(renamed))
}
