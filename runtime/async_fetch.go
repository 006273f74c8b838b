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
	"strings"
)

// fetch in actions: the request goes out through Go's net/http client and
// the response body streams back to JS one read at a time (fetchRead). A
// request body is sent in one piece, or, for a ReadableStream body, through
// a body pipe: JS opens one (bodyOpen), starts the fetch naming it
// (bodyPipe), and writes the stream's chunks into it (bodyWrite, then
// bodyClose or bodyError) while the client sends them with chunked
// transfer encoding.

// fetchRequest and fetchResponse cross between JS fetch and Go.
type fetchRequest struct {
	URL      string      `json:"url"`
	Method   string      `json:"method"`
	Headers  [][2]string `json:"headers"`
	Body     *string     `json:"body"` // base64
	Redirect string      `json:"redirect"`
	BodyPipe int         `json:"bodyPipe"` // a body pipe's handle, or 0
}

type fetchResponse struct {
	URL        string      `json:"url"`
	Status     int         `json:"status"`
	StatusText string      `json:"statusText"`
	Headers    [][2]string `json:"headers"`
	Body       int         `json:"body"` // handle of the streamed body
	Redirected bool        `json:"redirected"`
}

// bodyPipe is a streamed request body: JS writes into w, the HTTP client
// reads from r (taken by the one fetch that sends it).
type bodyPipe struct {
	r     *io.PipeReader
	w     *io.PipeWriter
	taken bool
}

func (p *bodyPipe) close(err error) {
	_ = p.w.CloseWithError(err)
	if !p.taken {
		_ = p.r.CloseWithError(err)
	}
}

// fetchOp is the work of one "fetch" operation.
func (a *asyncOps) fetchOp(data string) func(ctx context.Context) (any, error) {
	var fr fetchRequest
	if err := json.Unmarshal([]byte(data), &fr); err != nil {
		return func(context.Context) (any, error) { return nil, fmt.Errorf("fetch: bad request: %w", err) }
	}
	return func(ctx context.Context) (any, error) { return doFetch(ctx, a, fr) }
}

// pipeOp is the work of one body pipe operation: "bodyOpen" (no data; the
// result is the pipe's handle), "bodyWrite" ("<h>:<base64 chunk>", done
// once the HTTP client took the chunk), "bodyClose" ("<h>") and
// "bodyError" ("<h>:<message>").
func (a *asyncOps) pipeOp(op, data string) func(ctx context.Context) (any, error) {
	if op == "bodyOpen" {
		return func(context.Context) (any, error) { return a.openPipe(), nil }
	}
	hs, rest, _ := strings.Cut(data, ":")
	return func(context.Context) (any, error) {
		h, err := strconv.Atoi(hs)
		p := a.pipe(h)
		if err != nil || p == nil {
			return nil, fmt.Errorf("fetch: the request body pipe %q is not open", hs)
		}
		switch op {
		case "bodyWrite":
			chunk, err := base64.StdEncoding.DecodeString(rest)
			if err != nil {
				return nil, fmt.Errorf("fetch: bad body chunk: %w", err)
			}
			if _, err := p.w.Write(chunk); err != nil {
				a.dropPipe(h, err)
				return nil, fmt.Errorf("fetch: the request body was not sent: %w", err)
			}
		case "bodyClose":
			a.dropPipe(h, nil)
		default: // bodyError
			a.dropPipe(h, fmt.Errorf("the request body stream errored: %s", rest))
		}
		return nil, nil
	}
}

func (a *asyncOps) openPipe() int {
	r, w := io.Pipe()
	a.bodyMu.Lock()
	defer a.bodyMu.Unlock()
	if a.pipes == nil {
		a.pipes = map[int]*bodyPipe{}
	}
	a.nextBody++
	a.pipes[a.nextBody] = &bodyPipe{r: r, w: w}
	return a.nextBody
}

func (a *asyncOps) pipe(h int) *bodyPipe {
	a.bodyMu.Lock()
	defer a.bodyMu.Unlock()
	return a.pipes[h]
}

// takePipe hands pipe h's reading end to the fetch that sends it.
func (a *asyncOps) takePipe(h int) (*io.PipeReader, error) {
	a.bodyMu.Lock()
	defer a.bodyMu.Unlock()
	p := a.pipes[h]
	if p == nil || p.taken {
		return nil, fmt.Errorf("the request body pipe %d is not open or already used", h)
	}
	p.taken = true
	return p.r, nil
}

// dropPipe ends pipe h: the client sees the end of the body (err nil) or
// err.
func (a *asyncOps) dropPipe(h int, err error) {
	a.bodyMu.Lock()
	p := a.pipes[h]
	delete(a.pipes, h)
	a.bodyMu.Unlock()
	if p != nil {
		p.close(err)
	}
}

// fetchBody is the request body of fr: its bytes, a body pipe's reading
// end, or nil.
func fetchBody(a *asyncOps, fr *fetchRequest) (io.Reader, error) {
	if fr.BodyPipe != 0 {
		return a.takePipe(fr.BodyPipe)
	}
	if fr.Body == nil {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(*fr.Body)
	if err != nil {
		return nil, fmt.Errorf("bad body: %w", err)
	}
	return bytes.NewReader(b), nil
}

func doFetch(ctx context.Context, a *asyncOps, fr fetchRequest) (any, error) {
	body, err := fetchBody(a, &fr)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	method := fr.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, fr.URL, body)
	if err != nil {
		if c, ok := body.(io.Closer); ok {
			_ = c.Close()
		}
		return nil, fmt.Errorf("fetch failed: %w", err)
	}
	if _, ok := body.(*io.PipeReader); ok {
		req.ContentLength = -1 // chunked, without probing the body first
	}
	for _, h := range fr.Headers {
		req.Header.Add(h[0], h[1])
	}
	c := *a.client
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
	out := fetchResponse{
		URL: resp.Request.URL.String(), Status: resp.StatusCode, Redirected: redirected,
		StatusText: http.StatusText(resp.StatusCode), Body: a.addBody(resp.Body),
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			out.Headers = append(out.Headers, [2]string{k, v})
		}
	}
	return out, nil
}

// readChunk reads the next part of a streamed response body.
func readChunk(a *asyncOps, h int) (any, error) {
	b := a.body(h)
	if b == nil {
		return map[string]any{"done": true}, nil
	}
	buf := make([]byte, fetchChunk)
	n, err := io.ReadAtLeast(b, buf, 1)
	switch {
	case n > 0:
		return map[string]any{"chunk": base64.StdEncoding.EncodeToString(buf[:n])}, nil
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		a.closeBody(h)
		return map[string]any{"done": true}, nil
	default:
		a.closeBody(h)
		return nil, fmt.Errorf("fetch: reading the response body: %w", err)
	}
}
