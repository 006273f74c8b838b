package dbsyscall

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"hull/database"
	"hull/value"
)

func (h *Handler) get(ctx context.Context, args []byte) ([]byte, error) {
	var a struct {
		ID       json.RawMessage `json:"id"`
		IsSystem bool            `json:"isSystem"`
		Table    *string         `json:"table"`
	}
	if err := decodeArgs("1.0/get", args, &a); err != nil {
		return nil, err
	}
	id, err := parseID(a.ID, "db.get")
	if err != nil {
		return nil, err
	}
	if err := h.checkTableArg(a.Table, id, "db.get"); err != nil {
		return nil, err
	}
	if name, ok := h.tx.TableName(id.Table); ok {
		system := strings.HasPrefix(name, "_")
		if system && !a.IsSystem {
			return nil, &database.Error{Code: "SystemTableError", Msg: "System tables can only be accessed with db.system."}
		}
		if !system && a.IsSystem {
			return nil, &database.Error{Code: "SystemTableError", Msg: "User tables cannot be accessed with db.system."}
		}
	}
	doc, found, err := h.tx.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return docJSON(doc, found), nil
}

func (h *Handler) insert(ctx context.Context, args []byte) ([]byte, error) {
	var a struct {
		Table string          `json:"table"`
		Value json.RawMessage `json:"value"`
	}
	if err := decodeArgs("1.0/insert", args, &a); err != nil {
		return nil, err
	}
	if h.tx.ReadOnly() {
		return nil, database.ErrReadOnly
	}
	obj, err := objectArg(a.Value, "db.insert")
	if err != nil {
		return nil, err
	}
	id, err := h.tx.Insert(ctx, a.Table, obj)
	if err != nil {
		return nil, err
	}
	return value.ToJSON(value.MustObject(value.Field{Name: "_id", Value: value.String(id.String())})), nil
}

// writeArgs are the arguments of shallowMerge, replace and remove.
type writeArgs struct {
	ID    json.RawMessage `json:"id"`
	Value json.RawMessage `json:"value"`
	Table *string         `json:"table"`
}

func (h *Handler) writeTarget(op, method string, args []byte) (writeArgs, value.ID, error) {
	var a writeArgs
	if err := decodeArgs(op, args, &a); err != nil {
		return a, value.ID{}, err
	}
	if h.tx.ReadOnly() {
		return a, value.ID{}, database.ErrReadOnly
	}
	id, err := parseID(a.ID, method)
	if err != nil {
		return a, value.ID{}, err
	}
	return a, id, h.checkTableArg(a.Table, id, method)
}

func (h *Handler) shallowMerge(ctx context.Context, args []byte) ([]byte, error) {
	a, id, err := h.writeTarget("1.0/shallowMerge", "db.patch", args)
	if err != nil {
		return nil, err
	}
	fields, err := patchFields(a.Value)
	if err != nil {
		return nil, err
	}
	doc, err := h.tx.Patch(ctx, id, fields)
	if err != nil {
		return nil, err
	}
	return value.ToJSON(doc), nil
}

// patchFields decodes a patch object: a field set to {"$undefined": null}
// becomes a nil Value (remove the field).
func patchFields(raw json.RawMessage) ([]value.Field, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, argErr("Invalid argument `value` for `db.patch`, expected an object but got %s", string(raw))
	}
	fields := make([]value.Field, 0, len(m))
	for name, body := range m {
		if isUndefined(body) {
			fields = append(fields, value.Field{Name: name})
			continue
		}
		v, err := value.FromJSON(body)
		if err != nil {
			return nil, argErr("Invalid argument `value` for `db.patch`: field %q: %v", name, err)
		}
		fields = append(fields, value.Field{Name: name, Value: v})
	}
	return fields, nil
}

func isUndefined(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return false
	}
	_, ok := m["$undefined"]
	return ok
}

func (h *Handler) replace(ctx context.Context, args []byte) ([]byte, error) {
	a, id, err := h.writeTarget("1.0/replace", "db.replace", args)
	if err != nil {
		return nil, err
	}
	obj, err := objectArg(a.Value, "db.replace")
	if err != nil {
		return nil, err
	}
	doc, err := h.tx.Replace(ctx, id, obj)
	if err != nil {
		return nil, err
	}
	return value.ToJSON(doc), nil
}

func (h *Handler) remove(ctx context.Context, args []byte) ([]byte, error) {
	_, id, err := h.writeTarget("1.0/remove", "db.delete", args)
	if err != nil {
		return nil, err
	}
	doc, err := h.tx.Delete(ctx, id)
	if err != nil {
		return nil, err
	}
	return value.ToJSON(doc), nil
}

func (h *Handler) count(ctx context.Context, args []byte) ([]byte, error) {
	var a struct {
		Table string `json:"table"`
	}
	if err := decodeArgs("1.0/count", args, &a); err != nil {
		return nil, err
	}
	n, err := h.tx.Count(ctx, a.Table)
	if err != nil {
		return nil, err
	}
	return strconv.AppendInt(nil, n, 10), nil
}

func (h *Handler) normalizeID(args []byte) ([]byte, error) {
	var a struct {
		Table    string `json:"table"`
		IDString string `json:"idString"`
	}
	if err := decodeArgs("1.0/db/normalizeId", args, &a); err != nil {
		return nil, err
	}
	id, err := value.ParseID(a.IDString)
	num, ok := h.tx.TableNumber(a.Table)
	if err != nil || !ok || id.Table != num {
		return []byte(`{"id":null}`), nil
	}
	return value.ToJSON(value.MustObject(value.Field{Name: "id", Value: value.String(id.String())})), nil
}
