package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestPolicyWorkflowPages walks a policy through the pages: a manager
// adopts and edits it, names an approver, the approver approves, the
// manager publishes, an employee sees it pending and acknowledges it, and
// the acknowledgement record shows who did and who has yet to.
func TestPolicyWorkflowPages(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		max, ada, eve := u.signIn(t, uManager), u.signIn(t, uAdmin), u.signIn(t, uEmploye)

		p := max.post(t, "/policies", url.Values{"template": {"backup"}, "owner": {fmt.Sprint(u.alice.ID)}})
		if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location(), "/edit") {
			t.Fatalf("adopt = %d to %q: %.300s", p.status, p.location(), p.body)
		}
		editPath := p.location()
		id := strings.TrimSuffix(strings.TrimPrefix(editPath, "/policies/"), "/edit")
		base := "/policies/" + id
		page := max.get(t, editPath)
		body := page.doc(t).Find("textarea#body").Text()
		if page.status != http.StatusOK || !strings.Contains(body, "Alice Owner") || strings.Contains(body, "{{owner}}") {
			t.Fatalf("editor = %d, text %.200q", page.status, body)
		}
		if p := max.post(t, editPath, url.Values{"base_version": {"1.0"}, "body": {body + "\n## Restore tests\n\nEvery quarter.\n"}, "action": {"save"}}); p.status != http.StatusSeeOther {
			t.Fatalf("save = %d: %.300s", p.status, p.body)
		}
		diff := max.get(t, base+"/diff")
		if diff.status != http.StatusOK || !strings.Contains(diff.doc(t).Find("tr.diff-insert").Text(), "Restore tests") {
			t.Fatalf("diff page = %d: %.300s", diff.status, diff.body)
		}

		// Employees do not see drafts; only approvers approve.
		if p := eve.get(t, base); p.status != http.StatusNotFound {
			t.Errorf("employee reads a draft: %d", p.status)
		}
		adaID := u.users[uAdmin].ID
		if p := max.post(t, base+"/approvers", url.Values{"approver": {fmt.Sprint(adaID)}}); p.status != http.StatusSeeOther {
			t.Fatalf("set approvers = %d: %.300s", p.status, p.body)
		}
		if p := max.post(t, base+"/submit", nil); p.status != http.StatusSeeOther {
			t.Fatalf("send for approval = %d: %.300s", p.status, p.body)
		}
		if p := max.post(t, base+"/decide", url.Values{"version": {"1.1"}, "decision": {"approve"}}); p.status != http.StatusForbidden {
			t.Errorf("a manager who is not an approver approves: %d", p.status)
		}
		if p := max.post(t, base+"/publish", url.Values{"version": {"1.1"}}); p.status != http.StatusBadRequest {
			t.Errorf("publish before approval = %d, want 400", p.status)
		}
		if p := ada.post(t, base+"/decide", url.Values{"version": {"1.1"}, "decision": {"reject"}, "comment": {"  "}}); p.status != http.StatusUnprocessableEntity {
			t.Errorf("rejection without a comment = %d, want 422", p.status)
		} else {
			wantKept(t, p.doc(t), "#decide-form", map[string]string{"version": "1.1"}, "comment", "needs a comment")
		}
		if p := ada.post(t, base+"/decide", url.Values{"version": {"1.1"}, "decision": {"approve"}}); p.status != http.StatusSeeOther {
			t.Fatalf("approve = %d: %.300s", p.status, p.body)
		}
		if p := eve.post(t, base+"/publish", url.Values{"version": {"1.1"}}); p.status != http.StatusForbidden {
			t.Errorf("employee publishes: %d", p.status)
		}
		if p := max.post(t, base+"/publish", url.Values{"version": {"1.1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("publish = %d: %.300s", p.status, p.body)
		}

		// The employee sees it pending on the home page and acknowledges it.
		home := eve.get(t, "/")
		if !strings.Contains(home.doc(t).Find("#pending-policies").Text(), "Backup") {
			t.Fatalf("employee's home page lists no pending Backup policy: %.500s", home.body)
		}
		if p := eve.get(t, base); p.status != http.StatusOK || p.doc(t).Find("#ack-form").Length() != 1 {
			t.Fatalf("employee's policy page = %d without the acknowledgement form", p.status)
		}
		if p := eve.post(t, base+"/edit", url.Values{"base_version": {"1.1"}, "body": {"# mine"}}); p.status != http.StatusForbidden {
			t.Errorf("employee edits: %d", p.status)
		}
		if p := eve.post(t, base+"/acknowledge", url.Values{"version": {"1.1"}, "back": {base}}); p.status != http.StatusSeeOther {
			t.Fatalf("acknowledge = %d: %.300s", p.status, p.body)
		}
		if p := eve.get(t, base); p.doc(t).Find("#my-ack").Length() != 1 {
			t.Errorf("after acknowledging, the page does not say so")
		}
		if p := u.signIn(t, uAuditor).post(t, base+"/acknowledge", url.Values{"version": {"1.1"}}); p.status != http.StatusForbidden {
			t.Errorf("auditor acknowledges: %d", p.status)
		}

		// The acknowledgement record, as CSV.
		res := max.get(t, base+"/acknowledgements.csv")
		rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil || res.header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("CSV: %v, %s", err, res.header.Get("Content-Type"))
		}
		states := map[string]string{}
		for _, r := range rows[1:] {
			states[r[5]] = r[6] + " " + r[7]
		}
		if states["eve@a.example"] != "acknowledged 1.1" || states["max@a.example"] != "pending " || states["aud@audit.example"] != "" {
			t.Errorf("CSV states = %v", states)
		}

		// A new major version supersedes 1.1: acknowledging 1.1 is refused.
		pid, _ := policyID(id)
		if _, err := u.db.SaveDraft(ctx, u.orgA, pid, "1.1", "# Backup\n\nRewritten.\n", true); err != nil {
			t.Fatal(err)
		}
		if _, err := u.db.SubmitForApproval(ctx, u.orgA, pid); err != nil {
			t.Fatal(err)
		}
		if _, err := u.db.Decide(ctx, u.orgA, pid, "2.0", adaID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := u.db.Publish(ctx, u.orgA, pid, "2.0"); err != nil {
			t.Fatal(err)
		}
		if p := eve.post(t, base+"/acknowledge", url.Values{"version": {"1.1"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "superseded") {
			t.Errorf("acknowledging a superseded version = %d: %.300s", p.status, p.body)
		}
		if !strings.Contains(eve.get(t, "/").body, "Backup") {
			t.Errorf("major version 2.0 is not pending for the employee")
		}

		// Exports.
		pdf := max.get(t, base+"/export?format=pdf")
		if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
			t.Errorf("PDF export = %d %s %.20q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
		}
		html := max.get(t, "/policies/export?format=html")
		if html.status != http.StatusOK || !strings.Contains(html.body, "Backup") {
			t.Errorf("HTML export of every published policy = %d", html.status)
		}
	})
}

func policyID(s string) (int64, error) {
	var id int64
	_, err := fmt.Sscan(s, &id)
	return id, err
}

// TestPolicyEditConflict: two managers edit the same version; the second
// save is refused, changes nothing, and gives the second editor their text
// back beside what the first saved.
func TestPolicyEditConflict(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		p := u.policyWith(t, u.orgA, false)
		base := fmt.Sprintf("/policies/%d", p.ID)
		max, ada := u.signIn(t, uManager), u.signIn(t, uAdmin)
		if r := max.post(t, base+"/edit", url.Values{"base_version": {"1.0"}, "body": {"# Access\n\nMax's text.\n"}}); r.status != http.StatusSeeOther {
			t.Fatalf("first save = %d: %.300s", r.status, r.body)
		}
		r := ada.post(t, base+"/edit", url.Values{"base_version": {"1.0"}, "body": {"# Access\n\nAda's text.\n"}})
		if r.status != http.StatusConflict {
			t.Fatalf("second save = %d, want 409", r.status)
		}
		d := r.doc(t)
		if !strings.Contains(d.Find("textarea#body").Text(), "Ada's text.") || d.Find("#conflict").Length() != 1 ||
			!strings.Contains(d.Find("tr.diff-delete").Text(), "Max's text.") {
			t.Errorf("conflict page keeps neither Ada's text nor shows Max's: %.800s", r.body)
		}
		if v, _ := d.Find(`input[name=base_version]`).Attr("value"); v != "1.1" {
			t.Errorf("the editor now bases on %q, want 1.1", v)
		}
		vs, err := u.db.FindPolicyVersions(ctx, u.orgA, p.ID)
		if err != nil || len(vs) != 2 || !strings.Contains(vs[1].Body, "Max's text.") {
			t.Errorf("versions after the conflict: %d, %v", len(vs), err)
		}
	})
}

