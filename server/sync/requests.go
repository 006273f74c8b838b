package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

func (s *session) requestCall(m clientMessage) (RequestCall, error) {
	if m.RequestID == nil {
		return RequestCall{}, errors.New("a request needs a requestId")
	}
	args, err := oneArgsObject(m.Args)
	if err != nil {
		return RequestCall{}, err
	}
	rc := RequestCall{Path: m.UDFPath, Args: args, SessionID: s.sessionID, RequestID: *m.RequestID, FirstSocket: s.firstSocket, Identity: s.identity}
	if m.ComponentPath != nil {
		rc.Component = *m.ComponentPath
	}
	return rc, nil
}

// onMutation queues a mutation; the session's mutations run one at a time
// in arrival order, on a runner started by the first.
func (s *session) onMutation(m clientMessage) error {
	if s.identityExpired() {
		return errors.New("identity expired")
	}
	call, err := s.requestCall(m)
	if err != nil {
		s.fatal("BadRequest: " + err.Error())
		return err
	}
	s.qMu.Lock()
	if len(s.mutQ) >= s.hub.opts.MaxQueuedMutations {
		s.qMu.Unlock()
		s.abort(websocket.StatusTryAgainLater, "TooManyConcurrentMutations")
		return errors.New("too many queued mutations")
	}
	s.mutQ = append(s.mutQ, call)
	start := !s.mutRunning
	s.mutRunning = true
	s.qMu.Unlock()
	if start {
		go s.runMutations()
	}
	select {
	case s.mutWake <- struct{}{}:
	default: // the runner has a wake-up pending
	}
	return nil
}

// runMutations runs the session's mutations in order, for the life of
// the session. It waits for the next one rather than exiting when the
// queue is empty: a function run on the pure-Go engine needs a deep
// goroutine stack, and a new goroutine per mutation grew its stack from
// the minimum every time (~60 µs of copying per mutation at one client);
// an idle runner's stack is shrunk back by the garbage collector.
func (s *session) runMutations() {
	for {
		s.qMu.Lock()
		if s.ctx.Err() != nil {
			s.mutQ = nil
			s.qMu.Unlock()
			return
		}
		if len(s.mutQ) == 0 {
			s.qMu.Unlock()
			select {
			case <-s.mutWake:
			case <-s.ctx.Done():
			}
			continue
		}
		call := s.mutQ[0]
		s.mutQ = s.mutQ[1:]
		s.qMu.Unlock()
		if s.runMutation(call) {
			s.write()
		}
	}
}

// runMutation runs one mutation and queues its response, and a
// Transition when the session has nothing to rerun. It reports whether
// the caller is to write what is queued (no writer was running): writing
// from the runner spares a goroutine per answer, and the next mutation
// waits for a client that does not read its answers.
func (s *session) runMutation(call RequestCall) (drain bool) {
	s.mutMu.Lock()
	defer s.mutMu.Unlock()
	s.mu.Lock()
	expired := s.identityExpired()
	s.mu.Unlock()
	if expired {
		return false
	}
	res, err := s.refusedArgs(&call), error(nil)
	if res == nil {
		ctx, cancel := context.WithTimeout(s.ctx, s.hub.opts.MutationTimeout)
		res, err = s.hub.backend.Mutation(ctx, call)
		cancel()
	}
	if s.ctx.Err() != nil {
		return false
	}
	if s.retryLater(err) {
		return false // the client resends it once reconnected
	}
	resp := mutationResponse{Type: "MutationResponse", RequestID: call.RequestID, LogLines: []string{}}
	switch {
	case err != nil:
		msg := serverError(err)
		resp.Result = mustJSON(msg)
	case res.Error != nil:
		resp.Result, resp.ErrorData, resp.LogLines = mustJSON(*res.Error), res.ErrorData, nonNil(res.LogLines)
	default:
		ts := TS(res.TS)
		resp.Success, resp.Result, resp.TS, resp.LogLines = true, res.Value, &ts, nonNil(res.LogLines)
	}
	// The client resolves a successful mutation only when a Transition
	// that follows the response reaches its ts. A Transition may already
	// have reached it (a resend answered from the stored outcome, a
	// mutation that wrote nothing), so the response records the ts the
	// next Transition must reach, and that one is sent even when it
	// changes nothing else.
	drain = s.claimWriter()
	s.mu.Lock()
	s.send(mustJSON(resp), false)
	if resp.Success {
		s.ackTS = max(s.ackTS, res.TS)
	}
	s.wanted = true
	if !s.transitionInline() {
		s.maybeCompute()
	}
	s.mu.Unlock()
	return drain
}

// onAction starts an action; actions run concurrently.
func (s *session) onAction(m clientMessage) error {
	if s.identityExpired() {
		return errors.New("identity expired")
	}
	call, err := s.requestCall(m)
	if err != nil {
		s.fatal("BadRequest: " + err.Error())
		return err
	}
	if int(s.actions.Add(1)) > s.hub.opts.MaxConcurrentActions {
		s.actions.Add(-1)
		msg := fmt.Sprintf("TooManyConcurrentActions: a session may run at most %d actions at once", s.hub.opts.MaxConcurrentActions)
		s.send(mustJSON(actionResponse{Type: "ActionResponse", RequestID: call.RequestID, Result: mustJSON(msg), LogLines: []string{}}), false)
		return nil
	}
	go func() {
		defer s.actions.Add(-1)
		res, err := s.refusedArgs(&call), error(nil)
		if res == nil {
			res, err = s.hub.backend.Action(s.ctx, call)
		}
		if s.ctx.Err() != nil {
			return
		}
		resp := actionResponse{Type: "ActionResponse", RequestID: call.RequestID, LogLines: []string{}}
		switch {
		case err != nil:
			resp.Result = mustJSON(serverError(err))
		case res.Error != nil:
			resp.Result, resp.ErrorData, resp.LogLines = mustJSON(*res.Error), res.ErrorData, nonNil(res.LogLines)
		default:
			resp.Success, resp.Result, resp.LogLines = true, res.Value, nonNil(res.LogLines)
		}
		s.send(mustJSON(resp), false)
		s.requestDone()
	}()
	return nil
}

