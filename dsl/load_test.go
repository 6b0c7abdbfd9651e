package dsl_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

func TestLoadBundledModelWithInclude(t *testing.T) {
	doc, err := dsl.Load(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join("..", "testdata", "b2b-saas.yaml"), filepath.Join("..", "testdata", "common", "lists.yaml")}, doc.Files)
	assert.Equal(t, "b2b-saas", doc.Model.Value)
	var lists []string
	for _, l := range doc.Lists {
		lists = append(lists, l.Name.Value)
	}
	assert.Equal(t, []string{"target_industries", "target_countries", "free_email_domains", "competitor_domains", "integrated_crms"}, lists)
	// Positions of included values name the included file.
	assert.Equal(t, filepath.Join("..", "testdata", "common", "lists.yaml")+":3:3", doc.Lists[0].Name.Pos.String())
	assert.Equal(t, 2, doc.SalesReadyStage())
}

const rootModel = `leadscore: 1
model: m
include: [%s]
scores:
  fit: {}
stages:
  - id: sql
    sales_ready: true
    when: fit > 1
`

func loadFS(t *testing.T, files map[string]string) string {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	_, err := dsl.LoadFS(fsys, "rules/model.yaml")
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestIncludeErrors(t *testing.T) {
	model := func(inc string) string { return strings.Replace(rootModel, "%s", inc, 1) }
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"includes resolve relative to the including file",
			map[string]string{
				"rules/model.yaml":     model("parts/a.yaml"),
				"rules/parts/a.yaml":   "include: [b.yaml]\nlists:\n  x: [a]\n",
				"rules/parts/b.yaml":   "fields:\n  title: string\n",
				"rules/unrelated.yaml": "garbage: [",
			}, ""},
		{"leaving the rule directory",
			map[string]string{"rules/model.yaml": model("../secrets.yaml"), "secrets.yaml": "lists: {}"},
			`rules/model.yaml:3:11: cannot include "../secrets.yaml": the path leaves the rule directory; keep included files beside or below the main rule file`},
		{"leaving it from a nested include",
			map[string]string{"rules/model.yaml": model("parts/a.yaml"), "rules/parts/a.yaml": "include: [../../x.yaml]\n"},
			`rules/parts/a.yaml:1:11: cannot include "../../x.yaml": the path leaves the rule directory; keep included files beside or below the main rule file`},
		{"absolute path",
			map[string]string{"rules/model.yaml": model("/etc/passwd")},
			`rules/model.yaml:3:11: cannot include "/etc/passwd": write the path relative to this file, with forward slashes`},
		{"a file that is not a rule file",
			map[string]string{"rules/model.yaml": model(".env"), "rules/.env": "TOKEN=hunter2\n"},
			`rules/model.yaml:3:11: cannot include ".env": an included file is a rule file, ending in .yaml or .yml`},
		{"a YAML file that holds no rules",
			map[string]string{"rules/model.yaml": model("notes.yaml"), "rules/notes.yaml": "TOKEN=hunter2\nOTHER=x\n"},
			`rules/model.yaml:3:11: cannot include "notes.yaml": this is not a rule file: a rule file is a YAML mapping of keys to values, such as leadscore: 1`},
		{"missing file",
			map[string]string{"rules/model.yaml": model("lists.yaml")},
			`rules/model.yaml:3:11: cannot include "lists.yaml": no such file`},
		{"cycle",
			map[string]string{"rules/model.yaml": model("a.yaml"), "rules/a.yaml": "include: [b.yaml]\n", "rules/b.yaml": "include: [a.yaml]\n"},
			`rules/b.yaml:1:11: cannot include "a.yaml": include cycle rules/model.yaml -> rules/a.yaml -> rules/b.yaml -> rules/a.yaml`},
		{"sections an included file may not hold",
			map[string]string{"rules/model.yaml": model("a.yaml"), "rules/a.yaml": "model: other\nstages: []\n"},
			"rules/a.yaml:1:1: unknown key \"model\" in an included file; expected one of: include, fields, events, event_types, lists, define, scores, rules\n" +
				"rules/a.yaml:2:1: unknown key \"stages\" in an included file; expected one of: include, fields, events, event_types, lists, define, scores, rules"},
		{"a name declared in two files",
			map[string]string{"rules/model.yaml": model("a.yaml") + "lists:\n  x: [b]\n", "rules/a.yaml": "lists:\n  x: [a]\n"},
			`rules/a.yaml:2:3: list "x" is declared twice (first at rules/model.yaml:11:3); rename one`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, loadFS(t, tc.files))
		})
	}
}

