package value

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// FromJSON parses Convex's encoded JSON (convex_encoded_json) into a value.
// A JSON number is always a Float64; an object whose only key is $integer,
// $float or $bytes is that type; any other key starting with `$` is refused.
// It enforces the field-name rules and the limits of a general value (8192
// array elements, 1024 fields, nesting 64, size 32 MiB). When a key appears
// twice in one object the last one wins, as in JavaScript. Errors are
// *Error values naming the path of the problem.
func FromJSON(data []byte) (Value, error) {
	d := decoder{data: data}
	d.skipSpace()
	v, size, err := d.value(MaxNesting)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return nil, d.syntax("unexpected data after the value")
	}
	if size > MaxSize {
		return nil, &Error{Code: CodeTooLarge, Msg: "value is too large: size " + strconv.Itoa(size) + " bytes exceeds the limit of " + strconv.Itoa(MaxSize)}
	}
	return v, nil
}

type decoder struct {
	data []byte
	pos  int
	path pathBuf
}

func (d *decoder) syntax(msg string) *Error {
	return errorf(CodeSyntax, &d.path, "invalid JSON at offset %d: %s", d.pos, msg)
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value parses one JSON value at d.pos and returns it with its Size.
func (d *decoder) value(depth int) (Value, int, error) {
	if d.pos >= len(d.data) {
		return nil, 0, d.syntax("unexpected end of input")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, 0, err
		}
		return String(s), 2 + len(s), nil
	case c == 't':
		return Boolean(true), 1, d.literal("true")
	case c == 'f':
		return Boolean(false), 1, d.literal("false")
	case c == 'n':
		return Null{}, 1, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		f, err := d.number()
		return Float64(f), 9, err
	}
	return nil, 0, d.syntax("unexpected character " + strconv.QuoteRune(rune(d.data[d.pos])))
}

func (d *decoder) literal(word string) error {
	if !strings.HasPrefix(string(d.data[d.pos:min(len(d.data), d.pos+len(word))]), word) {
		return d.syntax("invalid literal")
	}
	d.pos += len(word)
	return nil
}

func (d *decoder) number() (float64, error) {
	start := d.pos
	p := d.pos
	data := d.data
	digits := func() int {
		n := 0
		for p < len(data) && data[p] >= '0' && data[p] <= '9' {
			p++
			n++
		}
		return n
	}
	if data[p] == '-' {
		p++
	}
	if p < len(data) && data[p] == '0' {
		p++
	} else if digits() == 0 {
		d.pos = p
		return 0, d.syntax("invalid number")
	}
	if p < len(data) && data[p] == '.' {
		p++
		if digits() == 0 {
			d.pos = p
			return 0, d.syntax("invalid number: digits expected after '.'")
		}
	}
	if p < len(data) && (data[p] == 'e' || data[p] == 'E') {
		p++
		if p < len(data) && (data[p] == '+' || data[p] == '-') {
			p++
		}
		if digits() == 0 {
			d.pos = p
			return 0, d.syntax("invalid number: digits expected in the exponent")
		}
	}
	d.pos = p
	f, err := strconv.ParseFloat(string(data[start:p]), 64)
	if err != nil {
		d.pos = start
		return 0, errorf(CodeSyntax, &d.path, "number %s is out of the range of a float64", data[start:p])
	}
	return f, nil
}

// str parses a JSON string at d.pos, which holds '"'.
func (d *decoder) str() (string, error) {
	d.pos++
	start := d.pos
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			return string(d.data[start:i]), nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			d.pos = i
			return d.strSlow(start)
		}
	}
	d.pos = len(d.data)
	return "", d.syntax("unterminated string")
}

// strSlow continues a string that needs unescaping or UTF-8 checks.
func (d *decoder) strSlow(start int) (string, error) {
	buf := make([]byte, 0, d.pos-start+16)
	buf = append(buf, d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(buf), nil
		case c < 0x20:
			return "", d.syntax("control character in string; escape it")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", d.syntax("string is not valid UTF-8")
			}
			buf = append(buf, d.data[d.pos:d.pos+size]...)
			d.pos += size
		case c == '\\':
			var err error
			if buf, err = d.escape(buf); err != nil {
				return "", err
			}
		default:
			buf = append(buf, c)
			d.pos++
		}
	}
	return "", d.syntax("unterminated string")
}

// escape decodes the escape sequence at d.pos (which holds '\').
func (d *decoder) escape(buf []byte) ([]byte, error) {
	if d.pos+1 >= len(d.data) {
		return nil, d.syntax("unterminated string")
	}
	c := d.data[d.pos+1]
	d.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(buf, c), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
	default:
		return nil, d.syntax("invalid escape sequence")
	}
	r, ok := d.hex4()
	if !ok {
		return nil, d.syntax(`invalid \u escape`)
	}
	if utf16.IsSurrogate(r) {
		if r >= 0xdc00 || d.pos+1 >= len(d.data) || d.data[d.pos] != '\\' || d.data[d.pos+1] != 'u' {
			return nil, d.syntax("lone surrogate in \\u escape; strings must be valid Unicode")
		}
		d.pos += 2
		r2, ok := d.hex4()
		if !ok || r2 < 0xdc00 || r2 > 0xdfff {
			return nil, d.syntax("lone surrogate in \\u escape; strings must be valid Unicode")
		}
		r = utf16.DecodeRune(r, r2)
	}
	return utf8.AppendRune(buf, r), nil
}

