package leadfile_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// BenchmarkNDJSON compares what `leadscore score` does with an NDJSON file
// (leadfile.Score: decode, score and write every lead, on every core) with
// encoding/json alone, on one core, merely decoding every line of the same
// file into a map. One op is the whole file (20,000 generated leads);
// compare the ns/op of the two sub-benchmarks of one run.
func BenchmarkNDJSON(b *testing.B) {
	var data bytes.Buffer
	require.NoError(b, leadgen.WriteNDJSON(&data, leadgen.New(5), 20000))
	s := scorer(b)
	b.Run("leadfile-score-all-cores", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(data.Len()))
		for b.Loop() {
			sum, err := leadfile.Score(leadfile.Options{Scorer: s, AsOf: asOf, Input: bytes.NewReader(data.Bytes()),
				InputName: "leads.ndjson", Output: io.Discard})
			if err != nil || sum.Scored != 20000 {
				b.Fatal(err, sum)
			}
		}
	})
	b.Run("encoding-json-maps-one-core", func(b *testing.B) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		b.ReportAllocs()
		b.SetBytes(int64(data.Len()))
		for b.Loop() {
			sc := bufio.NewScanner(bytes.NewReader(data.Bytes()))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var m map[string]any
				if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkNDJSONInterleaved is BenchmarkNDJSON with the two measured in
// turn within each op, each first in turn, so that both see the same load
// of a shared machine; it reports leadfile's time over encoding/json's
// (the aim: at most 0.4).
func BenchmarkNDJSONInterleaved(b *testing.B) {
	var data bytes.Buffer
	require.NoError(b, leadgen.WriteNDJSON(&data, leadgen.New(5), 20000))
	s := scorer(b)
	var score, decode time.Duration
	for i := 0; b.Loop(); i++ {
		for k := range 2 {
			start := time.Now()
			if (i+k)%2 == 0 {
				sum, err := leadfile.Score(leadfile.Options{Scorer: s, AsOf: asOf, Input: bytes.NewReader(data.Bytes()),
					InputName: "leads.ndjson", Output: io.Discard})
				if err != nil || sum.Scored != 20000 {
					b.Fatal(err, sum)
				}
				score += time.Since(start)
				continue
			}
			procs := runtime.GOMAXPROCS(1)
			start = time.Now()
			sc := bufio.NewScanner(bytes.NewReader(data.Bytes()))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var m map[string]any
				if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
					b.Fatal(err)
				}
			}
			decode += time.Since(start)
			runtime.GOMAXPROCS(procs)
		}
	}
	b.ReportMetric(float64(score)/float64(decode), "leadfile/encoding-json")
}
