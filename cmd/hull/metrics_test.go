package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metricsModule is a hand-written module in the shape the convex package
// gives registered functions, using the syscalls directly.
const metricsModule = `
const wrap = (kind, body) => {
  const f = () => {};
  f["is" + kind] = true;
  f.isPublic = true;
  const run = async (argsJSON) => { const v = await body(JSON.parse(argsJSON)[0]); return JSON.stringify(v === undefined ? null : v); };
  if (kind === "Action") f.invokeAction = (requestId, argsJSON) => run(argsJSON);
  else f["invoke" + kind] = run;
  return f;
};
const sys = async (op, args) => JSON.parse(await Convex.asyncSyscall(op, JSON.stringify(args)));

export const add = wrap("Mutation", async (a) => {
  console.log("adding", a.text);
  await sys("1.0/insert", { table: "messages", value: { text: a.text } });
});
export const fail = wrap("Mutation", async () => { throw new Error("boom"); });
export const list = wrap("Query", async () => null);
export const later = wrap("Mutation", async () => {
  await sys("1.0/schedule", { name: "messages:add", ts: Date.now() / 1000, args: { text: "scheduled" } });
});
`

// scrape reads url as Prometheus text and returns its families by name.
func scrape(t *testing.T, url string, header map[string]string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not the Prometheus text format: %v", err)
	}
	return fams
}

// value sums the samples of a family whose labels include want: counter
// and gauge values, and for histograms their counts.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	var sum float64
	found := false
next:
	for _, m := range f.Metric {
		for k, v := range want {
			ok := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					ok = true
				}
			}
			if !ok {
				continue next
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum, found
}

// metricsAddr waits for the log line naming the metrics listener.
func metricsAddr(t *testing.T, p *proc) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(p.output(), "\n") {
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving /metrics without an admin key" {
				return rec.Addr
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no metrics listener was logged:\n%s", p.output())
	return ""
}

// freePort returns a TCP port free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func pushModule(t *testing.T, url, key, path, source string) {
	t.Helper()
	auth := map[string]string{"Authorization": "Convex " + key, "Content-Type": "application/json"}
	start := map[string]any{
		"adminKey": key, "functions": "convex/",
		"appDefinition": map[string]any{
			"udfServerVersion": "1.48.0",
			"functions":        []map[string]string{{"path": path, "source": source, "environment": "isolate"}},
		},
	}
	body, _ := json.Marshal(start)
	code, resp := get(t, "POST", url+"/api/deploy2/start_push", string(body), auth)
	if code != 200 {
		t.Fatalf("start_push = %d %s", code, resp)
	}
	finish := fmt.Sprintf(`{"adminKey":%q,"startPush":%s}`, key, resp)
	if code, resp := get(t, "POST", url+"/api/deploy2/finish_push", finish, auth); code != 200 {
		t.Fatalf("finish_push = %d %s", code, resp)
	}
}

