package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"hull/runtime"
)

// EnvChange sets (Value non-nil) or removes (Value nil) one variable.
type EnvChange struct {
	Name  string  `json:"name"`
	Value *string `json:"value"`
}

var envNameRE = regexp.MustCompile(`^[a-zA-Z_]+[a-zA-Z0-9_]*$`)

// Limits on environment variables, as Convex enforces them.
const (
	maxEnvNameLen  = 256
	maxEnvValueLen = 8 << 10
	maxEnvVars     = 512
)

func validateEnvChanges(cur map[string]string, changes []EnvChange) (map[string]string, error) {
	next := make(map[string]string, len(cur))
	for k, v := range cur {
		next[k] = v
	}
	for _, c := range changes {
		if !envNameRE.MatchString(c.Name) || len(c.Name) > maxEnvNameLen {
			return nil, &Error{Status: 400, Code: "InvalidEnvVarName",
				Message: fmt.Sprintf("Invalid environment variable name %q: use letters, digits and underscores, not starting with a digit, at most %d characters.", c.Name, maxEnvNameLen)}
		}
		if c.Value == nil {
			delete(next, c.Name)
			continue
		}
		if len(*c.Value) > maxEnvValueLen {
			return nil, &Error{Status: 400, Code: "InvalidEnvVarValue",
				Message: fmt.Sprintf("Environment variable %s is %d bytes; values are limited to %d bytes.", c.Name, len(*c.Value), maxEnvValueLen)}
		}
		next[c.Name] = *c.Value
	}
	if len(next) > maxEnvVars {
		return nil, &Error{Status: 400, Code: "TooManyEnvironmentVariables",
			Message: fmt.Sprintf("A deployment may have at most %d environment variables.", maxEnvVars)}
	}
	return next, nil
}

// UpdateEnvVars applies changes atomically.
func (a *App) UpdateEnvVars(ctx context.Context, changes []EnvChange) error {
	a.stateMu.Lock()
	defer a.stateMu.Unlock()
	cur, err := a.EnvVars(ctx)
	if err != nil {
		return err
	}
	next, err := validateEnvChanges(cur, changes)
	if err != nil {
		return err
	}
	if err := a.saveEnv(ctx, next); err != nil {
		return fmt.Errorf("save environment variables: %w", err)
	}
	a.env.Store(&next)
	return nil
}

// EvaluateSchema answers deploy2/evaluate_schema with the index changes of a
// push, per mounted component instance, in the shape the CLI's pre-deploy
// checks read.
func (a *App) EvaluateSchema(ctx context.Context, req *StartPushRequest) (map[string]any, error) {
	v, _, diffs, err := a.pushDiff(ctx, req)
	if err != nil {
		return nil, err
	}
	cur := a.active.Load()
	evals := map[string]any{}
	var newDefs []string
	for path, diff := range diffs {
		counts, err := a.tableCounts(ctx, path, append(slices.Clone(diff.Added), diff.Removed...))
		if err != nil {
			return nil, err
		}
		indexes := []map[string]any{}
		add := func(ix indexConfig, change string, backfill bool) {
			table, _, _ := strings.Cut(ix.Name, ".")
			indexes = append(indexes, map[string]any{"name": ix.Name, "type": ix.Type, "fields": nonNil(ix.Fields),
				"change": change, "needsBackfill": backfill && counts[table] > 0, "numDocs": counts[table]})
		}
		for _, ix := range diff.Added {
			add(ix, "added", true)
		}
		for _, ix := range diff.Removed {
			add(ix, "dropped", false)
		}
		defPath := ""
		if c, ok := v.component(path); ok {
			defPath = c.DefinitionPath
			if _, existed := cur.component(path); !existed {
				newDefs = append(newDefs, defPath)
			}
		}
		evals[path] = map[string]any{
			"definitionPath":   defPath,
			"schemaValidation": true,
			"tables":           []any{},
			"indexes":          indexes,
		}
	}
	slices.Sort(newDefs)
	return map[string]any{
		"componentSchemaEvaluations": evals,
		"newComponentDefinitions":    slices.Compact(nonNil(newDefs)),
	}, nil
}

// tableCounts returns the live document count of each table of the
// instance at path the indexes belong to (0 for tables that do not exist
// yet).
func (a *App) tableCounts(ctx context.Context, path string, ixs []indexConfig) (map[string]int64, error) {
	out := map[string]int64{}
	if len(ixs) == 0 {
		return out, nil
	}
	tx, err := a.db.BeginRead(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("count documents: %w", err)
	}
	defer tx.Rollback()
	tx = tx.In(path)
	for _, ix := range ixs {
		table, _, _ := strings.Cut(ix.Name, ".")
		if _, done := out[table]; done {
			continue
		}
		if _, exists := tx.TableNumber(table); !exists {
			out[table] = 0
			continue
		}
		n, err := tx.Count(ctx, table)
		if err != nil {
			return nil, fmt.Errorf("count documents of %s: %w", table, err)
		}
		out[table] = n
	}
	return out, nil
}

// callEnv is process.env as the functions of one instance of one version
// see it, with its key (runtime.EnvKeyOf), made from the deployment's
// variables (vars) and public URLs it records.
type callEnv struct {
	vars        *map[string]string
	cloud, site string
	env         map[string]string
	key         string
}

// callEnvFor returns process.env for a call into the instance at path of
// version v, and its key: made once for as long as the deployment's
// variables and URLs stay the same, so a call neither copies nor hashes
// them. The map is shared by every such call and must not change.
func (a *App) callEnvFor(v *Version, path string) (map[string]string, string) {
	vars, cloud, site := a.env.Load(), a.opts.CloudURL(), a.opts.SiteURL()
	k := modsKey{v, path}
	e := a.instances.get(k).env
	if e != nil && e.vars == vars && e.cloud == cloud && e.site == site {
		return e.env, e.key
	}
	var cur map[string]string
	if vars != nil {
		cur = *vars
	}
	env := a.componentEnv(v, path, cur)
	e = &callEnv{vars: vars, cloud: cloud, site: site, env: env, key: runtime.EnvKeyOf(env)}
	a.instances.update(k, func(in *instance) { in.env = e })
	return e.env, e.key
}
