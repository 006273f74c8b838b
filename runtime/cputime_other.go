//go:build !linux

package runtime

import "time"

// threadCPUTime is not available here: limits fall back to wall time.
func threadCPUTime() (time.Duration, bool) { return 0, false }
