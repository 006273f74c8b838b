package snapshot

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"hull/value"
)

// Numbers decides how JSON numbers of a document become values.
type Numbers int

const (
	// NumbersFloat makes every JSON number a float64, as Convex infers
	// the types of a file without a generated schema.
	NumbersFloat Numbers = iota
	// NumbersExact makes a JSON integer (no fraction, no exponent) an
	// int64 and anything else a float64: the export format, where floats
	// always carry a fraction or an exponent.
	NumbersExact
)

// EncodeDocument writes a document in the export format: one line of
// JSON without its newline.
func EncodeDocument(doc value.Object) []byte { return value.ToExportJSON(doc) }

// DecodeDocument reads one document in the export format (or plain JSON
// of a user's file), {"$bytes"}, {"$integer"} and {"$float"} objects
// included.
func DecodeDocument(line []byte, nums Numbers) (value.Object, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return value.Object{}, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return value.Object{}, fmt.Errorf("more than one JSON value on a line")
	}
	return ObjectFromJSON(raw, nums)
}

// ObjectFromJSON converts a value decoded by encoding/json (with
// UseNumber) into a document.
func ObjectFromJSON(raw any, nums Numbers) (value.Object, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return value.Object{}, fmt.Errorf("a document must be a JSON object, not %s", jsonKind(raw))
	}
	v, err := fromJSON(m, nums, 0)
	if err != nil {
		return value.Object{}, err
	}
	obj, ok := v.(value.Object)
	if !ok {
		return value.Object{}, fmt.Errorf("a document must be an object, not a %s", v.Kind())
	}
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	}
	return "an object"
}

func fromJSON(raw any, nums Numbers, depth int) (value.Value, error) {
	if depth > value.MaxNesting {
		return nil, fmt.Errorf("value is nested more than %d levels deep", value.MaxNesting)
	}
	switch x := raw.(type) {
	case nil:
		return value.Null{}, nil
	case bool:
		return value.Boolean(x), nil
	case string:
		return value.String(x), nil
	case json.Number:
		return number(string(x), nums)
	case []any:
		arr := make(value.Array, len(x))
		for i, e := range x {
			v, err := fromJSON(e, nums, depth+1)
			if err != nil {
				return nil, err
			}
			arr[i] = v
		}
		return arr, nil
	case map[string]any:
		if len(x) == 1 {
			if v, ok, err := special(x); ok || err != nil {
				return v, err
			}
		}
		fields := make([]value.Field, 0, len(x))
		for k, e := range x {
			v, err := fromJSON(e, nums, depth+1)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", k, err)
			}
			fields = append(fields, value.Field{Name: k, Value: v})
		}
		return value.NewObject(fields...)
	}
	return nil, fmt.Errorf("unsupported JSON value %T", raw)
}

func number(s string, nums Numbers) (value.Value, error) {
	if nums == NumbersExact && !strings.ContainsAny(s, ".eE") {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("integer %s does not fit in an int64", s)
		}
		return value.Int64(n), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("number %s is not a float64", s)
	}
	return value.Float64(f), nil
}

// special decodes the one-key objects {"$bytes": b64}, {"$integer": b64}
// and {"$float": b64}.
func special(m map[string]any) (value.Value, bool, error) {
	for k, v := range m {
		if k != "$bytes" && k != "$integer" && k != "$float" {
			return nil, false, nil
		}
		s, ok := v.(string)
		if !ok {
			return nil, true, fmt.Errorf("%s must hold a base64 string", k)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", k, err)
		}
		switch k {
		case "$bytes":
			return value.Bytes(b), true, nil
		case "$integer":
			if len(b) != 8 {
				return nil, true, fmt.Errorf("$integer must hold 8 bytes")
			}
			return value.Int64(int64(binary.LittleEndian.Uint64(b))), true, nil
		default:
			if len(b) != 8 {
				return nil, true, fmt.Errorf("$float must hold 8 bytes")
			}
			return value.Float64(math.Float64frombits(binary.LittleEndian.Uint64(b))), true, nil
		}
	}
	return nil, false, nil
}
