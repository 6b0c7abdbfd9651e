package leadscore_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/scoringtest"
	"github.com/leadscore/leadscore/scoring/source"
)

// readmeBlocks returns the fenced blocks of README.md in the given language.
func readmeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	data, err := os.ReadFile("README.md")
	require.NoError(t, err)
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```"+lang:
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// readmeCommands returns the shell commands of the README's sh blocks,
// continuation lines joined and comments dropped.
func readmeCommands(t *testing.T) []string {
	var cmds []string
	for _, block := range readmeBlocks(t, "sh") {
		var cur string
		for _, line := range strings.Split(block, "\n") {
			if i := commentAt(line); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimSpace(line)
			if strings.HasSuffix(line, `\`) {
				cur += strings.TrimSuffix(line, `\`) + " "
				continue
			}
			if cur += line; strings.TrimSpace(cur) != "" {
				cmds = append(cmds, strings.TrimSpace(cur))
			}
			cur = ""
		}
	}
	return cmds
}

// commentAt finds a shell comment: a # at the start or after a blank,
// outside quotes.
func commentAt(line string) int {
	var quote rune
	for i, c := range line {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return i
		}
	}
	return -1
}

var goTestRE = regexp.MustCompile(`^go test((?: -\S+)*) (\./\S*)(.*)$`)

// Every command in the README runs as written, from the root of a copy of
// the repository, with leadscore installed: a new user's first hour. The
// go test commands are checked for what they name (the package, the fuzz
// target or benchmark, the -update flag) rather than run: they are the
// tests, and fuzzing takes minutes.
func TestREADMECommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds leadscore and runs every README command")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := copyRepository(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "leadscore"), "./cmd/leadscore")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	cmds := readmeCommands(t)
	require.Greater(t, len(cmds), 15, "the README's commands were found")
	for _, cmd := range cmds {
		if m := goTestRE.FindStringSubmatch(cmd); m != nil {
			checkGoTestCommand(t, cmd, m[2], m[1]+m[3])
			t.Logf("checked (not run): %s", cmd)
			continue
		}
		if strings.HasPrefix(cmd, "go test") {
			t.Errorf("README command %q: write go test commands as go test [flags] ./PACKAGE [flags], so this test can check what they name", cmd)
			continue
		}
		if strings.HasPrefix(cmd, "go install ") {
			continue // needs the network
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		c := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", cmd)
		ownGroup(c)
		c.Dir = repo
		c.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		var stderr bytes.Buffer
		c.Stdout, c.Stderr = nil, &stderr
		err := c.Run()
		cancel()
		if assert.NoError(t, err, "README command failed: %s\n%s", cmd, tail(stderr.String(), 2000)) {
			t.Logf("ran: %s", cmd)
		}
	}
}

// checkGoTestCommand checks that a README go test command names what exists.
func checkGoTestCommand(t *testing.T, cmd, pkg, flags string) {
	if pkg == "./..." {
		return
	}
	dir := filepath.FromSlash(strings.TrimPrefix(pkg, "./"))
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	require.NoError(t, err)
	if !assert.NotEmpty(t, files, "%s: no tests in %s", cmd, pkg) {
		return
	}
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src.Write(b)
	}
	for _, flag := range []string{"-fuzz", "-bench"} {
		if m := regexp.MustCompile(flag + ` '?\^?(\w+)`).FindStringSubmatch(flags); m != nil {
			assert.Contains(t, src.String(), "func "+m[1]+"(", "%s: no %s in %s", cmd, m[1], pkg)
		}
	}
	if strings.Contains(flags, "-update") {
		assert.Contains(t, src.String(), `flag.Bool("update"`, "%s: %s has no -update flag", cmd, pkg)
	}
}

// copyRepository copies the files git tracks into a new repository with
// one commit, so that commands that write files or name git revisions
// (HEAD:testdata/...) run as they would in a checkout.
func copyRepository(t *testing.T) string {
	t.Helper()
	list, err := exec.Command("git", "ls-files", "-z").Output()
	require.NoError(t, err)
	repo := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		data, err := os.ReadFile(name)
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		require.NoError(t, err)
		dst := filepath.Join(repo, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, data, 0o644))
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.email=readme@example.com", "-c", "user.name=readme", "commit", "-q", "-m", "copy"}} {
		c := exec.Command("git", args...)
		c.Dir = repo
		out, err := c.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	return repo
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// Every Go snippet in the README is an excerpt, line for line, of code that
// compiles and runs in go test: example_test.go or the examples.
func TestREADMEGoSnippetsAreTestedCode(t *testing.T) {
	var sources []string
	for _, pattern := range []string{"*_test.go", "examples/*/*.go"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			sources = append(sources, normalizeGo(string(b)))
		}
	}
	blocks := readmeBlocks(t, "go")
	require.NotEmpty(t, blocks)
	for _, block := range blocks {
		snippet := normalizeGo(block)
		found := false
		for _, src := range sources {
			found = found || strings.Contains(src, snippet)
		}
		assert.True(t, found, "this README snippet is not in example_test.go or examples/; copy it from there:\n%s", block)
	}
}

// normalizeGo trims each line, so an excerpt matches at any indentation.
func normalizeGo(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return "\n" + strings.Join(lines, "\n") + "\n"
}

// The README's rule-file tour compiles, and its test file runs, beside the
// bundled model (whose included lists the tour names).
// The README's source mapping reads, and checks against the bundled model.
func TestREADMESourceMappingChecks(t *testing.T) {
	m, err := rules.CompileFile(filepath.Join("testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	found := 0
	for _, block := range readmeBlocks(t, "yaml") {
		if !source.IsMapping([]byte(block)) {
			continue
		}
		found++
		mapping, err := source.Parse("README.md", []byte(block))
		require.NoError(t, err)
		assert.Empty(t, mapping.Check(m))
	}
	assert.Equal(t, 1, found, "the README shows a source mapping")
}

func TestREADMERuleFileTourCompiles(t *testing.T) {
	var tour, tests string
	for _, block := range readmeBlocks(t, "yaml") {
		switch {
		case source.IsMapping([]byte(block)):
			// a source mapping: TestREADMESourceMappingChecks
		case strings.Contains(block, "leadscore: 1"):
			tour = block
		case strings.Contains(block, "cases:"):
			tests = block
		}
	}
	require.NotEmpty(t, tour, "the README has a rule-file tour")
	dir := filepath.Join(t.TempDir(), "rules")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	lists, err := os.ReadFile(filepath.Join("testdata", "common", "lists.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tour.yaml"), []byte(tour), 0o644))
	_, err = rules.CompileFile(filepath.Join(dir, "tour.yaml"))
	require.NoError(t, err, "the README's tour does not compile")

	require.NotEmpty(t, tests, "the README has a test file")
	model, err := os.ReadFile(filepath.Join("testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b2b-saas.yaml"), model, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "readme_test.yaml"), []byte(tests), 0o644))
	res := scoringtest.RunFile(filepath.Join(dir, "readme_test.yaml"), scoringtest.Options{})
	require.NoError(t, res.Err)
	for _, c := range res.Cases {
		assert.Equal(t, scoringtest.Pass, c.Status, "README test case %q", c.Name)
	}
}
