package server

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"hull/adminkey"
)

func TestMetricsAnswerWhileStorageOpens(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	r := start(t, Config{}, blockedUntil(release, appFunc(func(*Routes) {})))
	key, err := adminkey.Issue("test-instance", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", r.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics before storage opened = %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if g := fams["hull_ready"]; g == nil || g.Metric[0].GetGauge().GetValue() != 0 {
		t.Fatalf("hull_ready before storage opened = %v, want 0", g)
	}
}

func TestFunctionSeriesAreBounded(t *testing.T) {
	m := newMetrics("test", func() bool { return true })
	for i := range maxFunctionSeries + 10 {
		m.FunctionRun("Query", "", fmt.Sprintf("made/up%d:f", i), true, time.Millisecond)
	}
	m.FunctionRun("Query", "", "made/up0:f", false, time.Millisecond) // a known one keeps its own series
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	series, other := 0, 0.0
	for _, f := range fams {
		if f.GetName() != "hull_function_calls_total" {
			continue
		}
		for _, s := range f.Metric {
			series++
			for _, l := range s.Label {
				if l.GetName() == "function" && l.GetValue() == otherFunction {
					other += s.GetCounter().GetValue()
				}
			}
		}
	}
	if series > maxFunctionSeries+2 || other != 10 {
		t.Fatalf("%d series, %v calls under %q; want at most %d series and the 10 past the limit counted together",
			series, other, otherFunction, maxFunctionSeries+2)
	}
}
