package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// session is one WebSocket: a reader feeding the worker, the worker
// holding the protocol state, a mutation runner running the session's
// mutations one at a time, and a writer.
type session struct {
	hub  *Hub
	conn *websocket.Conn
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc

	out       chan outbound // to the writer
	lastWrite atomic.Int64  // unix nanos of the last message written
	closeOnce gosync.Once

	// mutMu is held by the mutation runner from before a mutation runs
	// until its response is queued; a Transition's timestamp is read under
	// it, so a Transition covering a mutation never overtakes its response.
	mutMu     gosync.Mutex
	mutations chan RequestCall
	actions   atomic.Int32

	events chan event // from the mutation runner, actions and computations

	// Worker state (owned by the worker goroutine).
	connected       bool
	sessionID       string
	clockSkew       *int64
	querySet        uint32
	identityVersion uint32
	identity        Identity
	queries         map[uint32]*query
	removed         []uint32
	sent            StateVersion
	computing       bool
	inFlight        bool
	wanted          bool
}

// query is one subscription.
type query struct {
	id       uint32
	path     string
	args     json.RawMessage
	journal  *string
	result   *QueryResult // last computed (may be shared: read only)
	validTS  int64        // a timestamp the result is known valid at
	identity uint32       // identity version the result was computed for
	sentHash string       // what the client last got
	sent     bool
}

type outbound struct {
	data       []byte
	transition bool
	flushed    chan struct{} // closed by the writer when it gets here
}

// event is something the worker reacts to besides client messages.
type event struct {
	transitionSent bool
	computed       *computation
	requestDone    bool
}

func newSession(h *Hub, conn *websocket.Conn) *session {
	ctx, stop := context.WithCancel(h.ctx)
	return &session{
		hub: h, conn: conn, log: h.opts.Logger, ctx: ctx, stop: stop,
		out:       make(chan outbound, 64),
		mutations: make(chan RequestCall, h.opts.MaxQueuedMutations),
		events:    make(chan event, 16),
		queries:   map[uint32]*query{},
	}
}

// serve runs the session until the socket ends.
func (s *session) serve() {
	if !s.hub.add(s) {
		s.close(websocket.StatusGoingAway, "ServerShutdown")
		return
	}
	defer s.hub.remove(s)
	defer s.stop()
	s.lastWrite.Store(time.Now().UnixNano())
	inbox := make(chan []byte, 8)
	go s.read(inbox)
	go s.write()
	go s.runMutations()
	s.work(inbox)
}

// close ends the socket with a close frame, waiting (bounded by the
// library) for the client's.
func (s *session) close(code websocket.StatusCode, reason string) {
	s.closeOnce.Do(func() {
		if len(reason) > 120 {
			reason = reason[:120]
		}
		_ = s.conn.Close(code, reason)
		s.stop()
	})
}

// fatal sends FatalError (the client gives up for good: only for protocol
// misuse) and closes.
func (s *session) fatal(msg string) {
	s.send(mustJSON(fatalErrorMsg{Type: "FatalError", Error: msg}), false)
	s.flushAndClose(websocket.StatusNormalClosure, "BadRequest")
}

// flushAndClose lets the writer send what is queued (bounded), then
// closes.
func (s *session) flushAndClose(code websocket.StatusCode, reason string) {
	flushed := make(chan struct{})
	select {
	case s.out <- outbound{flushed: flushed}:
		select {
		case <-flushed:
		case <-time.After(2 * time.Second):
		case <-s.ctx.Done():
		}
	case <-s.ctx.Done():
	}
	s.close(code, reason)
}

func (s *session) read(inbox chan<- []byte) {
	defer close(inbox)
	s.conn.SetReadLimit(s.hub.opts.MaxMessageBytes)
	for {
		typ, data, err := s.conn.Read(s.ctx)
		if err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) && s.ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				s.log.Debug("sync: read", "err", err)
			}
			s.stop()
			return
		}
		if typ != websocket.MessageText {
			data = nil // a binary frame: rejected as malformed below
		}
		select {
		case inbox <- data:
		case <-s.ctx.Done():
			return
		}
	}
}

func (s *session) write() {
	for {
		select {
		case o := <-s.out:
			if o.flushed != nil {
				close(o.flushed)
				continue
			}
			ctx, cancel := context.WithTimeout(s.ctx, s.hub.opts.WriteTimeout)
			err := s.conn.Write(ctx, websocket.MessageText, o.data)
			cancel()
			if err != nil {
				s.stop()
				return
			}
			s.lastWrite.Store(time.Now().UnixNano())
			if o.transition {
				s.notify(event{transitionSent: true})
			}
		case <-s.ctx.Done():
			return
		}
	}
}

// send queues a message for the writer.
func (s *session) send(data []byte, transition bool) {
	select {
	case s.out <- outbound{data: data, transition: transition}:
	case <-s.ctx.Done():
	}
}

func (s *session) notify(e event) {
	select {
	case s.events <- e:
	case <-s.ctx.Done():
	}
}

