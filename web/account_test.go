package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestChangePassword: the account page changes the password; mistakes show
// beside their field without echoing any password; the change keeps this
// session, ends the user's others, and is audited.
func TestChangePassword(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		const newPassword = "correct horse battery"
		laptop := u.signIn(t, uViewer)
		phone := u.signIn(t, uViewer)
		other := u.signIn(t, uOwner)
		form := laptop.get(t, "/account/mfa").doc(t).Find("#password-form")
		if form.Length() == 0 {
			t.Fatal("the account page has no password form")
		}
		for _, c := range []struct {
			name, current, password, password2, field, msg string
		}{
			{"wrong current", "not my password", newPassword, newPassword, "current", "not your current password"},
			{"too short", uiPassword, "short", "short", "password", "at least 12 characters"},
			{"differ", uiPassword, newPassword, newPassword + "x", "password2", "differ"},
			{"same as before", uiPassword, uiPassword, uiPassword, "password", "different"},
		} {
			p := laptop.post(t, "/account/password", url.Values{"current": {c.current}, "password": {c.password}, "password2": {c.password2}})
			if p.status != http.StatusBadRequest {
				t.Fatalf("%s: %d, want 400", c.name, p.status)
			}
			doc := p.doc(t)
			if msg := doc.Find("#" + c.field + "-error").Text(); !strings.Contains(msg, c.msg) {
				t.Errorf("%s: error beside %s = %q, want %q", c.name, c.field, msg, c.msg)
			}
			if strings.Contains(p.body, c.current) || strings.Contains(p.body, c.password2) {
				t.Errorf("%s: the page sends a typed password back", c.name)
			}
		}
		wantStatus(t, "the phone after refused changes", phone.get(t, "/"), http.StatusOK, "")

		seeded, err := u.db.FindAuditLog(context.Background(), u.users[uViewer].OrgID, attest.AuditFilter{Action: "user.password", Entity: "user", EntityID: fmt.Sprint(u.users[uViewer].ID)})
		if err != nil {
			t.Fatal(err)
		}
		p := laptop.post(t, "/account/password", url.Values{"current": {uiPassword}, "password": {newPassword}, "password2": {newPassword}})
		wantStatus(t, "change", p, http.StatusSeeOther, "/account/mfa")
		wantStatus(t, "the laptop after the change", laptop.get(t, "/"), http.StatusOK, "")
		if p := phone.get(t, "/"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/signin") {
			t.Errorf("the phone's session after the change = %d to %q, want sign-in", p.status, p.location())
		}
		wantStatus(t, "another user", other.get(t, "/"), http.StatusOK, "")

		b := u.client(t)
		wantStatus(t, "sign in with the old password", b.post(t, "/signin", url.Values{"email": {u.users[uViewer].Email}, "password": {uiPassword}}), http.StatusUnauthorized, "")
		wantStatus(t, "sign in with the new password", b.post(t, "/signin", url.Values{"email": {u.users[uViewer].Email}, "password": {newPassword}}), http.StatusSeeOther, "/")

		entries, err := u.db.FindAuditLog(context.Background(), u.users[uViewer].OrgID, attest.AuditFilter{Action: "user.password", Entity: "user", EntityID: fmt.Sprint(u.users[uViewer].ID)})
		if err != nil || len(entries) != len(seeded)+1 {
			t.Fatalf("%d user.password entries after the change, %v; want %d", len(entries), err, len(seeded)+1)
		}
	})
}

// TestOffboardingRevokesTokens: a token an admin creates in the browser is
// theirs; deactivating the admin revokes it.
func TestOffboardingRevokesTokens(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		admin := u.signIn(t, uAdmin)
		p := admin.post(t, "/settings/tokens", url.Values{"name": {"admin's ci"}, "role": {attest.RoleViewer}})
		wantStatus(t, "create token", p, http.StatusOK, "")
		secret := p.doc(t).Find("#new-secret").Text()
		if r := u.do(t, "GET", "/api/v1/controls", secret, ""); r.status != http.StatusOK {
			t.Fatalf("the new token = %d, want 200", r.status)
		}
		off := false
		if _, err := u.db.UpdateUser(context.Background(), u.orgA, u.users[uAdmin].ID, attest.UserUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if r := u.do(t, "GET", "/api/v1/controls", secret, ""); r.status != http.StatusUnauthorized {
			t.Errorf("the token of the deactivated admin = %d, want 401", r.status)
		}
	})
}

