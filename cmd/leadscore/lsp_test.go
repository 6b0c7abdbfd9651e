package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

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

// lspDiag is one problem, as check --format json gives it and as the
// language server's diagnostics come back to it: file, 1-based line and
// column (in characters), severity and message.
type lspDiag struct {
	File     string
	Line     int
	Col      int
	Severity string
	Message  string
}

// TestLSPReportsWhatCheckReports opens each bundled rule and test file,
// and each broken variant in testdata/lsp-parity, in the language server,
// one session per file, and compares every diagnostic it publishes (for
// the file and for the files it reads) with leadscore check --strict
// --format json on the same file: file, line, column, severity and message.
func TestLSPReportsWhatCheckReports(t *testing.T) {
	// The broken variants sit beside a copy of the bundled model, which
	// most of them name.
	dir := t.TempDir()
	copyTree(t, filepath.Join("testdata", "lsp-parity"), dir)
	for _, name := range []string{"b2b-saas.yaml", filepath.Join("common", "lists.yaml")} {
		copyTree(t, td(name), filepath.Join(dir, name))
	}
	files, err := modelFiles([]string{td(""), "starter", dir})
	require.NoError(t, err)
	files = append(files, td("failing.yaml"), filepath.Join(dir, "cases-only.yaml")) // cases: files are test files only when named
	broken := 0
	for _, f := range files {
		abs, err := filepath.Abs(f)
		require.NoError(t, err)
		name := f
		if rel, err := filepath.Rel(dir, abs); err == nil && filepath.IsLocal(rel) {
			name = filepath.Join("lsp-parity", rel)
		}
		t.Run(name, func(t *testing.T) {
			want := checkDiagnostics(t, abs)
			got, cases := splitCaseDiagnostics(lspDiagnostics(t, abs))
			assert.Equal(t, want, got)
			// The cases of a test file run too: each failing case is an
			// error with what leadscore test reports for it.
			assert.Equal(t, failingCases(t, abs, len(want) == 0), cases)
			if strings.HasPrefix(abs, dir) && !strings.HasSuffix(abs, "b2b-saas.yaml") && !strings.HasSuffix(abs, "lists.yaml") {
				assert.NotEmpty(t, want, "a broken variant without a problem tests nothing")
				broken++
			}
		})
	}
	assert.Equal(t, 12, broken, "every broken variant was compared")

	// The findings the review reported, where check puts them.
	typo := checkDiagnostics(t, filepath.Join(dir, "rule-typo_test.yaml"))
	require.Len(t, typo, 1)
	assert.Equal(t, 99, typo[0].Line)
	assert.Equal(t, 41, typo[0].Col)
	assert.Contains(t, typo[0].Message, `did you mean "fit.free-email"?`)
	missing := checkDiagnostics(t, filepath.Join(dir, "missing-model_test.yaml"))
	require.Len(t, missing, 1)
	assert.Equal(t, lspDiag{filepath.Join(dir, "missing-model_test.yaml"), 2, 8, "error",
		"cannot load model b2b-saaas.yaml: no such file; model: must name a file inside the directory of this test file, such as b2b-saas.yaml"}, missing[0])
}

// splitCaseDiagnostics tells the test cases' outcomes, which check does
// not report (leadscore test does), from the rest.
func splitCaseDiagnostics(ds []lspDiag) (rest []lspDiag, cases []string) {
	rest = []lspDiag{}
	for _, d := range ds {
		if strings.HasPrefix(d.Message, "case ") && strings.Contains(d.Message, " fails:\n") {
			cases = append(cases, strings.SplitN(d.Message, "\nlead ", 2)[0])
			continue
		}
		rest = append(rest, d)
	}
	return rest, cases
}

