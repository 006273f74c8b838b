// Package sync serves Convex's WebSocket sync protocol at
// /api/{clientVersion}/sync: sessions that subscribe to queries and get
// Transitions when results change, and run mutations and actions. It owns
// the per-socket state machine (query set, identity and timestamp
// versions chained exactly as the official clients check them), mutation
// ordering, heartbeats, and the sharing of query executions between
// sessions. What a query, mutation or action does is the Backend's.
package sync

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// StateVersion is a socket's version triple; every Transition moves the
// client from one to the next.
type StateVersion struct {
	QuerySet uint32 `json:"querySet"`
	Identity uint32 `json:"identity"`
	TS       TS     `json:"ts"`
}

// TS is a timestamp as the protocol writes u64s: the standard padded
// base64 of its 8 little-endian bytes.
type TS int64

// MarshalJSON implements json.Marshaler.
func (t TS) MarshalJSON() ([]byte, error) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(t))
	return json.Marshal(base64.StdEncoding.EncodeToString(b[:]))
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *TS) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 8 {
		return fmt.Errorf("timestamp %q is not the base64 of 8 bytes", s)
	}
	*t = TS(binary.LittleEndian.Uint64(b))
	return nil
}

// clientMessage is any message a client sends; Type says which fields
// apply.
type clientMessage struct {
	Type string `json:"type"`

	// Connect
	SessionID            string  `json:"sessionId"`
	ConnectionCount      int     `json:"connectionCount"`
	LastCloseReason      *string `json:"lastCloseReason"`
	ClientTS             *int64  `json:"clientTs"`
	MaxObservedTimestamp *TS     `json:"maxObservedTimestamp"`

	// ModifyQuerySet
	BaseVersion   *uint32        `json:"baseVersion"`
	NewVersion    uint32         `json:"newVersion"`
	Modifications []modification `json:"modifications"`

	// Mutation, Action
	RequestID     *uint32           `json:"requestId"`
	UDFPath       string            `json:"udfPath"`
	Args          []json.RawMessage `json:"args"`
	ComponentPath *string           `json:"componentPath"`

	// Authenticate (BaseVersion above); impersonating is also spelled
	// acting_as.
	TokenType     string          `json:"tokenType"`
	Value         string          `json:"value"`
	Impersonating json.RawMessage `json:"impersonating"`
	ActingAs      json.RawMessage `json:"acting_as"`
}

// modification is one change of a ModifyQuerySet.
type modification struct {
	Type          string            `json:"type"`
	QueryID       *uint32           `json:"queryId"`
	UDFPath       string            `json:"udfPath"`
	Args          []json.RawMessage `json:"args"`
	Journal       *string           `json:"journal"`
	ComponentPath *string           `json:"componentPath"`
}

// Server messages.

type transitionMsg struct {
	Type            string        `json:"type"`
	StartVersion    StateVersion  `json:"startVersion"`
	EndVersion      StateVersion  `json:"endVersion"`
	Modifications   []stateChange `json:"modifications"`
	ClientClockSkew *int64        `json:"clientClockSkew,omitempty"`
	ServerTS        *int64        `json:"serverTs,omitempty"`
}

// stateChange is one QueryUpdated, QueryFailed or QueryRemoved.
type stateChange struct {
	Type         string          `json:"type"`
	QueryID      uint32          `json:"queryId"`
	Value        json.RawMessage `json:"value,omitempty"`
	ErrorMessage *string         `json:"errorMessage,omitempty"`
	ErrorData    json.RawMessage `json:"errorData,omitempty"`
	LogLines     []string        `json:"logLines,omitempty"`
	Journal      *string         `json:"journal"`
}

// MarshalJSON writes each kind with exactly its fields: QueryUpdated and
// QueryFailed always carry logLines and journal; QueryRemoved only its id.
func (c stateChange) MarshalJSON() ([]byte, error) {
	lines := c.LogLines
	if lines == nil {
		lines = []string{}
	}
	switch c.Type {
	case "QueryRemoved":
		return json.Marshal(struct {
			Type    string `json:"type"`
			QueryID uint32 `json:"queryId"`
		}{c.Type, c.QueryID})
	case "QueryFailed":
		return json.Marshal(struct {
			Type         string          `json:"type"`
			QueryID      uint32          `json:"queryId"`
			ErrorMessage string          `json:"errorMessage"`
			ErrorData    json.RawMessage `json:"errorData,omitempty"`
			LogLines     []string        `json:"logLines"`
			Journal      *string         `json:"journal"`
		}{c.Type, c.QueryID, deref(c.ErrorMessage), c.ErrorData, lines, c.Journal})
	}
	return json.Marshal(struct {
		Type     string          `json:"type"`
		QueryID  uint32          `json:"queryId"`
		Value    json.RawMessage `json:"value"`
		LogLines []string        `json:"logLines"`
		Journal  *string         `json:"journal"`
	}{c.Type, c.QueryID, c.Value, lines, c.Journal})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type mutationResponse struct {
	Type      string          `json:"type"`
	RequestID uint32          `json:"requestId"`
	Success   bool            `json:"success"`
	Result    json.RawMessage `json:"result"`
	TS        *TS             `json:"ts"`
	LogLines  []string        `json:"logLines"`
	ErrorData json.RawMessage `json:"errorData,omitempty"`
}

type actionResponse struct {
	Type      string          `json:"type"`
	RequestID uint32          `json:"requestId"`
	Success   bool            `json:"success"`
	Result    json.RawMessage `json:"result"`
	LogLines  []string        `json:"logLines"`
	ErrorData json.RawMessage `json:"errorData,omitempty"`
}

type authErrorMsg struct {
	Type                string `json:"type"`
	Error               string `json:"error"`
	BaseVersion         uint32 `json:"baseVersion"`
	AuthUpdateAttempted bool   `json:"authUpdateAttempted"`
}

type fatalErrorMsg struct {
	Type  string `json:"type"`
	Error string `json:"error"`
}

var pingMsg = []byte(`{"type":"Ping"}`)
