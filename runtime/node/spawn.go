package node

import (
	"os/exec"
	goruntime "runtime"
)

// spawnReq asks the spawner to start one command.
type spawnReq struct {
	cmd *exec.Cmd
	err chan error
}

// spawn starts cmd from one OS thread that lives as long as the
// Executor. On Linux children get SIGKILL when the thread that started
// them ends (Pdeathsig), so starting them all from a thread that never
// ends before hull does means no Node process outlives a hull that was
// killed.
func (e *Executor) spawn(cmd *exec.Cmd) error {
	e.spawnOnce.Do(func() {
		e.spawnCh = make(chan spawnReq)
		go e.spawner()
	})
	req := spawnReq{cmd: cmd, err: make(chan error, 1)}
	select {
	case e.spawnCh <- req:
	case <-e.stop:
		return errClosed
	}
	return <-req.err
}

func (e *Executor) spawner() {
	// Never unlocked: when the Executor closes, the thread ends with this
	// goroutine, and with it any child still running.
	goruntime.LockOSThread()
	for {
		select {
		case req := <-e.spawnCh:
			req.err <- req.cmd.Start()
		case <-e.stop:
			return
		}
	}
}
