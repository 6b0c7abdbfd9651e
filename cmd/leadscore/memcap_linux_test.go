//go:build linux && !race

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memoryCap is the resident memory the worst cases run in. A watchdog
// ends a command that goes past it, as the kernel's OOM killer would end
// it on a smaller machine, with exit code 98 and "over the memory cap".
const memoryCap = 512 << 20

// TestMain runs the CLI itself when a test asks for it (LEADSCORE_CLI_UNDER_CAP),
// with a watchdog on its resident memory (Go reserves more address space
// than it uses, so a cap on the address space, as prlimit --as sets,
// would stop it for the wrong reason).
func TestMain(m *testing.M) {
	if os.Getenv("LEADSCORE_CLI_UNDER_CAP") == "1" {
		go watchResidentMemory()
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// watchResidentMemory ends the process once its resident memory is over
// memoryCap, looking every millisecond.
func watchResidentMemory() {
	page := int64(os.Getpagesize())
	for {
		b, err := os.ReadFile("/proc/self/statm")
		var size, resident int64
		if err == nil {
			fmt.Sscan(string(b), &size, &resident)
		}
		if resident*page > memoryCap {
			fmt.Fprintf(os.Stderr, "over the memory cap: %d MiB resident\n", resident*page>>20)
			os.Exit(98)
		}
		time.Sleep(time.Millisecond)
	}
}

// underCap runs leadscore args in a process capped at memoryCap bytes of
// resident memory.
func underCap(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "LEADSCORE_CLI_UNDER_CAP=1", "GOMAXPROCS=2")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errb.String()
}

// The worst inputs of each class run in 512 MiB of resident memory, and each
// ends with the message naming its limit, not with the process killed.
func TestWorstCasesUnderAMemoryCap(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI a dozen times on megabytes of input")
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	tech := make([]string, 100_000)
	for i := range tech {
		tech[i] = fmt.Sprintf("%q", fmt.Sprintf("tool-%d", i))
	}
	leads := write("big.ndjson", fmt.Sprintf(`{"id":"big","title":%q,"tech":[%s]}`+"\n"+`{"id":"small","title":"VP","tech":["a"]}`+"\n",
		strings.Repeat("ab", 1<<19), strings.Join(tech, ",")))

	// Each rule passes check --strict; for the big lead it would build
	// gigabytes, or run for minutes.
	for i, when := range []string{
		`len(replace(title, "a", title)) > 0`,
		`len(replace(replace(title, "a", title), "b", title)) > 0`,
		`len(join(map(1..10000, {title}), ",")) > 0`,
		`len(toJSON(map(1..10000, {title}))) > 0`,
		`len(string(map(1..10000, {title}))) > 0`,
		`count(tech, {(# + "x") in tech}) > 0`,
		`none(tech, {title contains (# + "z")})`,
		`title matches "\\w{1000}\\w{1000}\\w{1000}\\w{1000}\\w{1000}z"`,
	} {
		t.Run(when, func(t *testing.T) {
			model := write(fmt.Sprintf("m%d.yaml", i), fmt.Sprintf(`leadscore: 1
model: m
fields:
  title: string
  tech: list
scores:
  fit: {}
rules:
  - id: r.hostile
    score: fit
    owner: sales
    reason: r
    points: 1
    when: '%s'
stages:
  - {id: s, sales_ready: true, when: fit > 0}
`, when))
			code, _, stderr := underCap(t, "check", "--strict", model)
			require.Equal(t, 0, code, stderr)
			code, stdout, stderr := underCap(t, "score", "--model", model, "--at", "2026-10-01", "--no-events", leads)
			assert.NotContains(t, stderr, "fatal error")
			assert.NotContains(t, stderr, "over the memory cap")
			assert.Equal(t, 1, code, "one lead fails: %s", stderr)
			assert.Contains(t, stderr, "lead big: ")
			assert.Regexp(t, `Limits\.Max(Steps|Text)`, stderr)
			assert.Contains(t, stdout, `"id":"small"`, "the next lead is scored")
		})
	}
}

// Files and rows without end are read only up to their limit: each
// command ends with the limit's message, within the cap.
func TestEndlessInputsUnderAMemoryCap(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 600 MB file")
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	require.NoError(t, err)
	line := []byte("# " + strings.Repeat("x", 1<<20-3) + "\n")
	for range 600 {
		_, err = f.Write(line)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	for _, args := range [][]string{
		{"check", big},
		{"check", "/dev/zero"},
		{"fmt", big},
		{"test", big},
		{"score", "--model", big, "--at", "2026-10-01", "-"},
	} {
		code, stdout, stderr := underCap(t, args...)
		assert.NotContains(t, stderr, "fatal error", args)
		assert.NotContains(t, stderr, "over the memory cap", args)
		assert.NotEqual(t, 0, code, args)
		assert.Regexp(t, `larger than 4 MiB|a device, not a file`, stdout+stderr, args)
	}
	rows := filepath.Join(dir, "rows.ndjson")
	f, err = os.Create(rows)
	require.NoError(t, err)
	for range 300 { // one row of 300 MB, then a good one
		_, err = f.Write(line[2 : len(line)-1])
		require.NoError(t, err)
	}
	_, err = f.WriteString("\n{\"id\":\"ok\",\"email\":\"a@b.io\"}\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	code, stdout, stderr := underCap(t, "score", "--model", "../../testdata/b2b-saas.yaml", "--at", "2026-10-01", rows)
	assert.NotContains(t, stderr, "over the memory cap")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "rows.ndjson:1: the row is longer than 4 MiB")
	assert.Contains(t, stdout, `"id":"ok"`)
}
