package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// abort closes the socket at once, ignoring later messages. Called with
// s.mu held.
func (s *session) abort(code websocket.StatusCode, reason string) {
	s.closing = true
	s.close(code, reason)
}

// decodeMessage parses a client message; nil means it is not one.
func decodeMessage(data []byte) *clientMessage {
	var m clientMessage
	if data == nil || json.Unmarshal(data, &m) != nil {
		return nil
	}
	return &m
}

// handle processes one client message (nil: a malformed one; auth: the
// outcome of an Authenticate message's token, checked beforehand);
// called with s.mu held. A returned error means the session is closing.
func (s *session) handle(mp *clientMessage, auth *authOutcome) error {
	if mp == nil {
		s.fatal("WSMessageInvalidJson: messages must be JSON text frames of the Convex sync protocol")
		return errors.New("malformed message")
	}
	m := *mp
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
		return s.onAuthenticate(m, auth)
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
	s.connected, s.sessionID, s.firstSocket = true, m.SessionID, m.ConnectionCount == 0
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
				s.abort(websocket.StatusInternalError, "InternalServerError: Duplicate query ID")
				return errors.New("duplicate query id")
			}
			if len(s.queries) >= s.hub.opts.MaxQueries {
				s.abort(websocket.StatusTryAgainLater, fmt.Sprintf("TooManyQueries: a session may subscribe to at most %d queries", s.hub.opts.MaxQueries))
				return errors.New("too many queries")
			}
			args, err := oneArgsObject(mod.Args)
			if err != nil {
				s.fatal("BadRequest: " + err.Error())
				return err
			}
			q := &query{id: id, watchID: s.hub.nextID.Add(1), path: mod.UDFPath, journal: mod.Journal}
			if mod.ComponentPath != nil {
				q.component = *mod.ComponentPath
			}
			if q.args, err = s.hub.backend.CheckArgs(args); err != nil {
				// Refused arguments fail the query, for good: it never runs.
				msg := err.Error()
				q.refused = &QueryResult{FunctionResult: FunctionResult{Error: &msg}}
			}
			s.queries[id] = q
		case "Remove":
			q, ok := s.queries[id]
			if !ok {
				s.abort(websocket.StatusInternalError, "InternalServerError: Remove of an unknown query ID")
				return errors.New("unknown query id")
			}
			s.hub.unwatch(q.watchID)
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
