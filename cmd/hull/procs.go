package main

import goruntime "runtime"

// oversubscribeProcs gives the Go scheduler twice as many Ps as it found
// CPUs (the container's CPU limit, or the machine's) unless GOMAXPROCS is
// set. A goroutine returning from a blocking system call needs a free P;
// with one P per CPU, the group committer coming back from its fsync, or
// from a page read inside SQLite, queues behind the function runs that
// took the Ps meanwhile, and every mutation waiting on that group waits
// with it. With spare Ps the kernel schedules those threads instead, and
// it runs a thread that just woke from the disk promptly: 64 WebSocket
// clients of one mutation went from 2,290 to 2,650–2,700 commits/s on 2 CPUs
// (bench/pocketbase), the other loads within noise.
//
// It runs once, from main: the tests call run in one process many times.
func oversubscribeProcs(env func(string) string) {
	if env("GOMAXPROCS") != "" {
		return
	}
	goruntime.GOMAXPROCS(2 * goruntime.GOMAXPROCS(0))
}

// perCPU sizes a pool at n per CPU, at least 8, where the runtime's and
// storage's defaults size it per P: main runs two Ps per CPU, and a spare
// P is no CPU to keep engines or connections for. A GOMAXPROCS set by hand
// is read the same way, as two Ps per CPU.
func perCPU(n int) int {
	return max(8, n*goruntime.GOMAXPROCS(0)/2)
}
