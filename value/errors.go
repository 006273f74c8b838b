package value

import (
	"fmt"
	"strconv"
)

// Code classifies an Error so callers can map it to a Convex error code or
// an HTTP status without parsing messages.
type Code string

// Error codes.
const (
	// CodeSyntax: the input is not well-formed JSON.
	CodeSyntax Code = "InvalidJSON"
	// CodeEncoding: a $integer, $float or $bytes wrapper is malformed, or an
	// object uses an unknown $-key.
	CodeEncoding Code = "InvalidEncoding"
	// CodeFieldName: an object field name breaks Convex's rules.
	CodeFieldName Code = "InvalidFieldName"
	// CodeDuplicateField: an object names the same field twice.
	CodeDuplicateField Code = "DuplicateField"
	// CodeTooLarge: a value breaks a size, length, field-count or nesting limit.
	CodeTooLarge Code = "ValueTooLarge"
	// CodeDocument: a document breaks a document-only rule (system fields).
	CodeDocument Code = "InvalidDocument"
	// CodeIdentifier: a table, index or function identifier is invalid.
	CodeIdentifier Code = "InvalidIdentifier"
	// CodeID: a document id string is invalid.
	CodeID Code = "InvalidId"
)

// Error is a value that was refused, with the path within the value at
// which the problem was found and a message a person can act on.
type Error struct {
	Code Code
	// Path locates the problem within the value, e.g. `a.b[3]`; empty for
	// the value itself.
	Path string
	Msg  string
}

// Error formats the error as `field "a.b[3]": message` (without the field
// part when the path is empty).
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return "field " + strconv.Quote(e.Path) + ": " + e.Msg
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &value.Error{Code: value.CodeTooLarge}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Msg == "" && t.Path == ""
}

func errorf(code Code, path *pathBuf, format string, args ...any) *Error {
	p := ""
	if path != nil {
		p = path.String()
	}
	return &Error{Code: code, Path: p, Msg: fmt.Sprintf(format, args...)}
}

// pathBuf records the current location in a value while walking it. It is
// formatted only when an error is reported.
type pathBuf struct {
	elems []pathElem
}

type pathElem struct {
	field string
	index int // -1 for a field
}

func (p *pathBuf) pushField(name string) { p.elems = append(p.elems, pathElem{field: name, index: -1}) }
func (p *pathBuf) pushIndex(i int)       { p.elems = append(p.elems, pathElem{index: i}) }
func (p *pathBuf) pop()                  { p.elems = p.elems[:len(p.elems)-1] }

func (p *pathBuf) String() string {
	var b []byte
	for i, e := range p.elems {
		if e.index >= 0 {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(e.index), 10)
			b = append(b, ']')
			continue
		}
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, e.field...)
	}
	return string(b)
}
