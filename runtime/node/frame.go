package node

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The protocol between hull and its runner (runner.mjs) is a stream of
// frames in each direction: a 4-byte big-endian length, then that many
// bytes of one JSON object. hull writes to the child's fd 3 and reads the
// child's fd 4, so nothing user code prints on stdout or stderr can
// corrupt it.
//
// hull → runner:
//
//	{"t":"run", "run":N, "dir", "module", "export", "args", "requestId", "env"}
//	{"t":"analyze", "run":N, "dir", "modules":[paths], "env"}
//	{"t":"reply", "id":K, "ok":"<json>"} or {"t":"reply", "id":K, "err":{"message","data"}}
//
// runner → hull:
//
//	{"t":"ready", "node":"v20.1.0"}
//	{"t":"sys", "run":N, "id":K, "op", "args"}
//	{"t":"log", "run":N, "level", "msg", "ts"}
//	{"t":"done", "run":N, "value":"<json>"} or {"t":"done", "run":N, "error":{...}, "retire":bool}
//	{"t":"analyzed", "run":N, "modules":[...]} or {"t":"analyzed", "run":N, "error":{...}}

// maxFrame bounds one frame (runner.mjs has the same constant): action
// arguments and results are far smaller, and a frame that claims more is
// a broken or hostile stream.
const maxFrame = 64 << 20

// errFrameTooLarge is returned for a frame whose length exceeds maxFrame.
var errFrameTooLarge = errors.New("node: protocol frame exceeds the size limit")

// writeFrame writes one frame holding v's JSON.
func writeFrame(w io.Writer, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("node: encode frame: %w", err)
	}
	if len(body) > maxFrame {
		return errFrameTooLarge
	}
	buf := make([]byte, 4+len(body))
	binary.BigEndian.PutUint32(buf, uint32(len(body)))
	copy(buf[4:], body)
	_, err = w.Write(buf)
	return err
}

// readFrame reads one frame's body. Memory grows with the bytes that
// actually arrive, not with the length a frame claims. A clean end of
// stream between frames is io.EOF; inside a frame it is
// io.ErrUnexpectedEOF.
func readFrame(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > maxFrame {
		return nil, errFrameTooLarge
	}
	var body bytes.Buffer
	got, err := io.CopyN(&body, r, int64(n))
	if err != nil {
		if err == io.EOF && got < int64(n) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return body.Bytes(), nil
}

// inMsg is any message from the runner; T says which fields are set.
type inMsg struct {
	T   string `json:"t"`
	Run uint64 `json:"run"`
	ID  uint64 `json:"id"`
	// sys
	Op   string `json:"op"`
	Args string `json:"args"`
	// log
	Level string  `json:"level"`
	Msg   string  `json:"msg"`
	TS    float64 `json:"ts"`
	// done and analyzed
	Value   *string       `json:"value"`
	Error   *jsError      `json:"error"`
	Retire  bool          `json:"retire"`
	Modules []analyzedMod `json:"modules"`
	// ready
	Node string `json:"node"`
}

// jsError is an error thrown in the runner: the message as Convex shows
// it ("Uncaught Error: ..."), the app's stack frames, and ConvexError data
// (Convex-encoded JSON) when there is some.
type jsError struct {
	Message string  `json:"message"`
	Frames  string  `json:"frames"`
	Data    *string `json:"data"`
}

// analyzedMod is one module as the runner's analysis describes it.
type analyzedMod struct {
	Path      string `json:"path"`
	Functions []struct {
		Name       string  `json:"name"`
		Kind       string  `json:"kind"`
		Visibility string  `json:"visibility"`
		Args       *string `json:"args"`
		Returns    *string `json:"returns"`
	} `json:"functions"`
}

// decodeMsg parses one frame from the runner.
func decodeMsg(body []byte) (inMsg, error) {
	var m inMsg
	if err := json.Unmarshal(body, &m); err != nil {
		return m, fmt.Errorf("node: decode frame: %w", err)
	}
	switch m.T {
	case "ready", "sys", "log", "done", "analyzed":
		return m, nil
	}
	return m, fmt.Errorf("node: unknown frame type %q", m.T)
}

// runMsg asks the runner to run one action.
type runMsg struct {
	T         string            `json:"t"` // "run"
	Run       uint64            `json:"run"`
	Dir       string            `json:"dir"`
	Module    string            `json:"module"`
	Export    string            `json:"export"`
	Args      string            `json:"args"`
	RequestID string            `json:"requestId"`
	Env       map[string]string `json:"env"`
}

// analyzeMsg asks the runner to import modules and describe their exports.
type analyzeMsg struct {
	T       string            `json:"t"` // "analyze"
	Run     uint64            `json:"run"`
	Dir     string            `json:"dir"`
	Modules []string          `json:"modules"`
	Env     map[string]string `json:"env"`
}

// replyMsg answers one syscall.
type replyMsg struct {
	T   string      `json:"t"` // "reply"
	ID  uint64      `json:"id"`
	OK  *string     `json:"ok,omitempty"`
	Err *replyError `json:"err,omitempty"`
}

// replyError is a failed syscall: the JS side throws an Error with this
// message and, for ConvexError, .data set to the Convex-encoded JSON.
type replyError struct {
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}
