package dsl_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

func TestFormatMessyFile(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "fmt", "messy.yaml"))
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("..", "testdata", "fmt", "messy.golden.yaml"))
	require.NoError(t, err)
	got, err := dsl.Format(src)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	// The formatted file says the same: the same rules, in the same order,
	// with the same expressions (whitespace aside) and points.
	before, err := dsl.Parse("m.yaml", src)
	require.NoError(t, err)
	after, err := dsl.Parse("m.yaml", got)
	require.NoError(t, err)
	require.Len(t, after.Rules, len(before.Rules))
	for i := range before.Rules {
		b, a := before.Rules[i], after.Rules[i]
		assert.Equal(t, b.ID.Value, a.ID.Value)
		assert.Equal(t, b.Points.Value, a.Points.Value)
		assert.Equal(t, strings.Join(strings.Fields(b.When.Text), " "), strings.Join(strings.Fields(a.When.Text), " "))
	}
}

// Every YAML file the project ships formats to itself the second time.
func TestFormatIsIdempotent(t *testing.T) {
	var files []string
	require.NoError(t, filepath.Walk(filepath.Join("..", "testdata"), func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(path, ".yaml") {
			files = append(files, path)
		}
		return err
	}))
	require.Greater(t, len(files), 5)
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		once, err := dsl.Format(src)
		require.NoError(t, err, f)
		twice, err := dsl.Format(once)
		require.NoError(t, err, f)
		assert.Equal(t, string(once), string(twice), f)
	}
}

// Comments where people put them: formatting keeps them in place and a
// second pass changes nothing.
func TestFormatTrailingComments(t *testing.T) {
	for _, src := range []string{
		"leadscore: 1\nmodel: m\nfields:\n  a: string\n  # TODO add b\n\nrules: []\n",
		"model: m\nleadscore: 1\nfields:\n  a:\n    type: int\n    # inner trailing\nscores: {}\n",
		"leadscore: 1\nrules:\n  - id: x\n    points: 1\n    # trailing in rule\n  - id: y\n# at the end\n",
		"# header\n\nmodel: m # the name\nleadscore: 1\n\n# the rules\nrules:\n  # first\n  - id: x # inline\n",
		"leadscore: 1\nmodel: m\n\n# the end, in two parts\n\n# found by fuzzing: a blank line parts the file's last comments from it\n",
		"# a header, in two parts\n\n# found by fuzzing: a blank line parts the file's first comments from it\n\n- a\n",
	} {
		once, err := dsl.Format([]byte(src))
		require.NoError(t, err, src)
		twice, err := dsl.Format(once)
		require.NoError(t, err)
		assert.Equal(t, string(once), string(twice), src)
		assert.Equal(t, strings.Count(src, "#"), strings.Count(string(once), "#"), "no comment lost: %s", once)
	}
}

func TestFormatKeepsCanonicalFilesAsTheyAre(t *testing.T) {
	for _, name := range []string{"b2b-saas.yaml", "b2b-saas-v2.yaml", filepath.Join("common", "lists.yaml"), filepath.Join("lint", "sloppy.yaml")} {
		src, err := os.ReadFile(filepath.Join("..", "testdata", name))
		require.NoError(t, err)
		got, err := dsl.Format(src)
		require.NoError(t, err)
		assert.Equal(t, string(src), string(got), name)
	}
}

func TestFormatRefusesBrokenYAML(t *testing.T) {
	_, err := dsl.Format([]byte("rules: [\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the file is not valid YAML")
}

// Comments the writer lined up stay lined up; a single space stays single.
func TestFormatKeepsAlignedComments(t *testing.T) {
	src := "model: m.yaml\nas_of: 2026-10-01\ncases:\n  - name: a\n    events:\n      - {type: a, ago: 1d}        # 15\n      - {type: b,   ago: 2d}      # 30\n      - {type: c, ago: 3d} # 5\n    expect: {stage: sql}\n"
	got, err := dsl.Format([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, "model: m.yaml\nas_of: 2026-10-01\ncases:\n  - name: a\n    events:\n      - {type: a, ago: 1d}        # 15\n      - {type: b, ago: 2d}        # 30\n      - {type: c, ago: 3d} # 5\n    expect: {stage: sql}\n", string(got))
	again, err := dsl.Format(got)
	require.NoError(t, err)
	assert.Equal(t, string(got), string(again), "formatting settles at once")
}

// A holdout section's keys come in their canonical order, after handoff.
func TestFormatHoldoutOrder(t *testing.T) {
	src := "leadscore: 1\nmodel: m\nholdout:\n  withhold: handoff\n  seed: s # the seed\n  share: 0.1\nhandoff:\n  sla: 48h\n"
	got, err := dsl.Format([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, "leadscore: 1\nmodel: m\nhandoff:\n  sla: 48h\nholdout:\n  share: 0.1\n  seed: s # the seed\n  withhold: handoff\n", string(got))
}
