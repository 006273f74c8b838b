package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hull/persistence"
)

// PutModules stores mods in one transaction; a key already stored keeps
// its first contents.
func (s *Store) PutModules(ctx context.Context, mods []persistence.Module) (err error) {
	defer s.observe(&err)
	if len(mods) == 0 {
		return nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: put modules: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	stmt, err := tx.PrepareContext(ctx, `
INSERT INTO modules (path, environment, sha256, source, source_map) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (path, environment, sha256) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("sqlite: put modules: prepare: %w", err)
	}
	defer stmt.Close()
	for _, m := range mods {
		var sourceMap any // NULL when the push had none
		if m.SourceMap != nil {
			sourceMap = m.SourceMap
		}
		if _, err := stmt.ExecContext(ctx, m.Path, m.Environment, m.SHA256, nonNil(m.Source), sourceMap); err != nil {
			return fmt.Errorf("sqlite: put module %s (%s): %w", m.Path, m.Environment, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: put modules: commit: %w", err)
	}
	return nil
}

const sqlGetModule = `
SELECT source, source_map FROM modules WHERE path = ? AND environment = ? AND sha256 = ?`

// GetModule returns the module under key or persistence.ErrModuleNotFound.
func (s *Store) GetModule(ctx context.Context, key persistence.ModuleKey) (_ persistence.Module, err error) {
	defer s.observe(&err)
	m := persistence.Module{Path: key.Path, Environment: key.Environment, SHA256: key.SHA256}
	err = s.read.QueryRowContext(ctx, sqlGetModule, key.Path, key.Environment, key.SHA256).
		Scan(&m.Source, &m.SourceMap)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("sqlite: module %s (%s, %s): %w", key.Path, key.Environment, key.SHA256, persistence.ErrModuleNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("sqlite: get module %s: %w", key.Path, err)
	}
	m.Source = nonNil(m.Source)
	return m, nil
}

// HasModules reports which of keys are stored.
func (s *Store) HasModules(ctx context.Context, keys []persistence.ModuleKey) (_ map[persistence.ModuleKey]bool, err error) {
	defer s.observe(&err)
	out := make(map[persistence.ModuleKey]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: has modules: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx,
		`SELECT count(*) FROM modules WHERE path = ? AND environment = ? AND sha256 = ?`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: has modules: prepare: %w", err)
	}
	defer stmt.Close()
	for _, k := range keys {
		var n int
		if err := stmt.QueryRowContext(ctx, k.Path, k.Environment, k.SHA256).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: has module %s: %w", k.Path, err)
		}
		out[k] = n > 0
	}
	return out, nil
}
