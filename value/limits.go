package value

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Limits on values, as Convex enforces them.
const (
	// MaxArrayLen is the largest number of elements in an array.
	MaxArrayLen = 8192
	// MaxObjectFields is the largest number of fields in an object.
	MaxObjectFields = 1024
	// MaxFieldNameLen is the longest field name, in bytes.
	MaxFieldNameLen = 1024
	// MaxNesting is the deepest nesting of a general value (see Nesting).
	MaxNesting = 64
	// MaxSize is the largest Size of a general value.
	MaxSize = 32 << 20
	// MaxDocumentSize is the largest Size of a stored document, system
	// fields included.
	MaxDocumentSize = 1 << 20
	// MaxDocumentNesting is the deepest nesting of a stored document.
	MaxDocumentNesting = 16
	// MaxIdentifierLen is the longest table, index or function identifier.
	MaxIdentifierLen = 64
)

// Size returns Convex's size measure of v (not its JSON length): null and
// booleans 1; int64 and float64 9; strings and bytes 2 plus their byte
// length; arrays 2 plus their elements; objects 2 plus, per field, the
// name's length + 1 + the value's size. A nil (undefined) value is 0.
func Size(v Value) int {
	switch x := v.(type) {
	case nil:
		return 0
	case Null, Boolean:
		return 1
	case Int64, Float64:
		return 9
	case String:
		return 2 + len(x)
	case Bytes:
		return 2 + len(x)
	case Array:
		n := 2
		for _, e := range x {
			n += Size(e)
		}
		return n
	case Object:
		n := 2
		for _, f := range x.fields {
			n += len(f.Name) + 1 + Size(f.Value)
		}
		return n
	}
	return 0
}

// Nesting returns how deeply containers nest in v: 0 for a scalar, 1 for an
// array or object of scalars, one more per enclosing level.
func Nesting(v Value) int {
	d := 0
	switch x := v.(type) {
	case Array:
		for _, e := range x {
			d = max(d, Nesting(e))
		}
		return d + 1
	case Object:
		for _, f := range x.fields {
			d = max(d, Nesting(f.Value))
		}
		return d + 1
	}
	return 0
}

// ValidateFieldName checks Convex's rules for object field names: at most
// 1024 characters of printable ASCII (0x20-0x7E), not starting with `$`.
// The empty name is allowed.
func ValidateFieldName(name string) error {
	if len(name) > MaxFieldNameLen {
		return &Error{Code: CodeFieldName, Msg: "field name " + quoteShort(name) + " is longer than 1024 characters"}
	}
	if len(name) > 0 && name[0] == '$' {
		return &Error{Code: CodeFieldName, Msg: "field name " + quoteShort(name) + " starts with '$', which is reserved"}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e {
			return &Error{Code: CodeFieldName, Msg: "field name " + quoteShort(name) + " must contain only printable ASCII characters"}
		}
	}
	return nil
}

// ValidateIdentifier checks a table, index or function identifier: 1 to 64
// characters of [A-Za-z0-9_], not starting with a digit and not made only
// of underscores.
func ValidateIdentifier(s string) error {
	switch {
	case s == "":
		return &Error{Code: CodeIdentifier, Msg: "identifier must not be empty"}
	case len(s) > MaxIdentifierLen:
		return &Error{Code: CodeIdentifier, Msg: "identifier " + quoteShort(s) + " is longer than 64 characters"}
	case s[0] >= '0' && s[0] <= '9':
		return &Error{Code: CodeIdentifier, Msg: "identifier " + quoteShort(s) + " must start with a letter or underscore"}
	}
	onlyUnderscores := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' {
			onlyUnderscores = false
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return &Error{Code: CodeIdentifier, Msg: "identifier " + quoteShort(s) + " may contain only letters, digits and underscores"}
		}
	}
	if onlyUnderscores {
		return &Error{Code: CodeIdentifier, Msg: "identifier " + quoteShort(s) + " must contain a letter or digit"}
	}
	return nil
}

// Validate checks that v is a valid Convex value: not undefined, no
// undefined elements, valid UTF-8 strings, valid field names, and within
// the limits on array length, field count, nesting (64) and size (32 MiB).
func Validate(v Value) error {
	return validate(v, MaxNesting, MaxSize)
}

