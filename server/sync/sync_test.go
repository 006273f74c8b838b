package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hull/server/sync"
)

// kv is a fake backend: query "get" reads args.key, mutation "set" writes
// args.key = args.value; a result depends on the key it read.
type kv struct {
	mu      gosync.Mutex
	ts      int64
	data    map[string]string
	log     []write // commits, oldest first
	changed chan struct{}
	runs    atomic.Int64
	ran     map[string]bool // session/request ids of successful mutations
	first   map[string]bool // RequestCall.FirstSocket of each mutation run, by session/request id
	watched map[uint64]string
}

type write struct {
	ts  int64
	key string
}

func newKV() *kv {
	return &kv{ts: 100, data: map[string]string{}, changed: make(chan struct{}), ran: map[string]bool{}, first: map[string]bool{}, watched: map[uint64]string{}}
}

func argOf(args json.RawMessage, name string) string {
	var m map[string]string
	_ = json.Unmarshal(args, &m)
	return m[name]
}

func (b *kv) Query(_ context.Context, q sync.QueryCall) (*sync.QueryResult, error) {
	b.runs.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	key := argOf(q.Args, "key")
	if q.Path == "fail:q" {
		msg := "Uncaught Error: no"
		return &sync.QueryResult{FunctionResult: sync.FunctionResult{Error: &msg}, TS: q.TS, Deps: key}, nil
	}
	v := b.data[key]
	if q.Identity.Admin {
		v = "admin:" + v
	}
	return &sync.QueryResult{FunctionResult: sync.FunctionResult{Value: json.RawMessage(fmt.Sprintf("%q", v))}, TS: q.TS, Deps: key}, nil
}

func (b *kv) Mutation(_ context.Context, m sync.RequestCall) (*sync.FunctionResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m.Path == "boom:m" {
		msg := "Uncaught Error: boom"
		return &sync.FunctionResult{Error: &msg, ErrorData: json.RawMessage(`{"code":1}`)}, nil
	}
	if m.Path == "kv:noop" {
		return &sync.FunctionResult{Value: json.RawMessage(`null`), TS: b.ts}, nil
	}
	id := fmt.Sprintf("%s/%d", m.SessionID, m.RequestID)
	b.first[id] = m.FirstSocket
	if b.ran[id] {
		return &sync.FunctionResult{Value: json.RawMessage(`"again"`), TS: b.ts}, nil
	}
	b.ran[id] = true
	b.ts++
	key := argOf(m.Args, "key")
	b.data[key] = argOf(m.Args, "value")
	b.log = append(b.log, write{b.ts, key})
	close(b.changed)
	b.changed = make(chan struct{})
	return &sync.FunctionResult{Value: json.RawMessage(`null`), TS: b.ts, LogLines: []string{"[LOG] set"}}, nil
}

func (b *kv) Action(_ context.Context, a sync.RequestCall) (*sync.FunctionResult, error) {
	if a.Path == "slow:a" {
		time.Sleep(50 * time.Millisecond)
	}
	return &sync.FunctionResult{Value: json.RawMessage(`"acted"`)}, nil
}

func (b *kv) CheckArgs(args json.RawMessage) (json.RawMessage, error) {
	if len(args) > 1000 {
		return nil, fmt.Errorf("ArgumentsTooLarge: %d bytes", len(args))
	}
	return args, nil
}

func (b *kv) LatestTS() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ts
}

func (b *kv) WaitCommit(ctx context.Context, after int64) (int64, error) {
	for {
		b.mu.Lock()
		ts, ch := b.ts, b.changed
		b.mu.Unlock()
		if ts > after {
			return ts, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (b *kv) Changed(deps sync.Dependencies, ts, through int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range b.log {
		if w.ts > ts && w.ts <= through && w.key == deps {
			return true
		}
	}
	return false
}

func (b *kv) Watch(id uint64, deps sync.Dependencies) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.watched[id] = deps.(string)
}

func (b *kv) Unwatch(id uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.watched, id)
}

func (b *kv) Touched(after, through int64) ([]uint64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []uint64
	for id, key := range b.watched {
		for _, w := range b.log {
			if w.ts > after && w.ts <= through && w.key == key {
				ids = append(ids, id)
				break
			}
		}
	}
	return ids, false
}

func (b *kv) Authenticate(ctx context.Context, req sync.AuthRequest) (sync.Identity, error) {
	if req.TokenType == "User" && strings.HasPrefix(req.Value, "expires-in-") {
		d, err := time.ParseDuration(strings.TrimPrefix(req.Value, "expires-in-"))
		if err != nil {
			return sync.Identity{}, err
		}
		return sync.Identity{Key: "user", Token: req.Value, Expires: time.Now().Add(d)}, nil
	}
	if req.TokenType == "User" && req.Value == "slow" {
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
		}
		return sync.Identity{Key: "slow-user"}, nil
	}
	if req.TokenType == "Admin" && req.Value == "good-key" {
		return sync.Identity{Key: "admin", Admin: true}, nil
	}
	return sync.Identity{}, errors.New("The provided token is not valid")
}

