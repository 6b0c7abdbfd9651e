package leadscore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/scoringtest"
	"github.com/leadscore/leadscore/scoring/source"
)

// docFiles are the pages whose commands and snippets are checked: the
// README, the front door, and the user guide it sends readers on to.
func docFiles(t *testing.T) []string {
	t.Helper()
	guide, err := filepath.Glob(filepath.Join("docs", "guide", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, guide, "the user guide is in docs/guide")
	return append([]string{"README.md"}, guide...)
}

// block is a fenced block of a page, named by the page it is on.
type block struct {
	file, text string
}

// docBlocks returns the fenced blocks in the given language of every page
// of docFiles.
func docBlocks(t *testing.T, lang string) []block {
	t.Helper()
	var blocks []block
	for _, file := range docFiles(t) {
		for _, text := range fencedBlocks(t, file, lang) {
			blocks = append(blocks, block{file, text})
		}
	}
	return blocks
}

// fencedBlocks returns the fenced blocks of one page in the given language.
func fencedBlocks(t *testing.T, file, lang string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
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

// docCommand is a shell command of a page.
type docCommand struct {
	file, cmd string
}

// docCommands returns the shell commands of every page's sh blocks,
// continuation lines joined and comments dropped.
func docCommands(t *testing.T) []docCommand {
	var cmds []docCommand
	for _, b := range docBlocks(t, "sh") {
		var cur string
		for _, line := range strings.Split(b.text, "\n") {
			if i := commentAt(line); i >= 0 {
				line = line[:i]
			}
			line = strings.TrimSpace(line)
			if strings.HasSuffix(line, `\`) {
				cur += strings.TrimSuffix(line, `\`) + " "
				continue
			}
			if cur += line; strings.TrimSpace(cur) != "" {
				cmds = append(cmds, docCommand{b.file, strings.TrimSpace(cur)})
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

// Every command in the README and the user guide runs as written, from the
// root of a copy of the repository, with leadscore installed: a new user's
// first hour. The go test commands are checked for what they name (the
// package, the fuzz target or benchmark, the -update flag) rather than run:
// they are the tests, and fuzzing takes minutes. A failing command names
// its page.
func TestDocsCommandsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds leadscore and runs every command of the README and docs/guide")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := copyRepository(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "leadscore"), "./cmd/leadscore")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	cmds := docCommands(t)
	require.Greater(t, len(cmds), 15, "the pages' commands were found")
	perFile := map[string]int{}
	for _, dc := range cmds {
		perFile[dc.file]++
	}
	for _, file := range docFiles(t) {
		if len(fencedBlocks(t, file, "sh")) > 0 {
			assert.NotZero(t, perFile[file], "%s: its sh blocks hold no command", file)
		}
	}
	for _, dc := range cmds {
		file, cmd := dc.file, dc.cmd
		if m := goTestRE.FindStringSubmatch(cmd); m != nil {
			checkGoTestCommand(t, file+": "+cmd, m[2], m[1]+m[3])
			t.Logf("%s: checked (not run): %s", file, cmd)
			continue
		}
		if strings.HasPrefix(cmd, "go test") {
			t.Errorf("%s: command %q: write go test commands as go test [flags] ./PACKAGE [flags], so this test can check what they name", file, cmd)
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
		if assert.NoError(t, err, "%s: command failed: %s\n%s", file, cmd, tail(stderr.String(), 2000)) {
			t.Logf("%s: ran: %s", file, cmd)
		}
	}
}

// checkGoTestCommand checks that a page's go test command names what exists.
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

// Every Go snippet in the README and the user guide is an excerpt, line for
// line, of code that compiles and runs in go test: example_test.go or the
// examples.
func TestDocsGoSnippetsAreTestedCode(t *testing.T) {
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
	blocks := docBlocks(t, "go")
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		snippet := normalizeGo(b.text)
		found := false
		for _, src := range sources {
			found = found || strings.Contains(src, snippet)
		}
		assert.True(t, found, "%s: this snippet is not in example_test.go or examples/; copy it from there:\n%s", b.file, b.text)
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

// The guide's source mapping reads, and checks against the bundled model.
func TestDocsSourceMappingChecks(t *testing.T) {
	m, err := rules.CompileFile(filepath.Join("testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	found := 0
	for _, b := range docBlocks(t, "yaml") {
		if !source.IsMapping([]byte(b.text)) {
			continue
		}
		found++
		mapping, err := source.Parse(b.file, []byte(b.text))
		require.NoError(t, err)
		assert.Empty(t, mapping.Check(m), b.file)
	}
	assert.Equal(t, 1, found, "the guide shows a source mapping")
}

// The guide's rule-file tour compiles, and its test file runs, beside the
// bundled model (whose included lists the tour names).
func TestDocsRuleFileTourCompiles(t *testing.T) {
	var tour, tests block
	for _, b := range docBlocks(t, "yaml") {
		switch {
		case source.IsMapping([]byte(b.text)):
			// a source mapping: TestDocsSourceMappingChecks
		case strings.Contains(b.text, "leadscore: 1"):
			require.Empty(t, tour.text, "one rule-file tour: %s and %s both have one", tour.file, b.file)
			tour = b
		case strings.Contains(b.text, "cases:"):
			require.Empty(t, tests.text, "one test file: %s and %s both have one", tests.file, b.file)
			tests = b
		}
	}
	require.NotEmpty(t, tour.text, "the guide has a rule-file tour")
	dir := filepath.Join(t.TempDir(), "rules")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	lists, err := os.ReadFile(filepath.Join("testdata", "common", "lists.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tour.yaml"), []byte(tour.text), 0o644))
	_, err = rules.CompileFile(filepath.Join(dir, "tour.yaml"))
	require.NoError(t, err, "the tour in %s does not compile", tour.file)

	require.NotEmpty(t, tests.text, "the guide has a test file")
	model, err := os.ReadFile(filepath.Join("testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b2b-saas.yaml"), model, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "readme_test.yaml"), []byte(tests.text), 0o644))
	res := scoringtest.RunFile(filepath.Join(dir, "readme_test.yaml"), scoringtest.Options{})
	require.NoError(t, res.Err)
	for _, c := range res.Cases {
		assert.Equal(t, scoringtest.Pass, c.Status, "%s: test case %q", tests.file, c.Name)
	}
}

// The two commands a new user needs first: the main job on the bundled
// data, and the tests (which CI runs, .ci/run says, as the README gives it).
const (
	mainCommand = "go run ./cmd/leadscore score --model testdata/b2b-saas.yaml --at 2026-10-01 testdata/leads.ndjson"
	testCommand = "go test -race ./... && go test -C=beam -race ./..."
)

// The README is a front door, not a manual: what leadscore is, the two
// commands near the top, a tour, and a map of the user guide, where the
// rest lives; each guide page says first what it answers.
func TestREADMEIsAFrontDoor(t *testing.T) {
	data, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(data)
	lines := strings.Split(readme, "\n")
	assert.LessOrEqual(t, len(lines), 360, "the README is a front door of at most about 350 lines; move the rest to docs/guide")

	top := fencedBlocks(t, "README.md", "sh")
	require.NotEmpty(t, top)
	assert.Contains(t, top[0], mainCommand, "the README's first commands are the main job")
	assert.Contains(t, top[0], testCommand, "and the tests")
	assert.Less(t, strings.Index(readme, testCommand), strings.Index(readme, "\n## The command line"), "the two commands come before the rest")

	ci, err := os.ReadFile(filepath.Join(".ci", "run"))
	require.NoError(t, err)
	assert.Contains(t, string(ci), "\n"+testCommand+"\n", ".ci/run runs the README's test command")

	for _, file := range docFiles(t)[1:] {
		page := filepath.ToSlash(file)
		assert.Contains(t, readme, "]("+page+")", "the README's map links %s", page)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		head := strings.SplitN(string(data), "\n", 4)
		if assert.Len(t, head, 4, file) {
			assert.True(t, strings.HasPrefix(head[0], "# "), "%s starts with its title", file)
			assert.Empty(t, head[1], file)
			assert.Regexp(t, `^\*[^*].*[^*]\*$`, head[2], "%s says, under its title, what it answers, in one line of italics", file)
		}
	}
}

var (
	mdLinkRE  = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	headingRE = regexp.MustCompile("^#{1,6} (.+)$")
)

// Every relative link of the README and the docs leads to a file of the
// repository, and every #anchor to a heading of its page, as GitHub names
// them: text moved between pages takes its links along.
func TestDocsLinksResolve(t *testing.T) {
	files := docFiles(t)
	others, err := filepath.Glob(filepath.Join("docs", "*.md"))
	require.NoError(t, err)
	files = append(files, others...)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, line := range proseLines(string(data)) {
			for _, m := range mdLinkRE.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s: the link %s leads nowhere: %v", file, target, err)
						continue
					}
				}
				if anchor == "" {
					continue
				}
				if !strings.HasSuffix(dest, ".md") {
					t.Errorf("%s: the link %s has an anchor into a file that is not a page", file, target)
					continue
				}
				if !anchorsOf(t, dest)[anchor] {
					t.Errorf("%s: the link %s names no heading of %s", file, target, dest)
				}
			}
		}
	}
}

// proseLines returns a page's lines outside fenced blocks.
func proseLines(page string) []string {
	var lines []string
	in := false
	for _, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			in = !in
			continue
		}
		if !in {
			lines = append(lines, line)
		}
	}
	return lines
}

// anchorsOf returns the anchors GitHub gives a page's headings: lower case,
// punctuation dropped, spaces as hyphens, a repeated one numbered.
func anchorsOf(t *testing.T, file string) map[string]bool {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range proseLines(string(data)) {
		m := headingRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(m[1])) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			anchors[a] = true
		}
		seen[a]++
	}
	return anchors
}

// The Beam module's own test (beam/cmd/leadscore-beam, TestDocsCommands)
// runs the three leadscore-beam commands of the guide's Beam page, which
// this module's tests cannot build: they are where it reads them.
func TestDocsBeamPageHasTheCommandsBeamTests(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("docs", "guide", "beam.md"))
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "go run ./cmd/leadscore-beam ") {
			n++
		}
	}
	assert.Equal(t, 5, n, "docs/guide/beam.md has the five commands beam/cmd/leadscore-beam's TestDocsCommands runs")
}

// The README's tour quotes the backtest's answers: they are lines of the
// golden report (testdata/golden/backtest.md, which backtest's tests hold
// to the command's output).
func TestREADMEBacktestLinesAreTheGoldenReport(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "golden", "backtest.md"))
	require.NoError(t, err)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	found := 0
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "AUC ") || strings.HasPrefix(line, "The sales-ready definition picked ") {
			found++
			assert.Contains(t, strings.Split(string(golden), "\n"), line, "the README quotes a line the backtest report does not have")
		}
	}
	assert.Equal(t, 2, found, "the README's tour quotes the backtest's two answers")
}
