package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river"
)

// deriving is a store handle whose derived figures are computed by its
// own queue's refresh jobs, as under attest serve.
type deriving struct {
	db     *store.DB
	q      *Queue
	events <-chan *river.Event
}

func startDeriving(t *testing.T, cfg store.Config) *deriving {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, cfg, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	workers, _ := Background(Deps{DB: db})
	q, err := New(ctx, db.SQL(), db.Dialect(), Config{Workers: workers, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// A long delay: the test makes the waiting requests itself (flush),
	// so that a burst is one burst however slow the machine is.
	Derive(db, q, time.Hour)
	events, cancel := q.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	t.Cleanup(cancel)
	return &deriving{db: db, q: q, events: events}
}

func (d *deriving) start(t *testing.T) {
	t.Helper()
	if err := d.q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d.q.Stop(ctx)
	})
}

// waitRefresh waits for a readiness_refresh job to complete on any of ds.
func waitRefresh(t *testing.T, ds ...*deriving) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		for _, d := range ds {
			select {
			case ev := <-d.events:
				if ev.Job.Kind != (RefreshArgs{}).Kind() {
					continue
				}
				if ev.Kind != river.EventKindJobCompleted {
					t.Fatalf("refresh job %s: %v", ev.Kind, ev.Job.Errors)
				}
				return
			default:
			}
		}
		select {
		case <-timeout:
			t.Fatal("no refresh job completed within 30 s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestRefreshJob: on each database, a burst of writes queues one refresh
// job, which computes once, and after it the stored figures are those of
// the latest change.
func TestRefreshJob(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			d := startDeriving(t, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL})
			org, eng := refreshFixture(t, d.db)
			before, err := d.db.Readiness(ctx, org, eng)
			if err != nil {
				t.Fatal(err)
			}
			n0 := d.db.Refreshes()
			implementCriterion(t, d.db, org, "CC1.1")
			d.db.FlushRequests()
			if dup, err := d.q.RequestRefresh(ctx, org); err != nil || !dup {
				t.Fatalf("a second request while one waits: duplicate %v, %v; want a duplicate", dup, err)
			}
			d.start(t)
			waitRefresh(t, d)
			after, err := d.db.Readiness(ctx, org, eng)
			if err != nil {
				t.Fatal(err)
			}
			if n := d.db.Refreshes() - n0; n != 1 {
				t.Errorf("%d computations for one burst of writes, want 1", n)
			}
			if after.Stale || after.Score <= before.Score || after.Criteria[0].State != attest.Ready {
				t.Errorf("after the job: stale %v, score %v (was %v), CC1.1 %s", after.Stale, after.Score, before.Score, after.Criteria[0].State)
			}
		})
	}
}

// TestRefreshJobTwoProcesses: two processes on one PostgreSQL database both
// ask for a recomputation of the same organization; it runs once, in one
// of them.
func TestRefreshJobTwoProcesses(t *testing.T) {
	tg := postgresOnly(t)
	ctx := context.Background()
	a := startDeriving(t, tg.cfg)
	b := startDeriving(t, tg.cfg)
	org, eng := refreshFixture(t, a.db)
	if _, err := a.db.Readiness(ctx, org, eng); err != nil {
		t.Fatal(err)
	}
	n0 := a.db.Refreshes() + b.db.Refreshes()
	implementCriterion(t, a.db, org, "CC1.1")
	implementCriterion(t, b.db, org, "CC1.2")
	a.db.FlushRequests()
	b.db.FlushRequests()
	var jobs int
	if err := tg.db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'readiness_refresh'`).Scan(&jobs); err != nil || jobs != 1 {
		t.Fatalf("%d refresh jobs queued by two processes (%v), want 1", jobs, err)
	}
	a.start(t)
	b.start(t)
	waitRefresh(t, a, b)
	if n := a.db.Refreshes() + b.db.Refreshes() - n0; n != 1 {
		t.Errorf("%d computations by the two processes, want 1", n)
	}
	r, err := b.db.Readiness(ctx, org, eng)
	if err != nil {
		t.Fatal(err)
	}
	if r.Stale || r.Criteria[0].State != attest.Ready || r.Criteria[1].State != attest.Ready {
		t.Errorf("after the job: stale %v, CC1.1 %s, CC1.2 %s", r.Stale, r.Criteria[0].State, r.Criteria[1].State)
	}
}

func refreshFixture(t *testing.T, db *store.DB) (org, eng int64) {
	t.Helper()
	ctx := context.Background()
	o := &attest.Organization{Name: "Acme"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	e := &attest.Engagement{Name: "SOC 2", ReportType: attest.TypeI, AsOfDate: "2026-06-30", Categories: []string{"security"}}
	if err := db.CreateEngagement(ctx, o.ID, e); err != nil {
		t.Fatal(err)
	}
	return o.ID, e.ID
}

func implementCriterion(t *testing.T, db *store.DB, org int64, criterion string) {
	t.Helper()
	ctx := context.Background()
	controls, err := db.FindControls(ctx, org, attest.ControlFilter{Criterion: criterion})
	if err != nil {
		t.Fatal(err)
	}
	done := attest.Implemented
	for _, c := range controls {
		if _, err := db.UpdateControl(ctx, org, c.ID, attest.ControlUpdate{Status: &done}); err != nil {
			t.Fatal(err)
		}
	}
}
