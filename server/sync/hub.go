package sync

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Options tunes the sync sessions. Zero fields take the defaults.
type Options struct {
	Logger *slog.Logger
	// MaxMessageBytes caps one client frame (default 32 MiB: 16 MiB of
	// arguments plus a whole query set on reconnect).
	MaxMessageBytes int64
	// MaxQueries caps the subscriptions of one session (default 4096).
	MaxQueries int
	// MaxQueuedMutations caps the mutations one session may have waiting
	// (default 1000, as Convex).
	MaxQueuedMutations int
	// MaxConcurrentActions caps the actions one session runs at once
	// (default 64).
	MaxConcurrentActions int
	// Heartbeat is the idle time after which a Ping is sent (default 15 s).
	Heartbeat time.Duration
	// MutationTimeout bounds one mutation (default 60 s).
	MutationTimeout time.Duration
	// WriteTimeout bounds writing one message to a client (default 30 s).
	WriteTimeout time.Duration
	// ConnectTimeout is how long a new socket may take to send Connect
	// before it is closed (default 10 s).
	ConnectTimeout time.Duration
	// MaxSessions caps the open sockets; one more is closed at once with
	// a TooManySessions reason (default DefaultMaxSessions).
	MaxSessions int
}

// DefaultMaxSessions is the default cap on open sync sockets: about
// 200 MB of idle sessions.
const DefaultMaxSessions = 10000

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 32 << 20
	}
	if o.MaxQueries <= 0 {
		o.MaxQueries = 4096
	}
	if o.MaxQueuedMutations <= 0 {
		o.MaxQueuedMutations = 1000
	}
	if o.MaxConcurrentActions <= 0 {
		o.MaxConcurrentActions = 64
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.MutationTimeout <= 0 {
		o.MutationTimeout = 60 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	return o
}

// Hub holds the sessions of one server: it tells them about commits,
// shares query executions between them and closes them on shutdown.
type Hub struct {
	backend Backend
	opts    Options
	ctx     context.Context
	cancel  context.CancelFunc

	mu       gosync.Mutex
	sessions map[*session]struct{}
	closed   bool
	latest   int64

	execs execCache

	watchMu gosync.Mutex
	watched map[uint64]*session // watch id → the session of that query
	always  map[uint64]*session // queries without deps: every commit
	nextID  atomic.Uint64
}

// NewHub starts a hub over backend; Close stops it.
func NewHub(backend Backend, opts Options) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{
		backend: backend, opts: opts.withDefaults(), ctx: ctx, cancel: cancel,
		sessions: map[*session]struct{}{}, latest: backend.LatestTS(),
		watched: map[uint64]*session{}, always: map[uint64]*session{},
	}
	go h.watchCommits()
	go h.heartbeats()
	return h
}

// watchCommits wakes the sessions at every new readable timestamp.
func (h *Hub) watchCommits() {
	for {
		h.mu.Lock()
		after := h.latest
		h.mu.Unlock()
		ts, err := h.backend.WaitCommit(h.ctx, after)
		if err != nil {
			if h.ctx.Err() != nil {
				return
			}
			h.opts.Logger.Warn("sync: waiting for commits", "err", err)
			select {
			case <-time.After(100 * time.Millisecond):
			case <-h.ctx.Done():
				return
			}
			continue
		}
		h.mu.Lock()
		if ts <= h.latest {
			h.mu.Unlock()
			continue
		}
		prev := h.latest
		h.latest = ts
		h.mu.Unlock()
		for _, s := range h.touched(prev, ts) {
			s.onCommit(ts)
		}
	}
}

