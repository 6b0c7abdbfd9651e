package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A model name --models cannot read is refused before any lead is read,
// whatever the input, with the list of every model, data-driven ones
// included, or with what the name lacks (review rev17c, item 10).
func TestAttributeModelNamesRefusedFirst(t *testing.T) {
	leads := []string{"--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv")}
	for _, c := range []struct{ models, want string }{
		{"markov", "--models: markov needs an order: write markov:K (K from 1 to 7, such as markov:2) or markov:auto"},
		{"lineer", `--models: unknown model "lineer"; did you mean "linear"? The models are first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, full_path, custom, and the data-driven markov:K, markov:auto and shapley`},
		{"gini", `--models: unknown model "gini"; the models are first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, full_path, custom, and the data-driven markov:K, markov:auto and shapley`},
		{"linear,markov:9", "--models: markov:9: the order of a Markov chain is 1 to 7, not 9"},
		{"markov:2:value", "--models: markov:2:value: write markov:K (K the order, 1 to 7) or markov:auto, then :conv to share value like conversions, :nonull to ignore nulls"},
		{"markov:auto:nonull", "--models: markov:auto:nonull: markov:auto chooses the order by how well it predicts which paths convert, which needs the paths that did not (nulls); give markov:K:nonull with an order instead"},
		{"shapley:2", `--models: shapley takes no settings: write shapley, not "shapley:2"`},
	} {
		for _, input := range [][]string{leads, {"--journeys", td("journeys.ndjson")}} {
			code, out, errOut := leadscore(t, "", append(append([]string{"attribute"}, input...), "--models", c.models)...)
			assert.Equal(t, exitUsage, code, c.models)
			assert.Empty(t, out, c.models)
			assert.Equal(t, "leadscore attribute: "+c.want+"\n", errOut, c.models)
		}
	}
}

// With only data-driven models, the campaign and channel tables (which
// need a rule-based model) show linear, and the report says so in every
// format, on stderr too; with a rule-based model among them it does not.
func TestAttributeOnlyDataDrivenSaysLinear(t *testing.T) {
	note := "--models names only data-driven models (markov:1, shapley), which credit channels from the journeys' paths, in a table of their own at the end; the campaign and channel tables need a rule-based model and show linear: add one to --models to choose theirs (such as first_touch;markov:1;shapley)"
	for _, format := range []string{"table", "markdown", "json", "csv"} {
		code, out, errOut := leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--models", "markov:1;shapley", "--format", format)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, errOut, "leadscore attribute: warning: "+note+"\n", format)
		if format != "csv" {
			assert.Contains(t, strings.ReplaceAll(out, `\u0026`, "&"), note, format)
		}
	}
	code, out, errOut := leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--models", "first_touch;markov:1")
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out+errOut, "only data-driven")
}
