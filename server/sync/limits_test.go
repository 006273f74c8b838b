package sync_test

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"hull/server/sync"
)

// rawDial opens a WebSocket by hand, so a test can send what no client
// library would (a frame it never finishes) and see the TCP connection
// itself end.
func rawDial(t *testing.T, wsURL string) (net.Conn, *bufio.Reader) {
	t.Helper()
	u, err := url.Parse(wsURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var key [16]byte
	_, _ = rand.Read(key[:])
	req := "GET " + u.Path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key[:]) + "\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return conn, br
}

// frameHeader is the header of a masked text frame of n bytes.
func frameHeader(n int) []byte {
	h := []byte{0x81, 0x80 | 127}
	h = binary.BigEndian.AppendUint64(h, uint64(n))
	return append(h, 0, 0, 0, 0) // a zero mask: the payload goes as is
}

// readUntilClosed reads the server's bytes until the connection ends and
// returns them; it fails the test if the server keeps the connection
// past within.
func readUntilClosed(t *testing.T, conn net.Conn, br *bufio.Reader, within time.Duration) []byte {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(within))
	got, err := io.ReadAll(br)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the TCP connection open %v after the oversized frame", within)
	}
	return got // EOF or a reset: closed either way
}

func TestAFrameOverTheLimitClosesTheTCPConnection(t *testing.T) {
	tests := []struct {
		name string
		// after runs once part of the oversized frame is sent.
		after func(conn net.Conn)
	}{
		{"when the client stops sending and half-closes", func(conn net.Conn) { _ = conn.(*net.TCPConn).CloseWrite() }},
		{"when the client goes silent, the connection still open", func(net.Conn) {}},
		{"when the client finishes the frame and answers the close", func(conn net.Conn) {
			_, _ = conn.Write(make([]byte, 8<<20-256<<10))
			_, _ = conn.Write([]byte{0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf1}) // close 1009
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, url := startHub(t, newKV(), sync.Options{MaxMessageBytes: 64 << 10})
			conn, br := rawDial(t, url)
			if _, err := conn.Write(frameHeader(8 << 20)); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Write(make([]byte, 256<<10)); err != nil {
				t.Fatal(err)
			}
			tc.after(conn)
			got := readUntilClosed(t, conn, br, 15*time.Second)
			if len(got) < 4 || got[0] != 0x88 || binary.BigEndian.Uint16(got[2:4]) != uint16(websocket.StatusMessageTooBig) {
				t.Fatalf("the server sent %q before closing, want a close frame with 1009", got)
			}
		})
	}
}

func TestASocketThatNeverSendsConnectIsClosed(t *testing.T) {
	_, url := startHub(t, newKV(), sync.Options{ConnectTimeout: 300 * time.Millisecond})
	c := dial(t, url)
	_, err := c.read(10 * time.Second)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || !strings.HasPrefix(ce.Reason, "ConnectTimeout") {
		t.Fatalf("an idle socket ended with %v, want close 1008 ConnectTimeout", err)
	}
	// A session that did connect is not affected.
	ok := dial(t, url)
	ok.connect("prompt")
	time.Sleep(600 * time.Millisecond)
	ok.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[]}`)
	ok.expect("Transition")
}

func TestSessionsPastTheCapAreClosedWithAReason(t *testing.T) {
	hub, url := startHub(t, newKV(), sync.Options{MaxSessions: 2})
	first := dial(t, url)
	first.connect("one")
	second := dial(t, url)
	second.connect("two")
	for _, c := range []*client{first, second} {
		c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[]}`)
		c.expect("Transition")
	}
	third := dial(t, url)
	_, err := third.read(5 * time.Second)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusTryAgainLater || !strings.HasPrefix(ce.Reason, "TooManySessions") {
		t.Fatalf("a session past the cap ended with %v, want close 1013 TooManySessions", err)
	}
	// A freed place is taken again.
	_ = first.conn.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(10 * time.Second)
	for hub.Sessions() > 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions open after one of two closed", hub.Sessions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	again := dial(t, url)
	again.connect("again")
	again.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[]}`)
	again.expect("Transition")
}

func TestRefusedArgumentsFailTheCallAndNothingRuns(t *testing.T) {
	b := newKV()
	_, url := startHub(t, b, sync.Options{})
	c := dial(t, url)
	c.connect("big")
	big := `{"key":"a","value":"` + strings.Repeat("x", 2000) + `"}`
	c.send(`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"kv:get","args":[` + big + `]}]}`)
	tr := c.expect("Transition")
	mod := tr["modifications"].([]any)[0].(map[string]any)
	if mod["type"] != "QueryFailed" || !strings.HasPrefix(mod["errorMessage"].(string), "ArgumentsTooLarge") {
		t.Fatalf("a query with refused args got %v", mod)
	}
	c.send(`{"type":"Mutation","requestId":0,"udfPath":"kv:set","args":[` + big + `]}`)
	if resp := c.expect("MutationResponse"); resp["success"] != false || !strings.HasPrefix(resp["result"].(string), "ArgumentsTooLarge") {
		t.Fatalf("a mutation with refused args got %v", resp)
	}
	c.send(`{"type":"Action","requestId":1,"udfPath":"a:a","args":[` + big + `]}`)
	if resp := c.expect("ActionResponse"); resp["success"] != false || !strings.HasPrefix(resp["result"].(string), "ArgumentsTooLarge") {
		t.Fatalf("an action with refused args got %v", resp)
	}
	if b.runs.Load() != 0 || len(b.log) != 0 {
		t.Fatalf("refused args ran %d queries and %d mutations", b.runs.Load(), len(b.log))
	}
	// The session goes on, and the refused query is not rerun by commits.
	c.send(`{"type":"Mutation","requestId":2,"udfPath":"kv:set","args":[{"key":"a","value":"small"}]}`)
	c.expect("MutationResponse")
	if tr := c.expect("Transition"); len(tr["modifications"].([]any)) != 0 {
		t.Fatalf("a commit changed the refused query: %v", tr)
	}
	if b.runs.Load() != 0 {
		t.Fatalf("the refused query ran %d times", b.runs.Load())
	}
}