// failingCases runs leadscore test --format json on a test file that
// check finds nothing wrong with, and says each failing case as the
// language server's diagnostic starts: its name and its failures.
func failingCases(t *testing.T, file string, runs bool) []string {
	if !runs || !strings.HasSuffix(file, "_test.yaml") && !strings.HasSuffix(file, "failing.yaml") {
		return nil
	}
	_, out, _ := leadscore(t, "", "test", "--format", "json", file)
	var rep struct {
		Files []struct {
			Cases []struct {
				Name     string   `json:"name"`
				Status   string   `json:"status"`
				Failures []string `json:"failures"`
			} `json:"cases"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	var cases []string
	for _, f := range rep.Files {
		for _, c := range f.Cases {
			if c.Status == "fail" {
				cases = append(cases, fmt.Sprintf("case %q fails:\n  %s", c.Name, strings.Join(c.Failures, "\n  ")))
			}
		}
	}
	return cases
}

// checkDiagnostics runs leadscore check --strict --format json on file.
func checkDiagnostics(t *testing.T, file string) []lspDiag {
	_, out, errOut := leadscore(t, "", "check", "--strict", "--format", "json", file)
	var rep struct {
		Diagnostics []struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Col      int    `json:"col"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
		} `json:"diagnostics"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), errOut)
	ds := []lspDiag{}
	for _, d := range rep.Diagnostics {
		// A problem with the whole file (no line) shows at its start.
		ds = append(ds, lspDiag{d.File, max(d.Line, 1), max(d.Col, 1), d.Severity, d.Message})
	}
	sortDiags(ds)
	return ds
}

// lspDiagnostics opens file in a language server session and returns the
// last diagnostics it published for each file, lines and columns turned
// back from the protocol's (0-based, UTF-16 units) with the file's text.
func lspDiagnostics(t *testing.T, file string) []lspDiag {
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	var in strings.Builder
	for _, m := range []any{
		map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{}},
		map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{"textDocument": map[string]any{
			"uri": (&url.URL{Scheme: "file", Path: filepath.ToSlash(file)}).String(), "version": 1, "text": string(src)}}},
		map[string]any{"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
		map[string]any{"jsonrpc": "2.0", "method": "exit"},
	} {
		b, err := json.Marshal(m)
		require.NoError(t, err)
		fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(b), b)
	}
	code, out, errOut := leadscore(t, in.String(), "lsp")
	require.Equal(t, exitOK, code, errOut)
	last := map[string][]lspDiag{}
	for out != "" {
		head, rest, ok := strings.Cut(out, "\r\n\r\n")
		require.True(t, ok, out)
		n, err := strconv.Atoi(strings.TrimPrefix(head, "Content-Length: "))
		require.NoError(t, err)
		var m struct {
			Method string `json:"method"`
			Params struct {
				URI         string `json:"uri"`
				Diagnostics []struct {
					Range struct {
						Start struct{ Line, Character int } `json:"start"`
					} `json:"range"`
					Severity int    `json:"severity"`
					Message  string `json:"message"`
				} `json:"diagnostics"`
			} `json:"params"`
		}
		require.NoError(t, json.Unmarshal([]byte(rest[:n]), &m))
		out = rest[n:]
		if m.Method != "textDocument/publishDiagnostics" {
			continue
		}
		u, err := url.Parse(m.Params.URI)
		require.NoError(t, err)
		f := filepath.FromSlash(u.Path)
		text, _ := os.ReadFile(f)
		lines := strings.Split(string(text), "\n")
		var ds []lspDiag
		for _, d := range m.Params.Diagnostics {
			col := 1
			if l := d.Range.Start.Line; l < len(lines) {
				// UTF-16 units back to characters.
				units := 0
				for _, r := range lines[l] {
					if units >= d.Range.Start.Character {
						break
					}
					units += len(utf16.Encode([]rune{r}))
					col++
				}
			}
			sev := map[int]string{1: "error", 2: "warning"}[d.Severity]
			ds = append(ds, lspDiag{f, d.Range.Start.Line + 1, col, sev, d.Message})
		}
		last[f] = ds
	}
	all := []lspDiag{}
	for _, ds := range last {
		all = append(all, ds...)
	}
	sortDiags(all)
	return all
}

func sortDiags(ds []lspDiag) {
	sort.Slice(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Message < b.Message
	})
}

// copyTree copies a file, or a directory with everything in it, to dst.
func copyTree(t *testing.T, src, dst string) {
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	}))
}

// --max-message sets the longest message read: a longer request gets an
// error naming the limit and the option, and the server goes on.
func TestLSPMaxMessage(t *testing.T) {
	var in strings.Builder
	for _, m := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"padding":"` + strings.Repeat("x", 2000) + `"}}`,
		`{"jsonrpc":"2.0","id":2,"method":"initialize","params":{}}`,
		`{"jsonrpc":"2.0","id":3,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	} {
		fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	code, out, errOut := leadscore(t, in.String(), "lsp", "--max-message", "1KiB")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"id":1,"error":{"code":-32600,"message":"a message of 2070 bytes, over the 1 KiB a message may have (leadscore lsp --max-message); it was skipped"}`)
	assert.Contains(t, out, `"id":3,"result":null`)

	code, _, errOut = leadscore(t, "", "lsp", "--max-message", "12")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "leadscore lsp: --max-message: 12 bytes is under 1 KiB, too small for any message")
}
