package app

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestMetricsSeries(t *testing.T) {
	m := NewMetrics(10*time.Second, 360)
	base := time.Unix(1_800_000_000, 0)
	send := FunctionMetricKey{Identifier: "messages:send", UDFType: "Mutation"}
	list := FunctionMetricKey{Identifier: "messages:list", UDFType: "Query"}
	for i := range 10 {
		m.Record(send, base.Add(time.Duration(i)*time.Second), time.Duration(i+1)*time.Millisecond, i == 9)
	}
	m.Record(list, base.Add(90*time.Second), 50*time.Microsecond, false)
	w := Window{Start: base, End: base.Add(2 * time.Minute), Buckets: 2}
	sum := func(ps []MetricPoint) (n float64) {
		for _, p := range ps {
			if p.Value != nil {
				n += *p.Value
			}
		}
		return n
	}
	isSend := func(k FunctionMetricKey) bool { return k == send }
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		{"every call is counted", sum(m.Series(w, nil, CountCalls)), 11},
		{"a function's calls are counted apart", sum(m.Series(w, isSend, CountCalls)), 10},
		{"errors are counted", sum(m.Series(w, nil, CountErrors)), 1},
		{"the failure percentage is errors per call", sum(m.Series(w, isSend, FailurePercent)), 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %v, want %v", c.got, c.want)
			}
		})
	}
	t.Run("an empty bucket has no value", func(t *testing.T) {
		ps := m.Series(w, isSend, CountCalls)
		if ps[1].Value != nil {
			t.Fatalf("second minute has %v", *ps[1].Value)
		}
	})
	t.Run("percentiles land within a bin of the true latency", func(t *testing.T) {
		p50 := *m.Series(w, isSend, Percentile(50))[0].Value
		p99 := *m.Series(w, isSend, Percentile(99))[0].Value
		if p50 < 0.005 || p50 > 0.0056 || p99 < 0.010 || p99 > 0.0111 {
			t.Fatalf("p50 %v, p99 %v", p50, p99)
		}
	})
	t.Run("top functions are ordered by calls, or by errors", func(t *testing.T) {
		top := m.TopFunctions(w, 5, false)
		if len(top) != 2 || top[0] != send {
			t.Fatalf("top %v", top)
		}
		failing := m.TopFunctions(w, 5, true)
		if len(failing) != 1 || failing[0] != send {
			t.Fatalf("failing %v", failing)
		}
	})
	t.Run("a bucket reused after an hour forgets the old calls", func(t *testing.T) {
		m.Record(send, base.Add(time.Hour), time.Millisecond, false)
		if n := sum(m.Series(w, isSend, CountCalls)); n != 0 {
			t.Fatalf("the overwritten bucket still counts: %v", n)
		}
	})
}

func TestDashboardFilters(t *testing.T) {
	cases := []struct {
		name    string
		filters string
		wantErr bool
	}{
		{"comparisons parse", `{"clauses":[{"op":"eq","field":"a","value":1,"enabled":true}],"order":"asc"}`, false},
		{"anyOf and type filters parse", `{"clauses":[{"op":"anyOf","field":"a","value":[1,2]},{"op":"type","field":"b","value":"string"}]}`, false},
		{"an unknown operator is refused", `{"clauses":[{"op":"like","field":"a","value":1}]}`, true},
		{"an unknown order is refused", `{"clauses":[],"order":"sideways"}`, true},
		{"JSON that is not a filter is refused", `[1,2]`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseFilters(b64(c.filters))
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v, want error %v", err, c.wantErr)
			}
		})
	}
	t.Run("filters that are not base64 are refused", func(t *testing.T) {
		if _, err := parseFilters("%%%"); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("disabled clauses are left out", func(t *testing.T) {
		off := false
		if op := filterOperator([]filterClause{{Op: "eq", Field: "a", Value: []byte("1"), Enabled: &off}}); op != nil {
			t.Fatalf("got %v", op)
		}
	})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
