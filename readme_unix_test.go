//go:build unix

package leadscore_test

import (
	"os/exec"
	"syscall"
)

// ownGroup runs c in a process group of its own and, when its context
// ends, kills the whole group: a command's children (go run's binary, a
// pipeline) must not outlive a README check that timed out.
func ownGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
}
