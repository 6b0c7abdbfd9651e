package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An id written as a number of 16 digits or more with a fraction or an
// exponent cannot keep its digits (12345678901234567.0 reads as ...568):
// the row fails with the literal as its id, rather than take another
// lead's id; whole literals keep every digit.
func TestAmbiguousNumberIDsFail(t *testing.T) {
	leads := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(`{"id":12345678901234567,"email":"a@acme.io"}
{"id":12345678901234568,"email":"b@acme.io"}
{"id":1.2345678901234567e16,"email":"c@acme.io"}
{"id":12345678901234567.0,"email":"d@acme.io"}
{"id":17.0,"email":"e@acme.io"}
`), 0o644))
	code, stdout, stderr := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code, stderr)
	assert.Contains(t, stdout, `{"id":"12345678901234567","total"`)
	assert.Contains(t, stdout, `{"id":"12345678901234568","total"`)
	assert.Contains(t, stdout, `{"id":"17","total"`, "a small number is exact")
	assert.Contains(t, stdout, `{"id":"1.2345678901234567e16","line":3,"error":"id: the number 1.2345678901234568e+16 cannot keep every digit of an id`)
	assert.Contains(t, stdout, `{"id":"12345678901234567.0","line":4,"error":"id: the number`)
	assert.Contains(t, stderr, "5 rows in: 3 scored, 2 failed")
}