// work is the session's state machine.
func (s *session) work(inbox <-chan []byte) {
	heartbeat := time.NewTicker(s.hub.opts.Heartbeat / 3)
	defer heartbeat.Stop()
	commits := s.hub.commitSignal()
	for {
		select {
		case data, ok := <-inbox:
			if !ok {
				return
			}
			if err := s.handle(data); err != nil {
				return
			}
		case e := <-s.events:
			s.onEvent(e)
		case <-commits:
			commits = s.hub.commitSignal()
			if s.anyInvalidated() {
				s.wanted = true
			}
		case <-heartbeat.C:
			if time.Since(time.Unix(0, s.lastWrite.Load())) >= s.hub.opts.Heartbeat {
				s.send(pingMsg, false)
			}
		case <-s.ctx.Done():
			return
		}
		s.maybeCompute()
	}
}

func (s *session) onEvent(e event) {
	switch {
	case e.transitionSent:
		s.inFlight = false
	case e.computed != nil:
		s.computing = false
		s.apply(e.computed)
	case e.requestDone:
		s.wanted = true
	}
}

// anyInvalidated reports whether a commit may have changed a subscribed
// result.
func (s *session) anyInvalidated() bool {
	latest := s.hub.backend.LatestTS()
	for _, q := range s.queries {
		if q.result == nil || s.hub.backend.Changed(q.result.Deps, q.validTS, latest) {
			return true
		}
	}
	return false
}

// handle processes one client message. A returned error ends the session.
func (s *session) handle(data []byte) error {
	var m clientMessage
	if data == nil || json.Unmarshal(data, &m) != nil {
		s.fatal("WSMessageInvalidJson: messages must be JSON text frames of the Convex sync protocol")
		return errors.New("malformed message")
	}
	if !s.connected && m.Type != "Connect" {
		s.fatal("BadRequest: the first message of a session must be Connect")
		return errors.New("no connect")
	}
	switch m.Type {
	case "Connect":
		return s.onConnect(m)
	case "ModifyQuerySet":
		return s.onModifyQuerySet(m)
	case "Mutation":
		return s.onMutation(m)
	case "Action":
		return s.onAction(m)
	case "Authenticate":
		return s.onAuthenticate(m)
	case "Event":
		return nil
	}
	s.fatal(fmt.Sprintf("BadRequest: unknown message type %q", m.Type))
	return errors.New("unknown message type")
}

func (s *session) onConnect(m clientMessage) error {
	if s.connected {
		s.fatal("BadRequest: Connect sent twice on one socket")
		return errors.New("double connect")
	}
	if len(m.SessionID) == 0 || len(m.SessionID) > 64 {
		s.fatal("BadRequest: Connect needs a sessionId")
		return errors.New("bad session id")
	}
	s.connected, s.sessionID = true, m.SessionID
	if m.ClientTS != nil {
		skew := *m.ClientTS - time.Now().UnixMilli()
		s.clockSkew = &skew
	}
	// A maxObservedTimestamp ahead of ours (a restore, or another
	// server's clock) is accepted: this socket's versions start at zero,
	// and every timestamp it gets from now on is ours.
	return nil
}

func (s *session) onModifyQuerySet(m clientMessage) error {
	if m.BaseVersion == nil || *m.BaseVersion != s.querySet {
		s.fatal(fmt.Sprintf("BaseVersionMismatch: ModifyQuerySet base version %v does not match the server's %d", deref32(m.BaseVersion), s.querySet))
		return errors.New("base version mismatch")
	}
	if m.NewVersion <= s.querySet {
		s.fatal(fmt.Sprintf("BadRequest: ModifyQuerySet newVersion %d must be above %d", m.NewVersion, s.querySet))
		return errors.New("bad new version")
	}
	for _, mod := range m.Modifications {
		if mod.QueryID == nil {
			s.fatal("BadRequest: a query modification needs a queryId")
			return errors.New("no query id")
		}
		id := *mod.QueryID
		switch mod.Type {
		case "Add":
			if _, dup := s.queries[id]; dup {
				s.close(websocket.StatusInternalError, "InternalServerError: Duplicate query ID")
				return errors.New("duplicate query id")
			}
			if len(s.queries) >= s.hub.opts.MaxQueries {
				s.close(websocket.StatusTryAgainLater, fmt.Sprintf("TooManyQueries: a session may subscribe to at most %d queries", s.hub.opts.MaxQueries))
				return errors.New("too many queries")
			}
			args, err := oneArgsObject(mod.Args)
			if err != nil {
				s.fatal("BadRequest: " + err.Error())
				return err
			}
			s.queries[id] = &query{id: id, path: mod.UDFPath, args: args, journal: mod.Journal}
		case "Remove":
			if _, ok := s.queries[id]; !ok {
				s.close(websocket.StatusInternalError, "InternalServerError: Remove of an unknown query ID")
				return errors.New("unknown query id")
			}
			delete(s.queries, id)
			s.removed = append(s.removed, id)
		default:
			s.fatal(fmt.Sprintf("BadRequest: unknown query modification %q", mod.Type))
			return errors.New("bad modification")
		}
	}
	s.querySet = m.NewVersion
	s.wanted = true
	return nil
}

func deref32(p *uint32) any {
	if p == nil {
		return "missing"
	}
	return *p
}

// oneArgsObject checks that args is [object] and returns the object.
func oneArgsObject(args []json.RawMessage) (json.RawMessage, error) {
	if len(args) != 1 {
		return nil, errors.New("args must be an array holding one object")
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(args[0], &probe); err != nil || probe == nil {
		return nil, errors.New("args must be an array holding one object")
	}
	return args[0], nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sync: encode %T: %v", v, err))
	}
	return b
}
