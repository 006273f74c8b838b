package sync

import (
	"encoding/base64"
	"encoding/binary"
	"strconv"

	"hull/value"
)

// Transitions are encoded by hand: with a thousand subscribers of one
// query, encoding is a large part of fanning a change out, and the
// reflection-based encoder costs several times more.

func appendTS(b []byte, ts TS) []byte {
	var raw [8]byte
	binary.LittleEndian.PutUint64(raw[:], uint64(ts))
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, raw[:])
	return append(b, '"')
}

func appendVersion(b []byte, v StateVersion) []byte {
	b = append(b, `{"querySet":`...)
	b = strconv.AppendUint(b, uint64(v.QuerySet), 10)
	b = append(b, `,"identity":`...)
	b = strconv.AppendUint(b, uint64(v.Identity), 10)
	b = append(b, `,"ts":`...)
	b = appendTS(b, v.TS)
	return append(b, '}')
}

// appendString appends s as a JSON string, escaped as JSON.stringify
// does.
func appendString(b []byte, s string) []byte { return value.AppendJSONString(b, s) }

func appendRaw(b []byte, raw []byte) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

func appendLines(b []byte, lines []string) []byte {
	b = append(b, '[')
	for i, l := range lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, l)
	}
	return append(b, ']')
}

func appendChange(b []byte, c stateChange) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, c.Type)
	b = append(b, `,"queryId":`...)
	b = strconv.AppendUint(b, uint64(c.QueryID), 10)
	switch c.Type {
	case "QueryRemoved":
		return append(b, '}')
	case "QueryFailed":
		b = append(b, `,"errorMessage":`...)
		b = appendString(b, deref(c.ErrorMessage))
		if len(c.ErrorData) > 0 {
			b = append(b, `,"errorData":`...)
			b = append(b, c.ErrorData...)
		}
	default:
		b = append(b, `,"value":`...)
		b = appendRaw(b, c.Value)
	}
	b = append(b, `,"logLines":`...)
	b = appendLines(b, c.LogLines)
	b = append(b, `,"journal":`...)
	if c.Journal == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *c.Journal)
	}
	return append(b, '}')
}

// encodeTransition writes a Transition message.
func encodeTransition(m transitionMsg) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"type":"Transition","startVersion":`...)
	b = appendVersion(b, m.StartVersion)
	b = append(b, `,"endVersion":`...)
	b = appendVersion(b, m.EndVersion)
	b = append(b, `,"modifications":[`...)
	for i, c := range m.Modifications {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendChange(b, c)
	}
	b = append(b, ']')
	if m.ClientClockSkew != nil {
		b = append(b, `,"clientClockSkew":`...)
		b = strconv.AppendInt(b, *m.ClientClockSkew, 10)
	}
	if m.ServerTS != nil {
		b = append(b, `,"serverTs":`...)
		b = strconv.AppendInt(b, *m.ServerTS, 10)
	}
	return append(b, '}')
}
