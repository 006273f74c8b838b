package main

import (
	goruntime "runtime"
	"testing"
)

func TestOversubscribeProcsDoublesUnlessGOMAXPROCSIsSet(t *testing.T) {
	base := goruntime.GOMAXPROCS(0)
	t.Cleanup(func() { goruntime.GOMAXPROCS(base) })
	for _, tc := range []struct {
		name string
		env  string
		want int
	}{
		{"unset: two Ps per CPU", "", 2 * base},
		{"set by hand: left alone", "3", base},
	} {
		t.Run(tc.name, func(t *testing.T) {
			goruntime.GOMAXPROCS(base)
			oversubscribeProcs(func(k string) string {
				if k == "GOMAXPROCS" {
					return tc.env
				}
				return ""
			})
			if got := goruntime.GOMAXPROCS(0); got != tc.want {
				t.Fatalf("GOMAXPROCS = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestPerCPUCountsTwoPsAsOneCPU(t *testing.T) {
	base := goruntime.GOMAXPROCS(0)
	t.Cleanup(func() { goruntime.GOMAXPROCS(base) })
	for _, tc := range []struct {
		procs, n, want int
	}{
		{2, 4, 8},   // one CPU: the floor of 8
		{4, 4, 8},   // two CPUs
		{16, 4, 32}, // eight CPUs
		{32, 2, 32},
	} {
		goruntime.GOMAXPROCS(tc.procs)
		if got := perCPU(tc.n); got != tc.want {
			t.Errorf("GOMAXPROCS %d: perCPU(%d) = %d, want %d", tc.procs, tc.n, got, tc.want)
		}
	}
}
