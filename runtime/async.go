package runtime

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Asynchronous host operations: work an action starts and awaits without
// holding its engine — timers and fetch. An operation runs on its own
// goroutine; its completion is handed to JS by the event loop (drain),
// which waits for completions once no job is left. Everything a run
// started is cancelled when the run ends.

// maxFetchBody caps a fetch response body read into the engine.
const maxFetchBody = 64 << 20

// asyncOps holds one run's operations in flight.
type asyncOps struct {
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan completion
	next     int
	inFlight map[int]context.CancelFunc
	client   *http.Client
}

type completion struct {
	id    int
	reply string // "o<result>" or "e<{message}>"
}

// begin readies r for a run's operations.
func (r *vmRun) beginAsync(client *http.Client) {
	ctx, cancel := context.WithCancel(r.ctx)
	r.async = &asyncOps{ctx: ctx, cancel: cancel, done: make(chan completion, 16), inFlight: map[int]context.CancelFunc{}, client: client}
}

// endAsync cancels what the run left in flight.
func (r *vmRun) endAsync() {
	if r.async != nil {
		r.async.cancel()
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
		run = func(ctx context.Context) (any, error) { return doFetch(ctx, a.client, data) }
	default:
		return nil, fmt.Errorf("unknown asynchronous operation %s", op)
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

// fetchRequest and fetchResponse cross between JS fetch and Go.
type fetchRequest struct {
	URL      string      `json:"url"`
	Method   string      `json:"method"`
	Headers  [][2]string `json:"headers"`
	Body     *string     `json:"body"` // base64
	Redirect string      `json:"redirect"`
}

type fetchResponse struct {
	URL        string      `json:"url"`
	Status     int         `json:"status"`
	StatusText string      `json:"statusText"`
	Headers    [][2]string `json:"headers"`
	Body       string      `json:"body"` // base64
	Redirected bool        `json:"redirected"`
}

func doFetch(ctx context.Context, client *http.Client, data string) (any, error) {
	var fr fetchRequest
	if err := json.Unmarshal([]byte(data), &fr); err != nil {
		return nil, fmt.Errorf("fetch: bad request: %w", err)
	}
	var body io.Reader
	if fr.Body != nil {
		b, err := base64.StdEncoding.DecodeString(*fr.Body)
		if err != nil {
			return nil, fmt.Errorf("fetch: bad body: %w", err)
		}
		body = bytes.NewReader(b)
	}
	method := fr.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, fr.URL, body)
	if err != nil {
		return nil, fmt.Errorf("fetch failed: %w", err)
	}
	for _, h := range fr.Headers {
		req.Header.Add(h[0], h[1])
	}
	c := *client
	redirected := false
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		switch {
		case fr.Redirect == "manual":
			return http.ErrUseLastResponse
		case fr.Redirect == "error":
			return fmt.Errorf("redirect to %s refused (redirect: \"error\")", req.URL)
		case len(via) >= 20:
			return errors.New("too many redirects")
		}
		redirected = true
		return nil
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch failed: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBody+1))
	if err != nil {
		return nil, fmt.Errorf("fetch: reading the response body: %w", err)
	}
	if len(b) > maxFetchBody {
		return nil, fmt.Errorf("fetch: the response body is over %d MiB", maxFetchBody>>20)
	}
	out := fetchResponse{
		URL: resp.Request.URL.String(), Status: resp.StatusCode, Redirected: redirected,
		StatusText: http.StatusText(resp.StatusCode), Body: base64.StdEncoding.EncodeToString(b),
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			out.Headers = append(out.Headers, [2]string{k, v})
		}
	}
	return out, nil
}
