package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestRecordOwnerEdits: a control owner edits the risks, vendors, assets
// and incidents they own through the form the page shows them, cannot
// hand one to someone else, cannot edit another's, and a second member
// who bears the owner's name gains nothing by it.
func TestRecordOwnerEdits(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		alice := u.users[uOwner]
		hash, err := attest.HashPassword(uiPassword)
		if err != nil {
			t.Fatal(err)
		}
		// A namesake: another control owner called exactly like Alice.
		twin := &attest.User{OrgID: u.orgA, Email: "alice.twin@a.example", Name: alice.Name, Role: attest.RoleControlOwner, PasswordHash: hash, Active: true}
		if err := u.db.CreateUser(ctx, twin); err != nil {
			t.Fatal(err)
		}
		owner := u.signIn(t, uOwner)
		other := u.client(t)
		other.signInAs(t, twin.Email, "/")
		other.readCSRF(t, "/account/mfa")

		risk := u.ids[u.orgA]["{risk}"]
		page := owner.get(t, "/risks/"+risk)
		wantStatus(t, "owner's risk page", page, http.StatusOK, "")
		d := page.doc(t)
		form := d.Find("#risk-edit")
		if form.Length() != 1 {
			t.Fatalf("the owner's risk page shows no edit form")
		}
		if form.Find(`select[name="owner"]`).Length() != 0 {
			t.Errorf("a control owner is offered to change the owner")
		}
		v := formValues(form)
		v.Set("title", "Stolen credentials, reassessed")
		v.Set("treatment", "mitigate")
		v.Set("owner", u.fill(u.orgA, "{user}")) // trying to hand it to the viewer
		wantStatus(t, "owner saves own risk", owner.post(t, "/risks/"+risk, clone(v)), http.StatusSeeOther, "/risks/"+risk)
		k, err := u.db.FindRiskByID(ctx, u.orgA, atoi(t, risk))
		if err != nil {
			t.Fatal(err)
		}
		if k.Title != "Stolen credentials, reassessed" || k.Treatment != attest.TreatMitigate || k.OwnerID != alice.ID {
			t.Errorf("after the owner's edit: title %q, treatment %q, owner %d (want Alice %d)", k.Title, k.Treatment, k.OwnerID, alice.ID)
		}
		// A refused edit keeps what was typed, beside the field.
		bad := formValues(owner.get(t, "/risks/"+risk).doc(t).Find("#risk-edit"))
		bad.Set("title", "Typed by the owner")
		bad.Set("likelihood", "9")
		p := owner.post(t, "/risks/"+risk, bad)
		wantStatus(t, "owner's bad edit", p, refusedStatus, "")
		if got := p.doc(t).Find(`#risk-edit input[name="title"]`).AttrOr("value", ""); got != "Typed by the owner" {
			t.Errorf("refused edit lost the typed title: %q", got)
		}

		// The other records Alice owns: saved by her, refused to her twin.
		for _, c := range []struct {
			path string
			form url.Values
		}{
			{"/vendors/" + u.ids[u.orgA]["{vendor}"], url.Values{"name": {"CloudCo Hosting"}, "tier": {"critical"}, "status": {"active"}}},
			{"/assets/" + u.ids[u.orgA]["{inv}"], url.Values{"name": {"Orders DB primary"}, "type": {"database"}, "environment": {"production"}, "classification": {"restricted"}, "status": {"active"}}},
			{"/incidents/" + u.ids[u.orgA]["{incident}"], url.Values{"title": {"Leaked key rotated"}, "severity": {"sev2"}, "status": {"contained"}, "reported_at": {"2026-01-05T09:00"}}},
		} {
			if p := other.post(t, c.path, clone(c.form)); p.status != http.StatusForbidden || !strings.Contains(p.body, "owner or a compliance manager") {
				t.Errorf("POST %s by Alice's namesake = %d, want 403 for not owning it: %.300s", c.path, p.status, p.body)
			}
			if p := other.get(t, c.path); p.doc(t).Find("form.stack[id$='-edit']").Length() != 0 {
				t.Errorf("%s shows Alice's namesake an edit form", c.path)
			}
			if p := owner.post(t, c.path, clone(c.form)); p.status != http.StatusSeeOther {
				t.Fatalf("owner saves %s = %d: %s", c.path, p.status, p.body)
			}
		}
		if p := other.post(t, "/risks/"+risk, clone(v)); p.status != http.StatusForbidden || !strings.Contains(p.body, "owner or a compliance manager") {
			t.Errorf("risk edit by Alice's namesake = %d, want 403", p.status)
		}
		// Records Alice does not own stay closed to her.
		if p := owner.post(t, "/risks/"+u.ids[u.orgA]["{risk2}"], url.Values{"title": {"Taken"}, "category": {"access"}, "likelihood": {"1"}, "impact": {"1"}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "owner or a compliance manager") {
			t.Errorf("edit of an unowned risk by a control owner = %d, want 403", p.status)
		}
		a, err := u.db.FindAssetByID(ctx, u.orgA, atoi(t, u.ids[u.orgA]["{inv}"]))
		if err != nil || a.Name != "Orders DB primary" || a.OwnerID != alice.ID {
			t.Errorf("asset after the owner's edit: %+v, %v", a, err)
		}
		in, err := u.db.FindIncidentByID(ctx, u.orgA, atoi(t, u.ids[u.orgA]["{incident}"]))
		if err != nil || in.Title != "Leaked key rotated" || in.OwnerID != alice.ID || !in.ReportedAt.Equal(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("incident after the owner's edit: %+v, %v", in, err)
		}
		// A manager still reassigns.
		mgr := u.signIn(t, uManager)
		mv := formValues(mgr.get(t, "/risks/"+risk).doc(t).Find("#risk-edit"))
		mv.Set("owner", u.fill(u.orgA, "{user}"))
		wantStatus(t, "manager reassigns", mgr.post(t, "/risks/"+risk, mv), http.StatusSeeOther, "/risks/"+risk)
		if k, _ := u.db.FindRiskByID(ctx, u.orgA, atoi(t, risk)); k.OwnerID != u.users[uViewer].ID {
			t.Errorf("the manager's reassignment did not hold: owner %d", k.OwnerID)
		}
		if p := owner.post(t, "/risks/"+risk, clone(v)); p.status != http.StatusForbidden || !strings.Contains(p.body, "owner or a compliance manager") {
			t.Errorf("edit by the former owner = %d, want 403", p.status)
		}
	})
}

