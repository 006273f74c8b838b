package node

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"hull/runtime"
)

//go:embed runner.mjs
var runnerJS []byte

// runnerFile writes the runner script into the working folder once.
func (e *Executor) runnerFile() (string, error) {
	e.runnerOnce.Do(func() {
		sum := sha256.Sum256(runnerJS)
		p := filepath.Join(e.opts.Dir, "runner-"+hex.EncodeToString(sum[:6])+".mjs")
		if b, err := os.ReadFile(p); err == nil && string(b) == string(runnerJS) {
			e.runnerPath = p
			return
		}
		if err := os.MkdirAll(e.opts.Dir, 0o755); err != nil {
			e.runnerErr = folderError(e.opts.Dir, err)
			return
		}
		tmp, err := os.CreateTemp(e.opts.Dir, ".tmp-runner-")
		if err != nil {
			e.runnerErr = folderError(e.opts.Dir, err)
			return
		}
		_, err = tmp.Write(runnerJS)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), p)
		}
		if err != nil {
			os.Remove(tmp.Name())
			e.runnerErr = fmt.Errorf("node: write the runner script: %w", err)
			return
		}
		e.runnerPath = p
	})
	return e.runnerPath, e.runnerErr
}

// heldKey marks the context of a call made from a Node action.
type heldKey struct{}

// Run runs one action of code in a pooled process. The error return is
// for system failures (Node.js missing, the working folder unwritable);
// what the action did wrong — including crashing its process or running
// past its time limit — is in Result.Err.
func (e *Executor) Run(ctx context.Context, code *Code, call runtime.Call) (runtime.Result, error) {
	if call.Kind != runtime.KindAction {
		return runtime.Result{}, fmt.Errorf("node: only actions run in Node.js, not a %s", call.Kind)
	}
	prep, err := e.prepare(ctx, code)
	if err != nil {
		return runtime.Result{}, err
	}
	defer prep.release()
	nested := ctx.Value(heldKey{}) != nil
	p, err := e.pool.acquire(ctx, prep.key, filepath.Dir(prep.modules), nested)
	if err != nil {
		return runtime.Result{}, err
	}
	res, reuse := p.runAction(context.WithValue(ctx, heldKey{}, true), call, prep.modules, e.opts.ActionTimeout)
	e.pool.release(p, reuse)
	return res, nil
}

// runAction serves one action on p. reuse is false when the process must
// not serve another (it crashed, hung or is in doubt).
func (p *process) runAction(ctx context.Context, call runtime.Call, modules string, timeout time.Duration) (runtime.Result, bool) {
	requestID := call.RequestID
	if requestID == "" {
		requestID = fmt.Sprintf("%x", call.Seed[:8])
	}
	r, finish := p.begin(ctx, call.Host)
	err := p.send(runMsg{T: "run", Run: r.id, Dir: modules, Module: call.Module, Export: call.Export,
		Args: string(call.Args), RequestID: requestID, Env: call.Env})
	m, failure := p.await(ctx, r, err, timeout, "the action")
	finish()
	res := runtime.Result{Logs: r.takeLogs()}
	switch {
	case failure != nil:
		res.Err = failure
		return res, false
	case m.Error != nil:
		res.Err = m.Error.userError()
	case m.Value != nil:
		res.Value = []byte(*m.Value)
	default:
		res.Value = []byte("null")
	}
	return res, !m.Retire
}

// begin makes r the process's run in progress; finish ends it once every
// syscall it started has returned (they are cancelled first).
func (p *process) begin(ctx context.Context, host runtime.Host) (r *activeRun, finish func()) {
	runCtx, cancel := context.WithCancel(ctx)
	r = &activeRun{id: runIDs.Add(1), host: host, ctx: runCtx, done: make(chan inMsg, 1)}
	p.stderr.reset()
	p.mu.Lock()
	p.cur = r
	p.mu.Unlock()
	return r, func() {
		cancel()
		r.syscalls.Wait()
		p.mu.Lock()
		p.cur = nil
		p.mu.Unlock()
	}
}

