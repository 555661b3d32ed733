package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// TestTaskPage: a task's page edits its title, description, owner, due
// date and control, keeps what was typed when a change is refused, reopens
// a closed task, and shows the history as field changes by person.
func TestTaskPage(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		max := u.signIn(t, uManager)
		path := fmt.Sprintf("/tasks/%d", u.taskA)
		if list := max.get(t, "/tasks").doc(t); list.Find(`a[href="`+path+`"]`).Length() != 1 {
			t.Errorf("the task list does not link to %s", path)
		}
		form := formValues(max.get(t, path).doc(t).Find("#task-form"))
		form.Set("title", "Rotate the database keys")
		form.Set("description", "Both primary and replica.")
		form.Set("owner", fmt.Sprint(u.users[uManager].ID))
		form.Set("due_date", "2026-09-30")
		form.Set("control_id", "gov-02")
		wantStatus(t, "save", max.post(t, path+"/edit", form), http.StatusSeeOther, path)
		got, err := u.db.FindTaskByID(ctx, u.orgA, u.taskA)
		if err != nil || got.Title != "Rotate the database keys" || got.Description != "Both primary and replica." ||
			got.OwnerID != u.users[uManager].ID || got.DueDate != "2026-09-30" || got.ControlID != "GOV-02" {
			t.Fatalf("stored task %+v, %v", got, err)
		}

		// A refused change keeps what was typed and says why by the field.
		form.Set("title", "Typed but refused")
		form.Set("due_date", "2026-02-30")
		p := max.post(t, path+"/edit", form)
		wantStatus(t, "bad due date", p, http.StatusBadRequest, "")
		doc := p.doc(t)
		if v, _ := doc.Find("#title").Attr("value"); v != "Typed but refused" || !strings.Contains(doc.Find("#due-error").Text(), "2026-02-30") {
			t.Errorf("refused form: title %q, due error %q", v, doc.Find("#due-error").Text())
		}
		form.Set("due_date", "2026-09-30")
		form.Set("owner", fmt.Sprint(u.users[uAuditor].ID))
		p = max.post(t, path+"/edit", form)
		wantStatus(t, "an auditor as owner", p, http.StatusBadRequest, "")
		if !strings.Contains(p.doc(t).Find("#owner-error").Text(), "auditor") {
			t.Errorf("owner error %q", p.doc(t).Find("#owner-error").Text())
		}
		if got, _ := u.db.FindTaskByID(ctx, u.orgA, u.taskA); got.Title != "Rotate the database keys" {
			t.Errorf("a refused change was stored: %+v", got)
		}

		// Close, then reopen from the page.
		wantStatus(t, "close", max.post(t, path, url.Values{"status": {"done"}, "back": {path}}), http.StatusSeeOther, path)
		reopen := max.get(t, path).doc(t).Find("#reopen-form")
		if reopen.Length() != 1 {
			t.Fatal("a closed task has no reopen button")
		}
		wantStatus(t, "reopen", max.post(t, path, formValues(reopen)), http.StatusSeeOther, path)
		if got, _ := u.db.FindTaskByID(ctx, u.orgA, u.taskA); got.Status != attest.TaskOpen || got.ClosedAt != nil {
			t.Errorf("after reopening: %+v", got)
		}

		history := max.get(t, path).doc(t).Find("#task-history").Text()
		for _, want := range []string{"Max Manager", "Alice Owner", "title", "A secret task", "Rotate the database keys", "control id", "GOV-02", "status", "done"} {
			if !strings.Contains(history, want) {
				t.Errorf("history lacks %q:\n%s", want, history)
			}
		}
		if strings.Contains(history, "user:max@a.example") {
			t.Errorf("history shows the raw actor:\n%s", history)
		}

		// An auditor reads the tasks of the engagements granted to them only.
		other := &attest.Task{Title: "Of the second audit", EngagementID: u.engA2}
		if err := u.db.CreateTask(ctx, u.orgA, other); err != nil {
			t.Fatal(err)
		}
		aud := u.signIn(t, uAuditor)
		wantStatus(t, "an auditor on a granted engagement's task", aud.get(t, path), http.StatusOK, "")
		wantStatus(t, "an auditor on another engagement's task", aud.get(t, fmt.Sprintf("/tasks/%d", other.ID)), http.StatusNotFound, "")
		// A task of no engagement is not listed for an auditor, so its
		// address does not open it either.
		loose := &attest.Task{Title: "Of no engagement"}
		if err := u.db.CreateTask(ctx, u.orgA, loose); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "an auditor on a task of no engagement", aud.get(t, fmt.Sprintf("/tasks/%d", loose.ID)), http.StatusNotFound, "")
		wantStatus(t, "a manager on a task of no engagement", max.get(t, fmt.Sprintf("/tasks/%d", loose.ID)), http.StatusOK, "")
	})
}

