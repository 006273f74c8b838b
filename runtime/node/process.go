package node

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hull/runtime"
)

// process is one node child running the runner. Frames from the runner
// are read by one goroutine and dispatched to the run in progress.
type process struct {
	ex  *Executor
	key string // the code version this process runs
	cmd *exec.Cmd

	toChild   *os.File // the runner's fd 3
	fromChild *os.File // the runner's fd 4
	wmu       sync.Mutex

	ready  chan string   // the runner's node version, once
	exited chan struct{} // closed once the process is gone and its pipes drained
	// waitErr and protoErr are set before exited closes.
	waitErr  error
	protoErr error
	stderr   tail
	killed   atomic.Bool

	mu       sync.Mutex
	cur      *activeRun
	lastUsed time.Time
}

// activeRun is the action (or analysis) a process is serving.
type activeRun struct {
	id   uint64
	host runtime.Host
	ctx  context.Context
	done chan inMsg // the runner's "done" or "analyzed", buffered

	mu       sync.Mutex
	logs     []runtime.LogLine
	overflow bool
	syscalls sync.WaitGroup
}

var runIDs atomic.Uint64

// startProcess starts a runner for code key and waits until it is ready.
func (e *Executor) startProcess(ctx context.Context, key, dir string) (*process, error) {
	info, err := e.Check(ctx)
	if err != nil {
		return nil, err
	}
	runner, err := e.runnerFile()
	if err != nil {
		return nil, err
	}
	toR, toW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("node: pipe: %w", err)
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		toR.Close()
		toW.Close()
		return nil, fmt.Errorf("node: pipe: %w", err)
	}
	heapMB := e.opts.MemoryLimit >> 20
	cmd := exec.Command(info.Path, "--max-old-space-size="+strconv.FormatInt(heapMB, 10), "--enable-source-maps", runner)
	cmd.Dir = dir
	cmd.Env = childEnv(nil)
	cmd.ExtraFiles = []*os.File{toR, fromW}
	p := &process{ex: e, key: key, cmd: cmd, toChild: toW, fromChild: fromR,
		ready: make(chan string, 1), exited: make(chan struct{}), lastUsed: time.Now()}
	cmd.Stdout = &lineWriter{p: p, level: "LOG"}
	cmd.Stderr = &lineWriter{p: p, level: "ERROR", tail: &p.stderr}
	cmd.WaitDelay = 2 * time.Second
	setSysProcAttr(cmd)
	err = e.spawn(cmd)
	toR.Close()
	fromW.Close()
	if err != nil {
		toW.Close()
		fromR.Close()
		return nil, fmt.Errorf("node: start %s: %w", info.Path, err)
	}
	go p.readFrames()
	go p.wait()
	select {
	case <-p.ready:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("node: the Node.js process exited while starting: %s", p.exitReason())
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, errors.New("node: the Node.js process did not start within 30s")
	case <-ctx.Done():
		p.kill()
		return nil, fmt.Errorf("node: waiting for the Node.js process: %w", ctx.Err())
	}
}

// wait reaps the process and records how it ended.
func (p *process) wait() {
	err := p.cmd.Wait()
	p.toChild.Close()
	p.mu.Lock()
	p.waitErr = err
	p.mu.Unlock()
	close(p.exited)
}

// kill ends the process at once.
func (p *process) kill() {
	p.killed.Store(true)
	_ = killGroup(p.cmd)
}

// alive reports whether the process has not exited.
func (p *process) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return !p.killed.Load()
	}
}

// exitReason describes how the process ended, with the end of what it
// wrote to stderr.
func (p *process) exitReason() string {
	p.mu.Lock()
	err, proto := p.waitErr, p.protoErr
	p.mu.Unlock()
	var b strings.Builder
	switch {
	case proto != nil:
		fmt.Fprintf(&b, "it broke the protocol with hull (%v)", proto)
	case err == nil:
		b.WriteString("exit code 0")
	default:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.Exited() {
				fmt.Fprintf(&b, "exit code %d", ee.ExitCode())
			} else {
				fmt.Fprintf(&b, "%s", strings.TrimPrefix(ee.String(), "signal: "))
			}
		} else {
			b.WriteString(err.Error())
		}
	}
	if t := strings.TrimSpace(p.stderr.String()); t != "" {
		b.WriteString("; stderr: ")
		b.WriteString(t)
	}
	return b.String()
}

// outOfMemory reports whether V8 died for want of heap.
func (p *process) outOfMemory() bool {
	s := p.stderr.String()
	return strings.Contains(s, "heap out of memory") || strings.Contains(s, "Reached heap limit")
}

