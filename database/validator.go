package database

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"hull/value"
)

// validator is a parsed ValidatorJSON (the convex package's v.* export).
type validator struct {
	kind   string // null number bigint commitTs boolean string bytes any literal id array record object union
	lit    value.Value
	table  string
	elem   *validator // array elements, record values
	keys   *validator // record keys
	fields []objectField
	union  []*validator
}

type objectField struct {
	name     string
	v        *validator
	optional bool
}

type rawValidator struct {
	Type      string          `json:"type"`
	Value     json.RawMessage `json:"value"`
	TableName string          `json:"tableName"`
	Keys      json.RawMessage `json:"keys"`
	Values    json.RawMessage `json:"values"`
}

type rawField struct {
	FieldType json.RawMessage `json:"fieldType"`
	Optional  bool            `json:"optional"`
}

func parseValidator(data json.RawMessage) (*validator, error) {
	var r rawValidator
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("invalid validator %s: %w", string(data), err)
	}
	v := &validator{kind: r.Type}
	switch r.Type {
	case "null", "number", "bigint", "commitTs", "boolean", "string", "bytes", "any":
	case "literal":
		lit, err := value.FromJSON(r.Value)
		if err != nil {
			return nil, fmt.Errorf("invalid literal validator: %w", err)
		}
		v.lit = lit
	case "id":
		v.table = r.TableName
	case "array":
		elem, err := parseValidator(r.Value)
		if err != nil {
			return nil, err
		}
		v.elem = elem
	case "record":
		return parseRecord(v, r)
	case "object":
		return parseObjectValidator(v, r.Value)
	case "union":
		var members []json.RawMessage
		if err := json.Unmarshal(r.Value, &members); err != nil {
			return nil, fmt.Errorf("invalid union validator: %w", err)
		}
		for _, m := range members {
			mv, err := parseValidator(m)
			if err != nil {
				return nil, err
			}
			v.union = append(v.union, mv)
		}
	default:
		return nil, fmt.Errorf("unknown validator type %q", r.Type)
	}
	return v, nil
}

func parseRecord(v *validator, r rawValidator) (*validator, error) {
	keys, err := parseValidator(r.Keys)
	if err != nil {
		return nil, err
	}
	var f rawField
	if err := json.Unmarshal(r.Values, &f); err != nil {
		return nil, fmt.Errorf("invalid record validator: %w", err)
	}
	vals, err := parseValidator(f.FieldType)
	if err != nil {
		return nil, err
	}
	v.keys, v.elem = keys, vals
	return v, nil
}

func parseObjectValidator(v *validator, data json.RawMessage) (*validator, error) {
	var fields map[string]rawField
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("invalid object validator: %w", err)
	}
	for name, f := range fields {
		fv, err := parseValidator(f.FieldType)
		if err != nil {
			return nil, err
		}
		v.fields = append(v.fields, objectField{name: name, v: fv, optional: f.Optional})
	}
	sort.Slice(v.fields, func(i, j int) bool { return v.fields[i].name < v.fields[j].name })
	return v, nil
}

// validation checks values against validators; tableOf resolves the table
// of an id.
type validation struct {
	tableOf func(value.TableNumber) (string, bool)
}

// check returns a description of the first mismatch, or "".
func (c validation) check(v *validator, val value.Value, path string) string {
	mismatch := func() string {
		return fmt.Sprintf("Value does not match validator.\nPath: %s\nValue: %s\nValidator: %s", orRoot(path), display(val), v)
	}
	ok := true
	switch v.kind {
	case "any":
	case "null":
		_, ok = val.(value.Null)
	case "number":
		_, ok = val.(value.Float64)
	case "bigint", "commitTs":
		_, ok = val.(value.Int64)
	case "boolean":
		_, ok = val.(value.Boolean)
	case "string":
		_, ok = val.(value.String)
	case "bytes":
		_, ok = val.(value.Bytes)
	case "literal":
		ok = value.Equal(v.lit, val)
	case "id":
		return c.checkID(v, val, path)
	case "array":
		arr, isArr := val.(value.Array)
		if !isArr {
			return mismatch()
		}
		for i, e := range arr {
			if msg := c.check(v.elem, e, fmt.Sprintf("%s[%d]", path, i)); msg != "" {
				return msg
			}
		}
	case "record":
		return c.checkRecord(v, val, path)
	case "object":
		return c.checkObject(v, val, path)
	case "union":
		for _, m := range v.union {
			if c.check(m, val, path) == "" {
				return ""
			}
		}
		ok = false
	}
	if !ok {
		return mismatch()
	}
	return ""
}

