//go:build unix && !linux

package node

import (
	"os/exec"
	"syscall"
)

// setSysProcAttr gives a child its own process group (a terminal's ^C
// reaches hull, which ends its children itself).
func setSysProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills a child and everything it started.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return cmd.Process.Kill()
}
