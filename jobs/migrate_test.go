package jobs

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// TestConcurrentMigrations starts four queues at once on a database River
// has never seen, each through its own connection pool as separate
// processes would: all migrate without error, each migration is applied
// once, and the queues then work.
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	const queues = 4
	m, err := rivermigrate.New(riversqlite.New(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	versions := len(m.AllVersions())
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			d := tg.dialect()
			dbs := []*sql.DB{tg.db}
			for len(dbs) < queues {
				dbs = append(dbs, openStore(t, tg.cfg))
			}
			qs := make([]*Queue, queues)
			errs := make([]error, queues)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, db := range dbs {
				wg.Go(func() {
					<-start
					qs[i], errs[i] = New(context.Background(), db, d, testConfig(db, d))
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("queue %d: %v", i, err)
				}
			}
			if n, err := count(tg.db, d, `SELECT count(*) FROM river_migration`); err != nil || n != versions {
				t.Errorf("%d migrations recorded (%v), want %d", n, err, versions)
			}
			q := qs[queues-1]
			if err := q.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer q.Stop(context.Background())
			if err := q.Enqueue(context.Background(), tickArgs{}, nil); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 10*time.Second, "a job to run", countAtLeast(tg.db, d, 1, `SELECT count(*) FROM runs`))
		})
	}
}

// TestConfigErrors checks that New refuses configurations River would
// misbehave with, before touching the database.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	workers := testWorkers(nil, "sqlite")
	tick := func(name string, every time.Duration) Periodic {
		return Periodic{Name: name, Every: every, Args: tickArgs{}}
	}
	tests := []struct {
		name    string
		dialect string
		cfg     Config
		want    string
	}{
		{"unknown dialect", "mysql", Config{}, `unknown database dialect "mysql"`},
		{"timeout not shorter than rescue", "sqlite", Config{RescueAfter: time.Minute, JobTimeout: time.Minute}, "must be shorter than the rescue delay"},
		{"periodic without workers", "sqlite", Config{Periodic: []Periodic{tick("t", time.Hour)}}, "need workers"},
		{"periodic too often", "sqlite", Config{Workers: workers, Periodic: []Periodic{tick("t", time.Millisecond)}}, "shorter than 1s"},
		{"periodic twice", "sqlite", Config{Workers: workers, Periodic: []Periodic{tick("t", time.Hour), tick("t", time.Hour)}}, "listed twice"},
		{"periodic without name", "sqlite", Config{Workers: workers, Periodic: []Periodic{tick("", time.Hour)}}, "without a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A closed handle: any use of it would fail with another error.
			db, err := sql.Open("sqlite", "file::memory:")
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, err = New(context.Background(), db, tt.dialect, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestEnqueueOnlyQueueCannotStart checks that a queue without workers says
// so rather than starting and working nothing.
func TestEnqueueOnlyQueueCannotStart(t *testing.T) {
	t.Parallel()
	db := openStore(t, store.Config{DataDir: t.TempDir()})
	q := newQueue(t, db, "sqlite", Config{})
	if err := q.Start(context.Background()); err == nil {
		t.Fatal("Start succeeded without workers")
	}
}