// client is a raw protocol client.
type client struct {
	t    *testing.T
	conn *websocket.Conn
}

func startHub(t *testing.T, b sync.Backend, opts sync.Options) (*sync.Hub, string) {
	t.Helper()
	hub := sync.NewHub(b, opts)
	srv := httptest.NewServer(hub)
	t.Cleanup(func() { hub.Close(); srv.Close() })
	return hub, "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/1.48.0/sync"
}

func dial(t *testing.T, url string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &client{t: t, conn: conn}
}

func (c *client) send(msg string) {
	c.t.Helper()
	if err := c.conn.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) connect(session string) {
	c.send(`{"type":"Connect","sessionId":"` + session + `","connectionCount":0,"lastCloseReason":"InitialConnect","clientTs":1}`)
}

// next returns the next message that is not a Ping.
func (c *client) next() map[string]any {
	c.t.Helper()
	for {
		m, err := c.read(5 * time.Second)
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if m["type"] != "Ping" {
			return m
		}
	}
}

func (c *client) read(d time.Duration) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_, data, err := c.conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("server sent non-JSON %q", data)
	}
	return m, nil
}

func (c *client) expect(typ string) map[string]any {
	c.t.Helper()
	m := c.next()
	if m["type"] != typ {
		c.t.Fatalf("got %v, want a %s", m, typ)
	}
	return m
}

func version(m map[string]any, which string) string {
	v := m[which].(map[string]any)
	return fmt.Sprintf("%v/%v/%v", v["querySet"], v["identity"], v["ts"])
}

func tsOf(s string) int64 {
	var t sync.TS
	if err := json.Unmarshal([]byte(`"`+s+`"`), &t); err != nil {
		panic(err)
	}
	return int64(t)
}

func endTS(m map[string]any) int64 {
	return tsOf(m["endVersion"].(map[string]any)["ts"].(string))
}

