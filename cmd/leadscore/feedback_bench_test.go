package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadscore/leadscore/internal/leadgen"
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
