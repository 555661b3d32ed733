package store

import (
	"context"
	"strconv"
	"testing"

	"github.com/attest-dev/attest"
)

func TestImportTasks(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		owner := newUser(t, db, org, "Priya Patel", "compliance_manager")
		good := []*attest.Task{
			{Title: "Review firewall rules", ControlID: "NET-03", DueDate: "2020-01-01", EngagementID: e.ID, OwnerID: owner, Description: "Every rule", Notes: "From the sheet"},
			{Title: "Old chore", Status: attest.TaskDone, OwnerNote: "A contractor"},
		}
		bad := append([]*attest.Task{{Title: "Fine"}}, &attest.Task{Title: "Broken", ControlID: "NOPE-01"})
		err := db.ImportTasks(ctx, org, bad)
		wantCode(t, err, attest.EINVALID)
		if got, _ := db.FindTasks(ctx, org, attest.TaskFilter{}); len(got) != 0 {
			t.Fatalf("a refused import stored %d tasks", len(got))
		}
		if err := db.ImportTasks(ctx, org, good); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindTasks(ctx, org, attest.TaskFilter{})
		if err != nil || len(got) != 2 {
			t.Fatalf("after import: %d tasks, %v", len(got), err)
		}
		// Every field comes back as imported, set or empty.
		for _, task := range got {
			switch task.Title {
			case "Review firewall rules":
				if task.ControlID != "NET-03" || task.DueDate != "2020-01-01" || task.EngagementID != e.ID || task.OwnerID != owner ||
					task.Description != "Every rule" || task.Notes != "From the sheet" || task.Status != attest.TaskOpen || task.ClosedAt != nil {
					t.Errorf("imported open task came back as %+v", task)
				}
			case "Old chore":
				if task.ControlID != "" || task.DueDate != "" || task.EngagementID != 0 || task.OwnerID != 0 || task.OwnerNote != "A contractor" ||
					task.Status != attest.TaskDone || task.ClosedAt == nil {
					t.Errorf("imported done task came back as %+v", task)
				}
			}
		}
		entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "task.import"})
		if err != nil || len(entries) != 2 {
			t.Fatalf("audit entries for the import: %d, %v", len(entries), err)
		}
		// An auditor granted another engagement sees the task without one
		// and not the task of this engagement.
		scoped, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "task.import", Scoped: true, Engagements: []int64{e.ID + 1000}})
		if err != nil || len(scoped) != 1 || scoped[0].EntityID == itoa(got[0].ID) && got[0].EngagementID != 0 || scoped[0].EntityID == itoa(got[1].ID) && got[1].EngagementID != 0 {
			t.Errorf("entries of the import outside the engagement: %d, %v", len(scoped), err)
		}
		r, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var overdueID string
		for _, task := range got {
			if task.Title == "Review firewall rules" {
				overdueID = itoa(task.ID)
			}
		}
		found := false
		for _, g := range r.Gaps {
			found = found || (g.Kind == "overdue_task" && g.ID == overdueID)
		}
		if !found {
			t.Error("the imported overdue task is not among the readiness gaps")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestImportTasksBatches: an import larger than one statement's batch
// stores every task with the ID its audit entry names, in order, and
// leaves an intact audit chain.
func TestImportTasksBatches(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		n := 2*importBatch + 7
		tasks := make([]*attest.Task, n)
		for i := range tasks {
			tasks[i] = &attest.Task{Title: "Task " + strconv.Itoa(i), ControlID: "NET-03"}
		}
		if err := db.ImportTasks(ctx, org, tasks); err != nil {
			t.Fatal(err)
		}
		for i, task := range tasks {
			got, err := db.FindTaskByID(ctx, org, task.ID)
			if err != nil || got.Title != "Task "+strconv.Itoa(i) {
				t.Fatalf("task %d has ID %d, which holds %+v (%v)", i, task.ID, got, err)
			}
			if i > 0 && task.ID <= tasks[i-1].ID {
				t.Fatalf("IDs out of order: %d after %d", task.ID, tasks[i-1].ID)
			}
		}
		entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "task.import", Limit: 1000})
		if err != nil || len(entries) != 1000 {
			t.Fatalf("%d import entries (%v)", len(entries), err)
		}
		if last := entries[0]; last.EntityID != itoa(tasks[n-1].ID) {
			t.Errorf("the last entry names task %s, the last task is %d", last.EntityID, tasks[n-1].ID)
		}
		problems, err := db.VerifyAuditLog(ctx)
		if err != nil || len(problems) != 0 {
			t.Fatalf("audit chain after a batched import: %v, %v", problems, err)
		}
	})
}
