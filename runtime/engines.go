package runtime

import (
	"context"
	"sync"
	"time"
)

// engineSet keeps prepared engines by reuse key. A key has at most
// perKey engines alive (idle, running a call, or being restored): a call
// that finds none idle prepares a new one while under that bound and
// otherwise waits for one to come back, since preparing costs
// milliseconds and a restore a fraction of one. Idle engines of all keys
// together are bounded too; the least recently used go first.
type engineSet struct {
	mu      sync.Mutex
	keys    map[string]*keyEngines
	optIn   map[string]bool // opt-in keys of modules known to opt in
	perKey  int
	maxIdle int
	idle    int // idle engines of all keys
}

type keyEngines struct {
	idle  []idleEngine
	live  int
	ready chan struct{} // closed and replaced when an engine comes back or goes
}

type idleEngine struct {
	r    *vmRun
	used time.Time
}

func newEngineSet(perKey, maxIdle int) *engineSet {
	return &engineSet{keys: map[string]*keyEngines{}, optIn: map[string]bool{}, perKey: perKey, maxIdle: maxIdle}
}

func (s *engineSet) entry(key string) *keyEngines {
	k := s.keys[key]
	if k == nil {
		k = &keyEngines{ready: make(chan struct{})}
		s.keys[key] = k
	}
	return k
}

// keyFor picks the key an engine for these keys is kept under.
func (s *engineSet) keyFor(keys reuseKeys) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.optIn[keys.optIn] {
		return keys.optIn
	}
	return keys.snapshot
}

// get returns an idle engine of key, or reserves the right to prepare a
// new one (reserved), or waits — unless wait is false: then it returns
// neither (nil, false) and the caller makes an engine outside the set.
func (s *engineSet) get(ctx context.Context, key string, wait bool) (r *vmRun, reserved bool, err error) {
	s.mu.Lock()
	for {
		k := s.entry(key)
		if n := len(k.idle); n > 0 {
			r = k.idle[n-1].r
			k.idle = k.idle[:n-1]
			s.idle--
			s.mu.Unlock()
			return r, false, nil
		}
		if k.live < s.perKey {
			k.live++
			s.mu.Unlock()
			return nil, true, nil
		}
		if !wait {
			s.mu.Unlock()
			return nil, false, nil
		}
		ready := k.ready
		s.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		s.mu.Lock()
	}
}

// put makes r idle under key, closing the least recently used idle
// engine when there are too many.
func (s *engineSet) put(key string, r *vmRun) {
	s.mu.Lock()
	k := s.entry(key)
	k.idle = append(k.idle, idleEngine{r: r, used: time.Now()})
	s.idle++
	s.signal(k)
	var evict *vmRun
	if s.idle > s.maxIdle {
		evict = s.evictOldest()
	}
	s.mu.Unlock()
	if evict != nil {
		evict.close()
	}
}

// drop records that an engine of key (or a reservation) is gone.
func (s *engineSet) drop(key string) {
	s.mu.Lock()
	k := s.entry(key)
	k.live--
	s.signal(k)
	if k.live <= 0 && len(k.idle) == 0 {
		delete(s.keys, key)
	}
	s.mu.Unlock()
}

// moveToOptIn re-files a reservation made under key as an engine of the
// module's opt-in key, and remembers that the module opts in.
func (s *engineSet) moveToOptIn(key string, keys reuseKeys) {
	s.mu.Lock()
	s.optIn[keys.optIn] = true
	s.entry(keys.optIn).live++
	s.mu.Unlock()
	s.drop(key)
}

func (s *engineSet) signal(k *keyEngines) {
	close(k.ready)
	k.ready = make(chan struct{})
}

// evictOldest removes the least recently used idle engine. Called with
// s.mu held; the caller closes it.
func (s *engineSet) evictOldest() *vmRun {
	var oldKey string
	var oldest time.Time
	for key, k := range s.keys {
		if len(k.idle) > 0 && (oldKey == "" || k.idle[0].used.Before(oldest)) {
			oldKey, oldest = key, k.idle[0].used
		}
	}
	if oldKey == "" {
		return nil
	}
	k := s.keys[oldKey]
	r := k.idle[0].r
	k.idle = k.idle[1:]
	k.live--
	s.idle--
	s.signal(k)
	return r
}

// counts returns the engines alive (idle, running or being restored,
// reservations included) and those idle.
func (s *engineSet) counts() (live, idle int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		live += k.live
	}
	return live, s.idle
}
