package value

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"time"
)

// TableNumber identifies a table inside a deployment. It is stable for the
// life of the deployment and is encoded in every document id. 0 is never a
// valid table number.
type TableNumber uint32

// InternalID is the table-local part of a document id: 16 opaque bytes that
// sort bytewise.
type InternalID [16]byte

// ID is a document id: its table and its internal id. Ids sort by table,
// then internal id.
type ID struct {
	Table    TableNumber
	Internal InternalID
}

// Id errors: every ParseID failure is an *Error with one of these codes.
const (
	// CodeIDLength: the string is not 31 to 37 characters long, or its
	// length cannot come from an id.
	CodeIDLength Code = "InvalidIdLength"
	// CodeIDCharacter: a character is outside lowercase Crockford base32.
	CodeIDCharacter Code = "InvalidIdCharacter"
	// CodeIDChecksum: the footer does not match the contents.
	CodeIDChecksum Code = "InvalidIdChecksum"
	// CodeIDTable: the table number is 0 or badly encoded.
	CodeIDTable Code = "InvalidIdTable"
	// CodeIDFormat: the bytes do not have an id's layout, or the string is
	// not the canonical encoding of its bytes.
	CodeIDFormat Code = "InvalidIdFormat"
)

const (
	base32Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	minIDLen       = 31
	maxIDLen       = 37
	idVersion      = 0
)

// NewInternalID makes an internal id for a document created at now: the
// Unix time in milliseconds (6 bytes, big-endian), 8 bytes read from r
// (which should be a cryptographic random source), then the day since the
// Unix epoch (2 bytes, big-endian) as in Convex's ids. Convex fills the
// first 14 bytes with random ones; leading with the time keeps the ids of
// new documents next to each other in every b-tree keyed by id (current
// state, revision log, the by_id index), so a group of inserts writes a
// few pages at the right edge instead of one random page per insert and
// b-tree. 64 random bits per millisecond keep ids unguessable; the time
// they reveal is the document's _creationTime, rounded.
func NewInternalID(r io.Reader, now time.Time) (InternalID, error) {
	var id InternalID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(now.UnixMilli()))
	copy(id[:6], ms[2:])
	if _, err := io.ReadFull(r, id[6:14]); err != nil {
		return InternalID{}, fmt.Errorf("value: read random bytes for an id: %w", err)
	}
	binary.BigEndian.PutUint16(id[14:], uint16(now.Unix()/86400))
	return id, nil
}

// String returns the id's text form: lowercase Crockford base32 of
// varint(table) ‖ internal id ‖ fletcher16 footer (little-endian). Ids of
// user tables (≥ 128) are 32 characters or more.
func (id ID) String() string {
	var raw [23]byte
	b := id.appendBinary(raw[:0])
	var out [maxIDLen]byte
	return string(appendBase32(out[:0], b))
}

