package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore"
)

func TestScoreBundledLead(t *testing.T) {
	scorer, err := leadscore.Load(filepath.Join("..", "..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	f, err := os.Open(filepath.Join("..", "..", "testdata", "lead.json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := score(scorer, f)
	require.NoError(t, err)
	// The same lead as the first hand-computed case in scoring: fit 80, engagement 60.
	assert.Equal(t, 140.0, res.Total)
	assert.Equal(t, "sql", res.Stage)
	assert.True(t, res.SalesReady)

	_, err = score(scorer, strings.NewReader(`{"fields": {"title": "CTO"}}`))
	assert.EqualError(t, err, "email: required but missing")
	_, err = score(scorer, strings.NewReader(`{"fields": `))
	assert.EqualError(t, err, "reading the lead: unexpected EOF")
}
