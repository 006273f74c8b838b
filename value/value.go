// Package value owns hull's model of Convex values: the value types, their
// JSON wire encodings (encoded, clean and export), the total order used by
// indexes together with an order-preserving key encoding, Convex's size
// measure and limits, and document ids.
//
// A Value is one of Null, Int64, Float64, Boolean, String, Bytes, Array or
// Object. Convex's "undefined" is not a Value: wherever a Value may be
// missing (an absent field, an index key component), it is written as a nil
// Value, and nil sorts below every other value.
package value

import (
	"slices"
	"strings"
)

// Kind names the type of a Value. The numeric order of the kinds is the
// order of types in Convex's total order.
type Kind uint8

// The kinds of Convex values, in sort order.
const (
	KindNull Kind = iota + 1
	KindInt64
	KindFloat64
	KindBoolean
	KindString
	KindBytes
	KindArray
	KindObject
)

// String returns the Convex name of the kind, as used in error messages.
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindInt64:
		return "int64"
	case KindFloat64:
		return "float64"
	case KindBoolean:
		return "boolean"
	case KindString:
		return "string"
	case KindBytes:
		return "bytes"
	case KindArray:
		return "array"
	case KindObject:
		return "object"
	}
	return "undefined"
}

// Value is a Convex value. It is implemented only by the types of this
// package; a nil Value stands for "undefined".
type Value interface {
	Kind() Kind
}

// Null is Convex's null.
type Null struct{}

// Int64 is a 64-bit signed integer (a JS bigint).
type Int64 int64

// Float64 is an IEEE-754 double (a JS number). -0 and NaN payloads are kept
// and distinguished by Equal, Compare and the encodings. JavaScript's NaN
// has the bits 0x7ff8000000000000; Go's math.NaN() differs from it.
type Float64 float64

// Boolean is true or false.
type Boolean bool

// String is a Unicode string held as UTF-8.
type String string

// Bytes is a byte string (a JS ArrayBuffer).
type Bytes []byte

// Array is an ordered list of values; elements are never nil.
type Array []Value

// Field is one name/value pair of an Object.
type Field struct {
	Name  string
	Value Value
}

// Object is an immutable set of fields with unique names, kept sorted by
// name (bytewise). The zero Object is the empty object.
type Object struct {
	fields []Field
}

// Kind returns KindNull.
func (Null) Kind() Kind { return KindNull }

// Kind returns KindInt64.
func (Int64) Kind() Kind { return KindInt64 }

// Kind returns KindFloat64.
func (Float64) Kind() Kind { return KindFloat64 }

// Kind returns KindBoolean.
func (Boolean) Kind() Kind { return KindBoolean }

// Kind returns KindString.
func (String) Kind() Kind { return KindString }

// Kind returns KindBytes.
func (Bytes) Kind() Kind { return KindBytes }

// Kind returns KindArray.
func (Array) Kind() Kind { return KindArray }

// Kind returns KindObject.
func (Object) Kind() Kind { return KindObject }

// NewObject builds an object from fields in any order. Fields whose Value is
// nil (undefined) are dropped, as the Convex client drops undefined
// properties. It fails on an invalid field name (see ValidateFieldName) or a
// name given twice. The fields slice is not retained.
func NewObject(fields ...Field) (Object, error) {
	fs := make([]Field, 0, len(fields))
	for _, f := range fields {
		if f.Value == nil {
			continue
		}
		if err := ValidateFieldName(f.Name); err != nil {
			return Object{}, err
		}
		fs = append(fs, f)
	}
	if !fieldsSorted(fs) {
		slices.SortFunc(fs, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	}
	for i := 1; i < len(fs); i++ {
		if fs[i].Name == fs[i-1].Name {
			return Object{}, &Error{Code: CodeDuplicateField, Path: fs[i].Name, Msg: "the field is given more than once"}
		}
	}
	return Object{fields: fs}, nil
}

// MustObject is NewObject for fields known to be valid; it panics on error.
func MustObject(fields ...Field) Object {
	o, err := NewObject(fields...)
	if err != nil {
		panic(err)
	}
	return o
}

func fieldsSorted(fs []Field) bool {
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Name >= fs[i].Name {
			return false
		}
	}
	return true
}

// find returns the index of name, or the index where it would be inserted
// and false.
func (o Object) find(name string) (int, bool) {
	fs := o.fields
	if len(fs) <= 8 {
		for i, f := range fs {
			if f.Name >= name {
				return i, f.Name == name
			}
		}
		return len(fs), false
	}
	return slices.BinarySearchFunc(fs, name, func(f Field, n string) int { return strings.Compare(f.Name, n) })
}

// Get returns the value of the named field and whether it is present.
func (o Object) Get(name string) (Value, bool) {
	i, ok := o.find(name)
	if !ok {
		return nil, false
	}
	return o.fields[i].Value, true
}

// Fields returns the fields sorted by name. The slice is shared with the
// object and must not be modified.
func (o Object) Fields() []Field { return o.fields }

// Len returns the number of fields.
func (o Object) Len() int { return len(o.fields) }

// With returns a copy of o with the named field set to v (added or
// replaced). A nil v removes the field, as in Without. The name is not
// validated; use NewObject for names from outside.
func (o Object) With(name string, v Value) Object {
	if v == nil {
		return o.Without(name)
	}
	i, ok := o.find(name)
	if ok {
		fs := slices.Clone(o.fields)
		fs[i].Value = v
		return Object{fields: fs}
	}
	fs := make([]Field, 0, len(o.fields)+1)
	fs = append(fs, o.fields[:i]...)
	fs = append(fs, Field{Name: name, Value: v})
	fs = append(fs, o.fields[i:]...)
	return Object{fields: fs}
}

// Without returns a copy of o without the named field (o itself if the
// field is absent).
func (o Object) Without(name string) Object {
	i, ok := o.find(name)
	if !ok {
		return o
	}
	fs := make([]Field, 0, len(o.fields)-1)
	fs = append(fs, o.fields[:i]...)
	fs = append(fs, o.fields[i+1:]...)
	return Object{fields: fs}
}