// refusedArgs replaces a request's args by what CheckArgs makes of
// them, or returns the failed result of arguments it refuses (the
// function then never runs).
func (s *session) refusedArgs(call *RequestCall) *FunctionResult {
	args, err := s.hub.backend.CheckArgs(call.Args)
	if err != nil {
		msg := err.Error()
		return &FunctionResult{Error: &msg}
	}
	call.Args = args
	return nil
}

// authOutcome is what the backend made of an Authenticate message's
// token.
type authOutcome struct {
	id  Identity
	err error
}

// checkToken asks the backend about an Authenticate message's token;
// called without s.mu held. A message without a token to check (None,
// an unknown type) gives nil.
func (s *session) checkToken(m *clientMessage) *authOutcome {
	if m.TokenType != "Admin" && m.TokenType != "User" {
		return nil
	}
	acting := m.Impersonating
	if len(acting) == 0 || string(acting) == "null" {
		acting = m.ActingAs
	}
	if string(acting) == "null" {
		acting = nil
	}
	id, err := s.hub.backend.Authenticate(s.ctx, AuthRequest{TokenType: m.TokenType, Value: m.Value, ActingAs: acting})
	return &authOutcome{id: id, err: err}
}

// onAuthenticate changes the session's identity. A rejected token gets
// AuthError (authUpdateAttempted: the client fetches a new token and
// reconnects) and the socket is closed, as Convex does.
func (s *session) onAuthenticate(m clientMessage, auth *authOutcome) error {
	if m.BaseVersion == nil || *m.BaseVersion != s.identityVersion {
		s.abort(websocket.StatusInternalError, "InternalServerError: Authenticate base version mismatch")
		return errors.New("identity base version mismatch")
	}
	var id Identity
	switch m.TokenType {
	case "None":
	case "Admin", "User":
		if auth == nil {
			auth = &authOutcome{err: errors.New("the token was not checked")}
		}
		if auth.err != nil {
			if s.ctx.Err() != nil {
				return auth.err
			}
			s.send(mustJSON(authErrorMsg{Type: "AuthError", Error: auth.err.Error(), BaseVersion: s.identityVersion, AuthUpdateAttempted: true}), false)
			s.closeAfterQueued(websocket.StatusNormalClosure, "AuthError")
			return auth.err
		}
		id = auth.id
	default:
		s.fatal(fmt.Sprintf("BadRequest: unknown tokenType %q", m.TokenType))
		return errors.New("bad token type")
	}
	s.identity = id
	s.identityVersion++
	s.wanted = true
	return nil
}

// expiredIdentityMessage is Convex's AuthError text for a user token
// that expired during the session.
const expiredIdentityMessage = "Convex token identity expired"

// identityExpired ends the session once its user's token has expired,
// as Convex does before it runs anything as that user: AuthError with
// authUpdateAttempted false, then close (the client fetches a fresh
// token and reconnects with it). Called with s.mu held.
func (s *session) identityExpired() bool {
	if s.identity.Expires.IsZero() || time.Now().Before(s.identity.Expires) {
		return false
	}
	if !s.closing {
		s.send(mustJSON(authErrorMsg{Type: "AuthError", Error: expiredIdentityMessage, BaseVersion: s.identityVersion, AuthUpdateAttempted: false}), false)
		s.closeAfterQueued(websocket.StatusNormalClosure, "TokenExpired")
	}
	return true
}

// ErrUnavailable marks a Backend error that says storage did not answer:
// the session then closes with a reason that makes the client reconnect
// after a backoff, resubscribe its queries and resend its mutations (a
// resent mutation keeps its session and request id, so it runs once).
var ErrUnavailable = errors.New("sync: storage is unavailable")

// closeUnavailable is the close reason for ErrUnavailable. Its prefix is
// none of those the client backs off from for longer, so it reconnects
// after about a second, doubling up to 16 s while the failures last.
const closeUnavailable = "StorageUnavailable: the database is temporarily unavailable"

// retryLater closes the session when err is ErrUnavailable and reports
// whether it did; called without s.mu held.
func (s *session) retryLater(err error) bool {
	if !errors.Is(err, ErrUnavailable) || s.ctx.Err() != nil {
		return false
	}
	s.log.Warn("sync: storage did not answer; closing the session so the client retries", "err", err)
	s.mu.Lock()
	s.abort(websocket.StatusTryAgainLater, closeUnavailable)
	s.mu.Unlock()
	return true
}

// serverError is what a client sees of a system failure.
func serverError(err error) string {
	if errors.Is(err, ErrUnavailable) {
		return closeUnavailable
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Server Error: the function did not finish in time"
	}
	return "Server Error"
}

func nonNil(lines []string) []string {
	if lines == nil {
		return []string{}
	}
	return lines
}

// rawOrNull returns v, or JSON null when it is empty.
func rawOrNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}
