package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"hull/persistence"
)

// PutModules stores mods in one statement; a key already stored keeps its
// first contents.
func (s *Store) PutModules(ctx context.Context, mods []persistence.Module) (err error) {
	defer s.observe(&err)
	if len(mods) == 0 {
		return nil
	}
	var (
		paths, envs, sums  = make([]string, len(mods)), make([]string, len(mods)), make([]string, len(mods))
		sources, sourceMap = make([][]byte, len(mods)), make([][]byte, len(mods))
	)
	for i, m := range mods {
		paths[i], envs[i], sums[i] = m.Path, m.Environment, m.SHA256
		sources[i], sourceMap[i] = nonNil(m.Source), m.SourceMap // a nil map stays NULL
	}
	_, err = s.pool.Exec(ctx, `
INSERT INTO hull_modules (path, environment, sha256, source, source_map)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bytea[])
ON CONFLICT (path, environment, sha256) DO NOTHING`, paths, envs, sums, sources, sourceMap)
	if err != nil {
		return fmt.Errorf("postgres: put %d modules: %w", len(mods), err)
	}
	return nil
}

// GetModule returns the module under key or persistence.ErrModuleNotFound.
func (s *Store) GetModule(ctx context.Context, key persistence.ModuleKey) (_ persistence.Module, err error) {
	defer s.observe(&err)
	m := persistence.Module{Path: key.Path, Environment: key.Environment, SHA256: key.SHA256}
	err = s.pool.QueryRow(ctx, `
SELECT source, source_map FROM hull_modules WHERE path = $1::text AND environment = $2::text AND sha256 = $3::text`,
		key.Path, key.Environment, key.SHA256).Scan(&m.Source, &m.SourceMap)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("postgres: module %s (%s, %s): %w", key.Path, key.Environment, key.SHA256, persistence.ErrModuleNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("postgres: get module %s: %w", key.Path, err)
	}
	m.Source = nonNil(m.Source)
	return m, nil
}

// HasModules reports which of keys are stored, in one query.
func (s *Store) HasModules(ctx context.Context, keys []persistence.ModuleKey) (_ map[persistence.ModuleKey]bool, err error) {
	defer s.observe(&err)
	out := make(map[persistence.ModuleKey]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	paths, envs, sums := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		paths[i], envs[i], sums[i] = k.Path, k.Environment, k.SHA256
		out[k] = false
	}
	rows, err := s.pool.Query(ctx, `
SELECT m.path, m.environment, m.sha256
FROM hull_modules m JOIN unnest($1::text[], $2::text[], $3::text[]) AS u (path, environment, sha256)
	ON m.path = u.path AND m.environment = u.environment AND m.sha256 = u.sha256`, paths, envs, sums)
	if err != nil {
		return nil, fmt.Errorf("postgres: has %d modules: %w", len(keys), err)
	}
	defer rows.Close()
	for rows.Next() {
		var k persistence.ModuleKey
		if err := rows.Scan(&k.Path, &k.Environment, &k.SHA256); err != nil {
			return nil, fmt.Errorf("postgres: has modules: %w", err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: has modules: %w", err)
	}
	return out, nil
}
