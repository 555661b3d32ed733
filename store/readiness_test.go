package store

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// mappedTo returns the library controls of each criterion.
func mappedTo() map[string][]string {
	out := map[string][]string{}
	for _, c := range catalog.MustSOC2().Controls {
		for _, id := range c.Criteria {
			out[id] = append(out[id], c.ID)
		}
	}
	return out
}

func TestReadinessFresh(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		r, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Score != 0 || r.Gap != 33 || r.Ready != 0 || r.Partial != 0 || len(r.Criteria) != 33 || r.EngagementID != e.ID {
			t.Errorf("fresh: score %v, %d gap, %d ready, %d partial of %d criteria; want 0 and 33 gaps", r.Score, r.Gap, r.Ready, r.Partial, len(r.Criteria))
		}
		for _, cr := range r.Criteria {
			if cr.State != attest.Gap {
				t.Errorf("%s is %s on a fresh organization", cr.ID, cr.State)
			}
		}
		sc, err := db.Scope(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, g := range r.Gaps {
			kinds[g.Kind]++
		}
		if want := map[string]int{"criterion": 33, "unowned_control": len(sc.Controls)}; !reflect.DeepEqual(kinds, want) {
			t.Errorf("gaps by kind = %v, want %v", kinds, want)
		}
	})
}

// TestReadinessStates implements every control of one criterion (a) and one
// of the several controls of another (b) that shares none with the first.
func TestReadinessStates(t *testing.T) {
	m := mappedTo()
	var a, b string
	for _, c := range catalog.MustSOC2().Criteria {
		if c.Category != "security" || len(m[c.ID]) < 2 {
			continue
		}
		if a == "" {
			a = c.ID
			continue
		}
		shared := false
		for _, x := range m[c.ID] {
			for _, y := range m[a] {
				shared = shared || x == y
			}
		}
		if !shared {
			b = c.ID
			break
		}
	}
	if a == "" || b == "" {
		t.Fatal("the library has no two security criteria with disjoint sets of several controls")
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		for _, id := range append(append([]string{}, m[a]...), m[b][0]) {
			if _, err := db.UpdateControl(ctx, org, id, attest.ControlUpdate{Status: ptr(attest.Implemented)}); err != nil {
				t.Fatal(err)
			}
		}
		r, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantB := math.Round(1000/float64(len(m[b]))) / 10
		seen := 0
		for _, cr := range r.Criteria {
			switch cr.ID {
			case a:
				seen++
				if cr.State != attest.Ready || cr.Score != 100 {
					t.Errorf("%s with all %d controls implemented: %s %v, want ready 100", a, len(m[a]), cr.State, cr.Score)
				}
			case b:
				seen++
				want := fmt.Sprintf("1 of %d applicable controls implemented", len(m[b]))
				if cr.State != attest.Partial || cr.Score != wantB || !strings.HasPrefix(cr.Reason, want) {
					t.Errorf("%s with 1 of %d implemented: %s %v %q, want partial %v", b, len(m[b]), cr.State, cr.Score, cr.Reason, wantB)
				}
			}
		}
		if seen != 2 {
			t.Errorf("readiness lists %d of %s and %s", seen, a, b)
		}
		if r.Ready < 1 || r.Partial < 1 || r.Score <= 0 {
			t.Errorf("overall: %d ready, %d partial, score %v", r.Ready, r.Partial, r.Score)
		}
	})
}

