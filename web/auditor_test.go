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

// TestAuditorLanding: an auditor invited with an engagement granted signs
// in and lands on that engagement's dashboard, with the package to
// download; with two engagements, a list of them; with none, a page that
// says so (not a 404); after the access window, no package.
func TestAuditorLanding(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		ada := u.signIn(t, uAdmin)
		settings := ada.get(t, "/settings")
		if settings.doc(t).Find(fmt.Sprintf(`#inv-grants input[name="engagements"][value="%d"]`, u.engA2)).Length() != 1 {
			t.Fatalf("the invitation form offers no engagement to grant")
		}
		ends := u.clock.Now().AddDate(0, 2, 0).Format("2006-01-02")
		p := ada.post(t, "/settings/invitations", url.Values{"email": {"cpa@audit.example"}, "role": {attest.RoleAuditor}, "days": {"7"},
			"engagements": {fmt.Sprint(u.engA2)}, "access_expires": {ends}})
		wantStatus(t, "invite an auditor", p, http.StatusOK, "")
		link := strings.TrimSpace(p.doc(t).Find("#new-secret").Text())
		if what := p.doc(t).Find("main").Text(); !strings.Contains(what, "grants 1 engagement") || !strings.Contains(what, "access ends "+ends) {
			t.Errorf("the invitation page does not say what it grants: %q", what)
		}
		// A refused grant keeps nothing: an employee's invitation cannot grant.
		wantStatus(t, "invite an employee with a grant", ada.post(t, "/settings/invitations", url.Values{"email": {"emp@a.example"}, "role": {attest.RoleEmployee},
			"engagements": {fmt.Sprint(u.engA2)}}), http.StatusOK, "") // the field is ignored for other roles

		cpa := u.client(t)
		if got := cpa.get(t, link).doc(t).Find("#invite-access").Text(); !strings.Contains(got, "One engagement is shared") || !strings.Contains(got, ends) {
			t.Errorf("the invitation page says %q about access", got)
		}
		wantStatus(t, "accept", cpa.post(t, link, url.Values{"name": {"Carla CPA"}, "password": {uiPassword}, "password2": {uiPassword}}), http.StatusSeeOther, "/")
		home := cpa.get(t, "/")
		wantStatus(t, "the auditor's first page", home, http.StatusOK, "")
		d := home.doc(t)
		if h := strings.TrimSpace(d.Find("h1").First().Text()); h != "A second audit" {
			t.Errorf("the auditor lands on %q, want the granted engagement", h)
		}
		if d.Find("#my-tasks").Length() != 0 {
			t.Error("the auditor's dashboard offers their open tasks, though an auditor owns none")
		}
		if ada.get(t, "/").doc(t).Find("#my-tasks").Length() != 1 {
			t.Error("the admin's dashboard lacks their open tasks")
		}
		pkgLink, _ := d.Find("#dashboard-package").Attr("href")
		if pkgLink != fmt.Sprintf("/engagements/%d/package", u.engA2) {
			t.Fatalf("package link %q", pkgLink)
		}
		cpa.readCSRF(t, "/account/mfa")
		if res := cpa.get(t, pkgLink); res.status != http.StatusOK || res.header.Get("Content-Type") != "application/zip" {
			t.Errorf("the auditor's download = %d %s: %.200s", res.status, res.header.Get("Content-Type"), res.body)
		}
		if res := cpa.get(t, fmt.Sprintf("/engagements/%d/package", u.engA)); res.status != http.StatusNotFound {
			t.Errorf("download of an engagement not granted = %d, want 404", res.status)
		}

		// Two engagements: a list; ?engagement= picks one.
		usr, err := u.db.FindUserByEmail(ctx, "cpa@audit.example")
		if err != nil {
			t.Fatal(err)
		}
		if usr.AccessExpires == nil || usr.AccessExpires.Format("2006-01-02") != ends {
			t.Errorf("the auditor's access ends %v, want %s", usr.AccessExpires, ends)
		}
		if err := u.db.SetAuditorGrants(ctx, u.orgA, usr.ID, []int64{u.engA, u.engA2}); err != nil {
			t.Fatal(err)
		}
		list := cpa.get(t, "/")
		rows := list.doc(t).Find("#auditor-engagements tbody tr")
		if list.status != http.StatusOK || rows.Length() != 2 {
			t.Fatalf("the auditor's list = %d with %d rows: %.300s", list.status, rows.Length(), list.body)
		}
		if list.doc(t).Find(".fingerprint").Length() != 1 {
			t.Errorf("the list does not show the signing key's fingerprint")
		}
		picked := cpa.get(t, fmt.Sprintf("/?engagement=%d", u.engA2))
		if h := strings.TrimSpace(picked.doc(t).Find("h1").First().Text()); h != "A second audit" {
			t.Errorf("?engagement= shows %q", h)
		}

		// None: a page, not a 404.
		if err := u.db.SetAuditorGrants(ctx, u.orgA, usr.ID, nil); err != nil {
			t.Fatal(err)
		}
		none := cpa.get(t, "/")
		if none.status != http.StatusOK || none.doc(t).Find("#no-engagement").Length() != 1 {
			t.Errorf("an auditor without an engagement gets %d: %.300s", none.status, none.body)
		}

		// After the access window, nothing.
		if err := u.db.SetAuditorGrants(ctx, u.orgA, usr.ID, []int64{u.engA2}); err != nil {
			t.Fatal(err)
		}
		u.clock.Advance(61 * 24 * time.Hour)
		if res := cpa.get(t, pkgLink); res.status == http.StatusOK {
			t.Errorf("a download after the access ended = %d", res.status)
		}
	})
}