func (d *decoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

func (d *decoder) array(depth int) (Value, int, error) {
	if depth <= 0 {
		return nil, 0, errorf(CodeTooLarge, &d.path, "value is nested more than %d levels deep", MaxNesting)
	}
	d.pos++
	d.skipSpace()
	arr := Array{}
	size := 2
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return arr, size, nil
	}
	for {
		if len(arr) == MaxArrayLen {
			return nil, 0, errorf(CodeTooLarge, &d.path, "array has more than %d elements", MaxArrayLen)
		}
		d.path.pushIndex(len(arr))
		v, s, err := d.value(depth - 1)
		if err != nil {
			return nil, 0, err
		}
		d.path.pop()
		arr = append(arr, v)
		size += s
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, 0, d.syntax("unexpected end of input in array")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
		case ']':
			d.pos++
			return arr, size, nil
		default:
			return nil, 0, d.syntax("expected ',' or ']' in array")
		}
	}
}

func (d *decoder) object(depth int) (Value, int, error) {
	if depth <= 0 {
		return nil, 0, errorf(CodeTooLarge, &d.path, "value is nested more than %d levels deep", MaxNesting)
	}
	d.pos++
	d.skipSpace()
	fields := make([]Field, 0, 4)
	size := 2
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return Object{}, 2, nil
	}
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, 0, d.syntax("expected a string key in object")
		}
		name, err := d.str()
		if err != nil {
			return nil, 0, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, 0, d.syntax("expected ':' after object key")
		}
		d.pos++
		d.skipSpace()
		d.path.pushField(name)
		v, s, err := d.value(depth - 1)
		if err != nil {
			return nil, 0, err
		}
		d.path.pop()
		fields = append(fields, Field{Name: name, Value: v})
		size += len(name) + 1 + s
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, 0, d.syntax("unexpected end of input in object")
		}
		if d.data[d.pos] == '}' {
			d.pos++
			break
		}
		if d.data[d.pos] != ',' {
			return nil, 0, d.syntax("expected ',' or '}' in object")
		}
		d.pos++
		d.skipSpace()
	}
	if len(fields) == 1 && strings.HasPrefix(fields[0].Name, "$") {
		return special(fields[0], &d.path)
	}
	return buildObject(fields, size, &d.path)
}

// buildObject checks and sorts decoded fields; the last of duplicate names
// wins. size is the Size of the object with every field counted.
func buildObject(fields []Field, size int, path *pathBuf) (Value, int, error) {
	for _, f := range fields {
		if err := ValidateFieldName(f.Name); err != nil {
			e := err.(*Error)
			e.Path = path.String()
			return nil, 0, e
		}
	}
	if !fieldsSorted(fields) {
		slices.SortStableFunc(fields, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
		out := fields[:0]
		for i, f := range fields {
			if i+1 < len(fields) && fields[i+1].Name == f.Name {
				continue // a later duplicate wins
			}
			out = append(out, f)
		}
		if len(out) != len(fields) {
			size = Size(Object{fields: out})
		}
		fields = out
	}
	if len(fields) > MaxObjectFields {
		return nil, 0, errorf(CodeTooLarge, path, "object has %d fields, more than the limit of %d", len(fields), MaxObjectFields)
	}
	return Object{fields: fields}, size, nil
}

// special decodes a one-key object whose key starts with `$`.
func special(f Field, path *pathBuf) (Value, int, error) {
	switch f.Name {
	case "$integer", "$float", "$bytes":
	default:
		return nil, 0, errorf(CodeFieldName, path, "field name %s starts with '$', which is reserved (only $integer, $float and $bytes objects are special)", strconv.Quote(f.Name))
	}
	path.pushField(f.Name)
	defer path.pop()
	s, ok := f.Value.(String)
	if !ok {
		return nil, 0, errorf(CodeEncoding, path, "%s must be a base64 string", f.Name)
	}
	b, err := decodeBase64(string(s))
	if err != nil {
		return nil, 0, errorf(CodeEncoding, path, "%s must be standard padded base64: %v", f.Name, err)
	}
	switch f.Name {
	case "$bytes":
		return Bytes(b), 2 + len(b), nil
	case "$integer":
		if len(b) != 8 {
			return nil, 0, errorf(CodeEncoding, path, "$integer must be 8 bytes of base64, got %d bytes", len(b))
		}
		return Int64(binary.LittleEndian.Uint64(b)), 9, nil
	}
	if len(b) != 8 {
		return nil, 0, errorf(CodeEncoding, path, "$float must be 8 bytes of base64, got %d bytes", len(b))
	}
	x := math.Float64frombits(binary.LittleEndian.Uint64(b))
	if !math.IsNaN(x) && !math.IsInf(x, 0) && x != 0 {
		return nil, 0, errorf(CodeEncoding, path, "$float holds the ordinary number %v; send it as a plain JSON number", x)
	}
	return Float64(x), 9, nil
}

// decodeBase64 accepts standard padded base64, and also the URL-safe
// characters '-' and '_' as the official client does.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line breaks are not allowed")
	}
	if strings.ContainsAny(s, "-_") {
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}
