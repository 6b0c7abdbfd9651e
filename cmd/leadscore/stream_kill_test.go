package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leadscore stream killed (SIGKILL) at random moments, again and again,
// or ended right after a commit, before it writes that commit's changes
// (LEADSCORE_STREAM_CRASH_AFTER), and restarted on the same input, from the start or with --resume, ends
// with the states of one uninterrupted run, and has written the same
// changes: each seq at least once, every copy of it the same line as the
// uninterrupted run's.
func TestStreamSurvivesKills(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("builds leadscore and runs it some fifty times (under -race, a minute and more)")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "leadscore")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	input, dups := streamLines(t, td("leads.ndjson"), 25)
	in := filepath.Join(tmp, "in.ndjson")
	require.NoError(t, os.WriteFile(in, input, 0o644))
	model := td("b2b-saas.yaml")
	dump := func(dir string) string {
		out, err := exec.Command(bin, "stream", "--model", model, "--state", dir, "--dump", "--at", "2026-10-01").Output()
		require.NoError(t, err)
		return string(out)
	}

	// One uninterrupted run.
	refDir, refOut := filepath.Join(tmp, "ref"), filepath.Join(tmp, "ref.ndjson")
	start := time.Now()
	out, err = exec.Command(bin, "stream", "--model", model, "--state", refDir, "-o", refOut, in).CombinedOutput()
	require.NoError(t, err, string(out))
	took := time.Since(start)
	ref := changesBySeq(t, refOut)
	require.Greater(t, len(ref), 1000)

	// The same input, killed at random moments: in the first tenth of a
	// run's time at most, so that each restart gets on a little.
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 31))
	dir, changes := filepath.Join(tmp, "killed"), filepath.Join(tmp, "changes.ndjson")
	kills, crashes, resumed, runs := 0, 0, 0, 0
	deadline := time.Now().Add(20 * time.Second)
	for {
		runs++
		args := []string{"stream", "--model", model, "--state", dir, "-o", changes, "--batch", "50", "--quiet"}
		if rng.IntN(2) == 0 {
			args = append(args, "--resume")
			resumed++
		}
		cmd := exec.Command(bin, append(args, in)...)
		crash := runs%3 == 0 && kills < 40
		if crash { // end it after a commit, before its changes are written
			cmd.Env = append(os.Environ(), fmt.Sprintf("LEADSCORE_STREAM_CRASH_AFTER=%d", 1+rng.IntN(5)))
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		wait := time.Duration(rng.Int64N(int64(took/10))) + 5*time.Millisecond
		if kills >= 40 || time.Now().After(deadline) {
			wait = time.Hour // let it finish
		}
		select {
		case err := <-done:
			var exit *exec.ExitError
			if crash && errors.As(err, &exit) && exit.ExitCode() == 137 {
				crashes++
				continue
			}
			require.NoError(t, err, stderr.String())
		case <-time.After(wait):
			if err := cmd.Process.Kill(); errors.Is(err, os.ErrProcessDone) {
				<-done
				continue // it finished as it was killed
			} else {
				require.NoError(t, err)
			}
			if err := <-done; err == nil {
				continue // it finished as it was killed
			}
			kills++
			continue
		}
		break
	}
	t.Logf("seed %d: %d kills and %d crashes after a commit over %d runs (%d with --resume); %d input lines, %d of them repeats; uninterrupted run %v", seed, kills, crashes, runs, resumed, bytes.Count(input, []byte("\n")), dups, took.Round(time.Millisecond))
	assert.GreaterOrEqual(t, kills, 20)

	assert.Equal(t, dump(refDir), dump(dir), "the states are those of the uninterrupted run")
	got := changesBySeq(t, changes)
	assert.Equal(t, len(ref), len(got), "every change written, none lost, none made up")
	for seq, line := range ref {
		assert.Equal(t, line, got[seq], "seq %d", seq)
	}
}

