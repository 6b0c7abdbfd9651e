package rules

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
)

// The fused phase programs compute exactly what the separate programs do,
// value by value, on thousands of generated leads.
func TestFusedPhasesMatchSeparatePrograms(t *testing.T) {
	fused, err := CompileFile("../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	require.NotNil(t, fused.fused.lead, "the bundled model fuses")
	require.NotNil(t, fused.fused.ladder)
	separate, err := CompileFile("../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	separate.fused = fusedPhases{} // run every expression on its own

	var buf bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&buf, leadgen.New(11), 3000))
	asOf := leadgen.Base
	envF, envS := fused.newEvaluator(), separate.newEvaluator()
	dec := json.NewDecoder(&buf)
	for n := 0; dec.More(); n++ {
		var lead map[string]any
		require.NoError(t, dec.Decode(&lead))
		var events []Event
		for _, e := range lead["events"].([]any) {
			m := e.(map[string]any)
			at, _ := time.Parse(time.RFC3339, m["at"].(string))
			events = append(events, Event{Type: m["type"].(string), At: at, Fields: m})
		}
		results := [2][]any{}
		for i, env := range []*evaluator{envF, envS} {
			env.Begin(asOf, events)
			require.NoError(t, env.BindMap(lead))
			gates, rules, stages := make([]bool, len(fused.Gates)), make([]bool, len(fused.Rules)), make([]bool, len(fused.Stages))
			require.NoError(t, env.EvalLead(gates, rules))
			for _, d := range fused.Defines {
				results[i] = append(results[i], env.Get(d.Name))
			}
			// Scores that reach every grade and stage.
			env.Set("fit", float64(n%90))
			env.Set("engagement", float64(n*7%110))
			env.Set("total", float64(n%90+n*7%110))
			grade, err := env.EvalLadder(stages)
			require.NoError(t, err)
			results[i] = append(results[i], gates, rules, grade, stages)
		}
		if !assert.Equal(t, results[1], results[0], "lead %d", n) {
			return
		}
	}
}
