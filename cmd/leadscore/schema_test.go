package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl/jsonschema"
	"github.com/leadscore/leadscore/scoring/source"
)

// leadscore schema prints the package's schemas byte for byte.
func TestSchemaCommand(t *testing.T) {
	code, out, _ := leadscore(t, "", "schema")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, string(jsonschema.RuleFile()), out)
	code, out, _ = leadscore(t, "", "schema", "--tests")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, string(jsonschema.TestFile()), out)
	code, _, errOut := leadscore(t, "", "schema", "rules.json")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "takes no arguments")
}

// The schema of source mappings: the bundled mappings and the drafts of
// init --sample validate; a misspelt key, a misplaced option and a missing
// key do not, as leadscore check would refuse them too.
func TestSourceSchema(t *testing.T) {
	code, out, _ := leadscore(t, "", "schema", "--source")
	require.Equal(t, exitOK, code)
	assert.Equal(t, string(source.JSONSchema()), out)
	c := validator.NewCompiler()
	c.DefaultDraft(validator.Draft7)
	doc, err := validator.UnmarshalJSON(strings.NewReader(out))
	require.NoError(t, err)
	require.NoError(t, c.AddResource("source.json", doc))
	s, err := c.Compile("source.json")
	require.NoError(t, err)
	validate := func(src []byte) error {
		var v any
		if err := yaml.Unmarshal(src, &v); err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		inst, err := validator.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return s.Validate(inst)
	}
	for _, name := range []string{"crm/hubspot.yaml", "crm/salesforce.yaml"} {
		src, err := os.ReadFile(td(name))
		require.NoError(t, err)
		assert.NoError(t, validate(src), name)
	}
	for _, args := range [][]string{
		{"--sample", td("crm/hubspot-contacts.csv"), "--events", td("crm/hubspot-activities.csv"), "--model", td("b2b-saas.yaml")},
		{"--sample", td("crm/salesforce-leads.csv"), "--events", td("crm/salesforce-tasks.csv")},
	} {
		code, draft, errOut := leadscore(t, "", append([]string{"init"}, args...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.NoError(t, validate([]byte(draft)), args[1])
	}
	hubspot, err := os.ReadFile(td("crm/hubspot.yaml"))
	require.NoError(t, err)
	for _, bad := range []struct{ name, from, to, want string }{
		{"a misspelt key", "\nignore:", "\nignroe:", "ignroe"},
		{"a misspelt option", "separator: \";\"", "seperator: \";\"", "seperator"},
		{"an option the event time does not take", "at: {column: Activity Date, layout:", "at: {column: Activity Date, values: {a: b}, layout:", "values"},
		{"a misspelt events key", "  lead: Record ID", "  leed: Record ID", "leed"},
		{"no id", "\nid: Record ID", "\n", "id"},
	} {
		src := strings.Replace(string(hubspot), bad.from, bad.to, 1)
		require.NotEqual(t, string(hubspot), src, bad.name)
		err := validate([]byte(src))
		if assert.Error(t, err, bad.name) {
			assert.Contains(t, err.Error(), bad.want, bad.name)
		}
		_, perr := source.Parse("m.yaml", []byte(src))
		assert.Error(t, perr, "the parser refuses %s too", bad.name)
	}
}