// TestControlsBulk: selected controls get one owner or status at once;
// not applicable without a justification changes nothing and says so.
func TestControlsBulk(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		max := u.signIn(t, uManager)
		list := max.get(t, "/controls?status=not_started").doc(t)
		if list.Find("#bulk-form").Length() != 1 || list.Find(`#bulk-form input[name="id"]`).Length() == 0 {
			t.Fatal("the controls list has no bulk form with a checkbox per control")
		}
		ids := []string{"GOV-02", "GOV-03"}
		form := url.Values{"id": ids, "status": {"not_applicable"}, "query": {"status=not_started"}}
		wantStatus(t, "not applicable without why", max.post(t, "/controls/bulk", form), http.StatusSeeOther, "/controls?status=not_started")
		if flash := max.get(t, "/controls?status=not_started").doc(t).Find(".flash").Text(); !strings.Contains(flash, "Nothing was changed") || !strings.Contains(flash, "justification") {
			t.Errorf("flash %q", flash)
		}
		form.Set("justification", "No board yet")
		form.Set("owner", fmt.Sprint(u.users[uEmploye].ID))
		wantStatus(t, "bulk change", max.post(t, "/controls/bulk", form), http.StatusSeeOther, "")
		for _, id := range ids {
			c, err := u.db.FindControlByID(ctx, u.orgA, id)
			if err != nil || c.Status != attest.NotApplicable || c.OwnerID != u.users[uEmploye].ID {
				t.Errorf("%s: %+v, %v", id, c, err)
			}
		}
		log, err := u.db.FindAuditLog(ctx, u.orgA, attest.AuditFilter{Action: "control.update", Limit: 2})
		if err != nil || len(log) != 2 || log[0].EntityID == log[1].EntityID {
			t.Errorf("audit entries of the bulk change: %+v, %v", log, err)
		}
		// Control owners edit only what they own: no bulk form for them.
		if u.signIn(t, uOwner).get(t, "/controls").doc(t).Find("#bulk-form").Length() != 0 {
			t.Error("a control owner is offered the bulk form")
		}
	})
}

// TestApproverToDo: a version sent for approval shows on each approver's
// home page, with a notice, until they decide; auditors are not offered
// as approvers; an approved version waiting for publication says so.
func TestApproverToDo(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		q := &recordingQueue{}
		u.server.Jobs = q
		tmpl, err := catalog.PolicyTemplate("backup")
		if err != nil {
			t.Fatal(err)
		}
		p, err := u.db.AdoptTemplate(ctx, u.orgA, tmpl, nil)
		if err != nil {
			t.Fatal(err)
		}
		max, eve := u.signIn(t, uManager), u.signIn(t, uEmploye)
		page := max.get(t, fmt.Sprintf("/policies/%d", p.ID)).doc(t)
		if page.Find(fmt.Sprintf(`#approvers-form input[value="%d"]`, u.users[uAuditor].ID)).Length() != 0 {
			t.Error("the auditor is offered as an approver")
		}
		approvers := url.Values{"approver": {fmt.Sprint(u.users[uEmploye].ID), fmt.Sprint(u.users[uAdmin].ID)}}
		wantStatus(t, "approvers", max.post(t, fmt.Sprintf("/policies/%d/approvers", p.ID), approvers), http.StatusSeeOther, "")
		if eve.get(t, "/").doc(t).Find("#approvals").Length() != 0 {
			t.Error("a draft not yet sent shows as a to-do")
		}
		wantStatus(t, "submit", max.post(t, fmt.Sprintf("/policies/%d/submit", p.ID), url.Values{}), http.StatusSeeOther, "")
		todo := eve.get(t, "/").doc(t).Find("#approvals")
		if !strings.Contains(todo.Text(), tmpl.Title) || todo.Find(fmt.Sprintf(`a[href="/policies/%d"]`, p.ID)).Length() != 1 {
			t.Errorf("Eve's home page to-do: %q", todo.Text())
		}
		if u.signIn(t, uAdmin).get(t, "/").doc(t).Find("#approvals").Length() != 1 {
			t.Error("the admin approver's dashboard has no to-do")
		}
		notified := map[string]bool{}
		for _, d := range q.got {
			if d.Message.Event == attest.EventPolicyApproval {
				notified[d.To] = true
			}
		}
		if !notified[u.users[uEmploye].Email] || !notified[u.users[uAdmin].Email] || len(notified) != 2 {
			t.Errorf("approval notices went to %v", notified)
		}
		for _, key := range []string{uEmploye, uAdmin} {
			if _, err := u.db.Decide(ctx, u.orgA, p.ID, "1.0", u.users[key].ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		if eve.get(t, "/").doc(t).Find("#approvals").Length() != 0 {
			t.Error("a decided version still shows as Eve's to-do")
		}
		status := max.get(t, fmt.Sprintf("/policies/%d", p.ID)).doc(t).Find("#policy-status").Text()
		row := max.get(t, "/policies").doc(t).Find("#policy-list").Text()
		if status != "approved — not yet published" || !strings.Contains(row, "approved — not yet published") {
			t.Errorf("an approved, unpublished version shows %q; list %q", status, row)
		}
	})
}
