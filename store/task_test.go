package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// clock sets db's clock to t and returns it.
func clock(db *DB, t time.Time) time.Time {
	db.Now = func() time.Time { return t }
	return t
}

func TestTaskLifecycle(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		alice, bob := member(t, db, org, "Alice"), member(t, db, org, "Bob")
		created := clock(db, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		task := &attest.Task{Title: " Write access policy ", OwnerID: alice, DueDate: "2026-04-01", ControlID: "GOV-01", EngagementID: e.ID}
		if err := db.CreateTask(ctx, org, task); err != nil {
			t.Fatal(err)
		}
		if task.ID == 0 || task.Status != attest.TaskOpen || task.Title != "Write access policy" || task.ClosedAt != nil || task.Owner == nil || task.Owner.Name != "Alice" {
			t.Fatalf("created %+v, want an id, status open, a trimmed title, not closed", task)
		}
		got, err := db.FindTaskByID(ctx, org, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(created) {
			t.Errorf("created at %v, want %v", got.CreatedAt, created)
		}
		want := *task
		want.CreatedAt, got.CreatedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("re-read %+v\nwant %+v", got, &want)
		}

		steps := []struct {
			name   string
			u      attest.TaskUpdate
			code   string
			status attest.TaskStatus
			closed *time.Time // nil: not closed
			at     time.Time  // the clock during the step
		}{
			{"edit", attest.TaskUpdate{Title: ptr("Write the access policy"), OwnerID: ptr(bob), DueDate: ptr(attest.Date("2026-04-15")), Notes: ptr("draft in docs")},
				"", attest.TaskOpen, nil, created.Add(time.Hour)},
			{"start", attest.TaskUpdate{Status: ptr(attest.TaskInProgress)}, "", attest.TaskInProgress, nil, created.Add(2 * time.Hour)},
			{"close", attest.TaskUpdate{Status: ptr(attest.TaskDone)}, "", attest.TaskDone, ptr(created.Add(3 * time.Hour)), created.Add(3 * time.Hour)},
			{"edit while closed keeps the close time", attest.TaskUpdate{Notes: ptr("approved")}, "", attest.TaskDone, ptr(created.Add(3 * time.Hour)), created.Add(4 * time.Hour)},
			{"empty title", attest.TaskUpdate{Title: ptr(" ")}, attest.EINVALID, attest.TaskDone, ptr(created.Add(3 * time.Hour)), created.Add(5 * time.Hour)},
			{"unknown status", attest.TaskUpdate{Status: ptr(attest.TaskStatus("blocked"))}, attest.EINVALID, attest.TaskDone, ptr(created.Add(3 * time.Hour)), created.Add(5 * time.Hour)},
			{"reopen", attest.TaskUpdate{Status: ptr(attest.TaskOpen)}, "", attest.TaskOpen, nil, created.Add(6 * time.Hour)},
		}
		for _, s := range steps {
			clock(db, s.at)
			_, err := db.UpdateTask(ctx, org, task.ID, s.u)
			wantCode(t, err, s.code)
			got, err := db.FindTaskByID(ctx, org, task.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != s.status {
				t.Errorf("%s: status %s, want %s", s.name, got.Status, s.status)
			}
			switch {
			case s.closed == nil && got.ClosedAt != nil:
				t.Errorf("%s: closed at %v, want not closed", s.name, got.ClosedAt)
			case s.closed != nil && (got.ClosedAt == nil || !got.ClosedAt.Equal(*s.closed)):
				t.Errorf("%s: closed at %v, want %v", s.name, got.ClosedAt, *s.closed)
			}
		}
		got, _ = db.FindTaskByID(ctx, org, task.ID)
		if got.Title != "Write the access policy" || got.OwnerID != bob || got.Owner == nil || got.Owner.Name != "Bob" || got.DueDate != "2026-04-15" || got.Notes != "approved" {
			t.Errorf("after the steps: %+v", got)
		}
		_, err = db.UpdateTask(ctx, org, task.ID+1000, attest.TaskUpdate{Title: ptr("x")})
		wantCode(t, err, attest.ENOTFOUND)
		_, err = db.FindTaskByID(ctx, org, task.ID+1000)
		wantCode(t, err, attest.ENOTFOUND)
	})
}