// send writes one frame to the runner.
func (p *process) send(v any) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	return writeFrame(p.toChild, v)
}

// readFrames reads the runner's frames until the stream ends. A broken
// frame kills the process: nothing after it can be trusted.
func (p *process) readFrames() {
	r := bufio.NewReaderSize(p.fromChild, 64<<10)
	defer p.fromChild.Close()
	for {
		body, err := readFrame(r)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				p.protocolError(err)
			}
			return
		}
		m, err := decodeMsg(body)
		if err != nil {
			p.protocolError(err)
			return
		}
		p.dispatch(m)
	}
}

func (p *process) protocolError(err error) {
	p.mu.Lock()
	if p.protoErr == nil && !p.killed.Load() {
		p.protoErr = err
	}
	p.mu.Unlock()
	p.kill()
}

// current returns the run in progress if it is run id.
func (p *process) current(id uint64) *activeRun {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil && p.cur.id == id {
		return p.cur
	}
	return nil
}

func (p *process) dispatch(m inMsg) {
	switch m.T {
	case "ready":
		select {
		case p.ready <- m.Node:
		default:
		}
	case "log":
		t := time.UnixMilli(int64(m.TS))
		if r := p.current(m.Run); r != nil {
			r.addLog(m.Level, m.Msg, t)
			return
		}
		p.ex.log.Debug("console output of a Node process outside an action", "level", m.Level, "message", m.Msg)
	case "sys":
		r := p.current(m.Run)
		if r == nil {
			_ = p.send(replyMsg{T: "reply", ID: m.ID, Err: &replyError{Message: "Syscall outside a running action"}})
			return
		}
		r.syscalls.Add(1)
		go func() {
			defer r.syscalls.Done()
			out, err := r.host.AsyncSyscall(r.ctx, m.Op, []byte(m.Args))
			_ = p.send(reply(m.ID, out, err))
		}()
	case "done", "analyzed":
		if r := p.current(m.Run); r != nil {
			select {
			case r.done <- m:
			default:
			}
		}
	}
}

// reply turns a host result into a reply frame.
func reply(id uint64, out []byte, err error) replyMsg {
	if err == nil {
		s := string(out)
		return replyMsg{T: "reply", ID: id, OK: &s}
	}
	e := &replyError{Message: err.Error()}
	var cd runtime.ConvexErrorData
	if errors.As(err, &cd) {
		e.Data = cd.ConvexData()
	}
	return replyMsg{T: "reply", ID: id, Err: e}
}

// Log limits of one run, as Convex and the default runtime apply them.
const (
	maxLogLines     = 256
	maxLogLineBytes = 32 << 10
)

func (r *activeRun) addLog(level, msg string, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.logs) >= maxLogLines {
		if !r.overflow {
			r.overflow = true
			r.logs = append(r.logs, runtime.LogLine{Level: "ERROR", Message: "Log overflow (maximum 256). Errors in subsequent logs will not be shown.", Time: time.Now()})
		}
		return
	}
	if len(msg) > maxLogLineBytes {
		msg = msg[:maxLogLineBytes] + " (truncated due to length)"
	}
	switch level {
	case "LOG", "INFO", "WARN", "ERROR", "DEBUG":
	default:
		level = "LOG"
	}
	r.logs = append(r.logs, runtime.LogLine{Level: level, Message: msg, Time: t})
}

func (r *activeRun) takeLogs() []runtime.LogLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs
}

// lineWriter turns what the process writes to stdout or stderr into log
// lines of the run in progress (or hull's log when none is).
type lineWriter struct {
	p     *process
	level string
	tail  *tail
	buf   []byte
}

func (w *lineWriter) Write(b []byte) (int, error) {
	if w.tail != nil {
		w.tail.Write(b)
	}
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) > maxLogLineBytes {
				w.line(string(w.buf))
				w.buf = w.buf[:0]
			}
			return len(b), nil
		}
		w.line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) line(s string) {
	w.p.mu.Lock()
	r := w.p.cur
	w.p.mu.Unlock()
	if r != nil {
		r.addLog(w.level, s, time.Now())
		return
	}
	w.p.ex.log.Debug("output of a Node process outside an action", "stream", w.level, "line", s)
}

// tail keeps the last few KiB written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailBytes = 2 << 10

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 2*tailBytes {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-tailBytes:]...)
	}
	return len(b), nil
}

func (t *tail) reset() {
	t.mu.Lock()
	t.buf = nil
	t.mu.Unlock()
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.buf) > tailBytes {
		return string(t.buf[len(t.buf)-tailBytes:])
	}
	return string(t.buf)
}
