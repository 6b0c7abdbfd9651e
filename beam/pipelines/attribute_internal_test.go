package pipelines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A --conversion milestone that no journey has converts nothing: the
// report's CombineFn refuses it at its output, merged from two
// accumulators as workers would, with the command line's message naming
// the milestones the journeys have (attribution.CheckConversionReached,
// as the command line's; cmd/leadscore tests its words there). (Tested on the CombineFn itself: a
// Prism job that fails trips a data race inside Beam's harness under
// -race, harness.go closing a channel another goroutine sends on.)
func TestAttributeRefusesAConversionNoJourneyHas(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "journeys.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	report := func(conversion string) (string, error) {
		f := &reportFn{Models: []string{"linear"}, Format: "table", Conversion: conversion}
		if err := f.Setup(); err != nil {
			return "", err
		}
		a, b := f.CreateAccumulator(), f.CreateAccumulator()
		for i, l := range lines {
			acc := a
			if i%2 == 1 {
				acc = b
			}
			if _, err := f.AddInput(acc, Row{File: "journeys.ndjson", Line: i + 1, Text: l}); err != nil {
				return "", err
			}
		}
		m, err := f.MergeAccumulators(a, b)
		if err != nil {
			return "", err
		}
		return f.ExtractOutput(m)
	}
	_, err = report("sales_accepted")
	want := `conversion: no journey has the milestone "sales_accepted", so nothing would convert; theirs are lead_created, opportunity, sales_ready, won; name one of them, or leave out the flag for won`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if _, err := report("opportunity"); err != nil {
		t.Fatalf("a milestone the journeys have: %v", err)
	}
}