func TestSubscriptionsMutationsAndTransitions(t *testing.T) {
	b := newKV()
	_, url := startHub(t, b, sync.Options{})
	c := dial(t, url)
	c.connect("s1")
	c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"a"}]},{"type":"Add","queryId":1,"udfPath":"kv:get","args":[{"key":"b"}]}]}`)
	tr := c.expect("Transition")
	if got := version(tr, "startVersion"); got != "0/0/AAAAAAAAAAA=" {
		t.Fatalf("first Transition starts at %s", got)
	}
	if mods := tr["modifications"].([]any); len(mods) != 2 || mods[0].(map[string]any)["type"] != "QueryUpdated" || mods[0].(map[string]any)["journal"] != nil {
		t.Fatalf("first Transition modifications %v", mods)
	}
	prevEnd := version(tr, "endVersion")

	c.send(`{"type":"Mutation","requestId":0,"udfPath":"kv:set","args":[{"key":"a","value":"x"}]}`)
	resp := c.expect("MutationResponse")
	if resp["success"] != true || resp["logLines"].([]any)[0] != "[LOG] set" {
		t.Fatalf("mutation response %v", resp)
	}
	mts := tsOf(resp["ts"].(string))
	tr = c.expect("Transition")
	if version(tr, "startVersion") != prevEnd {
		t.Fatalf("Transition starts at %s, previous ended at %s", version(tr, "startVersion"), prevEnd)
	}
	if endTS(tr) < mts {
		t.Fatalf("Transition ts %d is before the mutation's %d", endTS(tr), mts)
	}
	mods := tr["modifications"].([]any)
	if len(mods) != 1 || mods[0].(map[string]any)["queryId"] != 0.0 || mods[0].(map[string]any)["value"] != "x" {
		t.Fatalf("only query 0 changed, got %v", mods)
	}
	prevEnd = version(tr, "endVersion")

	// Another client's write to b reaches this one.
	other := dial(t, url)
	other.connect("s2")
	other.send(`{"type":"Mutation","requestId":0,"udfPath":"kv:set","args":[{"key":"b","value":"y"}]}`)
	other.expect("MutationResponse")
	tr = c.expect("Transition")
	if version(tr, "startVersion") != prevEnd || tr["modifications"].([]any)[0].(map[string]any)["value"] != "y" {
		t.Fatalf("invalidation Transition %v", tr)
	}
	prevEnd = version(tr, "endVersion")

	// Removing a query answers QueryRemoved and bumps the query set.
	c.send(`{"type":"ModifyQuerySet","baseVersion":1,"newVersion":2,"modifications":[{"type":"Remove","queryId":1}]}`)
	tr = c.expect("Transition")
	mods = tr["modifications"].([]any)
	if version(tr, "startVersion") != prevEnd || len(mods) != 1 || mods[0].(map[string]any)["type"] != "QueryRemoved" || tr["endVersion"].(map[string]any)["querySet"] != 2.0 {
		t.Fatalf("removal Transition %v", tr)
	}
}

func TestAResentMutationDoesNotRunTwice(t *testing.T) {
	b := newKV()
	_, url := startHub(t, b, sync.Options{})
	for i, want := range []string{"null", `"again"`} {
		c := dial(t, url)
		c.connect("same-session")
		c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[]}`)
		c.expect("Transition")
		c.send(`{"type":"Mutation","requestId":7,"udfPath":"kv:set","args":[{"key":"a","value":"v"}]}`)
		resp := c.expect("MutationResponse")
		if got, _ := json.Marshal(resp["result"]); string(got) != want {
			t.Fatalf("attempt %d: result %s, want %s", i, got, want)
		}
		_ = c.conn.Close(websocket.StatusNormalClosure, "")
	}
	if len(b.log) != 1 {
		t.Fatalf("the mutation ran %d times", len(b.log))
	}
}

func TestFailuresTravelAsResultsNotSocketErrors(t *testing.T) {
	_, url := startHub(t, newKV(), sync.Options{})
	c := dial(t, url)
	c.connect("s")
	c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":5,"udfPath":"fail:q","args":[{}]}]}`)
	tr := c.expect("Transition")
	mod := tr["modifications"].([]any)[0].(map[string]any)
	if mod["type"] != "QueryFailed" || mod["errorMessage"] != "Uncaught Error: no" {
		t.Fatalf("failed query %v", mod)
	}
	c.send(`{"type":"Mutation","requestId":1,"udfPath":"boom:m","args":[{}]}`)
	resp := c.expect("MutationResponse")
	if resp["success"] != false || resp["result"] != "Uncaught Error: boom" || resp["ts"] != nil || resp["errorData"].(map[string]any)["code"] != 1.0 {
		t.Fatalf("failed mutation %v", resp)
	}
	c.send(`{"type":"Action","requestId":2,"udfPath":"a:a","args":[{}]}`)
	if resp := c.expect("ActionResponse"); resp["success"] != true || resp["result"] != "acted" {
		t.Fatalf("action %v", resp)
	}
}