// changesBySeq reads a changes file: each line by its seq. Two lines with
// the same seq must be the same line.
func changesBySeq(t *testing.T, name string) map[uint64]string {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	out := map[uint64]string{}
	repeats := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c struct{ Seq uint64 }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c), "a whole line: %s", sc.Text())
		if was, ok := out[c.Seq]; ok {
			require.Equal(t, was, sc.Text(), "seq %d written twice, differently", c.Seq)
			repeats++
		}
		out[c.Seq] = sc.Text()
	}
	require.NoError(t, sc.Err())
	if repeats > 0 {
		t.Logf("%s: %d lines repeat a seq written before", filepath.Base(name), repeats)
	}
	for seq := uint64(1); seq <= uint64(len(out)); seq++ {
		if _, ok := out[seq]; !ok {
			require.Fail(t, "a seq is missing", "seq %d of %d", seq, len(out))
		}
	}
	return out
}

// leadscore stream --accounts ended after each of its commits in turn,
// before it writes that commit's changes, and restarted with --resume,
// writes the changes of one uninterrupted run byte for byte, with leads
// waiting (given fields before the first event) to be matched to their
// accounts: they are matched in the same order however the run was cut.
func TestStreamAccountsCrashWithWaitingLeads(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("builds leadscore and runs it some twenty times")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "leadscore")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	// L9, L2 and L7 wait (fields, no event yet), in an order that is not
	// their ids'; L5's event gives the clock its first time.
	input := `{"lead_id":"L9","id":"f1","fields":{"email":"a@globex.io","title":"CEO"}}
{"lead_id":"L2","id":"f2","fields":{"email":"b@acme.com","title":"CEO"}}
{"lead_id":"L7","id":"f3","fields":{"email":"c@acme.com","title":"VP Engineering"}}
{"lead_id":"L5","id":"e1","type":"demo_request","at":"2026-09-01T10:00:00Z"}
{"lead_id":"L5","id":"f5","fields":{"email":"d@acme.com","title":"Data Analyst"}}
{"lead_id":"L2","id":"e2","type":"demo_request","at":"2026-09-02T10:00:00Z"}
{"lead_id":"L9","id":"e3","type":"webinar_attended","at":"2026-09-03T10:00:00Z","minutes":40}
{"lead_id":"L7","id":"e4","type":"page_view","at":"2026-10-20T10:00:00Z","url":"/pricing"}
`
	in := filepath.Join(tmp, "in.ndjson")
	require.NoError(t, os.WriteFile(in, []byte(input), 0o644))
	args := func(dir, out string) []string {
		return []string{"stream", "--model", td("accounts/model.yaml"), "--accounts", td("accounts/accounts.ndjson"), "--state", dir, "--quiet", "--batch", "1", "-o", out, "--resume", in}
	}
	ref := filepath.Join(tmp, "ref.ndjson")
	b, err := exec.Command(bin, args(filepath.Join(tmp, "ref"), ref)...).CombinedOutput()
	require.NoError(t, err, string(b))
	want, err := os.ReadFile(ref)
	require.NoError(t, err)
	require.GreaterOrEqual(t, bytes.Count(want, []byte(`"account_id"`)), 3, string(want))
	for after := 1; after <= 8; after++ {
		dir, got := filepath.Join(tmp, fmt.Sprint("cut", after)), filepath.Join(tmp, fmt.Sprint("cut", after, ".ndjson"))
		cmd := exec.Command(bin, args(dir, got)...)
		cmd.Env = append(os.Environ(), fmt.Sprintf("LEADSCORE_STREAM_CRASH_AFTER=%d", after))
		b, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 137 {
			require.NoError(t, err, string(b))
		}
		b, err = exec.Command(bin, args(dir, got)...).CombinedOutput()
		require.NoError(t, err, string(b))
		have, err := os.ReadFile(got)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(have), "ended after commit %d", after)
	}
}
