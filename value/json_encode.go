package value

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonFormat selects one of the JSON formats a value can be written in.
type jsonFormat uint8

const (
	// formatEncoded is convex_encoded_json: lossless, what clients speak.
	formatEncoded jsonFormat = iota
	// formatClean is the lossy "json" format for people and scripts.
	formatClean
	// formatExport is export_json, used by snapshot exports.
	formatExport
)

// ToJSON writes v in Convex's encoded JSON (convex_encoded_json), the
// lossless format the official clients speak: object keys sorted, Int64 as
// {"$integer": base64 of 8 little-endian bytes}, NaN, ±Infinity and -0 as
// {"$float": base64 of the 8 little-endian IEEE-754 bytes}, Bytes as
// {"$bytes": base64}, all base64 standard and padded. Other floats are
// plain numbers printed exactly as JavaScript prints them (shortest
// round-trip digits; exponent form below 1e-6 and from 1e21). A nil
// (undefined) value is written as null.
func ToJSON(v Value) []byte { return AppendJSON(make([]byte, 0, 64), v) }

// AppendJSON appends the encoded JSON of v (see ToJSON) to dst.
func AppendJSON(dst []byte, v Value) []byte { return appendJSONValue(dst, v, formatEncoded) }

// ToCleanJSON writes v in the lossy "json" format (alias
// convex_clean_json): Int64 as a decimal string, NaN and ±Infinity as the
// strings "NaN", "Infinity" and "-Infinity", Bytes as a bare base64 string,
// and finite floats as numbers that always carry a fraction or exponent
// (`1.0`, `-0.0`, `1e21`), as Convex prints them.
func ToCleanJSON(v Value) []byte { return appendJSONValue(make([]byte, 0, 64), v, formatClean) }

// ToExportJSON writes v in the export_json format of snapshot exports:
// Int64 as a bare JSON integer, finite floats as numbers that always carry a
// fraction or exponent (`1.0`, `-0.0`, `1e21`) so an importer can tell them
// from integers, non-finite floats as {"$float": ...} and Bytes as
// {"$bytes": ...}.
func ToExportJSON(v Value) []byte { return appendJSONValue(make([]byte, 0, 64), v, formatExport) }

func appendJSONValue(dst []byte, v Value, f jsonFormat) []byte {
	switch x := v.(type) {
	case nil, Null:
		return append(dst, "null"...)
	case Boolean:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Int64:
		return appendInt64(dst, int64(x), f)
	case Float64:
		return appendFloat64(dst, float64(x), f)
	case String:
		return AppendJSONString(dst, string(x))
	case Bytes:
		if f == formatClean {
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, x)
			return append(dst, '"')
		}
		dst = append(dst, `{"$bytes":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, x)
		return append(dst, `"}`...)
	case Array:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONValue(dst, e, f)
		}
		return append(dst, ']')
	case Object:
		dst = append(dst, '{')
		for i, fl := range x.fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, fl.Name)
			dst = append(dst, ':')
			dst = appendJSONValue(dst, fl.Value, f)
		}
		return append(dst, '}')
	}
	panic("value: unknown Value implementation")
}

func appendInt64(dst []byte, n int64, f jsonFormat) []byte {
	switch f {
	case formatClean:
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, n, 10)
		return append(dst, '"')
	case formatExport:
		return strconv.AppendInt(dst, n, 10)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	dst = append(dst, `{"$integer":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, b[:])
	return append(dst, `"}`...)
}

func appendFloat64(dst []byte, x float64, f jsonFormat) []byte {
	finite := !math.IsNaN(x) && !math.IsInf(x, 0)
	switch {
	case f == formatClean && !finite:
		switch {
		case math.IsNaN(x):
			return append(dst, `"NaN"`...)
		case x > 0:
			return append(dst, `"Infinity"`...)
		default:
			return append(dst, `"-Infinity"`...)
		}
	case f != formatEncoded && finite:
		return appendRustFloat(dst, x)
	case finite && !(x == 0 && math.Signbit(x)):
		return AppendJSFloat(dst, x)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
	dst = append(dst, `{"$float":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, b[:])
	return append(dst, `"}`...)
}

// AppendJSFloat appends a finite float as JavaScript's Number.prototype
// .toString prints it: shortest round-trip digits, fixed notation for
// magnitudes in [1e-6, 1e21), otherwise exponent notation such as 1e+21 or
// 1.5e-7. -0 prints as 0.
func AppendJSFloat(dst []byte, x float64) []byte {
	if x == 0 {
		return append(dst, '0')
	}
	if a := math.Abs(x); a >= 1e-6 && a < 1e21 {
		return strconv.AppendFloat(dst, x, 'f', -1, 64)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, x, 'e', -1, 64)
	// Go writes at least two exponent digits (1e-07); JavaScript does not.
	e := start
	for dst[e] != 'e' {
		e++
	}
	d := e + 2 // first exponent digit
	if dst[d] == '0' {
		copy(dst[d:], dst[d+1:])
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendRustFloat appends a finite float the way Convex's server prints
// JSON numbers: shortest round-trip digits, always with a fraction or an
// exponent (1.0, -0.0, 0.0001, 1e16, 1.5e-7).
func appendRustFloat(dst []byte, x float64) []byte {
	if math.Signbit(x) {
		dst = append(dst, '-')
		x = -x
	}
	if x == 0 {
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
	// s is d[.ddd]e±XX
	e := 0
	for s[e] != 'e' {
		e++
	}
	exp, _ := strconv.Atoi(string(s[e+1:]))
	digits := make([]byte, 0, 17)
	for _, c := range s[:e] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	kk := exp + 1 // position of the decimal point relative to the digits
	n := len(digits)
	switch {
	case kk >= n && kk <= 16:
		dst = append(dst, digits...)
		for i := n; i < kk; i++ {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	case kk > 0 && kk <= 16:
		dst = append(dst, digits[:kk]...)
		dst = append(dst, '.')
		return append(dst, digits[kk:]...)
	case kk > -5 && kk <= 0:
		dst = append(dst, "0."...)
		for i := kk; i < 0; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[0])
	if n > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	return strconv.AppendInt(dst, int64(exp), 10)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string escaped as JavaScript's
// JSON.stringify does: `"` and `\`, \b \f \n \r \t, other control
// characters as \u00xx; everything else verbatim. Invalid UTF-8 becomes
// U+FFFD.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