func TestCreateTaskInvalid(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		tests := []struct {
			name string
			task attest.Task
		}{
			{"empty title", attest.Task{Title: "  "}},
			{"unknown control", attest.Task{Title: "x", ControlID: "NOPE-01"}},
			{"unknown engagement", attest.Task{Title: "x", EngagementID: e.ID + 1000}},
			{"already done", attest.Task{Title: "x", Status: attest.TaskDone}},
			{"unknown status", attest.Task{Title: "x", Status: "blocked"}},
			{"bad due date", attest.Task{Title: "x", DueDate: "tomorrow"}},
		}
		for _, tt := range tests {
			task := tt.task
			if err := db.CreateTask(ctx, org, &task); attest.ErrorCode(err) != attest.EINVALID {
				t.Errorf("%s: %v, want EINVALID", tt.name, err)
			}
		}
		if list, err := db.FindTasks(ctx, org, attest.TaskFilter{}); err != nil || len(list) != 0 {
			t.Errorf("after refused creations: %d tasks (%v), want none", len(list), err)
		}
	})
}

func TestFindTasks(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e1, e2 := newEngagement(t, db, org), newEngagement(t, db, org)
		alice, bob, carol, dave := member(t, db, org, "Alice"), member(t, db, org, "Bob"), member(t, db, org, "Carol"), member(t, db, org, "Dave")
		// Created out of due order, so ordering by id would be wrong.
		tasks := []*attest.Task{
			{Title: "undated", OwnerID: alice},
			{Title: "late", OwnerID: alice, DueDate: "2026-05-01", ControlID: "GOV-01", EngagementID: e1.ID},
			{Title: "soon", OwnerID: bob, DueDate: "2026-03-01", ControlID: "GOV-01", EngagementID: e2.ID},
			{Title: "middle", OwnerID: bob, DueDate: "2026-04-01", Status: attest.TaskInProgress, EngagementID: e1.ID},
			{Title: "finished", OwnerID: alice, DueDate: "2026-02-01", ControlID: "GOV-02"},
			{Title: "undated too", OwnerID: carol, EngagementID: e1.ID},
		}
		for _, task := range tasks {
			if err := db.CreateTask(ctx, org, task); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.UpdateTask(ctx, org, tasks[4].ID, attest.TaskUpdate{Status: ptr(attest.TaskDone)}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			filter attest.TaskFilter
			want   []string
		}{
			{"all, soonest due first, undated last", attest.TaskFilter{}, []string{"finished", "soon", "middle", "late", "undated", "undated too"}},
			{"status", attest.TaskFilter{Status: attest.TaskInProgress}, []string{"middle"}},
			{"done", attest.TaskFilter{Status: attest.TaskDone}, []string{"finished"}},
			{"open", attest.TaskFilter{Open: true}, []string{"soon", "middle", "late", "undated", "undated too"}},
			{"owner", attest.TaskFilter{OwnerID: alice}, []string{"finished", "late", "undated"}},
			{"control", attest.TaskFilter{ControlID: "GOV-01"}, []string{"soon", "late"}},
			{"engagement", attest.TaskFilter{EngagementID: e1.ID}, []string{"middle", "late", "undated too"}},
			{"open of one owner", attest.TaskFilter{Open: true, OwnerID: alice}, []string{"late", "undated"}},
			{"limit", attest.TaskFilter{Open: true, Limit: 2}, []string{"soon", "middle"}},
			{"limit reaching the undated", attest.TaskFilter{Open: true, Limit: 4}, []string{"soon", "middle", "late", "undated"}},
			{"limit with only undated left", attest.TaskFilter{OwnerID: carol, Limit: 5}, []string{"undated too"}},
			{"nothing", attest.TaskFilter{OwnerID: dave}, []string{}},
		}
		for _, tt := range tests {
			got, err := db.FindTasks(ctx, org, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			titles := []string{}
			for _, task := range got {
				titles = append(titles, task.Title)
			}
			if !reflect.DeepEqual(titles, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, titles, tt.want)
			}
		}
	})
}
