package node

import (
	"context"
	"slices"
	"sync"
	"time"
)

// pool bounds the processes running actions and keeps idle ones for
// reuse by later actions of the same code version.
type pool struct {
	e   *Executor
	max int

	mu      sync.Mutex
	all     map[*process]struct{}
	idle    []*process // least recently used first
	running int        // processes serving a run, or starting to
	waiters []chan struct{}
	closed  bool
}

func newPool(e *Executor, max int) *pool {
	return &pool{e: e, max: max, all: map[*process]struct{}{}}
}

// Stats counts a pool's processes.
type Stats struct {
	Running int // serving an action (or starting to)
	Idle    int // kept for the next action of their code version
}

// Stats reports the pool's processes now.
func (e *Executor) Stats() Stats {
	pl := e.pool
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return Stats{Running: pl.running, Idle: len(pl.idle)}
}

// acquire returns a process running code key, idle or new. Over the
// bound it waits, unless nested (called from a Node action, which holds a
// process while it waits for this one).
func (pl *pool) acquire(ctx context.Context, key, dir string, nested bool) (*process, error) {
	pl.mu.Lock()
	for {
		if pl.closed {
			pl.mu.Unlock()
			return nil, errClosed
		}
		if p := pl.takeIdle(key); p != nil {
			pl.running++
			pl.mu.Unlock()
			return p, nil
		}
		total := pl.running + len(pl.idle)
		if total >= pl.max && len(pl.idle) > 0 && pl.running < pl.max {
			// An idle process of another version makes room.
			victim := pl.idle[0]
			pl.idle = pl.idle[1:]
			delete(pl.all, victim)
			go victim.kill()
			continue
		}
		if total < pl.max || nested {
			pl.running++
			pl.mu.Unlock()
			p, err := pl.e.startProcess(ctx, key, dir)
			pl.mu.Lock()
			if err != nil {
				pl.running--
				pl.wakeOne()
				pl.mu.Unlock()
				return nil, err
			}
			if pl.closed {
				pl.running--
				pl.mu.Unlock()
				p.kill()
				return nil, errClosed
			}
			pl.all[p] = struct{}{}
			pl.mu.Unlock()
			return p, nil
		}
		w := make(chan struct{})
		pl.waiters = append(pl.waiters, w)
		pl.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			pl.mu.Lock()
			if i := slices.Index(pl.waiters, w); i >= 0 {
				pl.waiters = slices.Delete(pl.waiters, i, i+1)
			} else {
				pl.wakeOne() // the wake-up it was given goes to the next in line
			}
			pl.mu.Unlock()
			return nil, ctx.Err()
		}
		pl.mu.Lock()
	}
}

// takeIdle removes and returns the most recently used live idle process
// of key. Dead ones met on the way are dropped.
func (pl *pool) takeIdle(key string) *process {
	for i := len(pl.idle) - 1; i >= 0; i-- {
		p := pl.idle[i]
		if !p.alive() {
			pl.idle = slices.Delete(pl.idle, i, i+1)
			delete(pl.all, p)
			continue
		}
		if p.key == key {
			pl.idle = slices.Delete(pl.idle, i, i+1)
			return p
		}
	}
	return nil
}

// release returns a process after a run: kept idle when reusable and
// within the bound, else killed.
func (pl *pool) release(p *process, reuse bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.running--
	if reuse && !pl.closed && p.alive() && pl.running+len(pl.idle) < pl.max {
		p.lastUsed = time.Now()
		pl.idle = append(pl.idle, p)
	} else {
		delete(pl.all, p)
		go p.kill()
	}
	pl.wakeOne()
}

func (pl *pool) wakeOne() {
	if len(pl.waiters) == 0 {
		return
	}
	w := pl.waiters[0]
	pl.waiters = pl.waiters[1:]
	close(w)
}

// retire kills the idle processes for which drop is true.
func (pl *pool) retire(drop func(p *process) bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	kept := pl.idle[:0]
	for _, p := range pl.idle {
		if drop(p) {
			delete(pl.all, p)
			go p.kill()
			continue
		}
		kept = append(kept, p)
	}
	clear(pl.idle[len(kept):])
	pl.idle = kept
}

// keys lists the code versions of live processes.
func (pl *pool) keys() map[string]bool {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	out := map[string]bool{}
	for p := range pl.all {
		out[p.key] = true
	}
	return out
}

func (pl *pool) closeAll() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.closed = true
	for p := range pl.all {
		go p.kill()
	}
	clear(pl.all)
	pl.idle = nil
	for _, w := range pl.waiters {
		close(w)
	}
	pl.waiters = nil
}

// reap kills processes idle for longer than the idle timeout.
func (e *Executor) reap() {
	every := min(e.opts.IdleTimeout/2, 10*time.Second)
	t := time.NewTicker(max(every, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		cutoff := time.Now().Add(-e.opts.IdleTimeout)
		e.pool.retire(func(p *process) bool { return p.lastUsed.Before(cutoff) || !p.alive() })
	}
}
