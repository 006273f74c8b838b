package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"hull/database"
)

// startBackfills creates, at start_push, the new indexes of every mounted
// instance's pushed schema on tables that already have documents, so they
// backfill while the CLI waits in wait_for_schema; it records the indexes
// to wait for in check (by component path). A push whose schemas failed
// validation starts nothing.
func (a *App) startBackfills(ctx context.Context, v *Version, check map[string]any) error {
	for _, c := range check {
		if c, ok := c.(SchemaCheck); ok && c.Failed != "" {
			return nil
		}
	}
	return v.eachSchema(func(p string, s *database.Schema) error {
		names, err := a.db.AddIndexes(ctx, p, s)
		if err != nil {
			return fmt.Errorf("create the pushed indexes of %s: %w", componentLabel(p), err)
		}
		if len(names) > 0 {
			check[p] = SchemaCheck{Indexes: names}
		}
		return nil
	})
}

// eachSchema calls fn with the parsed schema of every mounted instance
// that has one, stopping at the first error.
func (v *Version) eachSchema(fn func(path string, s *database.Schema) error) error {
	for _, p := range v.mountedPaths() {
		code := v.code(p)
		if len(code.Schema) == 0 {
			continue
		}
		s, err := database.ParseSchema(code.Schema)
		if err != nil {
			return &Error{Status: 400, Code: "InvalidSchema", Message: err.Error(), Err: err}
		}
		if err := fn(p, s); err != nil {
			return err
		}
	}
	return nil
}

// activateWhenIndexed makes v live once the indexes the schemas of its
// instances declare are backfilled, so the new code never meets an index
// it cannot query yet, and returns once the indexes the activation itself
// created are ready too.
func (a *App) activateWhenIndexed(ctx context.Context, v *Version) error {
	var all []string
	err := v.eachSchema(func(p string, s *database.Schema) error {
		names, err := a.db.AddIndexes(ctx, p, s)
		if err != nil {
			return fmt.Errorf("create the pushed indexes of %s: %w", componentLabel(p), err)
		}
		if err := a.db.WaitIndexes(ctx, names); err != nil {
			return fmt.Errorf("wait for index backfill: %w", err)
		}
		for _, n := range s.IndexNames() {
			all = append(all, qualifiedIndex(p, n))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := a.activate(ctx, v); err != nil {
		return err
	}
	if err := a.db.WaitIndexes(ctx, all); err != nil {
		return fmt.Errorf("wait for index backfill: %w", err)
	}
	return nil
}

// qualifiedIndex turns "table.index" of the instance at path into the
// database's name for it (database.IndexKey).
func qualifiedIndex(path, name string) string {
	table, index, _ := strings.Cut(name, ".")
	return database.IndexKey(path, table, index)
}

// Bounds of one wait_for_schema long poll: it answers at the CLI's
// timeout, or sooner once progress was made, so the CLI shows it.
const (
	maxSchemaWait      = 10 * time.Second
	schemaProgressWait = 500 * time.Millisecond
)

// WaitForSchema answers wait_for_schema: "failed" when start_push found
// documents the schema rejects, "complete" once the indexes the push
// waits for are backfilled, else, after a long poll of up to timeout,
// "inProgress" with how many of them are ready.
func (a *App) WaitForSchema(ctx context.Context, checks map[string]SchemaCheck, timeout time.Duration) (map[string]any, error) {
	var c SchemaCheck
	for p, pc := range checks {
		if pc.Failed != "" {
			return map[string]any{"type": "failed", "error": pc.Failed, "componentPath": p, "tableName": pc.TableName}, nil
		}
		c.Indexes = append(c.Indexes, pc.Indexes...)
	}
	if timeout <= 0 || timeout > maxSchemaWait {
		timeout = maxSchemaWait
	}
	start := time.Now()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	progressed := false
	for {
		ready, total, indexed, docs, changed := a.indexProgress(c.Indexes)
		if ready == total {
			return map[string]any{"type": "complete"}, nil
		}
		if progressed && time.Since(start) >= schemaProgressWait {
			a.log.Info("index backfill in progress", slog.Int("indexesReady", ready), slog.Int("indexesTotal", total),
				slog.Int64("documentsIndexed", indexed), slog.Int64("documents", docs))
			return inProgress(ready, total), nil
		}
		select {
		case <-changed:
			progressed = true
		case <-time.After(schemaProgressWait):
		case <-deadline.C:
			return inProgress(ready, total), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func inProgress(ready, total int) map[string]any {
	return map[string]any{"type": "inProgress", "components": map[string]any{"": map[string]any{
		"schemaValidationComplete": true, "indexesComplete": ready, "indexesTotal": total,
	}}}
}

// indexProgress counts the named indexes that are ready (an index that no
// longer exists counts as ready: a later push dropped it) and the
// documents indexed by those backfilling.
func (a *App) indexProgress(names []string) (ready, total int, indexed, docs int64, changed <-chan struct{}) {
	st, changed := a.db.IndexStatuses()
	byName := map[string]database.IndexStatus{}
	for _, s := range st {
		byName[database.IndexKey(s.Namespace, s.Table, s.Name)] = s
	}
	for _, n := range names {
		total++
		s, ok := byName[n]
		if !ok || s.Ready {
			ready++
			continue
		}
		indexed += s.Indexed
		docs += s.Total
	}
	return ready, total, indexed, docs, changed
}
