package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"
)

// deliveryLatency measures, with one subscriber, the time from a
// mutation being sent to the subscriber holding the changed value, beside
// the time the same mutation takes to answer its caller. The writer and
// the subscriber are separate sessions; rounds run one after another.
func deliveryLatency(ctx context.Context, url string, rounds int) (mutation, delivery []time.Duration, err error) {
	sub, err := dialSync(ctx, url, "latency-subscriber")
	if err != nil {
		return nil, nil, err
	}
	defer sub.close()
	if _, err := sub.subscribe("counters:get", `{"name":"latency"}`); err != nil {
		return nil, nil, err
	}
	writer, err := dialSync(ctx, url, "latency-writer")
	if err != nil {
		return nil, nil, err
	}
	defer writer.close()
	if _, err := writer.subscribe("counters:get", `{"name":"latency-none"}`); err != nil {
		return nil, nil, err
	}
	transition := []byte(`{"type":"Transition"`)
	for k := 1; k <= rounds; k++ {
		got := make(chan error, 1)
		var at time.Time
		value := []byte(`"value":` + strconv.Itoa(k) + `,`)
		go func() {
			for {
				_, raw, err := sub.conn.Read(sub.ctx)
				if err != nil {
					got <- err
					return
				}
				if bytes.HasPrefix(raw, transition) && bytes.Contains(raw, value) {
					at = time.Now()
					got <- nil
					return
				}
			}
		}()
		start := time.Now()
		if err := writer.mutate(uint32(k), "counters:inc", `{"name":"latency"}`); err != nil {
			return nil, nil, err
		}
		answered := time.Since(start)
		select {
		case err := <-got:
			if err != nil {
				return nil, nil, err
			}
		case <-time.After(10 * time.Second):
			return nil, nil, fmt.Errorf("round %d: the subscriber got no Transition with the new value", k)
		}
		if k > rounds/10 { // the first tenth warms up
			mutation = append(mutation, answered)
			delivery = append(delivery, at.Sub(start))
		}
		time.Sleep(2 * time.Millisecond)
	}
	return mutation, delivery, nil
}
