package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/chromedp/chromedp"
)

// Setting a control to implemented on its page raises the dashboard's
// readiness score.
func TestControlStatusMovesScore(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		id := gapControl(t, e, res.Organization.ID, res.Engagement.ID)
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		before := e.score()

		e.open("/controls/" + id)
		if got := e.text("#control-status"); got == string(attest.Implemented) {
			t.Fatalf("%s is already implemented", id)
		}
		e.shot("control")
		e.do(chromedp.SetValue(chromedp.CSS("#status"), string(attest.Implemented)))
		e.typeInto("#notes", "Implemented: see the runbook.")
		if status := e.submit("#control-form"); status != 200 {
			t.Fatalf("save %s: status %d", id, status)
		}
		e.wantPath("/controls/" + id)
		if got := e.flash(); got != "Saved "+id+"." {
			t.Errorf("flash %q", got)
		}
		if got := e.text("#control-status"); got != string(attest.Implemented) {
			t.Errorf("status after saving %q, want implemented", got)
		}
		c, err := e.db.FindControlByID(context.Background(), res.Organization.ID, id)
		if err != nil || c.Status != attest.Implemented || c.Notes != "Implemented: see the runbook." {
			t.Errorf("stored control %+v (err %v)", c, err)
		}

		after := e.score()
		if after <= before {
			t.Errorf("readiness score %v%% after implementing %s, want more than %v%%", after, id, before)
		}
		e.shot("dashboard-after")
	})
}

// gapControl is a control of the engagement's scope that is neither
// implemented nor not applicable, so implementing it raises the score.
func gapControl(t *testing.T, e *env, orgID, engagementID int64) string {
	t.Helper()
	rd, err := e.db.Readiness(context.Background(), orgID, engagementID)
	if err != nil {
		t.Fatal(err)
	}
	for _, cr := range rd.Criteria {
		for _, c := range cr.Controls {
			if c.Status != attest.Implemented && c.Status != attest.NotApplicable {
				return c.ID
			}
		}
	}
	t.Fatal("every control in scope is implemented or not applicable")
	return ""
}

// score opens the dashboard and reads the overall readiness percentage.
func (e *env) score() float64 {
	e.t.Helper()
	e.open("/")
	text := e.text("#overall-score .big")
	f, err := strconv.ParseFloat(strings.TrimSuffix(text, "%"), 64)
	if err != nil {
		e.fail("overall score %q is not a percentage", text)
	}
	return f
}

// An auditor granted the engagement sees the dashboard and a control's
// page without the edit form, and a POST of the form is refused.
func TestAuditorCannotEdit(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, _ := e.demo()
		ctx := context.Background()
		orgID := res.Organization.ID
		auditor := e.user(orgID, "auditor@cpa.example", "Avery Auditor", attest.RoleAuditor)
		if err := e.db.SetAuditorGrants(ctx, orgID, auditor.ID, []int64{res.Engagement.ID}); err != nil {
			t.Fatal(err)
		}
		id := gapControl(t, e, orgID, res.Engagement.ID)
		before, err := e.db.FindControlByID(ctx, orgID, id)
		if err != nil {
			t.Fatal(err)
		}

		if status := e.signIn(auditor.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.wantPath("/")
		if got := e.text("h1"); got != res.Engagement.Name {
			t.Errorf("auditor's dashboard heading %q, want %q", got, res.Engagement.Name)
		}
		e.do(chromedp.WaitVisible(chromedp.CSS("#overall-score")))
		if e.exists(`nav a[href="/settings"]`) {
			t.Error("the auditor's menu links to the settings")
		}
		if !e.exists(`nav a[href="/audit"]`) {
			t.Error("the auditor's menu has no audit log")
		}
		e.shot("dashboard")

		e.open("/controls/" + id)
		if got := e.text("#control-status"); got != strings.ReplaceAll(string(before.Status), "_", " ") {
			t.Errorf("control status %q, want %q", got, before.Status)
		}
		for _, sel := range []string{"#control-form", `form[action="/tasks"]`, "#status"} {
			if e.exists(sel) {
				t.Errorf("the auditor's control page has %s", sel)
			}
		}
		e.shot("control")

		// The form the auditor was not shown, posted anyway with a valid
		// CSRF token (taken from the sign-out form): refused for the role.
		post := fmt.Sprintf(`(() => {
			const f = document.createElement("form");
			f.method = "post";
			f.action = "/controls/%s";
			const csrf = document.querySelector('form[action="/signout"] input[name="csrf"]').value;
			for (const [k, v] of [["csrf", csrf], ["status", "implemented"], ["notes", "forged"]]) {
				const i = document.createElement("input");
				i.type = "hidden"; i.name = k; i.value = v;
				f.appendChild(i);
			}
			document.body.appendChild(f);
			f.submit();
		})()`, id)
		if status := e.follow(chromedp.Evaluate[chromedp.Void](post)); status != 403 {
			t.Errorf("auditor's POST /controls/%s: status %d, want 403", id, status)
		}
		if got := e.text("h1"); !strings.HasPrefix(got, "403") {
			t.Errorf("error page heading %q, want 403", got)
		}
		e.shot("forbidden")
		after, err := e.db.FindControlByID(ctx, orgID, id)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != before.Status || after.Notes != before.Notes {
			t.Errorf("the auditor's POST changed %s: status %s → %s, notes %q → %q", id, before.Status, after.Status, before.Notes, after.Notes)
		}
	})
}