// atoi reads a fixture ID.
func atoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("fixture ID %q: %v", s, err)
	}
	return n
}

// clone copies form values, so that each browser adds its own CSRF token.
func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, xs := range v {
		if k != "csrf" {
			out[k] = append([]string(nil), xs...)
		}
	}
	return out
}

// TestRecordOwnerTokens: an API token acts for no member, so a token with
// a control owner's role owns no record and may change none; a manager's
// token changes any.
func TestRecordOwnerTokens(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		e.seedRecordsAPI(t) // the risk is owned by Alice, who made no token
		tok := &attest.Token{OrgID: e.orgA, Name: "owner-token", Role: attest.RoleControlOwner}
		secret, err := e.db.CreateToken(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if r := e.do(t, "PATCH", "/api/v1/risks/{risk}", secret, `{"title":"By token"}`); r.status != http.StatusForbidden {
			t.Errorf("PATCH by a control owner's token = %d, want 403: %s", r.status, r.body)
		}
		if r := e.do(t, "PATCH", "/api/v1/risks/{risk}", adminA, `{"title":"By the admin's token"}`); r.status != http.StatusOK || !strings.Contains(string(r.body), "By the admin's token") {
			t.Errorf("PATCH by an admin's token = %d: %s", r.status, r.body)
		}
	})
}
