package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Asynchronous host operations: work an action starts and awaits without
// holding its engine — timers and fetch. An operation runs on its own
// goroutine; its completion is handed to JS by the event loop (drain),
// which waits for completions once no job is left. Everything a run
// started is cancelled when the run ends.

// fetchChunk is the most one read of a streamed response body returns.
const fetchChunk = 64 << 10

// asyncOps holds one run's operations in flight.
type asyncOps struct {
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan completion
	next     int
	inFlight map[int]context.CancelFunc
	client   *http.Client
	http     *httpExchange // an HTTP action's request and response, or nil

	bodyMu   sync.Mutex
	bodies   map[int]io.ReadCloser // response bodies being streamed, by handle
	pipes    map[int]*bodyPipe     // streamed request bodies, by handle
	nextBody int
}

// addBody registers a response body for streaming and returns its handle.
func (a *asyncOps) addBody(b io.ReadCloser) int {
	a.bodyMu.Lock()
	defer a.bodyMu.Unlock()
	if a.bodies == nil {
		a.bodies = map[int]io.ReadCloser{}
	}
	a.nextBody++
	a.bodies[a.nextBody] = b
	return a.nextBody
}

func (a *asyncOps) body(h int) io.ReadCloser {
	a.bodyMu.Lock()
	defer a.bodyMu.Unlock()
	return a.bodies[h]
}

// closeBody closes and forgets a body.
func (a *asyncOps) closeBody(h int) {
	a.bodyMu.Lock()
	b := a.bodies[h]
	delete(a.bodies, h)
	a.bodyMu.Unlock()
	if b != nil {
		_ = b.Close()
	}
}

// closeBodies closes every body still open (the run ended).
func (a *asyncOps) closeBodies() {
	a.bodyMu.Lock()
	bodies, pipes := a.bodies, a.pipes
	a.bodies, a.pipes = nil, nil
	a.bodyMu.Unlock()
	for _, b := range bodies {
		_ = b.Close()
	}
	for _, p := range pipes {
		p.close(errors.New("the action ended"))
	}
}

type completion struct {
	id    int
	reply string // "o<result>" or "e<{message}>"
}

// beginAsync readies r for a run's operations; ex is the exchange of an
// HTTP action, or nil.
func (r *vmRun) beginAsync(client *http.Client, ex *httpExchange) {
	ctx, cancel := context.WithCancel(r.ctx)
	r.async = &asyncOps{ctx: ctx, cancel: cancel, done: make(chan completion, 16), inFlight: map[int]context.CancelFunc{}, client: client, http: ex}
}

// endAsync cancels what the run left in flight.
func (r *vmRun) endAsync() {
	if r.async != nil {
		r.async.cancel()
		r.async.closeBodies()
		r.async = nil
	}
}

// startAsync is __hull_async_start(op, args): it starts op and returns
// its id, or throws for ops that do not exist or kinds that may not use
// them.
func (r *vmRun) startAsync(args []any) (any, error) {
	op, data, err := syscallArgs(args)
	if err != nil {
		return nil, err
	}
	a := r.async
	if a == nil {
		return nil, errors.New("asynchronous operations are only available while a function runs")
	}
	var run func(ctx context.Context) (any, error)
	switch op {
	case "timer":
		ms, err := strconv.ParseFloat(data, 64)
		if err != nil || ms < 0 {
			ms = 0
		}
		d := time.Duration(ms * float64(time.Millisecond))
		run = func(ctx context.Context) (any, error) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	case "fetch":
		// The operation's context lives until the run ends (or the fetch
		// is aborted), so the body can be read after the headers came.
		run = a.fetchOp(data)
	case "bodyOpen", "bodyWrite", "bodyClose", "bodyError":
		run = a.pipeOp(op, data)
	case "fetchRead":
		h, _ := strconv.Atoi(data)
		run = func(context.Context) (any, error) { return readChunk(a, h) }
	case "fetchCancel":
		h, _ := strconv.Atoi(data)
		run = func(context.Context) (any, error) { a.closeBody(h); return nil, nil }
	default:
		if run = a.httpOp(op, data); run == nil {
			return nil, fmt.Errorf("unknown asynchronous operation %s", op)
		}
	}
	a.next++
	id := a.next
	ctx, cancel := context.WithCancel(a.ctx)
	a.inFlight[id] = cancel
	go func() {
		res, err := run(ctx)
		c := completion{id: id}
		if err != nil {
			b, _ := json.Marshal(map[string]string{"message": err.Error()})
			c.reply = "e" + string(b)
		} else {
			b, _ := json.Marshal(res)
			c.reply = "o" + string(b)
		}
		select {
		case a.done <- c:
		case <-a.ctx.Done():
		}
	}()
	return id, nil
}

// cancelAsync is __hull_async_cancel(id).
func (r *vmRun) cancelAsync(args []any) (any, error) {
	if r.async == nil || len(args) != 1 {
		return nil, nil
	}
	id, _ := args[0].(int)
	if f, ok := args[0].(float64); ok {
		id = int(f)
	}
	if cancel, ok := r.async.inFlight[id]; ok {
		cancel()
	}
	return nil, nil
}

// waitAsync blocks until an operation completes and hands it to JS. It
// reports false when nothing is in flight.
func (r *vmRun) waitAsync() (bool, error) {
	a := r.async
	if a == nil || len(a.inFlight) == 0 {
		return false, nil
	}
	select {
	case c := <-a.done:
		delete(a.inFlight, c.id)
		if _, err := r.call("__hull_async_done", strconv.Itoa(c.id), c.reply); err != nil {
			return true, err
		}
		return true, nil
	case <-r.stopped:
		return true, errInterrupted
	case <-r.ctx.Done():
		return true, errInterrupted
	}
}
