package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"hull/persistence"
)

// verifyAfterCrash checks a reopened store: every acknowledged commit is
// in the log as written, MaxTS covers them, and current state (documents
// and both indexes) equals the replayed log.
func verifyAfterCrash(ctx context.Context, s persistence.Store, acked map[int64]string) error {
	top, err := s.MaxTS(ctx)
	if err != nil {
		return err
	}
	byTS := map[int64][]persistence.Revision{}
	live := map[persistence.DocID]persistence.Revision{}
	var ids []persistence.DocID
	err = s.Revisions(ctx, 0, top, func(r persistence.Revision) error {
		byTS[r.TS] = append(byTS[r.TS], r)
		if _, seen := live[r.ID]; !seen && !r.Deleted {
			ids = append(ids, r.ID)
		}
		if r.Deleted {
			delete(live, r.ID)
		} else {
			live[r.ID] = r
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replay log: %w", err)
	}
	for ts, digest := range acked {
		if ts > top {
			return fmt.Errorf("acknowledged commit %d is above max ts %d", ts, top)
		}
		if got := commitDigest(byTS[ts]); got != digest {
			return fmt.Errorf("acknowledged commit %d: log holds %d revisions with digest %s, want %s",
				ts, len(byTS[ts]), got, digest)
		}
	}
	if err := verifyDocuments(ctx, s, live, ids); err != nil {
		return err
	}
	return verifyIndexes(ctx, s, live, top)
}

func verifyDocuments(ctx context.Context, s persistence.Store, live map[persistence.DocID]persistence.Revision, ids []persistence.DocID) error {
	got, err := s.Get(ctx, ids, persistence.Latest)
	if err != nil {
		return fmt.Errorf("get current state: %w", err)
	}
	if len(got) != len(live) {
		return fmt.Errorf("current state has %d documents, the log %d", len(got), len(live))
	}
	for id, want := range live {
		if err := sameRevision(got[id], want); err != nil {
			return fmt.Errorf("current state disagrees with the log: %w", err)
		}
	}
	return nil
}

// verifyIndexes checks both workload indexes at latest and at max ts hold
// exactly one entry per live document, with the key its value implies.
func verifyIndexes(ctx context.Context, s persistence.Store, live map[persistence.DocID]persistence.Revision, top int64) error {
	var wantByID []persistence.IndexEntry
	for id, r := range live {
		wantByID = append(wantByID, persistence.IndexEntry{Key: idKey(id), Doc: r})
	}
	slices.SortFunc(wantByID, func(a, b persistence.IndexEntry) int { return bytes.Compare(a.Key, b.Key) })
	for _, at := range []int64{persistence.Latest, top} {
		got, err := s.Scan(ctx, persistence.Range{Index: byID}, at)
		if err != nil {
			return fmt.Errorf("scan by id at %d: %w", at, err)
		}
		if err := sameEntries(got, wantByID); err != nil {
			return fmt.Errorf("index by id at %d disagrees with the log: %w", at, err)
		}
		fields, err := s.Scan(ctx, persistence.Range{Index: byField}, at)
		if err != nil {
			return fmt.Errorf("scan by field at %d: %w", at, err)
		}
		if len(fields) != len(live) {
			return fmt.Errorf("index by field at %d has %d entries for %d documents", at, len(fields), len(live))
		}
		for _, e := range fields {
			field := e.Key[:len(e.Key)-20]
			if !bytes.Equal(e.Key, fieldKey(field, e.Doc.ID)) ||
				!bytes.HasPrefix(e.Doc.Value, fmt.Appendf(nil, `{"field":"%x",`, field)) {
				return fmt.Errorf("index by field at %d: entry %s does not match its document", at, short(e.Key))
			}
			if err := sameRevision(e.Doc, live[e.Doc.ID]); err != nil {
				return fmt.Errorf("index by field at %d: %w", at, err)
			}
		}
	}
	return nil
}
