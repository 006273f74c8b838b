package sync

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// session is one WebSocket. Its only permanent goroutine is the reader;
// everything else runs when there is something to do: the protocol state
// is guarded by mu and changed by whoever has an event (the reader with a
// client message, the hub with a commit or a heartbeat, a finished
// computation, the writer); a writer goroutine exists while messages are
// queued (the mutation runner writes its own answers when none is), a
// mutation runner from the first mutation on, and a computation while one
// runs. An idle session so costs about what an idle WebSocket does.
type session struct {
	hub  *Hub
	conn *websocket.Conn
	raw  net.Conn // the connection under conn (nil in tests that have none)
	log  *slog.Logger
	ctx  context.Context
	stop context.CancelFunc

	lastWrite atomic.Int64 // unix nanos of the last message written
	closeOnce gosync.Once

	// mutMu is held by the mutation runner from before a mutation runs
	// until its response is queued; a Transition's timestamp is read under
	// it, so a Transition covering a mutation never overtakes its response.
	mutMu      gosync.Mutex
	qMu        gosync.Mutex
	mutQ       []RequestCall // queued mutations
	mutRunning bool          // the runner has started (it runs until ctx ends)
	mutWake    chan struct{} // a mutation was queued (buffered 1)
	actions    atomic.Int32

	wmu     gosync.Mutex
	outQ    []outbound // messages for the writer
	writing bool       // a writer (a goroutine or the mutation runner) is draining outQ

	mu gosync.Mutex // guards the protocol state below
	protocolState
}

// protocolState is the state machine of one socket.
type protocolState struct {
	connected       bool
	closing         bool
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
	// ackTS is the highest ts of a successful MutationResponse queued
	// since the last Transition reaching it (0: none): the next
	// Transition must reach it.
	ackTS int64
	// firstSocket: Connect said connectionCount 0, so no earlier socket
	// of this session ran a mutation the client could resend here.
	firstSocket bool
}

// query is one subscription.
type query struct {
	id        uint32
	watchID   uint64 // the hub's name for this query's change notifications
	path      string
	component string
	args      json.RawMessage
	journal   *string
	result    *QueryResult // last computed (may be shared: read only)
	validTS   int64        // a timestamp the result is known valid at
	identity  uint32       // identity version the result was computed for
	sentHash  [32]byte     // what the client last got
	sent      bool
	// refused is the fixed result of a query whose arguments CheckArgs
	// refused: it never runs and watches nothing.
	refused *QueryResult
}

// outbound is one queued message, or (with closeCode set) the close
// that follows the messages queued before it.
type outbound struct {
	data        []byte
	transition  bool
	closeCode   websocket.StatusCode
	closeReason string
}

// maxQueued bounds the messages waiting for a slow client; past it the
// session is closed (Transitions coalesce, so only responses queue up).
const maxQueued = 4096

func newSession(h *Hub, conn *websocket.Conn, raw net.Conn) *session {
	ctx, stop := context.WithCancel(h.ctx)
	s := &session{hub: h, conn: conn, raw: raw, log: h.opts.Logger, ctx: ctx, stop: stop, mutWake: make(chan struct{}, 1)}
	s.queries = map[uint32]*query{}
	return s
}

// serve reads the socket until it ends.
func (s *session) serve() {
	if code, reason, ok := s.hub.add(s); !ok {
		s.close(code, reason)
		return
	}
	defer s.hub.remove(s)
	defer s.stop()
	defer s.unwatchAll()
	s.lastWrite.Store(time.Now().UnixNano())
	s.conn.SetReadLimit(s.hub.opts.MaxMessageBytes)
	connectBy := time.AfterFunc(s.hub.opts.ConnectTimeout, s.connectTimedOut)
	defer connectBy.Stop()
	for {
		typ, data, err := s.conn.Read(s.ctx)
		if err != nil {
			s.readEnded(err)
			return
		}
		if typ != websocket.MessageText {
			data = nil // a binary frame: rejected as malformed
		}
		// Messages are handled on a short-lived goroutine, so the stack
		// that decoding and handling grow is not kept by the idle reader.
		// A token is checked before the session's lock is taken: checking
		// may wait for a provider's keys, and commits must reach the
		// session meanwhile.
		done := make(chan struct{})
		go func() {
			defer close(done)
			m := decodeMessage(data)
			var auth *authOutcome
			if m != nil && m.Type == "Authenticate" {
				auth = s.checkToken(m)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if !s.closing {
				_ = s.handle(m, auth)
				s.maybeCompute()
			}
		}()
		<-done
	}
}

// closeLinger bounds how long closing a socket after an oversized frame
// reads (and discards) the rest of it while waiting for the client's
// close frame.
const closeLinger = 2 * time.Second

// readEnded makes sure the connection is closed once the reader stops.
// A frame over the read limit leaves it open: the library has sent close
// 1009, but the rest of the frame is unread and the connection would
// wait for the client forever. Close reads and discards what is left
// until the client's close frame, so that the client does get the 1009
// rather than a reset, for at most closeLinger (the library's own wait
// has no bound while a frame's payload is left), and then closes the
// connection.
func (s *session) readEnded(err error) {
	if errors.Is(err, websocket.ErrMessageTooBig) {
		s.closeOnce.Do(func() {
			if s.raw != nil {
				_ = s.raw.SetReadDeadline(time.Now().Add(closeLinger))
			}
			_ = s.conn.Close(websocket.StatusMessageTooBig, "MessageTooBig")
		})
	}
	_ = s.conn.CloseNow()
}

// connectTimedOut closes a socket that has not sent Connect in time: an
// idle socket holds memory, and the official clients send Connect at
// once.
func (s *session) connectTimedOut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected && !s.closing {
		s.abort(websocket.StatusPolicyViolation, "ConnectTimeout: no Connect message within "+s.hub.opts.ConnectTimeout.String())
	}
}

