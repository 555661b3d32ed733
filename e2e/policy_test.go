package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/chromedp/chromedp"
)

// publishedPolicy adopts the acceptable use policy in org and publishes it,
// approved by approver.
func publishedPolicy(e *env, orgID, approver int64) *attest.Policy {
	e.t.Helper()
	ctx := context.Background()
	tmpl, err := catalog.PolicyTemplate("acceptable-use")
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := e.db.AdoptTemplate(ctx, orgID, tmpl, map[string]string{"organization": "Initech", "owner": "Security lead", "security_contact": "security@initech.example"})
	if err == nil {
		_, err = e.db.SetApprovers(ctx, orgID, p.ID, []int64{approver})
	}
	if err == nil {
		_, err = e.db.SubmitForApproval(ctx, orgID, p.ID)
	}
	if err == nil {
		_, err = e.db.Decide(ctx, orgID, p.ID, "1.0", approver, true, "")
	}
	if err == nil {
		p, err = e.db.Publish(ctx, orgID, p.ID, "1.0")
	}
	if err != nil {
		e.t.Fatalf("publish a policy: %v", err)
	}
	return p
}

// An employee signs in, sees the policy waiting for them, reads it and
// acknowledges it.
func TestEmployeeAcknowledgesPolicy(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		org := e.org("Initech")
		admin := e.user(org.ID, "bill@initech.example", "Bill Lumbergh", attest.RoleAdmin)
		emp := e.user(org.ID, "peter@initech.example", "Peter Gibbons", attest.RoleEmployee)
		p := publishedPolicy(e, org.ID, admin.ID)

		if status := e.signIn(emp.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.wantPath("/")
		if got := e.text("#pending-policies"); !strings.Contains(got, p.Title) {
			t.Fatalf("the home page lists %q, want %q pending", got, p.Title)
		}
		e.shot("employee-home")
		if status := e.follow(chromedp.Click(chromedp.CSS("#pending-policies a"))); status != 200 {
			t.Fatalf("open the policy: status %d", status)
		}
		e.wantPath(fmt.Sprintf("/policies/%d", p.ID))
		if got := e.text("#policy-body h1"); got == "" {
			t.Errorf("the policy page shows no title in its body")
		}
		e.shot("employee-policy")
		if status := e.submit("#ack-form"); status != 200 {
			t.Fatalf("acknowledge: status %d", status)
		}
		if got := e.flash(); !strings.Contains(got, "you acknowledged") {
			t.Errorf("flash after acknowledging = %q", got)
		}
		if !e.exists("#my-ack") || e.exists("#ack-form") {
			t.Errorf("after acknowledging, the page still asks for it")
		}
		e.open("/")
		if e.exists("#pending-policies") {
			t.Errorf("the home page still lists a pending policy")
		}
		st, err := e.db.PolicyStanding(context.Background(), org.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range st.Users {
			if u.UserID == emp.ID && (u.State != attest.AckDone || u.Version != "1.0") {
				t.Errorf("stored acknowledgement of %s: %+v", emp.Name, u)
			}
		}
	})
}

// The policy editor's preview follows the text as it is typed, rendered by
// the server's sanitizer: a script typed into the text never runs.
func TestPolicyEditorLivePreview(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		org := e.org("Initech")
		admin := e.user(org.ID, "bill@initech.example", "Bill Lumbergh", attest.RoleAdmin)
		p := publishedPolicy(e, org.ID, admin.ID)
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open(fmt.Sprintf("/policies/%d/edit", p.ID))
		e.typeInto("#body", "# Acceptable use\n\n## Live heading\n\n<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">\n\n- first rule\n")
		e.do(chromedp.Poll[chromedp.Void](`document.querySelector('#preview h2') !== null && document.querySelector('#preview h2').innerText.includes('Live heading')`))
		if e.exists("#preview script") || e.exists("#preview [onerror]") {
			t.Errorf("the preview kept a script or an event handler")
		}
		if pwned := get(e, chromedp.Evaluate[bool](`window.pwned !== undefined`)); pwned {
			t.Errorf("a script typed into the policy ran")
		}
		if got := e.text("#preview li"); got != "first rule" {
			t.Errorf("preview list item %q", got)
		}
		e.shot("policy-editor")
		if status := e.follow(chromedp.Click(chromedp.CSS(`#editor-form button[value="save"]`))); status != 200 {
			t.Fatalf("save: status %d", status)
		}
		if got := e.flash(); got != "Saved version 1.1." {
			t.Errorf("flash after saving = %q", got)
		}
	})
}