func TestMetricsMoveUnderLoad(t *testing.T) {
	bin := buildHull(t)
	p := startHull(t, bin, []string{"HULL_DATA_DIR=" + filepath.Join(t.TempDir(), "data"), "HULL_METRICS_PORT=" + freePort(t)})
	url := p.url()
	waitForHealthz(t, url, "ready")
	key := p.bannerValue("CONVEX_SELF_HOSTED_ADMIN_KEY")
	private := "http://" + metricsAddr(t, p) + "/metrics"
	if !strings.HasPrefix(private, "http://127.0.0.1:") {
		t.Fatalf("the metrics listener is at %s, want 127.0.0.1", private)
	}

	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
	}{
		{"the main port refuses a scrape without an admin key", nil, 401},
		{"the main port refuses a wrong key", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"the main port takes the admin key as a bearer token", map[string]string{"Authorization": "Bearer " + key}, 200},
		{"the main port takes the admin key as Convex does", map[string]string{"Authorization": "Convex " + key}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := get(t, "GET", url+"/metrics", "", tc.header); code != tc.status {
				t.Fatalf("GET /metrics = %d %s, want %d", code, body, tc.status)
			}
		})
	}

	before := scrape(t, private, nil)
	if v, _ := value(before, "hull_ready", nil); v != 1 {
		t.Fatalf("hull_ready = %v, want 1", v)
	}
	pushModule(t, url, key, "messages.js", metricsModule)

	// A subscription over the sync WebSocket.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, strings.Replace(url, "http://", "ws://", 1)+"/api/1.20.0/sync", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	for _, msg := range []string{
		`{"type":"Connect","sessionId":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","connectionCount":0,"lastCloseReason":"InitialConnect"}`,
		`{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"messages:list","args":[{}]}]}`,
	} {
		if err := conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the first Transition: %v", err)
		}
		if strings.Contains(string(data), `"Transition"`) {
			break
		}
	}

	ws := `{"type":"Mutation","requestId":0,"udfPath":"messages:add","args":[{"text":"over the socket"}]}`
	if err := conn.Write(ctx, websocket.MessageText, []byte(ws)); err != nil {
		t.Fatal(err)
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the MutationResponse: %v", err)
		}
		if strings.Contains(string(data), `"MutationResponse"`) {
			break
		}
	}

	const n = 5
	for i := range n {
		hdr := map[string]string{"Content-Type": "application/json", "X-Request-Id": fmt.Sprintf("metrics-test-%d", i)}
		if code, body := get(t, "POST", url+"/api/mutation", fmt.Sprintf(`{"path":"messages:add","args":{"text":"m%d"},"format":"json"}`, i), hdr); code != 200 || !strings.Contains(body, `"success"`) {
			t.Fatalf("mutation = %d %s", code, body)
		}
	}
	get(t, "POST", url+"/api/mutation", `{"path":"messages:fail","args":{},"format":"json"}`, map[string]string{"Content-Type": "application/json"})
	get(t, "POST", url+"/api/mutation", `{"path":"messages:later","args":{},"format":"json"}`, map[string]string{"Content-Type": "application/json"})
	get(t, "POST", url+"/api/query", `{"path":"messages:list","args":{},"format":"json"}`, map[string]string{"Content-Type": "application/json"})

	// The scheduled run is reported once it starts.
	var after map[string]*dto.MetricFamily
	for deadline := time.Now().Add(20 * time.Second); ; {
		after = scrape(t, private, nil)
		if v, _ := value(after, "hull_scheduler_lag_seconds", nil); v >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("hull_scheduler_lag_seconds never counted the scheduled run")
		}
		time.Sleep(50 * time.Millisecond)
	}
	rose := []struct {
		name   string
		labels map[string]string
		least  float64
	}{
		{"hull_function_calls_total", map[string]string{"function": "messages:add", "udf_type": "Mutation", "outcome": "success"}, n},
		{"hull_function_calls_total", map[string]string{"function": "messages:fail", "outcome": "error"}, 1},
		{"hull_function_calls_total", map[string]string{"function": "messages:list", "udf_type": "Query"}, 2},
		{"hull_function_duration_seconds", map[string]string{"udf_type": "Mutation"}, n + 2},
		{"hull_commits_total", nil, n + 1},
		{"hull_commit_group_size", nil, 1},
		{"hull_commit_write_seconds", nil, 1},
		{"hull_http_requests_total", map[string]string{"method": "POST", "code": "200"}, n},
		{"hull_sync_sessions", nil, 1},
		{"hull_sync_subscriptions", nil, 1},
		{"hull_engines", map[string]string{"state": "idle"}, 1},
	}
	for _, r := range rose {
		t.Run(r.name+" rose", func(t *testing.T) {
			was, _ := value(before, r.name, r.labels)
			now, ok := value(after, r.name, r.labels)
			if !ok || now-was < r.least {
				t.Fatalf("%s%v went from %v to %v, want a rise of at least %v", r.name, r.labels, was, now, r.least)
			}
		})
	}
	if v, _ := value(after, "hull_durable_timestamp_seconds", nil); v < 1e9 {
		t.Errorf("hull_durable_timestamp_seconds = %v, want a time after 2001", v)
	}
	for _, name := range []string{"hull_occ_conflicts_total", "hull_occ_retries_total", "hull_storage_errors_total",
		"hull_commit_write_errors_total", "hull_gc_revisions_removed_total", "hull_gc_horizon_timestamp_seconds",
		"hull_function_slots_in_use", "hull_function_slots", "hull_functions_on_v8", "hull_build_info", "go_goroutines"} {
		if _, ok := value(after, name, nil); !ok {
			t.Errorf("%s is missing from /metrics", name)
		}
	}

	// The request id of a call is on its access line and on the function's
	// console line; a socket's mutation has a request line of its own.
	var access, console bool
	wsIDs := map[any]bool{}
	var records []map[string]any
	for _, line := range strings.Split(p.output(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			records = append(records, rec)
		}
		if rec["msg"] == "sync request" && rec["function"] == "messages:add" {
			wsIDs[rec["request_id"]] = true
		}
	}
	for _, rec := range records {
		if msg, _ := rec["message"].(string); rec["msg"] == "function log" && strings.Contains(msg, "over the socket") && !wsIDs[rec["request_id"]] {
			t.Errorf("the socket's mutation logged %q under request id %v, which has no sync request line", msg, rec["request_id"])
		}
		if rec["request_id"] != "metrics-test-3" {
			continue
		}
		switch rec["msg"] {
		case "request":
			access = true
		case "function log":
			msg, _ := rec["message"].(string)
			console = strings.Contains(msg, "m3") && rec["function"] == "messages:add"
		}
	}
	if !access || !console {
		t.Fatalf("request id metrics-test-3: access line %v, function log line %v\n%s", access, console, p.output())
	}
}
