package server

import (
	"encoding/json"
	"net/http"
)

func readJSON(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}
