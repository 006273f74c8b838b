// Package benchutil holds what several benchmark programs share: latency
// percentiles and rounding for their tables, and the settings of the raw
// SQLite limit they measure hull against.
package benchutil

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Percentile returns the p-quantile (0 ≤ p ≤ 1) of d, without reordering
// d; 0 when d is empty.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

// Round shortens d for a table: 10 µs steps above a millisecond, 100 ns
// steps above 10 µs.
func Round(d time.Duration) time.Duration {
	switch {
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d > 10*time.Microsecond:
		return d.Round(100 * time.Nanosecond)
	default:
		return d
	}
}

// Dashes is a Markdown table rule of n dashes.
func Dashes(n int) string { return strings.Repeat("-", n) }

// RawSQLiteDSN opens path with the durability hull's store uses (WAL,
// synchronous=FULL, writes taking the lock at BEGIN), for raw limits.
func RawSQLiteDSN(path string) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}
