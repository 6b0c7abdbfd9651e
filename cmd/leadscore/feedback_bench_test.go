package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadscore/leadscore/internal/gendata"
	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// BenchmarkFeedbackBesideScore runs score and feedback on the same
// generated leads (one in twenty with a verdict, some recycled), so one
// `go test -bench FeedbackBesideScore` shows feedback's cost against
// score's: the aim is feedback at most twice score.
func BenchmarkFeedbackBesideScore(b *testing.B) {
	const n = 20000
	dir := b.TempDir()
	leads, disp := filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "dispositions.csv")
	f, err := os.Create(leads)
	if err != nil {
		b.Fatal(err)
	}
	if err := leadgen.WriteNDJSON(f, leadgen.New(28), n); err != nil {
		b.Fatal(err)
	}
	f.Close()
	d, err := os.Create(disp)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(d)
	fmt.Fprintln(w, "lead_id,at,status,reason,owner")
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	verdicts := []string{"accepted,", "rejected,no_budget", "recycled,bad_timing", "accepted,", "rejected,not_icp"}
	for i := 1; i <= n; i += 20 {
		fmt.Fprintf(w, "L%07d,%s,%s,ana.r\n", i, start.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), verdicts[(i/20)%len(verdicts)])
	}
	w.Flush()
	d.Close()
	runs := map[string][]string{
		"score":    {"score", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", leads},
		"feedback": {"feedback", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "--dispositions", disp, "--leads", leads},
	}
	for _, name := range []string{"score", "feedback"} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if code := run(runs[name], nil, io.Discard, io.Discard); code != exitOK {
					b.Fatalf("%s: exit %d", name, code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/lead")
		})
	}
}

// BenchmarkFeedbackBesideScoreInterleaved runs score and feedback in turn
// within each op (each first in turn) on the outcome loop's generated
// leads and sales' verdicts (as testdata/gen -dispositions writes them,
// seed 9), so that both see the same load of a shared machine, and
// reports feedback's wall and CPU time over score's: the aim is at most 2.
//
//	go test ./cmd/leadscore -run '^$' -bench FeedbackBesideScoreInterleaved -benchtime 5x
func BenchmarkFeedbackBesideScoreInterleaved(b *testing.B) {
	const n, seed = 20000, 9
	dir := b.TempDir()
	leads, disp := filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "dispositions.csv")
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	for name, fill := range map[string]func(io.Writer) error{
		leads: func(w io.Writer) error { return leadgen.WriteNDJSON(w, leadgen.New(seed), n) },
		disp:  func(w io.Writer) error { return gendata.WriteDispositions(w, scoring.New(m), seed, n) },
	} {
		f, err := os.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		if err := fill(f); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	runs := [2][]string{
		{"score", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "-o", os.DevNull, "--quiet", leads},
		{"feedback", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "--dispositions", disp, "--leads", leads},
	}
	var wall, cpu [2]time.Duration
	cpuOK := true
	for i := 0; b.Loop(); i++ {
		for k := range 2 {
			which := (i + k) % 2
			c0, ok := processCPU()
			start := time.Now()
			if code := run(runs[which], nil, io.Discard, io.Discard); code != exitOK {
				b.Fatalf("%s: exit %d", runs[which][0], code)
			}
			wall[which] += time.Since(start)
			c1, _ := processCPU()
			cpu[which] += c1 - c0
			cpuOK = cpuOK && ok
		}
	}
	b.ReportMetric(float64(wall[1])/float64(wall[0]), "x-score")
	if cpuOK {
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cpu-x-score")
	}
	b.ReportMetric(float64(wall[0].Nanoseconds())/float64(b.N)/n, "score-ns/lead")
	b.ReportMetric(float64(wall[1].Nanoseconds())/float64(b.N)/n, "feedback-ns/lead")
}
