package value

import (
	"bytes"
	"cmp"
	"math"
	"strings"
)

// Compare orders values by Convex's total order and returns -1, 0 or +1.
// Across types: undefined (nil) < null < int64 < float64 < boolean < string
// < bytes < array < object. Within a type: int64 numerically; float64 by
// IEEE-754 totalOrder (-NaN < -Inf < ... < -0 < +0 < ... < +Inf < +NaN);
// false < true; strings and bytes bytewise (UTF-8, i.e. code-point order);
// arrays element by element with a prefix first; objects by their
// (name, value) pairs in name order with a prefix first.
func Compare(a, b Value) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		default:
			return 1
		}
	}
	ka, kb := a.Kind(), b.Kind()
	if ka != kb {
		return cmp.Compare(ka, kb)
	}
	switch x := a.(type) {
	case Null:
		return 0
	case Int64:
		return cmp.Compare(x, b.(Int64))
	case Float64:
		return cmp.Compare(floatOrderBits(float64(x)), floatOrderBits(float64(b.(Float64))))
	case Boolean:
		y := b.(Boolean)
		switch {
		case x == y:
			return 0
		case !bool(x):
			return -1
		default:
			return 1
		}
	case String:
		return strings.Compare(string(x), string(b.(String)))
	case Bytes:
		return bytes.Compare(x, b.(Bytes))
	case Array:
		return compareArrays(x, b.(Array))
	case Object:
		return compareObjects(x, b.(Object))
	}
	panic("value: unknown Value implementation")
}

func compareArrays(x, y Array) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		if c := Compare(x[i], y[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(x), len(y))
}

func compareObjects(x, y Object) int {
	xf, yf := x.fields, y.fields
	for i := 0; i < len(xf) && i < len(yf); i++ {
		if c := strings.Compare(xf[i].Name, yf[i].Name); c != 0 {
			return c
		}
		if c := Compare(xf[i].Value, yf[i].Value); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(xf), len(yf))
}

// floatOrderBits maps a float to an unsigned integer whose numeric order is
// the IEEE-754 totalOrder of the floats: negative values have all bits
// flipped, non-negative ones only the sign bit.
func floatOrderBits(f float64) uint64 {
	u := math.Float64bits(f)
	if u>>63 == 1 {
		return ^u
	}
	return u | 1<<63
}

// Equal reports whether a and b are the same value, i.e. Compare(a, b) == 0.
// Floats are equal when their bits are: -0 differs from +0, and a NaN equals
// a NaN with the same bits. A nil Value (undefined) equals only nil.
func Equal(a, b Value) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case Null:
		_, ok := b.(Null)
		return ok
	case Int64:
		y, ok := b.(Int64)
		return ok && x == y
	case Float64:
		y, ok := b.(Float64)
		return ok && math.Float64bits(float64(x)) == math.Float64bits(float64(y))
	case Boolean:
		y, ok := b.(Boolean)
		return ok && x == y
	case String:
		y, ok := b.(String)
		return ok && x == y
	case Bytes:
		y, ok := b.(Bytes)
		return ok && bytes.Equal(x, y)
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case Object:
		y, ok := b.(Object)
		if !ok || len(x.fields) != len(y.fields) {
			return false
		}
		for i, f := range x.fields {
			g := y.fields[i]
			if f.Name != g.Name || !Equal(f.Value, g.Value) {
				return false
			}
		}
		return true
	}
	return false
}
