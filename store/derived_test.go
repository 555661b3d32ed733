package store

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

func pendingRequests(db *DB) int {
	db.derive.mu.Lock()
	defer db.derive.mu.Unlock()
	return len(db.derive.timers)
}

// implementCC11 implements every control mapped to CC1.1.
func implementCC11(t *testing.T, db *DB, org int64) {
	t.Helper()
	ctx := context.Background()
	controls, err := db.FindControls(ctx, org, attest.ControlFilter{Criterion: "CC1.1"})
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

// TestWritesDoNotRecompute: with a scheduler (as under attest serve), a
// burst of writes computes nothing and asks for one recomputation; reads
// return the stored figures marked stale without computing; the
// recomputation brings them up to date once.
func TestWritesDoNotRecompute(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		var mu sync.Mutex
		var requests []int64
		db.SetScheduler(func(_ context.Context, o int64) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			requests = append(requests, o)
			return false, nil
		}, time.Hour, nil)
		before, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := db.Refreshes(); n != 1 || before.Stale {
			t.Fatalf("first read: %d computations (want 1: nothing was stored yet), stale %v", n, before.Stale)
		}
		implementCC11(t, db, org)
		if err := db.CreateTask(ctx, org, &attest.Task{Title: "Follow up", EngagementID: e.ID}); err != nil {
			t.Fatal(err)
		}
		if n := db.Refreshes(); n != 1 {
			t.Fatalf("after the writes: %d computations, want still 1 (a write must not recompute)", n)
		}
		read, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !read.Stale || read.Score != before.Score || db.Refreshes() != 1 {
			t.Fatalf("read after writes: stale %v, score %v (stored %v), %d computations; want the stored figures marked stale, none computed",
				read.Stale, read.Score, before.Score, db.Refreshes())
		}
		if n := pendingRequests(db); n != 1 {
			t.Fatalf("%d requests waiting after a burst of writes, want 1", n)
		}
		db.FlushRequests()
		if len(requests) != 1 || requests[0] != org {
			t.Fatalf("requests = %v, want one for organization %d", requests, org)
		}
		again, err := db.RefreshIfStale(ctx, org)
		if err != nil || again {
			t.Fatalf("refresh: again %v, %v", again, err)
		}
		after, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Stale || after.Score <= before.Score || after.Criteria[0].State != attest.Ready || db.Refreshes() != 2 {
			t.Fatalf("after the recomputation: stale %v, score %v (was %v), CC1.1 %s, %d computations",
				after.Stale, after.Score, before.Score, after.Criteria[0].State, db.Refreshes())
		}
		var seq, head int64
		db.db.QueryRow(db.q(`SELECT seq FROM readiness_results WHERE engagement_id = ?`), e.ID).Scan(&seq)
		if head, err = db.auditSeq(ctx, org); err != nil || seq != head {
			t.Fatalf("stored result reflects change %d, the latest is %d (%v)", seq, head, err)
		}
		// Up to date: a second job finds nothing to do.
		if _, err := db.RefreshIfStale(ctx, org); err != nil || db.Refreshes() != 2 {
			t.Fatalf("refresh of fresh figures: %d computations, %v", db.Refreshes(), err)
		}
		snaps, err := db.FindSnapshots(ctx, org, e.ID)
		if err != nil || len(snaps) != 1 || snaps[0].Score != after.Score {
			t.Fatalf("snapshots %+v (%v), want today's at %v", snaps, err, after.Score)
		}
	})
}

// TestDuplicateRequestIsRepeated: a request that finds one already waiting
// or running is made again later, since a running recomputation may have
// read the facts before the change.
func TestDuplicateRequestIsRepeated(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		org := newOrg(t, db, "Acme")
		calls := 0
		db.SetScheduler(func(context.Context, int64) (bool, error) { calls++; return calls == 1, nil }, time.Hour, nil)
		implementCC11(t, db, org)
		db.FlushRequests()
		if calls != 1 || pendingRequests(db) != 1 {
			t.Fatalf("after a duplicate: %d calls, %d waiting; want the request made again later", calls, pendingRequests(db))
		}
		db.FlushRequests()
		if calls != 2 || pendingRequests(db) != 0 {
			t.Fatalf("after an accepted request: %d calls, %d waiting", calls, pendingRequests(db))
		}
	})
}