// TestPolicyMarkdownSafe: script and event handlers in a policy never
// reach the page, the preview or the HTML export.
func TestPolicyMarkdownSafe(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		p := u.policyWith(t, u.orgA, false)
		evil := "# Hello\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n<a href=\"#\" onclick=\"alert(4)\">x</a>\n"
		if _, err := u.db.SaveDraft(ctx, u.orgA, p.ID, "1.0", evil, false); err != nil {
			t.Fatal(err)
		}
		max := u.signIn(t, uManager)
		base := fmt.Sprintf("/policies/%d", p.ID)
		pages := map[string]string{
			"page":    max.get(t, base).body,
			"preview": max.post(t, base+"/preview", url.Values{"body": {evil}}).body,
			"export":  max.get(t, base+"/export?format=html&version=1.1").body,
		}
		edit := max.get(t, base+"/edit").doc(t)
		pages["editor preview"], _ = edit.Find("#preview").Html()
		for name, body := range pages {
			if !strings.Contains(body, "Hello") {
				t.Errorf("%s does not show the policy: %.300s", name, body)
			}
			low := strings.ToLower(body)
			for _, bad := range []string{"<script>alert", "onerror", "onclick", "javascript:alert"} {
				if strings.Contains(low, bad) {
					t.Errorf("%s contains %q", name, bad)
				}
			}
		}
	})
}

// TestPolicyDashboard: reviews due soon and pending acknowledgements show
// on the dashboard.
func TestPolicyDashboard(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		pid := u.seedPolicy(t, u.orgA) // published today, review in a year
		u.clock.Advance(360 * 24 * 60 * 60 * 1e9)
		d := u.signIn(t, uManager).get(t, "/").doc(t)
		if !strings.Contains(d.Find("#policy-reviews").Text(), "Access") {
			t.Errorf("a review due in 5 days is not on the dashboard: %q", d.Find("#policy-reviews").Text())
		}
		if !strings.Contains(d.Find("#pending-policies").Text(), "overdue") {
			t.Errorf("an acknowledgement 360 days late is not overdue on the dashboard: %q", d.Find("#pending-policies").Text())
		}
		if _, err := u.db.RecordReview(ctx, u.orgA, pid, "still right"); err != nil {
			t.Fatal(err)
		}
		p, _ := u.db.FindPolicyByID(ctx, u.orgA, pid)
		if p.NextReview.Before(attest.DateOf(u.clock.Now()).AddMonths(11)) {
			t.Errorf("after the review the next is %s", p.NextReview)
		}
	})
}
