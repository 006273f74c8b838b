package sync

import (
	"encoding/json"
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
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
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
	go newSession(h, conn).serve()
}
