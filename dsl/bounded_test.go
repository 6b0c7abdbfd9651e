package dsl_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

// A rule file or test file over MaxFileSize is refused, with at most one
// byte past the limit read.
func TestFilesOverTheLimitAreRefused(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, dsl.MaxFileSize+1))
	const why = "the file is larger than 4 MiB, the most a rule file or test file may hold; split it into smaller files (a rule file can include: the others)"

	_, err := dsl.Load(big)
	assert.EqualError(t, err, big+": "+why)
	_, err = dsl.LoadTestFile(big)
	assert.EqualError(t, err, big+": cannot read the test file: "+why)
	model := filepath.Join(dir, "model.yaml")
	require.NoError(t, os.WriteFile(model, []byte(strings.Replace(rootModel, "%s", "big.yaml", 1)), 0o644))
	_, err = dsl.Load(model)
	assert.EqualError(t, err, model+`:3:11: cannot include "big.yaml": `+why)
}

// The files of one model hold at most MaxModelSize together.
func TestModelOverTheTotalLimitIsRefused(t *testing.T) {
	dir := t.TempDir()
	var names []string
	part := "# " + strings.Repeat("x", 3<<20) + "\n"
	for i := range 6 {
		names = append(names, fmt.Sprintf("part%d.yaml", i))
		require.NoError(t, os.WriteFile(filepath.Join(dir, names[i]), []byte(part), 0o644))
	}
	model := filepath.Join(dir, "model.yaml")
	require.NoError(t, os.WriteFile(model, []byte(strings.Replace(rootModel, "%s", strings.Join(names, ", "), 1)), 0o644))
	_, err := dsl.Load(model)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cannot include "part5.yaml": the model's files add up to more than 16 MiB, the most one model may load; a model's rule file and the files it includes are a few pages of YAML, so check for includes that pull in the same files again through other paths`)
}
