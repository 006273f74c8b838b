package value

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// FromJSONAny converts an already-decoded encoding/json value in Convex's
// encoded format (see FromJSON) into a Value. It accepts what
// json.Decoder produces with UseNumber: nil, bool, string, json.Number,
// []any and map[string]any; a plain float64 (a Decoder without UseNumber)
// is accepted too. Every JSON number becomes a Float64, exactly as in
// FromJSON: integers travel only as {"$integer": ...}. The same field-name
// rules and limits apply.
func FromJSONAny(v any) (Value, error) {
	var path pathBuf
	out, size, err := fromAny(v, &path, MaxNesting)
	if err != nil {
		return nil, err
	}
	if size > MaxSize {
		return nil, &Error{Code: CodeTooLarge, Msg: "value is too large: size " + strconv.Itoa(size) + " bytes exceeds the limit of " + strconv.Itoa(MaxSize)}
	}
	return out, nil
}

func fromAny(v any, path *pathBuf, depth int) (Value, int, error) {
	switch x := v.(type) {
	case nil:
		return Null{}, 1, nil
	case bool:
		return Boolean(x), 1, nil
	case string:
		return String(x), 2 + len(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, 0, errorf(CodeSyntax, path, "JSON numbers must be finite")
		}
		return Float64(x), 9, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, 0, errorf(CodeSyntax, path, "number %s is not a finite float64", string(x))
		}
		return Float64(f), 9, nil
	case []any:
		return arrayFromAny(x, path, depth)
	case map[string]any:
		return objectFromAny(x, path, depth)
	}
	return nil, 0, errorf(CodeSyntax, path, "unsupported decoded JSON type %T", v)
}

func arrayFromAny(x []any, path *pathBuf, depth int) (Value, int, error) {
	if depth <= 0 {
		return nil, 0, errorf(CodeTooLarge, path, "value is nested more than %d levels deep", MaxNesting)
	}
	if len(x) > MaxArrayLen {
		return nil, 0, errorf(CodeTooLarge, path, "array has %d elements, more than the limit of %d", len(x), MaxArrayLen)
	}
	arr := make(Array, len(x))
	size := 2
	for i, e := range x {
		path.pushIndex(i)
		v, s, err := fromAny(e, path, depth-1)
		if err != nil {
			return nil, 0, err
		}
		path.pop()
		arr[i] = v
		size += s
	}
	return arr, size, nil
}

func objectFromAny(x map[string]any, path *pathBuf, depth int) (Value, int, error) {
	if depth <= 0 {
		return nil, 0, errorf(CodeTooLarge, path, "value is nested more than %d levels deep", MaxNesting)
	}
	if len(x) > MaxObjectFields {
		return nil, 0, errorf(CodeTooLarge, path, "object has %d fields, more than the limit of %d", len(x), MaxObjectFields)
	}
	fields := make([]Field, 0, len(x))
	size := 2
	for name, e := range x {
		if len(x) == 1 && strings.HasPrefix(name, "$") {
			var inner Value = Null{} // special reports a non-string as malformed
			if s, ok := e.(string); ok {
				inner = String(s)
			}
			return special(Field{Name: name, Value: inner}, path)
		}
		path.pushField(name)
		v, s, err := fromAny(e, path, depth-1)
		if err != nil {
			return nil, 0, err
		}
		path.pop()
		fields = append(fields, Field{Name: name, Value: v})
		size += len(name) + 1 + s
	}
	return buildObject(fields, size, path)
}
