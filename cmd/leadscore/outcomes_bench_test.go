package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/leadscore/leadscore/internal/gendata"
	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// BenchmarkOutcomeLoop runs every command of the outcome loop beside
// score on the same generated leads, with the generator's realistic
// outcomes and sales' verdicts (as testdata/gen -realistic-outcomes and
// -dispositions write them), and reports each one's cost per lead and its
// ratio to score's in the same run (x-score, from wall time, and
// cpu-x-score, from CPU time, steadier on a shared machine):
//
//	go test ./cmd/leadscore -run XXX -bench OutcomeLoop -benchtime 3x
//
// The README's Performance section quotes it.
func BenchmarkOutcomeLoop(b *testing.B) {
	const n = 20000
	dir := b.TempDir()
	leads, outcomes, disp := filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "outcomes.csv"), filepath.Join(dir, "dispositions.csv")
	write := func(name string, fill func(io.Writer) error) {
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
	const seed = 9
	write(leads, func(w io.Writer) error { return leadgen.WriteNDJSON(w, leadgen.New(seed), n) })
	write(outcomes, func(w io.Writer) error {
		g := leadgen.New(seed)
		out := make([]leadgen.Outcome, n)
		for i := range out {
			out[i] = leadgen.RealisticOutcome(seed, g.Next(), leadgen.Base)
		}
		return leadgen.WriteOutcomesLost(w, out)
	})
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	write(disp, func(w io.Writer) error { return gendata.WriteDispositions(w, scoring.New(m), seed, n) })
	// --suggest writes its proposal beside the model, whose includes it reads.
	model := filepath.Join(dir, "b2b-saas.yaml")
	for _, f := range []string{"b2b-saas.yaml", "common/lists.yaml"} {
		data, err := os.ReadFile(td(f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	bt := []string{"backtest", "--model", model, "--outcomes", outcomes, "--at", "2026-07-01", "--capacity", "40/week", "--format", "json"}
	runs := []struct {
		name string
		args []string
	}{
		{"score", []string{"score", "--model", model, "--at", "2026-07-01", "-o", os.DevNull, "--quiet", leads}},
		{"backtest", append(append([]string(nil), bt...), leads)},
		{"backtest-suggest", append(append([]string(nil), bt...), "--suggest", "-o", filepath.Join(dir, "proposed.yaml"), leads)},
		{"feedback", []string{"feedback", "--model", model, "--at", "2026-07-01", "--dispositions", disp, "--leads", leads}},
		{"attribute", []string{"attribute", "--model", model, "--outcomes", outcomes, "--leads", leads, "--at", "2026-07-01"}},
	}
	var scoreWall, scoreCPU float64
	for _, r := range runs {
		b.Run(r.name, func(b *testing.B) {
			cpu0, ok := processCPU()
			for i := 0; i < b.N; i++ {
				if code := run(r.args, nil, io.Discard, io.Discard); code != exitOK {
					b.Fatalf("%s: exit %d", r.name, code)
				}
			}
			wall := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / n
			b.ReportMetric(wall, "ns/lead")
			cpu1, _ := processCPU()
			cpu := float64((cpu1 - cpu0).Nanoseconds()) / float64(b.N) / n
			if ok {
				b.ReportMetric(cpu, "cpu-ns/lead")
			}
			if r.name == "score" {
				scoreWall, scoreCPU = wall, cpu
				return
			}
			if scoreWall > 0 {
				b.ReportMetric(wall/scoreWall, "x-score")
			}
			if ok && scoreCPU > 0 {
				b.ReportMetric(cpu/scoreCPU, "cpu-x-score")
			}
		})
	}
}