// touched returns the sessions a commit range may have changed a result
// of.
func (h *Hub) touched(after, through int64) []*session {
	ids, all := h.backend.Touched(after, through)
	if all {
		return h.list()
	}
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	seen := make(map[*session]bool, len(ids))
	out := make([]*session, 0, len(ids))
	for _, id := range ids {
		if s := h.watched[id]; s != nil && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range h.always {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// watch registers a query's result for change notification.
// A result without deps (what the backend cannot track) is checked at
// every commit.
func (h *Hub) watch(id uint64, s *session, deps Dependencies) {
	h.watchMu.Lock()
	h.watched[id] = s
	if deps == nil {
		h.always[id] = s
	} else {
		delete(h.always, id)
	}
	h.watchMu.Unlock()
	if deps != nil {
		h.backend.Watch(id, deps)
	}
}

func (h *Hub) unwatch(id uint64) {
	h.watchMu.Lock()
	delete(h.watched, id)
	delete(h.always, id)
	h.watchMu.Unlock()
	h.backend.Unwatch(id)
}

// heartbeats pings idle sessions.
func (h *Hub) heartbeats() {
	t := time.NewTicker(h.opts.Heartbeat / 3)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			for _, s := range h.list() {
				s.heartbeat(now)
			}
		case <-h.ctx.Done():
			return
		}
	}
}

func (h *Hub) list() []*session {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*session, 0, len(h.sessions))
	for s := range h.sessions {
		out = append(out, s)
	}
	return out
}

// add registers a new socket, or says why it must be closed.
func (h *Hub) add(s *session) (websocket.StatusCode, string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return websocket.StatusGoingAway, "ServerShutdown", false
	}
	if len(h.sessions) >= h.opts.MaxSessions {
		return websocket.StatusTryAgainLater, fmt.Sprintf("TooManySessions: this server holds its limit of %d sync sessions; try again later", h.opts.MaxSessions), false
	}
	h.sessions[s] = struct{}{}
	return 0, "", true
}

func (h *Hub) remove(s *session) {
	h.mu.Lock()
	delete(h.sessions, s)
	h.mu.Unlock()
}

// Sessions reports the number of open sessions.
func (h *Hub) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// Subscriptions reports the queries the sessions are subscribed to and
// watch for changes (a query counts once it has run).
func (h *Hub) Subscriptions() int {
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	return len(h.watched)
}

// Close closes every session with a reason that makes clients reconnect
// promptly (to this server's successor), and stops the hub.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	list := h.list()
	var wg gosync.WaitGroup
	for _, s := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.conn.Close(websocket.StatusGoingAway, "ServerShutdown")
			s.stop()
		}()
	}
	wg.Wait()
	h.cancel()
}

// execCache shares query executions: sessions that need the same query
// (path, args, journal, identity) at the same timestamp wait for one run.
// Entries of the two newest timestamps are kept.
type execCache struct {
	mu   gosync.Mutex
	byTS map[int64]map[string]*execEntry
}

type execEntry struct {
	done chan struct{}
	res  *QueryResult
	err  error
}

func execKey(q QueryCall) string {
	j := "\x00"
	if q.Journal != nil {
		j = "j" + *q.Journal
	}
	return q.Component + "\x00" + q.Path + "\x00" + string(q.Args) + "\x00" + j + "\x00" + q.Identity.Key + "\x00" + strconv.FormatBool(q.Identity.Admin)
}

// run returns the result of q at ts, running it at most once per key.
func (c *execCache) run(ctx context.Context, b Backend, q QueryCall, ts int64) (*QueryResult, error) {
	key := execKey(q)
	c.mu.Lock()
	if c.byTS == nil {
		c.byTS = map[int64]map[string]*execEntry{}
	}
	m := c.byTS[ts]
	if m == nil {
		m = map[string]*execEntry{}
		c.byTS[ts] = m
		c.trim(ts)
	}
	e, ok := m[key]
	if !ok {
		e = &execEntry{done: make(chan struct{})}
		m[key] = e
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.res, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	q.TS = ts
	e.res, e.err = b.Query(ctx, q)
	if e.err != nil {
		c.mu.Lock()
		delete(m, key) // a failure (e.g. a cancelled caller) is not shared later
		c.mu.Unlock()
	}
	close(e.done)
	return e.res, e.err
}

// trim drops the entries of all but the two newest timestamps. Called
// with c.mu held.
func (c *execCache) trim(newest int64) {
	if len(c.byTS) <= 2 {
		return
	}
	var second int64
	for ts := range c.byTS {
		if ts != newest && ts > second {
			second = ts
		}
	}
	for ts := range c.byTS {
		if ts != newest && ts != second {
			delete(c.byTS, ts)
		}
	}
}