func TestAuthentication(t *testing.T) {
	_, url := startHub(t, newKV(), sync.Options{})
	c := dial(t, url)
	c.connect("s")
	c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"k"}]}]}`)
	c.expect("Transition")
	c.send(`{"type":"Authenticate","tokenType":"Admin","value":"good-key","baseVersion":0}`)
	tr := c.expect("Transition")
	if tr["endVersion"].(map[string]any)["identity"] != 1.0 || tr["modifications"].([]any)[0].(map[string]any)["value"] != "admin:" {
		t.Fatalf("accepted Authenticate must bump identity and rerun: %v", tr)
	}
	c.send(`{"type":"Authenticate","tokenType":"User","value":"bad","baseVersion":1}`)
	ae := c.expect("AuthError")
	if ae["authUpdateAttempted"] != true || ae["baseVersion"] != 1.0 {
		t.Fatalf("AuthError %v", ae)
	}
	if _, err := c.read(2 * time.Second); err == nil {
		t.Fatal("the socket stayed open after a rejected token")
	}
}

func TestAnExpiredUserTokenEndsTheSessionBeforeAnythingRunsAsIt(t *testing.T) {
	tests := []struct {
		name, msg string
	}{
		{"a mutation after expiry", `{"type":"Mutation","requestId":0,"udfPath":"kv:set","args":[{"key":"k","value":"v"}]}`},
		{"an action after expiry", `{"type":"Action","requestId":0,"udfPath":"a:a","args":[{}]}`},
		{"a query set change after expiry", `{"type":"ModifyQuerySet","baseVersion":1,"newVersion":2,"modifications":[{"type":"Add","queryId":1,"udfPath":"kv:get","args":[{"key":"j"}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newKV()
			_, url := startHub(t, b, sync.Options{})
			c := dial(t, url)
			c.connect("s")
			c.send(`{"type":"Authenticate","tokenType":"User","value":"expires-in-300ms","baseVersion":0}`)
			c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"k"}]}]}`)
			for {
				end := c.expect("Transition")["endVersion"].(map[string]any)
				if end["identity"] == 1.0 && end["querySet"] == 1.0 {
					break // the token is accepted while valid
				}
			}
			time.Sleep(400 * time.Millisecond)
			c.send(tt.msg)
			ae := c.expect("AuthError")
			if ae["authUpdateAttempted"] != false || ae["baseVersion"] != 1.0 || ae["error"] != "Convex token identity expired" {
				t.Fatalf("AuthError %v", ae)
			}
			if _, err := c.read(2 * time.Second); err == nil {
				t.Fatal("the socket stayed open after the token expired")
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.data["k"] != "" {
				t.Fatal("the mutation ran as an expired identity")
			}
		})
	}
}

func TestASlowTokenCheckDoesNotHoldUpCommits(t *testing.T) {
	b := newKV()
	_, url := startHub(t, b, sync.Options{})
	slow, other := dial(t, url), dial(t, url)
	slow.connect("a")
	other.connect("b")
	sub := `{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"k"}]}]}`
	slow.send(sub)
	other.send(sub)
	slow.expect("Transition")
	other.expect("Transition")
	slow.send(`{"type":"Authenticate","tokenType":"User","value":"slow","baseVersion":0}`)
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	other.send(`{"type":"Mutation","requestId":0,"udfPath":"kv:set","args":[{"key":"k","value":"v"}]}`)
	other.expect("MutationResponse")
	tr := other.expect("Transition")
	if mods := tr["modifications"].([]any); len(mods) != 1 || mods[0].(map[string]any)["value"] != "v" {
		t.Fatalf("transition %v", tr)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Fatalf("another session's commit waited %s for a token check", d)
	}
	// The slow session gets the commit too, then its new identity.
	for slow.expect("Transition")["endVersion"].(map[string]any)["identity"] != 1.0 {
	}
}

func TestBadInputEndsOnlyThatSession(t *testing.T) {
	tests := []struct {
		name  string
		msgs  []string
		fatal string // FatalError text prefix, or "" for a close
		close websocket.StatusCode
	}{
		{"malformed JSON", []string{`{nope`}, "WSMessageInvalidJson", 0},
		{"a message before Connect", []string{`{"type":"Mutation","requestId":0,"udfPath":"a:b","args":[{}]}`}, "BadRequest", 0},
		{"an unknown message type", []string{connectMsg, `{"type":"Teleport"}`}, "BadRequest: unknown message type", 0},
		{"a query set version out of order", []string{connectMsg, `{"type":"ModifyQuerySet","baseVersion":3,"newVersion":4,"modifications":[]}`}, "BaseVersionMismatch", 0},
		{"args that are not one object", []string{connectMsg, `{"type":"Mutation","requestId":0,"udfPath":"a:b","args":[1,2]}`}, "BadRequest", 0},
		{"a duplicate query id", []string{connectMsg, `{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":1,"udfPath":"kv:get","args":[{}]},{"type":"Add","queryId":1,"udfPath":"kv:get","args":[{}]}]}`}, "", websocket.StatusInternalError},
		{"an identity version out of order", []string{connectMsg, `{"type":"Authenticate","tokenType":"None","baseVersion":5}`}, "", websocket.StatusInternalError},
		{"more subscriptions than a session may hold", []string{connectMsg, `{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":1,"udfPath":"kv:get","args":[{}]},{"type":"Add","queryId":2,"udfPath":"kv:get","args":[{}]},{"type":"Add","queryId":3,"udfPath":"kv:get","args":[{}]}]}`}, "", websocket.StatusTryAgainLater},
		{"a frame over the size limit", []string{connectMsg, `{"type":"Mutation","requestId":0,"udfPath":"a:b","args":[{"x":"` + strings.Repeat("y", 70<<10) + `"}]}`}, "", websocket.StatusMessageTooBig},
	}
	b := newKV()
	_, url := startHub(t, b, sync.Options{MaxMessageBytes: 64 << 10, MaxQueries: 2})
	bystander := dial(t, url)
	bystander.connect("bystander")
	bystander.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"z"}]}]}`)
	bystander.expect("Transition")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, url)
			for _, m := range tc.msgs {
				c.send(m)
			}
			if tc.fatal != "" {
				m := c.expect("FatalError")
				if !strings.HasPrefix(m["error"].(string), tc.fatal) {
					t.Fatalf("FatalError %q, want prefix %q", m["error"], tc.fatal)
				}
			}
			_, err := c.read(3 * time.Second)
			if err == nil {
				t.Fatal("the socket stayed open")
			}
			if tc.close != 0 && websocket.CloseStatus(err) != tc.close {
				t.Fatalf("closed with %v, want %v", err, tc.close)
			}
		})
	}
	bystander.send(`{"type":"Mutation","requestId":0,"udfPath":"kv:set","args":[{"key":"z","value":"still here"}]}`)
	bystander.expect("MutationResponse")
	if tr := bystander.expect("Transition"); tr["modifications"].([]any)[0].(map[string]any)["value"] != "still here" {
		t.Fatalf("bystander got %v", tr)
	}
}

const connectMsg = `{"type":"Connect","sessionId":"x","connectionCount":0,"lastCloseReason":null}`

func TestIdenticalSubscriptionsShareOneExecutionPerTimestamp(t *testing.T) {
	b := newKV()
	_, url := startHub(t, b, sync.Options{})
	const n = 20
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = dial(t, url)
		clients[i].connect(fmt.Sprintf("s%d", i))
		clients[i].send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"shared"}]}]}`)
		clients[i].expect("Transition")
	}
	before := b.runs.Load()
	writer := dial(t, url)
	writer.connect("w")
	writer.send(`{"type":"Mutation","requestId":0,"udfPath":"kv:set","args":[{"key":"shared","value":"new"}]}`)
	writer.expect("MutationResponse")
	for _, c := range clients {
		if tr := c.expect("Transition"); tr["modifications"].([]any)[0].(map[string]any)["value"] != "new" {
			t.Fatalf("got %v", tr)
		}
	}
	if runs := b.runs.Load() - before; runs != 1 {
		t.Fatalf("%d sessions caused %d runs of the same query at one timestamp, want 1", n, runs)
	}
}