// ValidateDocument checks o as a stored document: a valid value with
// nesting at most 16 and size at most 1 MiB (system fields included), whose
// only top-level fields starting with `_` are `_id` (a document id string)
// and `_creationTime` (a finite float64 > 0).
func ValidateDocument(o Object) error {
	for _, f := range o.fields {
		if len(f.Name) == 0 || f.Name[0] != '_' {
			continue
		}
		if err := checkSystemField(f); err != nil {
			return err
		}
	}
	return validate(o, MaxDocumentNesting, MaxDocumentSize)
}

func checkSystemField(f Field) error {
	switch f.Name {
	case "_id":
		s, ok := f.Value.(String)
		if !ok {
			return &Error{Code: CodeDocument, Path: f.Name, Msg: "_id must be a document id string"}
		}
		if _, err := ParseID(string(s)); err != nil {
			return &Error{Code: CodeDocument, Path: f.Name, Msg: "_id is not a valid document id: " + err.Error()}
		}
	case "_creationTime":
		t, ok := f.Value.(Float64)
		if !ok || math.IsNaN(float64(t)) || math.IsInf(float64(t), 0) || t <= 0 {
			return &Error{Code: CodeDocument, Path: f.Name, Msg: "_creationTime must be a positive finite float64 (milliseconds since the epoch)"}
		}
	default:
		return &Error{Code: CodeDocument, Path: f.Name, Msg: "top-level field names starting with '_' are reserved for system fields (_id, _creationTime)"}
	}
	return nil
}

func validate(v Value, maxNesting, maxSize int) error {
	var path pathBuf
	size, err := validateWalk(v, &path, maxNesting)
	if err != nil {
		return err
	}
	if size > maxSize {
		return &Error{Code: CodeTooLarge, Msg: "value is too large: size " + strconv.Itoa(size) + " bytes exceeds the limit of " + strconv.Itoa(maxSize)}
	}
	return nil
}

// validateWalk checks v and returns its Size.
func validateWalk(v Value, path *pathBuf, depth int) (int, error) {
	switch x := v.(type) {
	case nil:
		return 0, errorf(CodeEncoding, path, "undefined is not a valid Convex value here")
	case Null, Boolean:
		return 1, nil
	case Int64, Float64:
		return 9, nil
	case String:
		if !utf8.ValidString(string(x)) {
			return 0, errorf(CodeEncoding, path, "string is not valid UTF-8")
		}
		return 2 + len(x), nil
	case Bytes:
		return 2 + len(x), nil
	case Array:
		return validateArray(x, path, depth)
	case Object:
		return validateObject(x, path, depth)
	}
	return 0, errorf(CodeEncoding, path, "unknown value type %T", v)
}

func validateArray(x Array, path *pathBuf, depth int) (int, error) {
	if depth <= 0 {
		return 0, errorf(CodeTooLarge, path, "value is nested too deeply")
	}
	if len(x) > MaxArrayLen {
		return 0, errorf(CodeTooLarge, path, "array has %d elements, more than the limit of %d", len(x), MaxArrayLen)
	}
	n := 2
	for i, e := range x {
		path.pushIndex(i)
		s, err := validateWalk(e, path, depth-1)
		if err != nil {
			return 0, err
		}
		path.pop()
		n += s
	}
	return n, nil
}

func validateObject(x Object, path *pathBuf, depth int) (int, error) {
	if depth <= 0 {
		return 0, errorf(CodeTooLarge, path, "value is nested too deeply")
	}
	if len(x.fields) > MaxObjectFields {
		return 0, errorf(CodeTooLarge, path, "object has %d fields, more than the limit of %d", len(x.fields), MaxObjectFields)
	}
	n := 2
	for _, f := range x.fields {
		if err := ValidateFieldName(f.Name); err != nil {
			e := err.(*Error)
			e.Path = path.String()
			return 0, e
		}
		path.pushField(f.Name)
		s, err := validateWalk(f.Value, path, depth-1)
		if err != nil {
			return 0, err
		}
		path.pop()
		n += len(f.Name) + 1 + s
	}
	return n, nil
}

// quoteShort quotes s for an error message, cutting very long strings.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		return strconv.Quote(s[:limit] + "...")
	}
	return strconv.Quote(s)
}