// close ends the socket with a close frame; the reader goes on until the
// client's close frame arrives (bounded by the library).
func (s *session) close(code websocket.StatusCode, reason string) {
	s.closeOnce.Do(func() {
		if len(reason) > 120 {
			reason = reason[:120]
		}
		go func() {
			_ = s.conn.Close(code, reason)
			s.stop()
		}()
	})
}

// closeAfterQueued closes once the messages queued so far are written.
// Called with s.mu held.
func (s *session) closeAfterQueued(code websocket.StatusCode, reason string) {
	s.closing = true
	s.enqueue(outbound{closeCode: code, closeReason: reason})
}

// fatal sends FatalError (the client gives up for good: only for protocol
// misuse) and closes. Called with s.mu held.
func (s *session) fatal(msg string) {
	s.send(mustJSON(fatalErrorMsg{Type: "FatalError", Error: msg}), false)
	s.closeAfterQueued(websocket.StatusNormalClosure, "BadRequest")
}

// send queues a message for the client.
func (s *session) send(data []byte, transition bool) {
	s.enqueue(outbound{data: data, transition: transition})
}

func (s *session) enqueue(o outbound) {
	s.wmu.Lock()
	if len(s.outQ) >= maxQueued {
		s.wmu.Unlock()
		s.close(websocket.StatusTryAgainLater, "ClientTooSlow")
		return
	}
	s.outQ = append(s.outQ, o)
	start := !s.writing
	s.writing = true
	s.wmu.Unlock()
	if start {
		go s.write()
	}
}

// claimWriter makes the caller the writer if none is running: what is
// queued until it calls write is written by it, without a goroutine
// started per message.
func (s *session) claimWriter() bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.writing {
		return false
	}
	s.writing = true
	return true
}

// write drains the queue, then exits.
func (s *session) write() {
	for {
		s.wmu.Lock()
		if len(s.outQ) == 0 || s.ctx.Err() != nil {
			s.outQ, s.writing = nil, false
			s.wmu.Unlock()
			return
		}
		o := s.outQ[0]
		s.outQ[0] = outbound{}
		s.outQ = s.outQ[1:]
		s.wmu.Unlock()
		if o.closeCode != 0 {
			s.close(o.closeCode, o.closeReason)
			continue
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.hub.opts.WriteTimeout)
		err := s.conn.Write(ctx, websocket.MessageText, o.data)
		cancel()
		if err != nil {
			s.stop()
			continue
		}
		s.lastWrite.Store(time.Now().UnixNano())
		if o.transition {
			s.mu.Lock()
			s.inFlight = false
			s.maybeCompute()
			s.mu.Unlock()
		}
	}
}

// onCommit checks, after a commit, whether a subscribed result may have
// changed.
func (s *session) onCommit(latest int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.queries {
		if q.refused != nil {
			continue
		}
		if q.result == nil || s.hub.backend.Changed(q.result.Deps, q.validTS, latest) {
			s.wanted = true
			s.maybeCompute()
			return
		}
	}
}

// heartbeat sends a Ping when nothing was sent for a while.
func (s *session) heartbeat(now time.Time) {
	if now.Sub(time.Unix(0, s.lastWrite.Load())) >= s.hub.opts.Heartbeat {
		s.lastWrite.Store(now.UnixNano())
		s.send(pingMsg, false)
	}
}

// requestDone asks for a Transition after a mutation or action.
func (s *session) requestDone() {
	s.mu.Lock()
	s.wanted = true
	s.maybeCompute()
	s.mu.Unlock()
}

// unwatchAll drops the session's change notifications.
func (s *session) unwatchAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.queries {
		s.hub.unwatch(q.watchID)
	}
}