// TestAuditorSeesGrantedTasksOnly: the task list and a control's page show
// an auditor only the tasks of the engagements granted to them.
func TestAuditorSeesGrantedTasksOnly(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		other := &attest.Task{Title: "Task of the ungranted audit", ControlID: "GOV-01", EngagementID: u.engA2}
		if err := u.db.CreateTask(ctx, u.orgA, other); err != nil {
			t.Fatal(err)
		}
		auditor, admin := u.signIn(t, uAuditor), u.signIn(t, uAdmin)
		for _, path := range []string{"/tasks", "/controls/GOV-01"} {
			seen := auditor.get(t, path).body
			if !strings.Contains(seen, secretA+" task") {
				t.Errorf("%s: the auditor does not see the granted engagement's task", path)
			}
			if strings.Contains(seen, "Task of the ungranted audit") || strings.Contains(seen, "Unowned task") {
				t.Errorf("%s: the auditor sees tasks outside the granted engagement", path)
			}
			if !strings.Contains(admin.get(t, path).body, "Task of the ungranted audit") {
				t.Errorf("%s: the admin does not see every task", path)
			}
		}
	})
}

// TestAuditorAuditLogScope: an auditor's audit log leaves out entries about
// engagements not granted to them and about their tasks.
func TestAuditorAuditLogScope(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		other := &attest.Task{Title: "Hidden audit task", ControlID: "GOV-01", EngagementID: u.engA2}
		if err := u.db.CreateTask(ctx, u.orgA, other); err != nil {
			t.Fatal(err)
		}
		granted := &attest.Task{Title: "Visible audit task", ControlID: "GOV-01", EngagementID: u.engA}
		if err := u.db.CreateTask(ctx, u.orgA, granted); err != nil {
			t.Fatal(err)
		}
		log := u.signIn(t, uAuditor).get(t, "/audit").body
		if !strings.Contains(log, "Visible audit task") {
			t.Errorf("the auditor's audit log lacks the granted engagement's task")
		}
		if strings.Contains(log, "Hidden audit task") || strings.Contains(log, "A second audit") {
			t.Errorf("the auditor's audit log shows the ungranted engagement or its task")
		}
		if full := u.signIn(t, uAdmin).get(t, "/audit").body; !strings.Contains(full, "Hidden audit task") {
			t.Errorf("the admin's audit log lacks the task")
		}
		// More than a page of entries about the ungranted engagement: the
		// auditor's first page is still a full page of what they may see.
		hidden := make([]*attest.Task, 150)
		for i := range hidden {
			hidden[i] = &attest.Task{Title: fmt.Sprintf("Hidden bulk task %d", i), EngagementID: u.engA2}
		}
		if err := u.db.ImportTasks(ctx, u.orgA, hidden); err != nil {
			t.Fatal(err)
		}
		page := u.signIn(t, uAuditor).get(t, "/audit")
		if body := page.body; !strings.Contains(body, "Visible audit task") || strings.Contains(body, "Hidden bulk task") {
			t.Errorf("after 150 hidden entries, the auditor's first page shows the visible task: %v, a hidden one: %v",
				strings.Contains(body, "Visible audit task"), strings.Contains(body, "Hidden bulk task"))
		}
		scoped, err := u.db.FindAuditLog(ctx, u.orgA, attest.AuditFilter{Scoped: true, Engagements: []int64{u.engA}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		all, err := u.db.FindAuditLog(ctx, u.orgA, attest.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, e := range all {
			if !strings.Contains(string(e.After)+string(e.Before), fmt.Sprintf(`"engagement_id":%d`, u.engA2)) && !(e.Entity == "engagement" && e.EntityID == fmt.Sprint(u.engA2)) {
				want++
			}
		}
		if len(scoped) != min(want, 100) {
			t.Errorf("the scoped log's first page holds %d entries, want %d of the %d visible", len(scoped), min(want, 100), want)
		}
	})
}
