package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hull serve trims history by itself: with --retention 1s, a read at a
// timestamp that has fallen out of the window (query_at_ts) fails with
// the too-old error within a few passes, while the latest state reads as
// it should. Before the retention loop existed the old read kept working
// forever.
func TestServeTrimsHistoryOlderThanTheRetentionWindow(t *testing.T) {
	bin := buildHull(t)
	p := startHull(t, bin, []string{"HULL_DATA_DIR=" + filepath.Join(t.TempDir(), "data")}, "--retention", "1s")
	url := p.url()
	waitForHealthz(t, url, "ready")
	auth := map[string]string{"Authorization": "Convex " + p.bannerValue("CONVEX_SELF_HOSTED_ADMIN_KEY"), "Content-Type": "application/json"}
	setEnv := func(v string) {
		t.Helper()
		code, body := get(t, "POST", url+"/api/update_environment_variables", `{"changes":[{"name":"COLOR","value":"`+v+`"}]}`, auth)
		if code != 200 {
			t.Fatalf("update env = %d %s", code, body)
		}
	}
	readAt := func(ts string) (int, string) {
		t.Helper()
		body := `{"path":"_system/frontend/listEnvironmentVariables:default","args":{},"format":"json"`
		if ts != "" {
			body += `,"ts":"` + ts + `"`
		}
		path := "/api/query"
		if ts != "" {
			path = "/api/query_at_ts"
		}
		return get(t, "POST", url+path, body+"}", auth)
	}

	setEnv("red")
	code, body := get(t, "POST", url+"/api/query_ts", "", nil)
	var qts struct {
		TS string `json:"ts"`
	}
	if err := json.Unmarshal([]byte(body), &qts); code != 200 || err != nil {
		t.Fatalf("query_ts = %d %s", code, body)
	}
	if code, body := readAt(qts.TS); code != 200 || !strings.Contains(body, `"red"`) {
		t.Fatalf("read at a fresh ts = %d %s, want the value then", code, body)
	}
	setEnv("blue")

	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := readAt(qts.TS)
		if code == 400 && strings.Contains(body, "too old") {
			break
		}
		if code != 200 || !strings.Contains(body, `"red"`) {
			t.Fatalf("read at an old ts = %d %s, want the old value or a too-old error", code, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("a read 30 s older than a 1 s retention window still works: history is never trimmed")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := readAt(""); code != 200 || !strings.Contains(body, `"blue"`) {
		t.Fatalf("latest read after gc = %d %s, want the live value", code, body)
	}
	stopAndExpectZero(t, p)
}
