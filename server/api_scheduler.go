package server

import "net/http"

// handleNextDue answers GET /api/hull/next_due (admin key): when the next
// scheduled function or cron is due, {"nextDueMs": <Unix ms>} (a time in
// the past means something is waiting to run now), or {"nextDueMs": null}
// when nothing is scheduled. A host that lets hull sleep (the Cloudflare
// Durable Object) sets its wake-up alarm from it.
func (s *apiRoutes) handleNextDue(w http.ResponseWriter, r *http.Request) {
	if err := s.requireAdmin(r, ""); err != nil {
		s.writeError(w, r, err)
		return
	}
	ms, ok, err := s.app.NextDue(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var next any
	if ok {
		next = ms
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSONResponse(w, http.StatusOK, map[string]any{"nextDueMs": next})
}
