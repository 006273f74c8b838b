// Package persistence owns hull's durable state: an append-only revision log
// of documents and index entries, current-state tables kept beside it, the
// writer lease that fences out every older writer, and the store of pushed
// function modules.
//
// Values are opaque here: a document is bytes (its encoded JSON) addressed by
// a DocID, and an index entry is an order-preserving key (bytes) pointing at a
// document. The database layer above gives them meaning.
//
// Backends live in sub-packages (persistence/sqlite, persistence/postgres)
// and all pass the conformance suite in persistence/storetest.
package persistence

import (
	"context"
	"errors"
	"math"
)

// Latest, passed as a read timestamp, reads the current-state tables: the
// newest durable revision of everything.
const Latest int64 = math.MaxInt64

// DocID names a document: its table number and its 16 internal id bytes.
type DocID struct {
	Table    uint32
	Internal [16]byte
}

// IndexID names an index. The database layer assigns them; they are stable
// for the life of the index.
type IndexID int64

// Revision is one version of a document in the log. A deletion has Deleted
// set and a nil Value.
type Revision struct {
	ID      DocID
	TS      int64
	PrevTS  int64 // ts of the previous revision of this document, 0 if none
	Value   []byte
	Deleted bool
}

// IndexWrite sets or removes one index entry. Key is the full
// order-preserving key; it already ends with the document id, so keys are
// unique within an index.
type IndexWrite struct {
	Index   IndexID
	Key     []byte
	Doc     DocID
	Deleted bool
}

// Commit is everything one transaction wrote, at one timestamp.
type Commit struct {
	TS        int64
	Documents []Revision   // each Revision.TS must equal TS
	Indexes   []IndexWrite // applied at TS
}

// IndexEntry is one row of an index scan, with the document it points at.
type IndexEntry struct {
	Key []byte
	Doc Revision
}

// Range selects keys k with Start <= k < End in one index. A nil End means
// "no upper bound". Order is ascending unless Descending; Limit 0 means no
// limit.
type Range struct {
	Index      IndexID
	Start      []byte
	End        []byte
	Descending bool
	Limit      int
}

// Lease is proof of being the writer. Fence rises by one at every takeover.
type Lease struct {
	Fence  int64
	Holder string
}

// Module is a pushed function module, keyed as the CLI keys it.
type Module struct {
	Path        string
	Environment string // "isolate" or "node"
	SHA256      string // hex sha256 of Source and SourceMap, as the CLI computes it
	Source      []byte
	SourceMap   []byte // nil when the push had none
}

// ModuleKey identifies a stored module.
type ModuleKey struct {
	Path        string
	Environment string
	SHA256      string
}

// Key returns the key of m.
func (m Module) Key() ModuleKey {
	return ModuleKey{Path: m.Path, Environment: m.Environment, SHA256: m.SHA256}
}

// GCStats reports what a retention pass removed.
type GCStats struct {
	DocumentRevisions int64
	IndexEntries      int64
}

// Errors a caller can act on. Backends wrap them with context; test with
// errors.Is.
var (
	// ErrFenced means another process took the writer lease: this process
	// must stop writing and serving.
	ErrFenced = errors.New("persistence: writer lease lost to a newer process")
	// ErrTooOld means a read asked for a timestamp older than the retained log.
	ErrTooOld = errors.New("persistence: timestamp is older than the retention window")
	// ErrModuleNotFound means no module is stored under the key.
	ErrModuleNotFound = errors.New("persistence: module not found")
	// ErrTSNotRising means a commit's ts is not above the durable max ts.
	ErrTSNotRising = errors.New("persistence: commit timestamp does not rise above the durable maximum")
)

// Store is a durable revision log with current-state tables. All methods are
// safe for concurrent use. Reads never block on the writer for longer than a
// single commit.
type Store interface {
	// Acquire takes the writer lease at once, fencing out any earlier
	// holder: from the moment Acquire returns, every Write made with an
	// older lease fails with ErrFenced and writes nothing.
	Acquire(ctx context.Context, holder string) (Lease, error)

	// CheckLease returns ErrFenced if lease is no longer the newest.
	CheckLease(ctx context.Context, lease Lease) error

	// Release gives up lease if it is still the newest, so a successor
	// needs no takeover; a fenced lease is left alone.
	Release(ctx context.Context, lease Lease) error

	// Write durably applies commits, in order, in one transaction and one
	// round trip, after checking lease under a lock in that same
	// transaction. Each commit's TS must be above every earlier TS
	// (ErrTSNotRising). Either every commit is durable when Write returns
	// nil, or none is.
	Write(ctx context.Context, lease Lease, commits []Commit) error

	// MaxTS returns the highest durable commit timestamp (0 for an empty
	// store). It is derived from stored data, not from a counter row.
	MaxTS(ctx context.Context) (int64, error)

	// Get returns, for each id, its newest revision with TS <= at
	// (persistence.Latest for current state). Ids with no revision, or whose
	// newest revision is a deletion, are absent from the map.
	Get(ctx context.Context, ids []DocID, at int64) (map[DocID]Revision, error)

	// Scan returns the live entries of r as of at, in key order (descending
	// if r.Descending), at most r.Limit of them, each with its document.
	Scan(ctx context.Context, r Range, at int64) ([]IndexEntry, error)

	// Revisions calls fn, in (ts, id) order, for every document revision
	// with after < TS <= through. Used to rebuild in-memory state and by
	// followers.
	Revisions(ctx context.Context, after, through int64, fn func(Revision) error) error

	// RetainedFrom returns the oldest ts a read may ask for; reads below
	// it fail with ErrTooOld.
	RetainedFrom(ctx context.Context) (int64, error)

	// GC removes log entries no read at or after keepFrom can need and
	// raises RetainedFrom to keepFrom. It is fenced like Write.
	GC(ctx context.Context, lease Lease, keepFrom int64) (GCStats, error)

	// PutModules stores modules; storing an existing key again is a no-op.
	PutModules(ctx context.Context, mods []Module) error
	// GetModule returns the module under key or ErrModuleNotFound.
	GetModule(ctx context.Context, key ModuleKey) (Module, error)
	// HasModules reports which of keys are stored.
	HasModules(ctx context.Context, keys []ModuleKey) (map[ModuleKey]bool, error)

	// Health is the store's record of whether storage answers: every
	// round trip the store makes updates it, and errors of round trips
	// that could not reach storage are marked ErrUnavailable. A caller's
	// own probe (a lease check with a deadline, say) may record its
	// outcome too.
	Health() *Health

	// Close releases connections and locks. The lease row stays; a later
	// Acquire takes it over.
	Close() error
}
