package leadfile_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring"
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

// BenchmarkCSVInterleaved is BenchmarkNDJSONInterleaved for CSV: a leads
// file and its events file (20,000 generated leads), scored on every core,
// against encoding/csv on one core merely reading both into maps (column
// name to cell); it reports leadfile's time over encoding/csv's.
//
// It also measures, in turn with the two, the floor under that ratio: the
// same 20,000 leads, already decoded, scored on every core with nothing
// read or written (rules-alone/encoding-csv). No reader, however fast,
// takes leadfile below it; only faster rules or more cores do.
func BenchmarkCSVInterleaved(b *testing.B) {
	var leads, events, ndjson bytes.Buffer
	require.NoError(b, leadgen.WriteCSV(&leads, &events, leadgen.New(5), 20000))
	require.NoError(b, leadgen.WriteNDJSON(&ndjson, leadgen.New(5), 20000))
	s := scorer(b)
	var decoded []scoring.Lead
	for line := range bytes.Lines(ndjson.Bytes()) {
		lead, err := leadfile.DecodeJSON(line)
		require.NoError(b, err)
		decoded = append(decoded, lead)
	}
	rulesAlone := func() {
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(decoded); i += workers {
					if _, err := s.Score(decoded[i], asOf); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	read := func(data []byte) {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = false
		header, err := r.Read()
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				b.Fatal(err)
			}
			m := make(map[string]any, len(header))
			for i, h := range header {
				m[h] = rec[i]
			}
		}
	}
	var score, decode, alone time.Duration
	for i := 0; b.Loop(); i++ {
		for k := range 3 {
			start := time.Now()
			if (i+k)%3 == 2 {
				rulesAlone()
				alone += time.Since(start)
				continue
			}
			if (i+k)%3 == 0 {
				sum, err := leadfile.Score(leadfile.Options{Scorer: s, AsOf: asOf, Input: bytes.NewReader(leads.Bytes()),
					InputName: "leads.csv", InputFormat: leadfile.CSV, Events: bytes.NewReader(events.Bytes()),
					EventsName: "events.csv", Output: io.Discard})
				if err != nil || sum.Scored != 20000 {
					b.Fatal(err, sum)
				}
				score += time.Since(start)
				continue
			}
			procs := runtime.GOMAXPROCS(1)
			start = time.Now()
			read(leads.Bytes())
			read(events.Bytes())
			decode += time.Since(start)
			runtime.GOMAXPROCS(procs)
		}
	}
	b.ReportMetric(float64(score)/float64(decode), "leadfile/encoding-csv")
	b.ReportMetric(float64(alone)/float64(decode), "rules-alone/encoding-csv")
}

// BenchmarkDecodeJSON: decoding the bundled leads through the map path
// (DecodeJSON, which backtest, feedback and attribute read leads with),
// beside encoding/json into a map, the naive way a user would decode them.
func BenchmarkDecodeJSON(b *testing.B) {
	data, err := os.ReadFile(testdata("leads.ndjson"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.Run("engine=leadfile", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			for _, l := range lines {
				if _, err := leadfile.DecodeJSON(l); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("engine=encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			for _, l := range lines {
				var m map[string]any
				if err := json.Unmarshal(l, &m); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkReadBound compares reading leads to score them more than once
// (a backtest, feedback and attribute --leads do) with their fields read
// straight into the model's slots (Options.Bound) against decoding each
// into maps, as those commands did before, then scoring each as of one
// time and replaying its timeline. One op is 5,000 generated leads on one
// core; compare the sub-benchmarks of one run:
//
//	go test ./scoring/leadfile -run '^$' -bench ReadBound -benchmem
func BenchmarkReadBound(b *testing.B) {
	var data bytes.Buffer
	require.NoError(b, leadgen.WriteNDJSON(&data, leadgen.New(5), 5000))
	s := scorer(b)
	for _, c := range []struct {
		name         string
		bound, score bool
	}{{"maps-read", false, false}, {"bound-read", true, false}, {"maps-read-score-replay", false, true}, {"bound-read-score-replay", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				err := leadfile.Read(leadfile.Options{Scorer: s, Input: bytes.NewReader(data.Bytes()), InputName: "leads.ndjson", Bound: c.bound},
					func(_ int, lead scoring.Lead, err error) error {
						if err != nil {
							return err
						}
						n++
						if c.score {
							if _, err := s.Score(lead, asOf); err != nil {
								return err
							}
							if _, err := s.TimelineTotals(context.Background(), lead, asOf); err != nil {
								return err
							}
						}
						return nil
					})
				if err != nil || n != 5000 {
					b.Fatal(err, n)
				}
			}
		})
	}
}