func (c validation) checkID(v *validator, val value.Value, path string) string {
	s, ok := val.(value.String)
	if !ok {
		return fmt.Sprintf("Value does not match validator.\nPath: %s\nValue: %s\nValidator: %s", orRoot(path), display(val), v)
	}
	id, err := value.ParseID(string(s))
	if err != nil {
		return fmt.Sprintf("Value does not match validator.\nPath: %s\nValue: %s\nValidator: %s", orRoot(path), display(val), v)
	}
	if name, ok := c.tableOf(id.Table); !ok || name != v.table {
		return fmt.Sprintf("Found ID %q from table `%s`, which does not match the table name in validator `v.id(%q)`.\nPath: %s", string(s), name, v.table, orRoot(path))
	}
	return ""
}

func (c validation) checkRecord(v *validator, val value.Value, path string) string {
	o, ok := val.(value.Object)
	if !ok {
		return fmt.Sprintf("Value does not match validator.\nPath: %s\nValue: %s\nValidator: %s", orRoot(path), display(val), v)
	}
	for _, f := range o.Fields() {
		if msg := c.check(v.keys, value.String(f.Name), path+".keys()"); msg != "" {
			return msg
		}
		if msg := c.check(v.elem, f.Value, path+"."+f.Name); msg != "" {
			return msg
		}
	}
	return ""
}

func (c validation) checkObject(v *validator, val value.Value, path string) string {
	o, ok := val.(value.Object)
	if !ok {
		return fmt.Sprintf("Value does not match validator.\nPath: %s\nValue: %s\nValidator: %s", orRoot(path), display(val), v)
	}
	known := map[string]bool{}
	for _, f := range v.fields {
		known[f.name] = true
		fv, present := o.Get(f.name)
		if !present {
			if f.optional {
				continue
			}
			return fmt.Sprintf("Object is missing the required field `%s`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n\nObject: %s\nValidator: %s", f.name, display(val), v)
		}
		if msg := c.check(f.v, fv, path+"."+f.name); msg != "" {
			return msg
		}
	}
	for _, f := range o.Fields() {
		if !known[f.Name] {
			return fmt.Sprintf("Object contains extra field `%s` that is not in the validator.\n\nObject: %s\nValidator: %s", f.Name, display(val), v)
		}
	}
	return ""
}

func orRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

// String renders a validator the way it is written with v.*.
func (v *validator) String() string {
	switch v.kind {
	case "literal":
		return "v.literal(" + display(v.lit) + ")"
	case "id":
		return fmt.Sprintf("v.id(%q)", v.table)
	case "array":
		return "v.array(" + v.elem.String() + ")"
	case "record":
		return "v.record(" + v.keys.String() + ", " + v.elem.String() + ")"
	case "union":
		parts := make([]string, len(v.union))
		for i, m := range v.union {
			parts[i] = m.String()
		}
		return "v.union(" + strings.Join(parts, ", ") + ")"
	case "object":
		parts := make([]string, len(v.fields))
		for i, f := range v.fields {
			s := f.v.String()
			if f.optional {
				s = "v.optional(" + s + ")"
			}
			parts[i] = f.name + ": " + s
		}
		return "v.object({" + strings.Join(parts, ", ") + "})"
	case "number":
		return "v.float64()"
	case "bigint":
		return "v.int64()"
	}
	return "v." + v.kind + "()"
}
