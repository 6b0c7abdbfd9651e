package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadscore/leadscore/internal/leadgen"
)

// BenchmarkBacktestAccountsCLI runs backtest --accounts beside score
// --accounts of the same generated accounts and leads (the baseline:
// scoring each person and account once at T0), in turn in each
// iteration, and reports the cost per lead of each and their ratio
// (x-score from wall time, cpu-x-score from CPU time). The backtest adds
// the replay of every account up to T0 for its hand-off moment, which
// re-scores its people at each moment one of them arrived, had an event or saw one leave a window:
//
//	go test ./cmd/leadscore -run '^$' -bench BenchmarkBacktestAccountsCLI -benchtime 3x
func BenchmarkBacktestAccountsCLI(b *testing.B) {
	const accounts = 2000
	dir := b.TempDir()
	accountsFile, leads, outcomes := filepath.Join(dir, "accounts.ndjson"), filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "outcomes.csv")
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
	writeAccountOutcomes(b, accountsFile, outcomes)
	n := countLines(b, leads)
	model := td(filepath.Join("accounts", "model.yaml"))
	runs := []struct {
		name      string
		args      []string
		wall, cpu time.Duration
	}{
		{name: "score", args: []string{"score", "--model", model, "--at", "2026-10-01", "-o", os.DevNull, "--quiet", "--accounts", accountsFile, leads}},
		{name: "backtest", args: []string{"backtest", "--model", model, "--at", "2026-10-01", "--accounts", accountsFile, "--outcomes", outcomes, leads}},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range runs {
			r := &runs[k]
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
	}
	b.ReportMetric(float64(runs[1].wall)/float64(runs[0].wall), "x-score")
	if runs[0].cpu > 0 {
		b.ReportMetric(float64(runs[1].cpu)/float64(runs[0].cpu), "cpu-x-score")
	}
}

// writeAccountOutcomes writes an outcome for every fifth account of the
// accounts file: won after T0 for the first of each ten, lost for the sixth.
func writeAccountOutcomes(b *testing.B, accountsFile, name string) {
	in, err := os.Open(accountsFile)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintln(out, "account_id,opportunity,won,revenue,lost")
	sc := bufio.NewScanner(in)
	for i := 0; sc.Scan(); i++ {
		var a struct{ ID string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			b.Fatal(err)
		}
		switch i % 10 {
		case 0:
			fmt.Fprintf(out, "%s,2026-10-05,2026-11-10,1000,\n", a.ID)
		case 5:
			fmt.Fprintf(out, "%s,2026-10-05,,,2026-11-10\n", a.ID)
		}
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}
