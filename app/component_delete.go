package app

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"hull/database"
	"hull/value"
)

// DeleteComponent deletes an unmounted component instance (the
// dashboard's POST /api/delete_component) with the instances under it:
// every document of their tables, their files, and their entries in the
// live version. As on Convex, a mounted instance cannot be deleted: take
// it out of convex.config.ts and push first.
func (a *App) DeleteComponent(ctx context.Context, id string) error {
	a.stateMu.Lock()
	defer a.stateMu.Unlock()
	v := a.active.Load()
	if _, ok := v.component(id); !ok {
		return &Error{Status: 404, Code: "ComponentNotFound", Message: fmt.Sprintf("Component with ID %q not found", id)}
	}
	paths := []string{}
	for p, c := range v.Components {
		if p != id && !strings.HasPrefix(p, id+"/") {
			continue
		}
		if !c.Unmounted {
			return &Error{Status: 400, Code: "ComponentMustBeUnmounted", Message: "Component must be unmounted before deletion"}
		}
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := a.clearNamespace(ctx, p); err != nil {
			return fmt.Errorf("delete the data of component %s: %w", p, err)
		}
	}
	next := *v
	next.Components = map[string]*Component{}
	for p, c := range v.Components {
		if p != id && !strings.HasPrefix(p, id+"/") {
			next.Components[p] = c
		}
	}
	if len(next.Components) == 0 {
		next.Components = nil
	}
	if err := a.db.Retry(ctx, func(ctx context.Context) error { return a.activateOnce(ctx, &next) }); err != nil {
		return err
	}
	a.active.Store(&next)
	return nil
}

// clearBatch is how many documents one transaction of clearNamespace
// deletes.
const clearBatch = 500

// clearNamespace deletes every document of the namespace at path, a batch
// per transaction, files (their private records and then their bytes)
// included.
func (a *App) clearNamespace(ctx context.Context, path string) error {
	for {
		var drops []string
		n := 0
		err := a.db.Retry(ctx, func(ctx context.Context) error {
			drops, n = nil, 0
			tx, err := a.db.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			view := tx.In(path)
			for _, table := range view.TableNames() {
				s, err := view.SystemQuery(ctx, &database.Query{Kind: database.FullTableScan, Table: table, Operators: []database.Operator{{Limit: clearBatch - n}}})
				if err != nil {
					return err
				}
				docs, err := s.Collect(ctx)
				if err != nil {
					return err
				}
				for _, d := range docs {
					id, err := value.ParseID(strField(d, "_id"))
					if err != nil {
						return err
					}
					if table == storageTable {
						if file, ok, err := a.files.byID(ctx, view, id); err != nil {
							return err
						} else if ok {
							if err := a.files.deleteIn(ctx, view, func(fn func()) {}, file); err != nil {
								return err
							}
							drops = append(drops, file.Key())
							n++
							continue
						}
					}
					if _, err := view.SystemDelete(ctx, id); err != nil {
						return err
					}
					n++
				}
				if n >= clearBatch {
					break
				}
			}
			if n == 0 {
				return nil
			}
			_, err = tx.Commit(ctx)
			return err
		})
		if err != nil {
			return err
		}
		for _, k := range drops {
			a.files.drop(k)
		}
		if n == 0 {
			return nil
		}
	}
}
