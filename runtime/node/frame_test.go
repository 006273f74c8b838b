package node

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func TestFramesRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	msgs := []any{
		map[string]any{"t": "log", "run": 3, "level": "LOG", "msg": "hi", "ts": 1},
		map[string]any{"t": "done", "run": 3, "value": `{"a":1}`},
	}
	for _, m := range msgs {
		if err := writeFrame(&buf, m); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []string{"log", "done"} {
		body, err := readFrame(&buf)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		m, err := decodeMsg(body)
		if err != nil || m.T != want || m.Run != 3 {
			t.Fatalf("frame %d: %+v, %v", i, m, err)
		}
	}
	if _, err := readFrame(&buf); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

func TestBrokenFramesAreRefused(t *testing.T) {
	frame := func(n uint32, body string) []byte {
		b := binary.BigEndian.AppendUint32(nil, n)
		return append(b, body...)
	}
	cases := []struct {
		name  string
		input []byte
		want  error
	}{
		{"a length over the limit", frame(maxFrame+1, ""), errFrameTooLarge},
		{"a stream ending inside the length", []byte{0, 0}, io.ErrUnexpectedEOF},
		{"a stream ending inside the body", frame(10, "abc"), io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := readFrame(bytes.NewReader(c.input)); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	for _, body := range []string{`not json`, `{"t":"surprise"}`, `[]`} {
		if _, err := decodeMsg([]byte(body)); err == nil {
			t.Errorf("decodeMsg(%s) accepted it", body)
		}
	}
}

// FuzzReadFrames feeds arbitrary bytes to the frame decoder, as a broken
// or hostile runner could: it must never panic nor return a body over the
// limit.
func FuzzReadFrames(f *testing.F) {
	var seed bytes.Buffer
	_ = writeFrame(&seed, map[string]any{"t": "sys", "run": 1, "id": 2, "op": "1.0/actions/query", "args": "{}"})
	_ = writeFrame(&seed, map[string]any{"t": "analyzed", "run": 1, "modules": []any{map[string]any{"path": "a.js", "functions": []any{}}}})
	f.Add(seed.Bytes())
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			body, err := readFrame(r)
			if err != nil {
				return
			}
			if len(body) > maxFrame {
				t.Fatalf("a %d-byte frame passed", len(body))
			}
			_, _ = decodeMsg(body)
		}
	})
}
