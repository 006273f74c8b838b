package database

import (
	"fmt"
	"strings"

	"hull/persistence"
	"hull/value"
)

// Document storage format: a stored revision's bytes are value.ToJSON of
// the whole document, _id and _creationTime included (Convex-encoded JSON,
// keys sorted).

func encodeDoc(obj value.Object) []byte { return value.ToJSON(obj) }

func decodeDoc(b []byte) (value.Object, error) {
	v, err := value.FromJSON(b)
	if err != nil {
		return value.Object{}, fmt.Errorf("decode stored document: %w", err)
	}
	obj, ok := v.(value.Object)
	if !ok {
		return value.Object{}, fmt.Errorf("decode stored document: not an object")
	}
	return obj, nil
}

// publicID is the id of the document stored under d: its table's number
// with d's internal id (the tablet id itself for a table c does not
// know, which only messages show).
func (c *catalog) publicID(d persistence.DocID) value.ID {
	if t, ok := c.byTablet[tabletID(d.Table)]; ok {
		return t.id(d)
	}
	return value.ID{Table: value.TableNumber(d.Table), Internal: value.InternalID(d.Internal)}
}

// reservedTableNumber returns the fixed number the value package reserves
// for a system table name, if any.
func reservedTableNumber(name string) (value.TableNumber, bool) {
	return value.SystemTableNumber(name)
}

// keyAfter returns the smallest key greater than k. Index keys are unique
// and end with the document id, so this is "just after k".
func keyAfter(k []byte) []byte {
	out := make([]byte, len(k)+1)
	copy(out, k)
	return out
}

// splitPath splits a field path "a.b.c".
func splitPath(p string) []string { return strings.Split(p, ".") }

// fieldValue reads a (possibly nested) field; nil means undefined (missing,
// or a non-object on the way).
func fieldValue(obj value.Object, path []string) value.Value {
	var cur value.Value = obj
	for _, p := range path {
		o, ok := cur.(value.Object)
		if !ok {
			return nil
		}
		v, ok := o.Get(p)
		if !ok {
			return nil
		}
		cur = v
	}
	return cur
}

// indexKey computes the key of a document in an index: the values of the
// index fields followed by the _id string.
func indexKey(ix *indexInfo, doc value.Object) []byte {
	vals := make([]value.Value, 0, len(ix.Fields)+1)
	for _, f := range ix.Fields {
		vals = append(vals, fieldValue(doc, splitPath(f)))
	}
	id, _ := doc.Get(idField)
	vals = append(vals, id)
	return value.Key(vals...)
}

// docID reads the _id of a stored document.
func docIDOf(doc value.Object) (value.ID, error) {
	v, _ := doc.Get(idField)
	s, ok := v.(value.String)
	if !ok {
		return value.ID{}, fmt.Errorf("document without _id")
	}
	id, err := value.ParseID(string(s))
	if err != nil {
		return value.ID{}, fmt.Errorf("document _id: %w", err)
	}
	return id, nil
}
