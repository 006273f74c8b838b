package database

import (
	"encoding/json"
	"fmt"

	"hull/value"
)

// Validator is a parsed validator JSON (the convex package's exportArgs and
// exportReturns output), ready to check values.
type Validator struct{ v *validator }

// ParseValidator parses validator JSON.
func ParseValidator(data []byte) (*Validator, error) {
	v, err := parseValidator(json.RawMessage(data))
	if err != nil {
		return nil, fmt.Errorf("invalid validator: %w", err)
	}
	return &Validator{v: v}, nil
}

// Check returns a description of the first mismatch between val and the
// validator, or "" when it matches. tableOf resolves the table of an id.
func (c *Validator) Check(val value.Value, tableOf func(value.TableNumber) (string, bool)) string {
	return validation{tableOf: tableOf}.check(c.v, val, "")
}

// TableName returns the name of table number n of the app's namespace as
// of the durable ts.
func (db *DB) TableName(n value.TableNumber) (string, bool) { return db.TableNameIn("", n) }

// TableNameIn returns the name of table number n of namespace ns as of
// the durable ts.
func (db *DB) TableNameIn(ns string, n value.TableNumber) (string, bool) {
	cat, _, _ := db.snapshot()
	t, ok := cat.tableFor(ns, n)
	if !ok || t.Namespace != ns {
		return "", false
	}
	return t.Name, true
}

// Describe renders the validator in v.* form for messages.
func (c *Validator) Describe() string { return fmt.Sprint(c.v) }
