package value

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Index keys: each value is a tag byte followed by a body, chosen so that
// bytes.Compare of two encodings equals Compare of the values and no
// encoding is a prefix of another. Tuples are concatenations, so they
// compare lexicographically and a shorter tuple sorts before its
// extensions.
const (
	tagUndefined = 0x01
	tagNull      = 0x02
	tagInt64     = 0x03
	tagFloat64   = 0x04
	tagFalse     = 0x05
	tagTrue      = 0x06
	tagString    = 0x07
	tagBytes     = 0x08
	tagArray     = 0x09
	tagObject    = 0x0a

	keyEnd   = 0x00 // ends an array or object
	keyField = 0x01 // starts an object field
	// Strings and bytes: a 0x00 byte is written 0x00 0xff; the end is 0x00 0x00.
	escByte     = 0xff
	maxKeyDepth = MaxNesting + 1
)

// AppendKey appends the index-key encoding of v to dst. A nil v
// (undefined) is encoded too, and sorts first.
//
// Layout: int64 as big-endian with the sign bit flipped; float64 as the
// big-endian IEEE-754 bits with all bits flipped if negative and the sign
// bit flipped otherwise; strings and bytes with 0x00 escaped as 0x00 0xff
// and ended by 0x00 0x00; arrays as their elements ended by 0x00; objects as
// 0x01 name value per field, ended by 0x00.
func AppendKey(dst []byte, v Value) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, tagUndefined)
	case Null:
		return append(dst, tagNull)
	case Int64:
		dst = append(dst, tagInt64)
		return binary.BigEndian.AppendUint64(dst, uint64(x)^1<<63)
	case Float64:
		dst = append(dst, tagFloat64)
		return binary.BigEndian.AppendUint64(dst, floatOrderBits(float64(x)))
	case Boolean:
		if x {
			return append(dst, tagTrue)
		}
		return append(dst, tagFalse)
	case String:
		return appendEscaped(append(dst, tagString), string(x))
	case Bytes:
		return appendEscaped(append(dst, tagBytes), string(x))
	case Array:
		dst = append(dst, tagArray)
		for _, e := range x {
			dst = AppendKey(dst, e)
		}
		return append(dst, keyEnd)
	case Object:
		dst = append(dst, tagObject)
		for _, f := range x.fields {
			dst = append(dst, keyField)
			dst = appendEscaped(dst, f.Name)
			dst = AppendKey(dst, f.Value)
		}
		return append(dst, keyEnd)
	}
	panic("value: unknown Value implementation")
}

func appendEscaped(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, 0, escByte)
		s = s[i+1:]
	}
	dst = append(dst, s...)
	return append(dst, 0, 0)
}

// Key encodes a tuple of values (nil elements are undefined) as one index
// key. bytes.Compare of two keys orders the tuples lexicographically by
// Compare, a tuple sorting before its extensions.
func Key(vals ...Value) []byte {
	dst := make([]byte, 0, 16*len(vals)+8)
	for _, v := range vals {
		dst = AppendKey(dst, v)
	}
	return dst
}

// DecodeKey is the inverse of Key: it returns the tuple encoded in key,
// with nil for undefined elements.
func DecodeKey(key []byte) ([]Value, error) {
	var out []Value
	for len(key) > 0 {
		v, rest, err := decodeKeyValue(key, maxKeyDepth)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		key = rest
	}
	return out, nil
}

func keyErr(format string, args ...any) error {
	return fmt.Errorf("value: invalid index key: "+format, args...)
}

func decodeKeyValue(b []byte, depth int) (Value, []byte, error) {
	if len(b) == 0 {
		return nil, nil, keyErr("truncated")
	}
	tag, b := b[0], b[1:]
	switch tag {
	case tagUndefined:
		return nil, b, nil
	case tagNull:
		return Null{}, b, nil
	case tagFalse:
		return Boolean(false), b, nil
	case tagTrue:
		return Boolean(true), b, nil
	case tagInt64, tagFloat64:
		if len(b) < 8 {
			return nil, nil, keyErr("truncated number")
		}
		u := binary.BigEndian.Uint64(b)
		if tag == tagInt64 {
			return Int64(u ^ 1<<63), b[8:], nil
		}
		if u>>63 == 1 {
			u &^= 1 << 63
		} else {
			u = ^u
		}
		return Float64(math.Float64frombits(u)), b[8:], nil
	case tagString, tagBytes:
		s, rest, err := decodeEscaped(b)
		if err != nil {
			return nil, nil, err
		}
		if tag == tagString {
			return String(s), rest, nil
		}
		return Bytes(s), rest, nil
	case tagArray, tagObject:
		if depth <= 0 {
			return nil, nil, keyErr("nested too deeply")
		}
		if tag == tagArray {
			return decodeKeyArray(b, depth-1)
		}
		return decodeKeyObject(b, depth-1)
	}
	return nil, nil, keyErr("unknown tag 0x%02x", tag)
}

func decodeKeyArray(b []byte, depth int) (Value, []byte, error) {
	arr := Array{}
	for {
		if len(b) == 0 {
			return nil, nil, keyErr("unterminated array")
		}
		if b[0] == keyEnd {
			return arr, b[1:], nil
		}
		v, rest, err := decodeKeyValue(b, depth)
		if err != nil {
			return nil, nil, err
		}
		if v == nil {
			return nil, nil, keyErr("undefined inside an array")
		}
		arr = append(arr, v)
		b = rest
	}
}

func decodeKeyObject(b []byte, depth int) (Value, []byte, error) {
	var fields []Field
	for {
		if len(b) == 0 {
			return nil, nil, keyErr("unterminated object")
		}
		if b[0] == keyEnd {
			return Object{fields: fields}, b[1:], nil
		}
		if b[0] != keyField {
			return nil, nil, keyErr("bad object field marker 0x%02x", b[0])
		}
		name, rest, err := decodeEscaped(b[1:])
		if err != nil {
			return nil, nil, err
		}
		if len(fields) > 0 && fields[len(fields)-1].Name >= string(name) {
			return nil, nil, keyErr("object fields out of order")
		}
		v, rest, err := decodeKeyValue(rest, depth)
		if err != nil {
			return nil, nil, err
		}
		if v == nil {
			return nil, nil, keyErr("undefined object field")
		}
		fields = append(fields, Field{Name: string(name), Value: v})
		b = rest
	}
}

// decodeEscaped reads an escaped string or bytes body up to its 0x00 0x00
// end and returns the unescaped bytes and the rest.
func decodeEscaped(b []byte) ([]byte, []byte, error) {
	out := []byte{}
	for i := 0; i < len(b); i++ {
		if b[i] != 0 {
			continue
		}
		if i+1 >= len(b) {
			break
		}
		switch b[i+1] {
		case 0:
			out = append(out, b[:i]...)
			return out, b[i+2:], nil
		case escByte:
			out = append(out, b[:i]...)
			out = append(out, 0)
			b = b[i+2:]
			i = -1
		default:
			return nil, nil, keyErr("bad escape 0x00 0x%02x", b[i+1])
		}
	}
	return nil, nil, keyErr("unterminated string")
}

// PrefixSuccessor returns the smallest key greater than every key that
// starts with key, or nil if there is none (key is empty or all 0xff).
func PrefixSuccessor(key []byte) []byte {
	i := len(key) - 1
	for i >= 0 && key[i] == 0xff {
		i--
	}
	if i < 0 {
		return nil
	}
	out := make([]byte, i+1)
	copy(out, key[:i+1])
	out[i]++
	return out
}