// TestDerivedAcrossProcesses: two handles on one database stand for two
// processes without background jobs (the CLI); a change made through one
// is seen by the other's next read, and unchanged figures are not
// computed again.
func TestDerivedAcrossProcesses(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx := context.Background()
			cfg := o.open(t)
			a, err := Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			org := newOrg(t, a, "Acme")
			e := newEngagement(t, a, org)
			before, err := a.Readiness(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Readiness(ctx, org, e.ID); err != nil || a.Refreshes() != 1 {
				t.Fatalf("unchanged figures were computed %d times (%v), want once", a.Refreshes(), err)
			}
			implementCC11(t, b, org)
			after, err := a.Readiness(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Stale || after.Score <= before.Score || after.Criteria[0].State != attest.Ready {
				t.Errorf("after another process's change: score %v (was %v), CC1.1 %s, stale %v", after.Score, before.Score, after.Criteria[0].State, after.Stale)
			}
			// A new day derives again (overdue tasks depend on the date).
			n := a.Refreshes()
			a.Now = func() time.Time { return time.Now().AddDate(0, 0, 1) }
			if next, err := a.Readiness(ctx, org, e.ID); err != nil || a.Refreshes() != n+1 || next.Date == after.Date {
				t.Errorf("a new day: %d computations (want %d), date %s", a.Refreshes(), n+1, next.Date)
			}
		})
	}
}

// TestPolicyStandingsKey: the key of kept standings does not move with
// writes to controls, but does when a policy changes; the controls' key
// moves with control writes.
func TestPolicyStandingsKey(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		k0, err := db.latestChangeTo(ctx, org, standingsEntities...)
		if err != nil {
			t.Fatal(err)
		}
		implementCC11(t, db, org)
		if k1, _ := db.latestChangeTo(ctx, org, standingsEntities...); k1 != k0 {
			t.Errorf("control writes moved the standings key from %d to %d", k0, k1)
		}
		if k, _ := db.latestChangeTo(ctx, org, controlEntities...); k <= k0 {
			t.Errorf("control writes left the controls key at %d", k)
		}
		tpls, err := catalog.PolicyTemplates()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AdoptTemplate(ctx, org, tpls[0], nil); err != nil {
			t.Fatal(err)
		}
		if k2, _ := db.latestChangeTo(ctx, org, standingsEntities...); k2 <= k0 {
			t.Errorf("adopting a policy left the standings key at %d", k2)
		}
	})
}

// TestManyEntriesInOneChange: a change that appends more entries than it
// holds in memory writes them all, in order, with an intact chain.
func TestManyEntriesInOneChange(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		n := 2*maxPendingAudit + 3
		err := db.change(ctx, org, func(tx *sql.Tx) error {
			for i := range n {
				if err := db.appendAudit(ctx, tx, org, "test.note", "note", strconv.Itoa(i), nil, map[string]int{"i": i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "test.note", Limit: 1})
		if err != nil || len(entries) != 1 || entries[0].EntityID != strconv.Itoa(n-1) {
			t.Fatalf("last entry %+v (%v), want note %d", entries, err, n-1)
		}
		if problems, err := db.VerifyAuditLog(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("chain: %v, %v", problems, err)
		}
	})
}

// TestControlsKeptAcrossChanges: after a change to one control, the kept
// controls show it (read again alone), and a new control or a mapping
// shows too.
func TestControlsKeptAcrossChanges(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		before, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil {
			t.Fatal(err)
		}
		owner, done := newUser(t, db, org, "Dana", attest.RoleControlOwner), attest.Implemented
		if _, err := db.UpdateControl(ctx, org, "GOV-01", attest.ControlUpdate{OwnerID: &owner, Status: &done}); err != nil {
			t.Fatal(err)
		}
		after, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range after {
			switch {
			case c.ID == "GOV-01" && (c.OwnerID != owner || c.Status != done):
				t.Errorf("GOV-01 after the change: owner %d, status %s", c.OwnerID, c.Status)
			case c.ID == "GOV-01" && before[i].OwnerID != 0:
				t.Error("the change altered the controls kept for earlier readers")
			case c.ID != "GOV-01" && c != before[i]:
				t.Errorf("%s was read again although it did not change", c.ID)
			}
		}
		if err := db.CreateControl(ctx, org, &attest.Control{ID: "ZZZ-01", Name: "New", Frequency: attest.Monthly, Criteria: []string{"CC1.1"}}); err != nil {
			t.Fatal(err)
		}
		if err := db.MapControl(ctx, org, "GOV-01", "CC9.9"); err == nil {
			t.Fatal("mapped to a criterion that does not exist")
		}
		if err := db.MapControl(ctx, org, "GOV-01", "CC2.1"); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindControls(ctx, org, attest.ControlFilter{Criterion: "CC2.1"})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range got {
			found = found || c.ID == "GOV-01"
		}
		all, _ := db.FindControls(ctx, org, attest.ControlFilter{})
		if !found || len(all) != len(before)+1 {
			t.Errorf("after a mapping and a new control: GOV-01 under CC2.1 %v, %d controls (was %d)", found, len(all), len(before))
		}
	})
}
