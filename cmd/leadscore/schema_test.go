package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/dsl/jsonschema"
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
