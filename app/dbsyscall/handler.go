// Package dbsyscall serves the database syscalls of one function run
// (1.0/get, 1.0/insert, 1.0/queryStream, 1.0/queryPage and the rest) over a
// database transaction, with the request and response JSON the convex npm
// package uses and Convex's user-facing error texts.
package dbsyscall

import (
	"context"
	"encoding/json"
	"fmt"

	"hull/database"
	"hull/value"
)

// Options configures a Handler. The zero value works.
type Options struct {
	// PrevEndCursor is the end cursor the previous run of the same
	// subscription recorded (its query journal; see EndCursor). A
	// paginated query without an endCursor argument then ends there, so a
	// reactive page keeps its boundaries.
	PrevEndCursor string
}

// Handler serves the database syscalls of one function run. It is not
// safe for concurrent use; syscalls of a run are issued one at a time.
type Handler struct {
	opts      Options
	tx        *database.Tx
	endCursor string
	streams   map[uint32]*database.Stream
	nextQuery uint32
	paginated bool
}

// New returns a Handler over tx. Mutating ops fail in a read-only
// transaction.
func New(tx *database.Tx, opts Options) *Handler {
	return &Handler{opts: opts, tx: tx, streams: map[uint32]*database.Stream{}}
}

// EndCursor returns the continue cursor of the run's paginated query, or
// "" if it ran none. The caller keeps it as the query journal and passes it
// back as Options.PrevEndCursor on the next run of the same subscription.
func (h *Handler) EndCursor() string { return h.endCursor }

// Syscall serves the synchronous database ops (Convex.syscall). handled is
// false for any other op. A returned error with handled true is thrown in
// user code; its Error() is the message.
func (h *Handler) Syscall(ctx context.Context, op string, args []byte) ([]byte, bool, error) {
	var out []byte
	var err error
	switch op {
	case "1.0/queryStream":
		out, err = h.queryStream(ctx, args)
	case "1.0/queryCleanup":
		out, err = h.queryCleanup(args)
	case "1.0/db/normalizeId":
		out, err = h.normalizeID(args)
	case "1.0/getSnapshotTs":
		out = value.ToJSON(value.Int64(h.tx.SnapshotTS()))
	default:
		return nil, false, nil
	}
	return out, true, err
}

// AsyncSyscall serves the asynchronous database ops
// (Convex.asyncSyscall). handled is false for any other op.
func (h *Handler) AsyncSyscall(ctx context.Context, op string, args []byte) ([]byte, bool, error) {
	var out []byte
	var err error
	switch op {
	case "1.0/get":
		out, err = h.get(ctx, args)
	case GetManyOp:
		out, err = h.getMany(ctx, args)
	case "1.0/insert":
		out, err = h.insert(ctx, args)
	case "1.0/shallowMerge":
		out, err = h.shallowMerge(ctx, args)
	case "1.0/replace":
		out, err = h.replace(ctx, args)
	case "1.0/remove":
		out, err = h.remove(ctx, args)
	case "1.0/queryStreamNext":
		out, err = h.queryStreamNext(ctx, args)
	case "1.0/queryPage":
		out, err = h.queryPage(ctx, args)
	case "1.0/count":
		out, err = h.count(ctx, args)
	default:
		return nil, false, nil
	}
	return out, true, err
}

// argErr is a user error about a syscall's arguments.
func argErr(format string, a ...any) error {
	return &database.Error{Code: "InvalidArgument", Msg: fmt.Sprintf(format, a...)}
}

func decodeArgs(op string, args []byte, into any) error {
	if err := json.Unmarshal(args, into); err != nil {
		return argErr("Invalid arguments for %s: %v", op, err)
	}
	return nil
}

// parseID decodes an id argument of method (e.g. "db.get").
func parseID(raw json.RawMessage, method string) (value.ID, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return value.ID{}, argErr("Invalid argument `id` for `%s`, expected string but got %s", method, string(raw))
	}
	id, err := value.ParseID(s)
	if err != nil {
		return value.ID{}, argErr("Invalid argument `id` for `%s`: Unable to decode ID: %v", method, err)
	}
	return id, nil
}

// checkTableArg enforces the optional table argument of db.get(table, id)
// and friends: the id must belong to that table.
func (h *Handler) checkTableArg(table *string, id value.ID, method string) error {
	if table == nil {
		return nil
	}
	got, ok := h.tx.TableName(id.Table)
	if ok && got == *table {
		return nil
	}
	if !ok {
		got = "unknown"
	}
	return &database.Error{Code: "InvalidTable", Msg: fmt.Sprintf("Invalid argument `id` for `%s`, expected to be an Id<%q>, got Id<%q> instead.", method, *table, got)}
}

// objectArg decodes a value argument that must be an object.
func objectArg(raw json.RawMessage, method string) (value.Object, error) {
	v, err := value.FromJSON(raw)
	if err != nil {
		return value.Object{}, argErr("Invalid argument `value` for `%s`: %v", method, err)
	}
	obj, ok := v.(value.Object)
	if !ok {
		return value.Object{}, argErr("Invalid argument `value` for `%s`, expected an object but got %s", method, string(raw))
	}
	return obj, nil
}

func docJSON(doc value.Object, found bool) []byte {
	if !found {
		return []byte("null")
	}
	return value.ToJSON(doc)
}
