package gendata_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/internal/gendata"
)

// testdata/dispositions.csv is what `go run ./testdata/gen -n 1000
// -dispositions testdata/b2b-saas.yaml` writes with the default seed.
func TestBundledDispositionsAreRegenerable(t *testing.T) {
	scorer, err := leadscore.Load(filepath.Join("..", "..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	var got bytes.Buffer
	require.NoError(t, gendata.WriteDispositions(&got, scorer, 1, 1000))
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "dispositions.csv"))
	require.NoError(t, err)
	assert.Equal(t, string(want), got.String())

	var other bytes.Buffer
	require.NoError(t, gendata.WriteDispositions(&other, scorer, 2, 1000))
	assert.NotEqual(t, got.String(), other.String(), "the seed matters")
}
