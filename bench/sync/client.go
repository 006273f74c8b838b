package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// syncClient speaks just enough of the sync protocol for the load: a
// subscription and mutations.
type syncClient struct {
	conn *websocket.Conn
	ctx  context.Context
}

// message is the part of a server message the load looks at.
type message struct {
	Type          string `json:"type"`
	RequestID     uint32 `json:"requestId"`
	Success       bool   `json:"success"`
	Modifications []struct {
		Value json.RawMessage `json:"value"`
	} `json:"modifications"`
}

func dialSync(ctx context.Context, httpURL, session string) (*syncClient, error) {
	u := "ws" + strings.TrimPrefix(httpURL, "http") + "/api/1.48.0/sync"
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	conn.SetReadLimit(64 << 20)
	c := &syncClient{conn: conn, ctx: ctx}
	return c, c.send(fmt.Sprintf(`{"type":"Connect","sessionId":%q,"connectionCount":0,"lastCloseReason":"InitialConnect","clientTs":%d}`, session, time.Now().UnixMilli()))
}

func (c *syncClient) send(s string) error {
	return c.conn.Write(c.ctx, websocket.MessageText, []byte(s))
}

func (c *syncClient) read() (message, []byte, error) {
	_, data, err := c.conn.Read(c.ctx)
	if err != nil {
		return message{}, nil, err
	}
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return message{}, nil, fmt.Errorf("decode %q: %w", data, err)
	}
	return m, data, nil
}

// until reads until a message of type typ arrives.
func (c *syncClient) until(typ string) (message, []byte, error) {
	for {
		m, raw, err := c.read()
		if err != nil || m.Type == typ {
			return m, raw, err
		}
	}
}

// subscribe adds one query and waits for its first result.
func (c *syncClient) subscribe(path, args string) ([]byte, error) {
	if err := c.send(fmt.Sprintf(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":%q,"args":[%s]}]}`, path, args)); err != nil {
		return nil, err
	}
	_, raw, err := c.until("Transition")
	return raw, err
}

// mutate runs one mutation and waits for its response.
func (c *syncClient) mutate(id uint32, path, args string) error {
	if err := c.send(fmt.Sprintf(`{"type":"Mutation","requestId":%d,"udfPath":%q,"args":[%s]}`, id, path, args)); err != nil {
		return err
	}
	for {
		m, raw, err := c.read()
		if err != nil {
			return err
		}
		if m.Type == "MutationResponse" && m.RequestID == id {
			if !m.Success {
				return fmt.Errorf("mutation failed: %s", raw)
			}
			return nil
		}
	}
}

func (c *syncClient) close() { _ = c.conn.CloseNow() }
