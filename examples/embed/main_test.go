package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	res, err := score(scorer, f, asOf)
	require.NoError(t, err)
	// The same lead as the first hand-computed case in scoring: fit 80, engagement 60.
	assert.Equal(t, 140.0, res.Total)
	assert.Equal(t, "sql", res.Stage)
	assert.True(t, res.SalesReady)

	assert.Empty(t, res.Unknown)

	_, err = score(scorer, strings.NewReader(`{"title": "CTO"}`), asOf)
	assert.EqualError(t, err, "email: required but missing")
	_, err = score(scorer, strings.NewReader(`{"email": `), asOf)
	assert.EqualError(t, err, "reading the lead: unexpected EOF")
	res, err = score(scorer, strings.NewReader(`{"email": "a@b.io", "Title": "CTO"}`), asOf)
	require.NoError(t, err)
	assert.Equal(t, `unknown key "Title"; did you mean "title"?`, res.Unknown[0].String())
}
