package sync

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/coder/websocket"
)

// ServeHTTP upgrades GET /api/{clientVersion}/sync (any origin: browsers
// of the app's own site call it cross-origin) and serves the session.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"code":    "BadRequest",
			"message": "This is Convex's WebSocket sync endpoint: connect with a WebSocket client (the convex npm package's ConvexClient or ConvexReactClient).",
		})
		return
	}
	hj := &hijackRecorder{ResponseWriter: w}
	conn, err := websocket.Accept(hj, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		h.opts.Logger.Debug("sync: upgrade", "err", err)
		return
	}
	// The session runs on a goroutine of its own: the handler's goroutine
	// carries the whole middleware stack, which an idle session would
	// otherwise keep for its lifetime.
	go newSession(h, conn, hj.conn).serve()
}

// hijackRecorder keeps the connection the WebSocket library hijacks, so
// that a session can bound how long closing it may read.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

// Hijack implements http.Hijacker.
func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	h.conn = c
	return c, brw, err
}
