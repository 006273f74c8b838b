package database_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hull/database"
	"hull/persistence"
	"hull/persistence/sqlite"
)

// groups records the commit groups a DB reports.
type groups struct {
	mu    sync.Mutex
	sizes []int
}

func (g *groups) CommitGroup(size int, _ time.Duration) {
	g.mu.Lock()
	g.sizes = append(g.sizes, size)
	g.mu.Unlock()
}

func TestTheObserverSeesEveryCommitGroup(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hull.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lease, err := st.Acquire(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	obs := &groups{}
	db, err := database.Open(ctx, st, lease, database.Options{Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insert := func() error {
		tx, err := db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		mustInsert(t, tx, "things", `{"n": 1}`)
		_, err = tx.Commit(ctx)
		return err
	}
	if err := insert(); err != nil { // creates the table
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := insert(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	obs.mu.Lock()
	defer obs.mu.Unlock()
	total := 0
	for _, s := range obs.sizes {
		total += s
	}
	st2 := db.Stats()
	if int64(total) != st2.Commits || int64(len(obs.sizes)) != st2.Groups {
		t.Fatalf("observed %d transactions in %d groups; Stats says %d in %d", total, len(obs.sizes), st2.Commits, st2.Groups)
	}
}

func TestReportGC(t *testing.T) {
	e := newEnv(t)
	steps := []struct {
		name        string
		removed     int64
		horizon     int64
		wantRemoved int64
		wantHorizon int64
	}{
		{"a first pass sets the horizon", 10, 1000, 10, 1000},
		{"a later pass adds its revisions and raises the horizon", 5, 2000, 15, 2000},
		{"a pass reporting an older horizon leaves it where it is", 1, 1500, 16, 2000},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.db.ReportGC(persistence.GCStats{DocumentRevisions: s.removed}, s.horizon)
			st := e.db.Stats()
			if st.GCRevisionsRemoved != s.wantRemoved || st.GCHorizonTS != s.wantHorizon {
				t.Fatalf("Stats = %d removed, horizon %d; want %d, %d", st.GCRevisionsRemoved, st.GCHorizonTS, s.wantRemoved, s.wantHorizon)
			}
		})
	}
}