// Compare orders ids by table, then internal id bytes.
func (id ID) Compare(other ID) int {
	switch {
	case id.Table < other.Table:
		return -1
	case id.Table > other.Table:
		return 1
	}
	for i := range id.Internal {
		if id.Internal[i] != other.Internal[i] {
			if id.Internal[i] < other.Internal[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (id ID) appendBinary(dst []byte) []byte {
	start := len(dst)
	dst = appendVarint(dst, uint32(id.Table))
	dst = append(dst, id.Internal[:]...)
	sum := fletcher16(dst[start:]) ^ idVersion
	return binary.LittleEndian.AppendUint16(dst, sum)
}

func appendVarint(dst []byte, v uint32) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

func fletcher16(b []byte) uint16 {
	var c0, c1 uint8
	for _, x := range b {
		c0 += x
		c1 += c0
	}
	return uint16(c1)<<8 | uint16(c0)
}

// ParseID parses an id's text form strictly: the length, every character,
// the table number (non-zero), the footer and the canonical re-encoding
// are all checked. Errors are *Error with a CodeID* code. Any table number
// from 1 up is accepted.
func ParseID(s string) (ID, error) {
	if len(s) < minIDLen || len(s) > maxIDLen {
		return ID{}, idErr(CodeIDLength, s, "must be 31 to 37 characters long, not "+strconv.Itoa(len(s)))
	}
	var raw [23]byte
	b, err := decodeBase32(raw[:0], s)
	if err != nil {
		return ID{}, err
	}
	table, n, ok := readVarint(b)
	if !ok {
		return ID{}, idErr(CodeIDTable, s, "has a badly encoded table number")
	}
	if table == 0 {
		return ID{}, idErr(CodeIDTable, s, "has table number 0")
	}
	if len(b) != n+16+2 {
		return ID{}, idErr(CodeIDFormat, s, "does not have the layout of a document id")
	}
	id := ID{Table: TableNumber(table)}
	copy(id.Internal[:], b[n:n+16])
	if binary.LittleEndian.Uint16(b[n+16:]) != fletcher16(b[:n+16])^idVersion {
		return ID{}, idErr(CodeIDChecksum, s, "has a checksum that does not match; it may be mistyped or truncated")
	}
	var canon [maxIDLen]byte
	if string(appendBase32(canon[:0], b)) != s {
		return ID{}, idErr(CodeIDFormat, s, "is not in canonical form")
	}
	return id, nil
}

func idErr(code Code, s, msg string) *Error {
	return &Error{Code: code, Msg: "invalid document id " + quoteShort(s) + ": " + msg}
}

// IsInvalidID reports whether err is a ParseID failure.
func IsInvalidID(err error) bool {
	e, ok := err.(*Error)
	if !ok {
		return false
	}
	switch e.Code {
	case CodeIDLength, CodeIDCharacter, CodeIDChecksum, CodeIDTable, CodeIDFormat:
		return true
	}
	return false
}

func readVarint(b []byte) (v uint32, n int, ok bool) {
	var x uint64
	for i := 0; i < 5 && i < len(b); i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			if x > 0xffffffff || (i > 0 && b[i] == 0) { // too big, or overlong
				return 0, 0, false
			}
			return uint32(x), i + 1, true
		}
	}
	return 0, 0, false
}

// appendBase32 encodes b in groups of 5 bytes read big-endian into 8
// symbols; a final partial group is zero-padded and cut short (no '=').
func appendBase32(dst, b []byte) []byte {
	for len(b) > 0 {
		var group [5]byte
		n := copy(group[:], b)
		b = b[n:]
		bits := uint64(group[0])<<32 | uint64(group[1])<<24 | uint64(group[2])<<16 | uint64(group[3])<<8 | uint64(group[4])
		syms := [6]int{0, 2, 4, 5, 7, 8}[n]
		for i := 0; i < syms; i++ {
			dst = append(dst, base32Alphabet[(bits>>(35-5*i))&31])
		}
	}
	return dst
}

func decodeBase32(dst []byte, s string) ([]byte, error) {
	rem := len(s) % 8
	if rem == 1 || rem == 3 || rem == 6 {
		return nil, idErr(CodeIDLength, s, "has a length that no id encodes to")
	}
	for start := 0; start < len(s); start += 8 {
		chunk := s[start:min(start+8, len(s))]
		var bits uint64
		for i := 0; i < 8; i++ {
			var v byte
			if i < len(chunk) {
				var ok bool
				if v, ok = base32Value(chunk[i]); !ok {
					return nil, idErr(CodeIDCharacter, s, "contains "+strconv.QuoteRune(rune(chunk[i]))+" at position "+strconv.Itoa(start+i)+"; ids use only 0-9 and lowercase a-z without i, l, o, u")
				}
			}
			bits = bits<<5 | uint64(v)
		}
		nbytes := [9]int{0, 0, 1, 0, 2, 3, 0, 4, 5}[len(chunk)]
		for i := 0; i < nbytes; i++ {
			dst = append(dst, byte(bits>>(32-8*i)))
		}
	}
	return dst, nil
}

func base32Value(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'z':
		switch c {
		case 'i', 'l', 'o', 'u':
			return 0, false
		}
		v := c - 'a' + 10
		if c > 'i' {
			v--
		}
		if c > 'l' {
			v--
		}
		if c > 'o' {
			v--
		}
		if c > 'u' {
			v--
		}
		return v, true
	}
	return 0, false
}
