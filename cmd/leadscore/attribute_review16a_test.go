package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// totalCredit runs attribute with JSON output and returns the total row's
// first model's conversions and revenue.
func totalCredit(t *testing.T, wantCode int, args ...string) (conv, rev float64, stderr string) {
	t.Helper()
	code, out, errOut := leadscore(t, "", append([]string{"attribute", "--models", "first_touch", "--format", "json"}, args...)...)
	require.Equal(t, wantCode, code, errOut)
	var rep struct {
		Total struct {
			Credit []struct{ Conversions, Revenue float64 }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	return rep.Total.Credit[0].Conversions, rep.Total.Credit[0].Revenue, errOut
}

// --conversion sales_ready credits the journeys that became sales-ready,
// one each, with the revenue of those also won: counted here from the
// file itself.
func TestAttributeConversionMilestone(t *testing.T) {
	f, err := os.Open(td("journeys.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	sr, srRev := 0, 0.0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var j struct {
			Milestones map[string]string
			Converted  bool
			Revenue    float64
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &j))
		if _, ok := j.Milestones["sales_ready"]; ok {
			sr++
			if j.Converted {
				srRev += j.Revenue
			}
		}
	}
	require.Equal(t, 45, sr)
	conv, rev, _ := totalCredit(t, exitOK, "--journeys", td("journeys.ndjson"), "--conversion", "sales_ready")
	assert.Equal(t, float64(sr), conv)
	assert.Equal(t, srRev, rev)

	code, _, errOut := leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--conversion", "opportunty")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `--conversion: no milestone is named "opportunty"; did you mean "opportunity"?`)
	code, _, errOut = leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--conversion", "demo_booked")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `--conversion: no journey has the milestone "demo_booked", so nothing would convert; theirs are lead_created, opportunity, sales_ready, won`)
}

// A journey given twice is counted once: its second line fails, naming the
// first; the report is the file's without it (18 won, 388,600).
func TestAttributeRepeatedJourney(t *testing.T) {
	data, err := os.ReadFile(td("journeys.ndjson"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(data), "\n")
	dup := filepath.Join(t.TempDir(), "dup.ndjson")
	require.NoError(t, os.WriteFile(dup, []byte(string(data)+lines[68]), 0o644))
	conv, rev, errOut := totalCredit(t, exitProblem, "--journeys", dup)
	assert.Equal(t, []float64{18, 388600}, []float64{conv, rev})
	assert.Contains(t, errOut, "dup.ndjson:1001: journey L0000069 was already given on line 69")
	assert.Contains(t, errOut, "1001 journeys read: 1000 used, 1 failed")
}

// CSV: a journey row given twice fails alone; touch rows that name no
// journey are named with their line, j2 with a did-you-mean, counted in
// the summary and warned of in the report.
func TestAttributeCSVOrphanTouches(t *testing.T) {
	dir := t.TempDir()
	jc, tc := filepath.Join(dir, "jc.csv"), filepath.Join(dir, "tc.csv")
	require.NoError(t, os.WriteFile(jc, []byte("id,converted,revenue,won\nJ1,true,100,2026-03-01T00:00:00Z\nJ2,true,50,2026-03-01T00:00:00Z\nJ1,true,100,2026-03-01T00:00:00Z\n"), 0o644))
	require.NoError(t, os.WriteFile(tc, []byte("journey_id,at,campaign,channel\nJ1,2026-01-01T00:00:00Z,A,a\nJ2,2026-01-01T00:00:00Z,B,b\nj2,2026-01-02T00:00:00Z,C,c\nJ3,2026-01-02T00:00:00Z,D,d\n"), 0o644))
	code, out, errOut := leadscore(t, "", "attribute", "--journeys", jc, "--touches", tc, "--models", "first_touch", "--format", "markdown")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "jc.csv:4: journey J1 was already given on line 2")
	assert.Contains(t, errOut, `tc.csv:4: no journey has the id "j2", so this touch counts nowhere; did you mean "J2"?`)
	assert.Contains(t, errOut, `tc.csv:5: no journey has the id "J3"`)
	assert.Contains(t, errOut, "3 journeys read: 2 used, 1 failed; 2 touch rows orphaned")
	assert.Contains(t, out, "2 touch rows of "+tc+" name no journey of "+jc)
}
