package storetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hull/persistence"
)

// CrashConfig describes a backend for Crash.
type CrashConfig struct {
	// NewTarget prepares a fresh, empty database and returns what names it
	// (a file path, a DSN). It runs only in the parent process; the child
	// receives the string through its environment.
	NewTarget func(t *testing.T) string
	// Open opens the database named by target, in parent and child alike.
	Open func(ctx context.Context, target string) (persistence.Store, error)
	// Kills is how many times the writer is killed; at least 20 (the
	// default).
	Kills int
	// Seed makes the kill moments and the workload reproducible.
	Seed uint64
	// Alongside, when set, runs in the child beside the writes, under the
	// same lease, until the child is killed (a backend's background work:
	// compaction). An error fails the child.
	Alongside func(ctx context.Context, s persistence.Store, lease persistence.Lease) error
}

// Environment of the child process.
const (
	crashTargetEnv = "HULL_STORETEST_CRASH_TARGET"
	crashSeedEnv   = "HULL_STORETEST_CRASH_SEED"
	ackPrefix      = "storetest-ack "
)

// IsCrashChild reports whether this process is the writer Crash re-executed.
// A test that calls Crash may use it to skip setup only the parent needs
// (starting a database server, creating the database).
func IsCrashChild() bool {
	_, ok := os.LookupEnv(crashTargetEnv)
	return ok
}

// Crash checks that acknowledged commits survive SIGKILL. It re-executes
// the test binary, running only the calling test, as a child that commits
// in a loop and prints each commit's ts and digest once Write returns; the
// parent kills it at random moments, reopens the database, and checks that
// every acknowledged commit is in the log exactly as written and that
// current state (documents and both indexes) equals the replayed log.
//
// Call Crash from a test function; in the child, Crash runs the writer and
// never returns.
func Crash(t *testing.T, cfg CrashConfig) {
	if target, ok := os.LookupEnv(crashTargetEnv); ok {
		seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
		runCrashChild(cfg, target, seed)
		return
	}
	if cfg.Kills < 20 {
		cfg.Kills = 20
	}
	target := cfg.NewTarget(t)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	acked := map[int64]string{}
	for round := range cfg.Kills {
		n, err := crashRound(t, target, rng, acked)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		s, err := cfg.Open(t.Context(), target)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		err = verifyAfterCrash(t.Context(), s, acked)
		_ = s.Close()
		if err != nil {
			t.Fatalf("round %d (%d commits acknowledged this round, %d in all): %v", round, n, len(acked), err)
		}
	}
	t.Logf("%d kills, %d acknowledged commits, all present", cfg.Kills, len(acked))
}

// testPattern selects exactly the running test (and its parents) for -test.run.
func testPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// crashRound runs one child, kills it at a random moment, and records the
// commits it acknowledged. It returns how many there were.
func crashRound(t *testing.T, target string, rng *rand.Rand, acked map[int64]string) (int, error) {
	cmd := exec.Command(os.Args[0], "-test.run="+testPattern(t.Name()), "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), crashTargetEnv+"="+target, crashSeedEnv+"="+strconv.FormatUint(rng.Uint64(), 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, fmt.Errorf("child stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start child: %w", err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Kill after a random number of acknowledgements (sometimes none, to
	// land in open or lease takeover), plus a random sub-commit delay.
	wantAcks := rng.IntN(40)
	n := 0
	deadline := time.After(30 * time.Second)
	for n < wantAcks {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				return n, fmt.Errorf("child exited before being killed: %s", stderr.String())
			}
			n += recordAck(line, acked)
		case <-deadline:
			n = wantAcks // a slow child is still killed; the round stays valid
		}
	}
	time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	if err := cmd.Process.Kill(); err != nil {
		return n, fmt.Errorf("kill child: %w", err)
	}
	for line := range lines { // complete lines already printed were acknowledged
		n += recordAck(line, acked)
	}
	_ = cmd.Wait()
	return n, nil
}

func recordAck(line string, acked map[int64]string) int {
	rest, ok := strings.CutPrefix(line, ackPrefix)
	if !ok {
		return 0
	}
	tsText, digest, ok := strings.Cut(rest, " ")
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if !ok || err != nil {
		return 0
	}
	acked[ts] = digest
	return 1
}

// runCrashChild commits forever (or until it fails, or for a minute at
// most if nobody kills it), printing an ack line after each durable Write.
func runCrashChild(cfg CrashConfig, target string, seed uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3)
	}
	s, err := cfg.Open(ctx, target)
	if err != nil {
		fail(err)
	}
	lease, err := s.Acquire(ctx, fmt.Sprintf("crash child %d", os.Getpid()))
	if err != nil {
		fail(err)
	}
	w, err := resumeWorkload(ctx, s, seed)
	if err != nil {
		fail(err)
	}
	if cfg.Alongside != nil {
		go func() {
			if err := cfg.Alongside(ctx, s, lease); err != nil && ctx.Err() == nil {
				fail(fmt.Errorf("alongside: %w", err))
			}
		}()
	}
	for ctx.Err() == nil {
		group := make([]persistence.Commit, 1+w.rng.IntN(3))
		for i := range group {
			w.pad = 64
			if w.rng.IntN(4) == 0 {
				w.pad = 64 << 10
			}
			group[i] = w.next()
		}
		if err := s.Write(ctx, lease, group); err != nil {
			fail(err)
		}
		var b strings.Builder
		for _, c := range group {
			fmt.Fprintf(&b, "%s%d %s\n", ackPrefix, c.TS, commitDigest(c.Documents))
		}
		if _, err := io.WriteString(os.Stdout, b.String()); err != nil {
			fail(err)
		}
	}
	os.Exit(0)
}

// resumeWorkload rebuilds the workload's live documents from the byField
// index, so the child continues where the killed one stopped.
func resumeWorkload(ctx context.Context, s persistence.Store, seed uint64) (*workload, error) {
	top, err := s.MaxTS(ctx)
	if err != nil {
		return nil, err
	}
	w := newWorkload(seed, top)
	entries, err := s.Scan(ctx, persistence.Range{Index: byField}, persistence.Latest)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		w.live[e.Doc.ID] = e.Key[:len(e.Key)-20]
		w.order = append(w.order, e.Doc.ID)
	}
	return w, nil
}

// commitDigest hashes a commit's documents in id order.
func commitDigest(revs []persistence.Revision) string {
	revs = slices.Clone(revs)
	slices.SortFunc(revs, func(a, b persistence.Revision) int { return compareIDs(a.ID, b.ID) })
	h := sha256.New()
	for _, r := range revs {
		var hdr [4 + 16 + 1 + 8]byte
		binary.BigEndian.PutUint32(hdr[:4], r.ID.Table)
		copy(hdr[4:20], r.ID.Internal[:])
		if r.Deleted {
			hdr[20] = 1
		}
		binary.BigEndian.PutUint64(hdr[21:], uint64(len(r.Value)))
		h.Write(hdr[:])
		h.Write(r.Value)
	}
	return hex.EncodeToString(h.Sum(nil))
}
