package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	gosync "sync"

	"github.com/coder/websocket"
)

// The bare server is the limit: the same WebSocket library with nothing
// on top. A client that sends "broadcast <n>" makes it send n bytes to
// every other client. It runs as a child process (this binary with
// -bare), like hull, so that memory is measured the same way.

func runBareServer() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(l.Addr().String())
	var mu gosync.Mutex
	conns := map[*websocket.Conn]struct{}{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
		if err != nil {
			return
		}
		c.SetReadLimit(32 << 20)
		mu.Lock()
		conns[c] = struct{}{}
		mu.Unlock()
		defer func() {
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
		ctx := context.Background()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			var n int
			if _, err := fmt.Sscanf(string(data), "broadcast %d", &n); err != nil {
				continue
			}
			msg := []byte(strings.Repeat("x", n))
			mu.Lock()
			targets := make([]*websocket.Conn, 0, len(conns))
			for o := range conns {
				if o != c {
					targets = append(targets, o)
				}
			}
			mu.Unlock()
			var wg gosync.WaitGroup
			for _, o := range targets {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = o.Write(ctx, websocket.MessageText, msg)
				}()
			}
			wg.Wait()
		}
	})
	return http.Serve(l, h)
}

// bareProc is a running bare server.
type bareProc struct {
	cmd  *exec.Cmd
	addr string
}

func startBare() (*bareProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-bare")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("bare server: %w", err)
	}
	return &bareProc{cmd: cmd, addr: strings.TrimSpace(line)}, nil
}

func (b *bareProc) stop() {
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
}
