package leadgen_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
)

func TestSameSeedSameLeads(t *testing.T) {
	var a, b, c bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&a, leadgen.New(5), 200))
	require.NoError(t, leadgen.WriteNDJSON(&b, leadgen.New(5), 200))
	require.NoError(t, leadgen.WriteNDJSON(&c, leadgen.New(6), 200))
	assert.Equal(t, a.String(), b.String())
	assert.NotEqual(t, a.String(), c.String())
}

// The bundled files are what `go run ./testdata/gen` writes with the default seed.
func TestBundledFilesAreRegenerable(t *testing.T) {
	var ndjson, leads, events bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&ndjson, leadgen.New(1), 1000))
	require.NoError(t, leadgen.WriteCSV(&leads, &events, leadgen.New(1), 1000))
	for name, got := range map[string]*bytes.Buffer{"leads.ndjson": &ndjson, "leads.csv": &leads, "events.csv": &events} {
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		require.NoError(t, err)
		assert.Equal(t, string(want), got.String(), name)
	}
}

func TestGeneratedLeadsLookRealistic(t *testing.T) {
	g := leadgen.New(1)
	var events, withTitle, free int
	types := map[string]int{}
	for i := 0; i < 5000; i++ {
		l := g.Next()
		events += len(l.Events)
		if l.Title != nil {
			withTitle++
		}
		if bytes.Contains([]byte(l.Email), []byte("@gmail.com")) || bytes.Contains([]byte(l.Email), []byte("@yahoo.com")) {
			free++
		}
		for _, e := range l.Events {
			types[e.Type]++
			assert.LessOrEqual(t, e.At, leadgen.Base.Format("2006-01-02T15:04:05Z"), "no activity after the base time")
			assert.GreaterOrEqual(t, e.At, l.CreatedAt, "no activity before the lead existed")
		}
		_, err := json.Marshal(l)
		require.NoError(t, err)
	}
	mean := float64(events) / 5000
	assert.InDelta(t, 5.5, mean, 1.0, "about five events a lead")
	assert.InDelta(t, 0.92, float64(withTitle)/5000, 0.02, "8% lack a title")
	assert.InDelta(t, 0.09, float64(free)/5000, 0.02, "half of the 18% free-mail leads use gmail or yahoo")
	assert.Greater(t, types["email_open"], types["demo_request"]*5, "demo requests are rare")
}
