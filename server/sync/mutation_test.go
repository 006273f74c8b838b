package sync_test

import (
	"fmt"
	"testing"

	"github.com/coder/websocket"

	"hull/server/sync"
)

// The official client resolves a successful mutation only once a
// Transition that arrives after the MutationResponse reaches the
// response's ts. These cases produce a response whose ts the session's
// last Transition already reached.
func TestEverySuccessfulMutationResponseIsFollowedByATransitionReachingItsTS(t *testing.T) {
	tests := []struct {
		name string
		// before prepares the case on sockets of its own and returns the
		// request id the tested session sends.
		before func(t *testing.T, url string) uint32
		// mutation is the Mutation's udfPath and args.
		path, args string
	}{
		{
			name: "a resent mutation answered from the session's stored outcome",
			before: func(t *testing.T, url string) uint32 {
				// The first socket ran request 7 and lost the connection
				// after its response.
				first := dial(t, url)
				first.connect("resend")
				first.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[]}`)
				first.expect("Transition")
				first.send(`{"type":"Mutation","requestId":7,"udfPath":"kv:set","args":[{"key":"a","value":"v"}]}`)
				first.expect("MutationResponse")
				_ = first.conn.Close(websocket.StatusNormalClosure, "")
				return 7
			},
			path: "kv:set", args: `{"key":"a","value":"v"}`,
		},
		{
			name:   "a mutation that writes nothing",
			before: func(*testing.T, string) uint32 { return 1 },
			path:   "kv:noop", args: `{}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newKV()
			_, url := startHub(t, b, sync.Options{})
			id := tc.before(t, url)
			c := dial(t, url)
			c.connect("resend")
			c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"a"}]}]}`)
			tr := c.expect("Transition")
			prevEnd := version(tr, "endVersion")
			c.send(fmt.Sprintf(`{"type":"Mutation","requestId":%d,"udfPath":%q,"args":[%s]}`, id, tc.path, tc.args))
			resp := c.expect("MutationResponse")
			if resp["success"] != true {
				t.Fatalf("mutation failed: %v", resp)
			}
			mts := tsOf(resp["ts"].(string))
			if endTS(tr) < mts {
				t.Fatalf("the case needs a Transition already at the response's ts: %d < %d", endTS(tr), mts)
			}
			tr = c.expect("Transition")
			if got := version(tr, "startVersion"); got != prevEnd {
				t.Fatalf("Transition starts at %s, the previous one ended at %s", got, prevEnd)
			}
			if endTS(tr) < mts {
				t.Fatalf("Transition reaches %d, before the mutation's ts %d", endTS(tr), mts)
			}
		})
	}
}

// A mutation on a session's first socket cannot be a resend (the client
// resends only on a later one), so the backend may skip looking for a
// stored outcome; on a later socket it must look.
func TestMutationsKnowWhetherTheirSocketIsTheSessionsFirst(t *testing.T) {
	b := newKV()
	_, url := startHub(t, b, sync.Options{})
	for _, tc := range []struct {
		connect string
		request uint32
		first   bool
	}{
		{`{"type":"Connect","sessionId":"s","connectionCount":0,"lastCloseReason":"InitialConnect"}`, 1, true},
		{`{"type":"Connect","sessionId":"s","connectionCount":1,"lastCloseReason":"InternalServerError"}`, 2, false},
	} {
		c := dial(t, url)
		c.send(tc.connect)
		c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[]}`)
		c.expect("Transition")
		c.send(fmt.Sprintf(`{"type":"Mutation","requestId":%d,"udfPath":"kv:set","args":[{"key":"a","value":"v"}]}`, tc.request))
		c.expect("MutationResponse")
		b.mu.Lock()
		got, ok := b.first[fmt.Sprintf("s/%d", tc.request)]
		b.mu.Unlock()
		if !ok || got != tc.first {
			t.Errorf("request %d after %s: FirstSocket = %v (run: %v), want %v", tc.request, tc.connect, got, ok, tc.first)
		}
		_ = c.conn.Close(websocket.StatusNormalClosure, "")
	}
}

// A session without subscriptions has its Transitions made by the
// mutation runner itself; pipelined mutations must still each be
// answered in order, each by a response and then a Transition reaching
// its ts, with the Transitions chained and a pending removal carried.
func TestMutationsOfASessionWithoutSubscriptionsAreEachCoveredByATransition(t *testing.T) {
	b := newKV()
	_, url := startHub(t, b, sync.Options{})
	c := dial(t, url)
	c.connect("nosubs")
	c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"a"}]}]}`)
	prevEnd := version(c.expect("Transition"), "endVersion")
	c.send(`{"type":"ModifyQuerySet","baseVersion":1,"newVersion":2,"modifications":[{"type":"Remove","queryId":0}]}`)
	const n = 20
	for i := range n {
		c.send(fmt.Sprintf(`{"type":"Mutation","requestId":%d,"udfPath":"kv:set","args":[{"key":"k%d","value":"v"}]}`, i, i))
	}
	var owed []int64 // ts of responses no Transition has reached yet
	removed := false
	for next := 0; next < n || len(owed) > 0; {
		m := c.next()
		switch m["type"] {
		case "MutationResponse":
			if id := int(m["requestId"].(float64)); id != next || m["success"] != true {
				t.Fatalf("response %v, want request %d to succeed", m, next)
			}
			next++
			owed = append(owed, tsOf(m["ts"].(string)))
		case "Transition":
			if got := version(m, "startVersion"); got != prevEnd {
				t.Fatalf("Transition starts at %s, the previous one ended at %s", got, prevEnd)
			}
			prevEnd = version(m, "endVersion")
			for _, mod := range m["modifications"].([]any) {
				if mod.(map[string]any)["type"] == "QueryRemoved" {
					removed = true
				}
			}
			for len(owed) > 0 && owed[0] <= endTS(m) {
				owed = owed[1:]
			}
		}
	}
	if !removed {
		t.Fatal("no Transition carried the removal of query 0")
	}
}
