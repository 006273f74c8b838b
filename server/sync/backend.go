package sync

import (
	"context"
	"encoding/json"
	"time"
)

// Backend runs functions and reports changes for the sync sessions.
type Backend interface {
	// Query runs a query at the latest readable timestamp.
	Query(ctx context.Context, q QueryCall) (*QueryResult, error)
	// Mutation runs a mutation. A mutation with the same session and
	// request id as one that already succeeded returns that outcome
	// without running again.
	Mutation(ctx context.Context, m RequestCall) (*FunctionResult, error)
	// Action runs an action.
	Action(ctx context.Context, a RequestCall) (*FunctionResult, error)
	// CheckArgs checks the args object of a query, mutation or action
	// before anything runs (its size and the limits of values) and
	// returns it as the calls above take it. An error's message is what
	// the client is told, as the function's error.
	CheckArgs(args json.RawMessage) (json.RawMessage, error)
	// LatestTS returns the latest readable timestamp.
	LatestTS() int64
	// WaitCommit blocks until the latest readable timestamp is above
	// after, and returns it.
	WaitCommit(ctx context.Context, after int64) (int64, error)
	// Changed reports whether a query result read at ts with deps may
	// differ at through: a commit in (ts, through] touched what it read,
	// or something it depends on (code, environment) changed. When unsure
	// it says true.
	Changed(deps Dependencies, ts, through int64) bool
	// Watch registers a result's deps for change notification under id
	// (replacing an earlier registration of id); Unwatch removes it.
	Watch(id uint64, deps Dependencies)
	Unwatch(id uint64)
	// Touched returns the registered ids whose deps a commit in (after,
	// through] may have touched, or all when every registration must be
	// checked.
	Touched(after, through int64) (ids []uint64, all bool)
	// Authenticate checks the token of an Authenticate message. It runs
	// outside the session's lock (it may fetch a provider's keys) and
	// must end when ctx does. A refused token's error text is what the
	// client is told in AuthError.
	Authenticate(ctx context.Context, req AuthRequest) (Identity, error)
}

// AuthRequest is the token of an Authenticate message.
type AuthRequest struct {
	TokenType string // "Admin" or "User"
	Value     string
	// ActingAs is the user identity an admin acts as (the message's
	// impersonating field), or nil.
	ActingAs json.RawMessage
}

// Identity is who a session acts as.
type Identity struct {
	// Key tells identities apart for sharing query executions ("" for
	// anonymous): sessions whose identities have the same Key may share
	// a query's result.
	Key   string
	Admin bool
	// Token is the token the identity was proven with.
	Token string
	// Expires is when a user's token expires (zero: never). Once it has,
	// the session ends with an AuthError before running anything else,
	// so that the client refreshes its token.
	Expires time.Time
	// Principal is the backend's own record of the identity, handed back
	// with every call made as it.
	Principal any
}

// QueryCall asks for one query run.
type QueryCall struct {
	Path string
	// Component is the component instance the function is in ("" for
	// the app; others only for admins).
	Component string
	Args      json.RawMessage // the encoded args object
	Journal   *string
	Identity  Identity
	// TS is the snapshot to read at (0: the latest).
	TS int64
}

// QueryResult is the outcome of a query run.
type QueryResult struct {
	FunctionResult
	// TS is the snapshot the query read.
	TS int64
	// Journal lets a rerun of a paginated query keep its page boundaries.
	Journal *string
	// Deps is what the result depends on, for Changed.
	Deps Dependencies
}

// Dependencies is opaque to the sessions: the backend's record of what a
// query read.
type Dependencies any

// RequestCall asks for one mutation or action run.
type RequestCall struct {
	Path      string
	Component string // as in QueryCall
	Args      json.RawMessage
	SessionID string
	RequestID uint32
	// FirstSocket is set on the session's first socket (Connect's
	// connectionCount 0): the client resends a mutation only on a later
	// socket, so this one cannot have run before.
	FirstSocket bool
	Identity    Identity
}

// FunctionResult is the outcome of a function run: a value, or an error
// message (with ConvexError data when the function threw one).
type FunctionResult struct {
	Value     json.RawMessage
	Error     *string
	ErrorData json.RawMessage
	LogLines  []string
	// TS is a mutation's commit timestamp (or its snapshot, when it wrote
	// nothing).
	TS int64
}