// TestSnapshots moves the clock a day before each change; every change must
// leave a snapshot for its day, and a second change on one day replaces it.
func TestSnapshots(t *testing.T) {
	day := func(n int) time.Time { return time.Date(2026, 3, 1+n, 10, 0, 0, 0, time.UTC) }
	changes := []struct {
		name string
		do   func(ctx context.Context, db *DB, org, eng int64) error
	}{
		{"update control", func(ctx context.Context, db *DB, org, _ int64) error {
			_, err := db.UpdateControl(ctx, org, "GOV-01", attest.ControlUpdate{Status: ptr(attest.Implemented)})
			return err
		}},
		{"create control", func(ctx context.Context, db *DB, org, _ int64) error {
			return db.CreateControl(ctx, org, &attest.Control{ID: "CUS-01", Name: "Custom", Frequency: attest.Daily, Criteria: []string{"CC1.1"}})
		}},
		{"map control", func(ctx context.Context, db *DB, org, _ int64) error {
			return db.MapControl(ctx, org, "CUS-01", "CC1.2")
		}},
		{"unmap control", func(ctx context.Context, db *DB, org, _ int64) error {
			return db.UnmapControl(ctx, org, "CUS-01", "CC1.2")
		}},
		{"create task", func(ctx context.Context, db *DB, org, eng int64) error {
			return db.CreateTask(ctx, org, &attest.Task{Title: "t", EngagementID: eng})
		}},
		{"update engagement", func(ctx context.Context, db *DB, org, eng int64) error {
			_, err := db.UpdateEngagement(ctx, org, eng, attest.EngagementUpdate{Notes: ptr("n")})
			return err
		}},
		{"record", func(ctx context.Context, db *DB, org, _ int64) error { return db.RecordSnapshots(ctx, org) }},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		clock(db, day(0))
		e := newEngagement(t, db, org)
		snaps := func() []*attest.Snapshot {
			t.Helper()
			s, err := db.FindSnapshots(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := snaps(); len(s) != 1 || s[0].Date != "2026-03-01" || s[0].Score != 0 {
			t.Fatalf("after creating the engagement: %+v, want one snapshot of 2026-03-01 scoring 0", s)
		}
		// Later on the same day: the day's snapshot is replaced.
		later := clock(db, day(0).Add(5*time.Hour))
		for _, id := range mappedTo()["CC1.1"] {
			if _, err := db.UpdateControl(ctx, org, id, attest.ControlUpdate{Status: ptr(attest.Implemented)}); err != nil {
				t.Fatal(err)
			}
		}
		r, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		s := snaps()
		if len(s) != 1 || s[0].Score != r.Score || r.Score == 0 || s[0].Ready != r.Ready || !s[0].TakenAt.Equal(later) || s[0].Categories["security"] != r.Score {
			t.Fatalf("after a second change that day: %+v, want one snapshot scoring %v taken at %v", s[0], r.Score, later)
		}
		for i, c := range changes {
			clock(db, day(i+1))
			if err := c.do(ctx, db, org, e.ID); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			s := snaps()
			if len(s) != i+2 || s[i+1].Date != attest.DateOf(day(i+1)) || s[i].Date != attest.DateOf(day(i)) {
				t.Fatalf("%s on day %d: %d snapshots, want %d, the last dated %s", c.name, i+1, len(s), i+2, attest.DateOf(day(i+1)))
			}
		}
		_, err = db.FindSnapshots(ctx, org, e.ID+1000)
		wantCode(t, err, attest.ENOTFOUND)
	})
}

func TestReadinessGaps(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		clock(db, time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
		e1, e2 := newEngagement(t, db, org), newEngagement(t, db, org)
		tasks := []*attest.Task{
			{Title: "overdue here", DueDate: "2026-03-01", EngagementID: e1.ID},
			{Title: "overdue elsewhere", DueDate: "2026-03-01", EngagementID: e2.ID},
			{Title: "overdue anywhere", DueDate: "2026-03-09", Status: attest.TaskInProgress},
			{Title: "due today", DueDate: "2026-03-10", EngagementID: e1.ID},
			{Title: "undated", EngagementID: e1.ID},
			{Title: "overdue but done", DueDate: "2026-02-01", EngagementID: e1.ID},
		}
		for _, task := range tasks {
			if err := db.CreateTask(ctx, org, task); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.UpdateTask(ctx, org, tasks[5].ID, attest.TaskUpdate{Status: ptr(attest.TaskDone)}); err != nil {
			t.Fatal(err)
		}
		owned, na := "GOV-01", "GOV-02"
		if _, err := db.UpdateControl(ctx, org, owned, attest.ControlUpdate{OwnerID: ptr(member(t, db, org, "Alice"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateControl(ctx, org, na, attest.ControlUpdate{Status: ptr(attest.NotApplicable), Justification: ptr("no board")}); err != nil {
			t.Fatal(err)
		}
		sc, err := db.Scope(ctx, org, e1.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A free-text owner note does not make a control owned: only a
		// member does.
		noted := ""
		for _, c := range sc.Controls {
			if noted == "" && c.ID != owned && c.ID != na {
				noted = c.ID
			}
		}
		if _, err := db.UpdateControl(ctx, org, noted, attest.ControlUpdate{OwnerNote: ptr("Kim the contractor")}); err != nil {
			t.Fatal(err)
		}
		r, err := db.Readiness(ctx, org, e1.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range r.Gaps {
			if g.ID == noted && g.Kind == "unowned_control" && !strings.Contains(g.Message, "Kim the contractor") {
				t.Errorf("the gap of %s does not name its note: %q", noted, g.Message)
			}
		}
		wantUnowned := map[string]bool{}
		for _, c := range sc.Controls {
			if c.ID != owned && c.ID != na {
				wantUnowned[c.ID] = true
			}
		}
		overdue := []string{}
		unowned := map[string]bool{}
		for _, g := range r.Gaps {
			switch g.Kind {
			case "overdue_task":
				overdue = append(overdue, g.ID)
			case "unowned_control":
				unowned[g.ID] = true
			}
		}
		want := []string{fmt.Sprint(tasks[0].ID), fmt.Sprint(tasks[2].ID)}
		if !reflect.DeepEqual(overdue, want) {
			t.Errorf("overdue task gaps = %v, want %v (this engagement's and the unattached one)", overdue, want)
		}
		if !reflect.DeepEqual(unowned, wantUnowned) || unowned[owned] || unowned[na] {
			t.Errorf("unowned control gaps: %d, want %d (all in scope but %s, owned, and %s, not applicable)", len(unowned), len(wantUnowned), owned, na)
		}
	})
}
