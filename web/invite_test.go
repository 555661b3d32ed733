package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestInvitations follows invitation links: one works once and signs the new
// user in with the invited role; expired and revoked ones are refused.
func TestInvitations(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		admin := u.signIn(t, uAdmin)
		invite := func(t *testing.T, email, role, days string, status int) string {
			t.Helper()
			p := admin.post(t, "/settings/invitations", url.Values{"email": {email}, "role": {role}, "days": {days}})
			wantStatus(t, "invite "+email, p, status, "")
			return strings.TrimSpace(p.doc(t).Find("#new-secret").Text())
		}
		accept := func(t *testing.T, b *uiClient, link, password, password2 string) *uiPage {
			t.Helper()
			return b.post(t, link, url.Values{"name": {"Nia New"}, "password": {password}, "password2": {password2}})
		}
		refused := func(t *testing.T, link, email string) {
			t.Helper()
			b := u.client(t)
			wantStatus(t, "open the link", b.get(t, link), http.StatusBadRequest, "")
			wantStatus(t, "accept the link", accept(t, b, link, uiPassword, uiPassword), http.StatusBadRequest, "")
			if b.sessionCookie(t) != "" {
				t.Error("a refused invitation signed someone in")
			}
			if _, err := u.db.FindUserByEmail(ctx, email); attest.ErrorCode(err) != attest.ENOTFOUND {
				t.Errorf("user %s: %v, want none", email, err)
			}
		}

		t.Run("accepted once", func(t *testing.T) {
			link := invite(t, "nia@a.example", attest.RoleComplianceManager, "7", http.StatusOK)
			if !strings.HasPrefix(link, "/invite/") {
				t.Fatalf("invitation link %q", link)
			}
			b := u.client(t)
			p := b.get(t, link)
			wantStatus(t, "open the link", p, http.StatusOK, "")
			if txt := p.doc(t).Find("main").Text(); !strings.Contains(txt, "nia@a.example") || !strings.Contains(txt, "compliance manager") {
				t.Errorf("the invitation page does not show the email and role: %q", txt)
			}
			wantStatus(t, "different passwords", accept(t, b, link, uiPassword, uiPassword+"!"), http.StatusBadRequest, "")
			wantStatus(t, "a short password", accept(t, b, link, "short", "short"), http.StatusBadRequest, "")
			wantStatus(t, "accept", accept(t, b, link, uiPassword, uiPassword), http.StatusSeeOther, "/")
			p = b.get(t, "/")
			wantStatus(t, "the new user's dashboard", p, http.StatusOK, "")
			if who := p.doc(t).Find(".who span").Text(); !strings.HasPrefix(who, "Nia New · compliance manager") {
				t.Errorf("signed in as %q", who)
			}
			usr, err := u.db.FindUserByEmail(ctx, "nia@a.example")
			if err != nil || usr.Role != attest.RoleComplianceManager || usr.OrgID != u.orgA || !usr.Active {
				t.Fatalf("the new user: %+v, %v", usr, err)
			}
			refused(t, link, "nobody") // the user exists now; no second one appears
			users, err := u.db.FindUsers(ctx, u.orgA)
			if err != nil {
				t.Fatal(err)
			}
			if n := slices.IndexFunc(users, func(x *attest.User) bool { return x.Email == "nia@a.example" }); n < 0 || len(users) != 7 {
				t.Errorf("%d users after the second use, want 7", len(users))
			}
		})
		t.Run("existing email", func(t *testing.T) {
			for _, email := range []string{u.users[uViewer].Email, strings.ToUpper(u.users[uViewer].Email)} {
				invite(t, email, attest.RoleAdmin, "7", http.StatusConflict)
			}
			// An account in another organization is not revealed: the answer
			// is the one an unknown email gets.
			invite(t, u.users[uAdminB].Email, attest.RoleAdmin, "7", http.StatusOK)
			invite(t, "unknown@b.example", attest.RoleAdmin, "7", http.StatusOK)
			invs, err := u.db.FindInvitations(ctx, u.orgA)
			if err != nil {
				t.Fatal(err)
			}
			for _, inv := range invs {
				if inv.Role == attest.RoleAdmin && strings.EqualFold(inv.Email, u.users[uViewer].Email) {
					t.Errorf("an invitation for %s was stored", inv.Email)
				}
			}
		})
		t.Run("bad input", func(t *testing.T) {
			invite(t, "x@a.example", "superuser", "7", http.StatusBadRequest)
			invite(t, "x@a.example", attest.RoleViewer, "31", http.StatusBadRequest)
			invite(t, "not an email", attest.RoleViewer, "7", http.StatusBadRequest)
		})
		t.Run("revoked", func(t *testing.T) {
			link := invite(t, "gone@a.example", attest.RoleViewer, "7", http.StatusOK)
			invs, err := u.db.FindInvitations(ctx, u.orgA)
			if err != nil || invs[0].Email != "gone@a.example" {
				t.Fatalf("newest invitation: %v %v", invs, err)
			}
			p := admin.post(t, fmt.Sprintf("/settings/invitations/%d/revoke", invs[0].ID), nil)
			wantStatus(t, "revoke", p, http.StatusSeeOther, "/settings")
			refused(t, link, "gone@a.example")
		})
		t.Run("expired", func(t *testing.T) {
			link := invite(t, "late@a.example", attest.RoleViewer, "1", http.StatusOK)
			u.clock.Advance(24*time.Hour - time.Minute)
			wantStatus(t, "open the link just before it expires", u.client(t).get(t, link), http.StatusOK, "")
			u.clock.Advance(time.Minute)
			refused(t, link, "late@a.example")
		})
	})
}

// TestUserForm saves users through the settings page's own forms: saving an
// auditor's row as shown keeps their grants, and an admin cannot lock
// themselves out.
func TestUserForm(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		admin := u.signIn(t, uAdmin)
		doc := admin.get(t, "/settings").doc(t)
		aud := u.users[uAuditor]
		form := doc.Find(fmt.Sprintf(`form[action="/settings/users/%d"]`, aud.ID))
		v := formValues(form)
		v.Set("access_expires", "2027-01-31")
		p := admin.post(t, fmt.Sprintf("/settings/users/%d", aud.ID), v)
		wantStatus(t, "save the auditor's row", p, http.StatusSeeOther, "/settings")
		grants, err := u.db.FindAuditorGrants(ctx, u.orgA, aud.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(grants, []int64{u.engA}) {
			t.Errorf("grants after saving the form as shown = %v, want [%d]", grants, u.engA)
		}
		got, err := u.db.FindUserByID(ctx, u.orgA, aud.ID)
		if err != nil || got.AccessExpires == nil || got.AccessExpires.Format("2006-01-02") != "2027-01-31" || !got.Active {
			t.Errorf("auditor after save: %+v, %v", got, err)
		}

		me := u.users[uAdmin]
		v = formValues(doc.Find(fmt.Sprintf(`form[action="/settings/users/%d"]`, me.ID)))
		v.Del("active")
		wantStatus(t, "deactivate oneself", admin.post(t, fmt.Sprintf("/settings/users/%d", me.ID), v), http.StatusBadRequest, "")
		v.Set("active", "on")
		v.Set("role", attest.RoleViewer)
		wantStatus(t, "demote oneself", admin.post(t, fmt.Sprintf("/settings/users/%d", me.ID), v), http.StatusBadRequest, "")
		if got, _ := u.db.FindUserByID(ctx, u.orgA, me.ID); got.Role != attest.RoleAdmin || !got.Active {
			t.Errorf("the admin became %s, active %v", got.Role, got.Active)
		}
	})
}
