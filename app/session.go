package app

import (
	"context"
	"fmt"

	"hull/database"
	"hull/value"
)

// Mutations sent over a sync session are idempotent: the outcome of a
// successful one is stored, in the same commit as its writes, under its
// (session id, request id), and a resend (the client resends unresolved
// mutations after a reconnect) returns it without running the function
// again. Failed mutations are not stored; they may run again.

// SessionRequest identifies a mutation of a sync session.
type SessionRequest struct {
	SessionID string
	RequestID uint32
	// FirstSocket: the mutation came on the session's first socket, where
	// the client never resends, so it has no stored outcome to look up
	// (its own is still stored, for a resend on a later socket).
	FirstSocket bool
}

const (
	sessionTable = "_session_requests"
	sessionIndex = "by_session_request"
)

// ensureSystemTables creates the system tables and indexes the app uses.
func (a *App) ensureSystemTables(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		tx, err := a.db.Begin(ctx)
		if err != nil {
			return err
		}
		changed, err := tx.EnsureSystemIndex(ctx, sessionTable, sessionIndex, []string{"sessionId", "requestId"})
		if err == nil && changed {
			_, err = tx.Commit(ctx)
		}
		tx.Rollback()
		if err == nil || attempt >= 5 || !database.IsConflict(err) {
			if err != nil {
				return fmt.Errorf("create %s: %w", sessionTable, err)
			}
			return nil
		}
	}
}

func sessionRange(s SessionRequest) *database.Query {
	return &database.Query{
		Kind:  database.IndexRange,
		Table: sessionTable,
		Index: sessionIndex,
		Range: []database.RangeExpr{
			{Op: "Eq", Field: "sessionId", Value: value.String(s.SessionID)},
			{Op: "Eq", Field: "requestId", Value: value.Float64(s.RequestID)},
		},
	}
}

// replaySession returns the stored outcome of a mutation that already
// succeeded.
func replaySession(ctx context.Context, t txn, s SessionRequest) (*CallResult, bool, error) {
	tx := t.(*dbTxn).tx.In("") // hull's own table, in the app's namespace
	st, err := tx.SystemQuery(ctx, sessionRange(s))
	if err != nil {
		return nil, false, fmt.Errorf("look up session request: %w", err)
	}
	doc, ok, err := st.Next(ctx)
	if err != nil || !ok {
		return nil, false, err
	}
	res := &CallResult{Value: []byte(strField(doc, "value")), TS: tx.SnapshotTS()}
	if lines, ok := doc.Get("logLines"); ok {
		if arr, ok := lines.(value.Array); ok {
			for _, l := range arr {
				if o, ok := l.(value.Object); ok {
					res.Logs = append(res.Logs, LogLine{Level: strField(o, "level"), Message: strField(o, "message")})
				}
			}
		}
	}
	return res, true, nil
}

// recordSession stores a successful mutation's outcome in its own
// transaction.
func recordSession(ctx context.Context, t txn, s SessionRequest, res *CallResult) error {
	tx := t.(*dbTxn).tx.In("") // hull's own table, in the app's namespace
	lines := make(value.Array, 0, len(res.Logs))
	for _, l := range res.Logs {
		lines = append(lines, value.MustObject(
			value.Field{Name: "level", Value: value.String(l.Level)},
			value.Field{Name: "message", Value: value.String(l.Message)},
		))
	}
	doc := value.MustObject(
		value.Field{Name: "sessionId", Value: value.String(s.SessionID)},
		value.Field{Name: "requestId", Value: value.Float64(s.RequestID)},
		value.Field{Name: "value", Value: value.String(res.Value)},
		value.Field{Name: "logLines", Value: lines},
	)
	if _, err := tx.SystemInsert(ctx, sessionTable, doc); err != nil {
		return fmt.Errorf("record session request: %w", err)
	}
	return nil
}
