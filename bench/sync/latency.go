package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// latencyCase is one subscription whose result a mutation changes.
type latencyCase struct {
	name          string
	query, args   string             // the subscription
	setup         []string           // items:add args run first
	mutation      string             // changes the result
	mutationArgs  func(k int) string // of round k
	marker        func(k int) []byte // in the Transition carrying round k's change
	queryOverHTTP bool               // also time the query alone
}

func latencyCases() []latencyCase {
	list := latencyCase{
		name: "20-row list", query: "items:list", args: `{"list":"latency"}`,
		mutation:      "items:rename",
		mutationArgs:  func(k int) string { return fmt.Sprintf(`{"list":"latency","text":"r%d"}`, k) },
		marker:        func(k int) []byte { return []byte(fmt.Sprintf(`"r%d"`, k)) },
		queryOverHTTP: true,
	}
	for i := 0; i < 20; i++ {
		list.setup = append(list.setup, fmt.Sprintf(`{"list":"latency","text":"item %d"}`, i))
	}
	return []latencyCase{
		{
			name: "one document", query: "counters:get", args: `{"name":"latency"}`,
			mutation:     "counters:inc",
			mutationArgs: func(int) string { return `{"name":"latency"}` },
			marker:       func(k int) []byte { return []byte(fmt.Sprintf(`"value":%d,`, k)) },
		},
		list,
	}
}

// latencyResult holds one case's samples.
type latencyResult struct {
	mutation, delivery, query []time.Duration
}

// deliveryLatency measures, with one subscriber, the time from a
// mutation being sent to the subscriber holding the changed value, beside
// the time the same mutation takes to answer its caller (and, for lists,
// the query alone over HTTP, between rounds). The writer and the
// subscriber are separate sessions; rounds run one after another.
func deliveryLatency(ctx context.Context, url string, lc latencyCase, rounds int) (*latencyResult, error) {
	writer, err := dialSync(ctx, url, "latency-writer-"+lc.name)
	if err != nil {
		return nil, err
	}
	defer writer.close()
	if _, err := writer.subscribe("counters:get", `{"name":"latency-none"}`); err != nil {
		return nil, err
	}
	id := uint32(0)
	for _, a := range lc.setup {
		id++
		if err := writer.mutate(id, "items:add", a); err != nil {
			return nil, err
		}
	}
	sub, err := dialSync(ctx, url, "latency-subscriber-"+lc.name)
	if err != nil {
		return nil, err
	}
	defer sub.close()
	if _, err := sub.subscribe(lc.query, lc.args); err != nil {
		return nil, err
	}
	transition := []byte(`{"type":"Transition"`)
	out := &latencyResult{}
	for k := 1; k <= rounds; k++ {
		got := make(chan error, 1)
		var at time.Time
		marker := lc.marker(k)
		go func() {
			for {
				_, raw, err := sub.conn.Read(sub.ctx)
				if err != nil {
					got <- err
					return
				}
				if bytes.HasPrefix(raw, transition) && bytes.Contains(raw, marker) {
					at = time.Now()
					got <- nil
					return
				}
			}
		}()
		id++
		start := time.Now()
		if err := writer.mutate(id, lc.mutation, lc.mutationArgs(k)); err != nil {
			return nil, err
		}
		answered := time.Since(start)
		select {
		case err := <-got:
			if err != nil {
				return nil, err
			}
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("%s, round %d: the subscriber got no Transition with the change", lc.name, k)
		}
		warm := k > rounds/10 // the first tenth warms up
		if warm {
			out.mutation = append(out.mutation, answered)
			out.delivery = append(out.delivery, at.Sub(start))
		}
		time.Sleep(2 * time.Millisecond)
		if lc.queryOverHTTP {
			d, err := timeQuery(ctx, url, lc.query, lc.args)
			if err != nil {
				return nil, err
			}
			if warm {
				out.query = append(out.query, d)
			}
		}
	}
	return out, nil
}

// timeQuery runs one query over the HTTP API.
func timeQuery(ctx context.Context, url, path, args string) (time.Duration, error) {
	body := fmt.Sprintf(`{"path":%q,"args":%s,"format":"json"}`, path, args)
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/query", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("query %s: status %d", path, resp.StatusCode)
	}
	return time.Since(start), nil
}