// await waits for the runner's answer to r. On a time limit or a
// cancelled context the process is killed: a JavaScript loop cannot be
// interrupted any other way.
func (p *process) await(ctx context.Context, r *activeRun, sendErr error, timeout time.Duration, what string) (inMsg, *runtime.UserError) {
	if sendErr != nil {
		p.kill()
		<-p.exited
		return inMsg{}, p.crashError(what)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case m := <-r.done:
		return m, nil
	case <-p.exited:
		select {
		case m := <-r.done:
			return m, nil
		default:
		}
		return inMsg{}, p.crashError(what)
	case <-t.C:
		p.kill()
		return inMsg{}, &runtime.UserError{Message: fmt.Sprintf("Function execution timed out (maximum duration: %s)", timeout)}
	case <-ctx.Done():
		p.kill()
		return inMsg{}, &runtime.UserError{Message: "Function execution was cancelled: " + ctx.Err().Error()}
	}
}

// crashError is the error of a run whose process ended under it.
func (p *process) crashError(what string) *runtime.UserError {
	if p.outOfMemory() {
		return &runtime.UserError{Message: fmt.Sprintf("JavaScript execution ran out of memory (maximum memory usage: %d MB)", p.ex.opts.MemoryLimit>>20)}
	}
	return &runtime.UserError{Message: fmt.Sprintf("The Node.js process running %s exited unexpectedly (%s)", what, p.exitReason())}
}

func (e *jsError) userError() *runtime.UserError {
	u := &runtime.UserError{Message: e.Message + e.Frames, Stack: e.Frames}
	if e.Data != nil {
		u.Data = []byte(*e.Data)
	}
	return u
}

// Analyze imports code's modules in a fresh Node process (not a pooled
// one: their import-time effects must not reach later actions) with env
// as process.env, and reports the functions each exports. A module that
// fails to import fails the analysis with its error.
func (e *Executor) Analyze(ctx context.Context, code *Code, env map[string]string) ([]runtime.AnalyzedModule, error) {
	prep, err := e.prepare(ctx, code)
	if err != nil {
		return nil, err
	}
	defer prep.release()
	p, err := e.startProcess(ctx, prep.key, filepath.Dir(prep.modules))
	if err != nil {
		return nil, err
	}
	defer p.kill()
	entries := code.Entries()
	r, finish := p.begin(ctx, refuseHost{})
	err = p.send(analyzeMsg{T: "analyze", Run: r.id, Dir: prep.modules, Modules: entries, Env: env})
	timeout := e.opts.AnalyzeTimeout * time.Duration(1+len(entries)/8)
	m, failure := p.await(ctx, r, err, timeout, "the analysis")
	finish()
	if failure != nil {
		return nil, errors.New(failure.Message)
	}
	if m.Error != nil {
		return nil, errors.New(m.Error.Message + m.Error.Frames)
	}
	out := make([]runtime.AnalyzedModule, 0, len(m.Modules))
	for _, am := range m.Modules {
		mod := runtime.AnalyzedModule{Path: am.Path}
		for _, f := range am.Functions {
			fn := runtime.Function{Name: f.Name, Kind: runtime.Kind(f.Kind), Visibility: f.Visibility}
			if f.Args != nil && *f.Args != "null" {
				fn.Args = []byte(*f.Args)
			}
			if f.Returns != nil && *f.Returns != "null" {
				fn.Returns = []byte(*f.Returns)
			}
			mod.Functions = append(mod.Functions, fn)
		}
		out = append(out, mod)
	}
	return out, nil
}

// refuseHost serves no syscall: module top-level code may not reach the
// database (the runner refuses before asking).
type refuseHost struct{}

func (refuseHost) Syscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, fmt.Errorf("%s is not allowed while modules are being imported (at import time)", op)
}

func (refuseHost) AsyncSyscall(_ context.Context, op string, _ []byte) ([]byte, error) {
	return nil, fmt.Errorf("%s is not allowed while modules are being imported (at import time)", op)
}
