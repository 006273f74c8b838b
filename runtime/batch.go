package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
)

// GetManyOp is the asynchronous op setup.js sends for point reads
// (1.0/get) a function issued without awaiting in between, once the job
// queue is empty: its arguments are a JSON array of 1.0/get arguments, and
// its result an array with, for each, {"o": result JSON text} or {"e":
// {"message", "data"?}}. A host that does not serve it gets the reads one
// by one.
const GetManyOp = "hull/getMany"

// unknownAsyncOp is the error of an async op the host does not serve.
type unknownAsyncOp struct{ op string }

func (e *unknownAsyncOp) Error() string { return fmt.Sprintf("Unknown async operation %s", e.op) }

type batchReply struct {
	O *string         `json:"o,omitempty"`
	E json.RawMessage `json:"e,omitempty"`
}

// getMany serves a batch of point reads: by the host in one call when it
// can, else one 1.0/get at a time.
func (r *vmRun) getMany(data string) (any, error) {
	out, err := r.host.AsyncSyscall(r.ctx, GetManyOp, []byte(data))
	var unknown *unknownAsyncOp
	if !errors.As(err, &unknown) {
		return r.reply(out, err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(data), &items); err != nil {
		return nil, fmt.Errorf("runtime: %s arguments: %w", GetManyOp, err)
	}
	replies := make([]batchReply, len(items))
	for i, it := range items {
		rep, err := r.reply(r.host.AsyncSyscall(r.ctx, "1.0/get", it))
		if err != nil {
			return nil, err
		}
		if r.failed != nil {
			return rep, nil
		}
		s := rep.(string)
		if s[0] == 'o' {
			body := s[1:]
			replies[i].O = &body
		} else {
			replies[i].E = json.RawMessage(s[1:])
		}
	}
	b, err := json.Marshal(replies)
	return r.reply(b, err)
}