func TestIncludeThroughSymlinkOutsideIsRefused(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside.yaml")
	require.NoError(t, os.WriteFile(outside, []byte("lists:\n  x: [a]\n"), 0o644))
	rulesDir := filepath.Join(dir, "rules")
	require.NoError(t, os.Mkdir(rulesDir, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(rulesDir, "link.yaml")))
	model := filepath.Join(rulesDir, "model.yaml")
	require.NoError(t, os.WriteFile(model, []byte(strings.Replace(rootModel, "%s", "link.yaml", 1)), 0o644))

	_, err := dsl.Load(model)
	require.Error(t, err)
	assert.Equal(t, model+`:3:11: cannot include "link.yaml": the path leads outside the rule directory (through a symbolic link); keep included files beside or below the main rule file`, err.Error())
}

func TestLoadMissingFile(t *testing.T) {
	_, err := dsl.Load(filepath.Join(t.TempDir(), "nope.yaml"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope.yaml: no such file")
}

func TestDiagnosticsAreSortedAndCounted(t *testing.T) {
	src := "leadscore: 2\nmodel: m\nscores: {fit: {min: 5, max: 1}}\nruls: []\nstages:\n  - id: s\n    sales_ready: yes\n    when: fit > 1\n"
	_, err := dsl.Parse("m.yaml", []byte(src))
	var ds dsl.Diagnostics
	require.ErrorAs(t, err, &ds)
	var lines []string
	for _, d := range ds {
		lines = append(lines, d.Error())
	}
	assert.Equal(t, []string{
		"m.yaml:1:12: format version 2 is not supported; this leadscore reads version 1",
		"m.yaml:3:29: score category fit: max 1 is below min 5; swap them",
		`m.yaml:4:1: unknown key "ruls" in the rule file; did you mean "rules"?`,
		`m.yaml:7:18: sales_ready must be true or false, not "yes"`,
	}, lines)
	assert.True(t, ds.HasErrors())
}

// LoadIn and LoadInFS read a model another file names the same way: from
// the model's own directory, every name in messages under dir. On disk a
// model in a subdirectory may not include, through a symbolic link, a file
// beside that subdirectory; in memory the names come out as on disk.
func TestLoadInReadsFromTheModelsDirectory(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	model := strings.Replace(rootModel, "%s", "lists.yaml", 1)
	require.NoError(t, os.WriteFile(filepath.Join(sub, "model.yaml"), []byte(model), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "beside.yaml"), []byte("lists: {a: [x]}\n"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join("..", "beside.yaml"), filepath.Join(sub, "lists.yaml")))

	_, err := dsl.LoadIn(dir, "sub/model.yaml")
	require.Error(t, err)
	assert.Equal(t, filepath.Join(dir, "sub", "model.yaml")+`:3:11: cannot include "lists.yaml": the path leads outside the rule directory (through a symbolic link); keep included files beside or below the main rule file`, err.Error())
	assert.Equal(t, "", dsl.CheckIn(dir, "sub/model.yaml"))
	assert.Equal(t, "the path leads out of that directory through a symbolic link", dsl.CheckIn(sub, "lists.yaml"))
	assert.Equal(t, "the path leads out of that directory (..)", dsl.CheckIn(sub, "../beside.yaml"))

	mem := fstest.MapFS{
		"sub/model.yaml": {Data: []byte(model)},
		"sub/lists.yaml": {Data: []byte("list: {a: [x]}\n")},
	}
	for _, name := range []string{"sub/model.yaml", "./sub/model.yaml"} {
		_, err = dsl.LoadInFS(mem, "/work/rules", name)
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), filepath.Join("/work/rules", "sub", "lists.yaml")+`:1:1: unknown key "list" in an included file`), err.Error())
	}
	assert.Equal(t, "no such file", dsl.CheckInFS(mem, "sub/other.yaml"))
	assert.Equal(t, "it is not a file", dsl.CheckInFS(fstest.MapFS{"d.yaml/x": {}}, "d.yaml"))
}

// An expected range whose min is above its max can never pass: refused,
// for the total, every score and the reset alike.
func TestExpectedRangeMinAboveMax(t *testing.T) {
	src := "model: m.yaml\nas_of: 2026-10-01\ncases:\n  - name: a\n    expect:\n      total: {min: 10, max: 5}\n      scores: {fit: {max: 1, min: 2}}\n      reset: {min: 3, max: 3}\n"
	_, err := dsl.ParseTestFile("t.yaml", []byte(src))
	var ds dsl.Diagnostics
	require.ErrorAs(t, err, &ds)
	var lines []string
	for _, d := range ds {
		lines = append(lines, d.Error())
	}
	assert.Equal(t, []string{
		"t.yaml:6:29: total: max 5 is below min 10; swap them",
		"t.yaml:7:27: score fit: max 1 is below min 2; swap them",
	}, lines)
}