func TestPingsAndShutdown(t *testing.T) {
	hub, url := startHub(t, newKV(), sync.Options{Heartbeat: 150 * time.Millisecond})
	c := dial(t, url)
	c.connect("s")
	m, err := c.read(3 * time.Second)
	if err != nil || m["type"] != "Ping" {
		t.Fatalf("an idle session got %v %v, want a Ping", m, err)
	}
	hub.Close()
	for {
		_, err := c.read(3 * time.Second)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Fatalf("shutdown closed the socket with %v, want 1001", err)
			}
			return
		}
	}
}

func TestAClientAheadOfTheServerIsServedNotLockedOut(t *testing.T) {
	_, url := startHub(t, newKV(), sync.Options{})
	c := dial(t, url)
	// A maxObservedTimestamp far past the server's (a restore from a
	// backup, another server's clock): the session starts normally.
	c.send(`{"type":"Connect","sessionId":"ahead","connectionCount":3,"lastCloseReason":"InternalServerError","maxObservedTimestamp":"/////////38="}`)
	c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[{"key":"k"}]}]}`)
	tr := c.expect("Transition")
	if version(tr, "startVersion") != "0/0/AAAAAAAAAAA=" || tr["modifications"].([]any)[0].(map[string]any)["type"] != "QueryUpdated" {
		t.Fatalf("got %v", tr)
	}
}
