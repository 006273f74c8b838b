package dbsyscall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"hull/database"
	"hull/value"
)

// GetManyOp is the asynchronous op the runtime sends for point reads
// (1.0/get) that user code issued without awaiting in between: its
// arguments are a JSON array of 1.0/get arguments, and its result an
// array with, for each, {"o": result JSON text} or {"e": {"message",
// "data"?}}, exactly what the gets made one by one would have returned.
const GetManyOp = "hull/getMany"

// batchReply is one get's outcome in a GetManyOp reply.
type batchReply struct {
	O *string     `json:"o,omitempty"`
	E *batchError `json:"e,omitempty"`
}

type batchError struct {
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// getMany serves GetManyOp: the documents the batch names are read with
// one store round trip, then each get runs as it would alone (read set,
// limits and errors included).
func (h *Handler) getMany(ctx context.Context, args []byte) ([]byte, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(args, &items); err != nil {
		return nil, fmt.Errorf("dbsyscall: %s arguments: %w", GetManyOp, err)
	}
	ids := make([]value.ID, 0, len(items))
	for _, it := range items {
		var a struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(it, &a) != nil {
			continue
		}
		if id, err := parseID(a.ID, "db.get"); err == nil {
			ids = append(ids, id)
		}
	}
	// On failure the gets below read one by one and report the error.
	_ = h.tx.Prefetch(ctx, ids)
	replies := make([]batchReply, len(items))
	for i, it := range items {
		out, err := h.get(ctx, it)
		if database.IsUnavailable(err) {
			return nil, err // the server's failure, not this get's: the whole batch fails
		}
		if err != nil {
			replies[i].E = &batchError{Message: err.Error()}
			var cd interface{ ConvexData() []byte }
			if errors.As(err, &cd) {
				replies[i].E.Data = cd.ConvexData()
			}
			continue
		}
		s := string(out)
		replies[i].O = &s
	}
	b, err := json.Marshal(replies)
	if err != nil {
		return nil, fmt.Errorf("dbsyscall: encode %s reply: %w", GetManyOp, err)
	}
	return b, nil
}
