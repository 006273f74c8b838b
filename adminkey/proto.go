package adminkey

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The key plaintext is a small protobuf message:
//
//	1 instance_name string (optional)
//	2 issued_s      uint64 (non-zero)
//	3 member_id     uint64 (oneof identity; 0 for generic admin keys)
//	4 system        empty message (oneof identity)
//	5 is_read_only  bool
//
// Only these fields are understood; unknown fields are skipped.

const (
	wireVarint = 0
	wireI64    = 1
	wireLen    = 2
	wireI32    = 5
)

var errProto = errors.New("invalid key payload")

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

// marshalClaims encodes c as the key plaintext.
func marshalClaims(c Claims) []byte {
	var b []byte
	if c.InstanceName != "" {
		b = appendTag(b, 1, wireLen)
		b = binary.AppendUvarint(b, uint64(len(c.InstanceName)))
		b = append(b, c.InstanceName...)
	}
	b = appendTag(b, 2, wireVarint)
	b = binary.AppendUvarint(b, uint64(c.IssuedAt.Unix()))
	if c.System {
		b = appendTag(b, 4, wireLen)
		b = append(b, 0)
	} else {
		b = appendTag(b, 3, wireVarint)
		b = binary.AppendUvarint(b, c.MemberID)
	}
	if c.ReadOnly {
		b = appendTag(b, 5, wireVarint)
		b = append(b, 1)
	}
	return b
}

// protoField is one decoded field: a varint value or a length-delimited body.
type protoField struct {
	num    int
	wire   int
	varint uint64
	bytes  []byte
}

func nextField(b []byte) (protoField, []byte, error) {
	tag, n := binary.Uvarint(b)
	if n <= 0 {
		return protoField{}, nil, fmt.Errorf("%w: bad field tag", errProto)
	}
	b = b[n:]
	f := protoField{num: int(tag >> 3), wire: int(tag & 7)}
	switch f.wire {
	case wireVarint:
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return protoField{}, nil, fmt.Errorf("%w: bad varint in field %d", errProto, f.num)
		}
		f.varint, b = v, b[n:]
	case wireLen:
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return protoField{}, nil, fmt.Errorf("%w: bad length in field %d", errProto, f.num)
		}
		f.bytes, b = b[n:n+int(l)], b[n+int(l):]
	case wireI64:
		if len(b) < 8 {
			return protoField{}, nil, fmt.Errorf("%w: short field %d", errProto, f.num)
		}
		b = b[8:]
	case wireI32:
		if len(b) < 4 {
			return protoField{}, nil, fmt.Errorf("%w: short field %d", errProto, f.num)
		}
		b = b[4:]
	default:
		return protoField{}, nil, fmt.Errorf("%w: unsupported wire type %d", errProto, f.wire)
	}
	return f, b, nil
}

// unmarshalClaims decodes the key plaintext. IssuedAt is left as seconds in
// issued; the caller converts.
func unmarshalClaims(b []byte) (c Claims, issued uint64, err error) {
	sawIdentity := false
	for len(b) > 0 {
		var f protoField
		f, b, err = nextField(b)
		if err != nil {
			return Claims{}, 0, err
		}
		switch {
		case f.num == 1 && f.wire == wireLen:
			c.InstanceName = string(f.bytes)
		case f.num == 2 && f.wire == wireVarint:
			issued = f.varint
		case f.num == 3 && f.wire == wireVarint:
			c.MemberID, c.System, sawIdentity = f.varint, false, true
		case f.num == 4 && f.wire == wireLen:
			c.System, c.MemberID, sawIdentity = true, 0, true
		case f.num == 5 && f.wire == wireVarint:
			c.ReadOnly = f.varint != 0
		}
	}
	if !sawIdentity {
		return Claims{}, 0, fmt.Errorf("%w: no identity field", errProto)
	}
	return c, issued, nil
}
