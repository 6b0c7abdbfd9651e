//go:build unix

package leadfile_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// BenchmarkRepeatedIDs measures what telling of repeated lead ids
// (Options.OnRepeatedID, which score sets) costs leadfile.Score: the
// same generated NDJSON file (200,000 leads, or LEADFILE_BENCH_LEADS),
// read from disk, scored on every core with and without it, in turn
// within each op, each first in turn, so both see the same load of a
// shared machine. It reports with/without, of wall time and of the
// process's CPU time (user and system, which a loaded machine disturbs
// less).
func BenchmarkRepeatedIDs(b *testing.B) {
	n := 200_000
	if s := os.Getenv("LEADFILE_BENCH_LEADS"); s != "" {
		var err error
		n, err = strconv.Atoi(s)
		require.NoError(b, err)
	}
	name := filepath.Join(b.TempDir(), "leads.ndjson")
	f, err := os.Create(name)
	require.NoError(b, err)
	w := bufio.NewWriterSize(f, 1<<20)
	require.NoError(b, leadgen.WriteNDJSON(w, leadgen.New(5), n))
	require.NoError(b, w.Flush())
	require.NoError(b, f.Close())
	s := scorer(b)
	var with, without, withCPU, withoutCPU time.Duration
	repeats := 0
	for i := 0; b.Loop(); i++ {
		for k := range 2 {
			on := (i+k)%2 == 0
			f, err := os.Open(name)
			require.NoError(b, err)
			opts := leadfile.Options{Scorer: s, AsOf: asOf, Input: f, InputName: "leads.ndjson", Output: io.Discard}
			if on {
				opts.OnRepeatedID = func(string, int, int) { repeats++ }
			}
			start, cpu := time.Now(), processCPU()
			sum, err := leadfile.Score(opts)
			took, tookCPU := time.Since(start), processCPU()-cpu
			f.Close()
			if err != nil || sum.Scored != n {
				b.Fatal(err, sum)
			}
			if on {
				with, withCPU = with+took, withCPU+tookCPU
			} else {
				without, withoutCPU = without+took, withoutCPU+tookCPU
			}
		}
	}
	if repeats != 0 {
		b.Fatalf("%d repeated ids in generated leads", repeats)
	}
	b.ReportMetric(float64(with)/float64(without), "with/without")
	b.ReportMetric(float64(withCPU)/float64(withoutCPU), "cpu-with/without")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
