package main

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/leadscore/leadscore/internal/leadgen"
)

// BenchmarkAccountsCLI runs score --accounts (with and without
// --grouped) beside score of the same leads alone (the baseline), on
// generated accounts with buying groups (testdata/gen -accounts: 10 people
// an account on average, the leads grouped by account in the accounts
// file's order). Each iteration runs the three in turn, so that they
// share the load of a shared machine alike, and it reports each one's
// cost per lead and the ratio of each accounts run to the baseline
// (x-leads from wall time, cpu-x-leads from CPU time), each run started
// on a collected heap:
//
//	go test ./cmd/leadscore -run '^$' -bench BenchmarkAccountsCLI -benchtime 5x
//
// docs/bench/issue-30-accounts.txt records its figures; issue 30 asks
// for at most 1.5.
func BenchmarkAccountsCLI(b *testing.B) {
	const accounts = 5000
	dir := b.TempDir()
	accountsFile, leads := filepath.Join(dir, "accounts.ndjson"), filepath.Join(dir, "leads.ndjson")
	af, err := os.Create(accountsFile)
	if err != nil {
		b.Fatal(err)
	}
	lf, err := os.Create(leads)
	if err != nil {
		b.Fatal(err)
	}
	if err := leadgen.WriteAccounts(af, lf, leadgen.NewAccounts(9), accounts, 10); err != nil {
		b.Fatal(err)
	}
	if err := af.Close(); err != nil {
		b.Fatal(err)
	}
	if err := lf.Close(); err != nil {
		b.Fatal(err)
	}
	n := countLines(b, leads)
	model := td(filepath.Join("accounts", "model.yaml"))
	base := []string{"score", "--model", model, "--at", "2026-10-01", "-o", os.DevNull, "--quiet"}
	runs := []struct {
		name      string
		args      []string
		wall, cpu time.Duration
	}{
		{name: "leads", args: append(append([]string(nil), base...), leads)},
		{name: "accounts", args: append(append([]string(nil), base...), "--accounts", accountsFile, leads)},
		{name: "grouped", args: append(append([]string(nil), base...), "--accounts", accountsFile, "--grouped", leads)},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range runs {
			r := &runs[k]
			// The run before's garbage is collected here, not during
			// this run's measure (as in runs of separate processes): the
			// run without --grouped leaves every person it held.
			runtime.GC()
			cpu0, _ := processCPU()
			start := time.Now()
			if code := run(r.args, nil, io.Discard, io.Discard); code != exitOK {
				b.Fatalf("%s: exit %d", r.name, code)
			}
			r.wall += time.Since(start)
			cpu1, ok := processCPU()
			if ok {
				r.cpu += cpu1 - cpu0
			}
		}
	}
	perLead := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) / float64(n) }
	for _, r := range runs {
		b.ReportMetric(perLead(r.wall), r.name+"-ns/lead")
		if r.cpu > 0 {
			b.ReportMetric(perLead(r.cpu), r.name+"-cpu-ns/lead")
		}
		if r.name == "leads" {
			continue
		}
		b.ReportMetric(float64(r.wall)/float64(runs[0].wall), r.name+"-x-leads")
		if runs[0].cpu > 0 {
			b.ReportMetric(float64(r.cpu)/float64(runs[0].cpu), r.name+"-cpu-x-leads")
		}
	}
}

func countLines(b *testing.B, name string) int {
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, c := range data {
		if c == '\n' {
			n++
		}
	}
	return n
}
