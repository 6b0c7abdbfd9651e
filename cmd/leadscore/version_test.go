package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A version stamped at build time wins over the build info; unset, the
// line is the build info's, as before.
func TestVersionStamped(t *testing.T) {
	saved := version
	t.Cleanup(func() { version = saved })

	version = ""
	code, out, _ := leadscore(t, "", "version")
	assert.Equal(t, exitOK, code)
	assert.Regexp(t, `^leadscore (devel|v\S+) \((\w{12}(\+changes)?, )?go\S+\)\n$`, out)

	version = "v1.2.3"
	code, out, _ = leadscore(t, "", "version")
	assert.Equal(t, exitOK, code)
	assert.Regexp(t, `^leadscore v1\.2\.3 \((\w{12}(\+changes)?, )?go\S+\)\n$`, out)
}

// The release's -ldflags reach the variable: a binary built with them
// prints the version they give.
func TestVersionLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds leadscore")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "leadscore")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command(bin, "version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^leadscore v9\.8\.7 \((\w{12}(\+changes)?, )?go\S+\)\n$`, string(out))
}
