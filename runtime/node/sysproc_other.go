//go:build !unix

package node

import "os/exec"

// setSysProcAttr has nothing to set on this platform.
func setSysProcAttr(cmd *exec.Cmd) {}

// killGroup kills a child.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
