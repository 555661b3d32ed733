package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/attest-dev/attest"
)

// TestSystemOwnerForm: a system's owner is chosen from the members who may
// own things. An auditor, an unknown user or a typed name is refused beside
// the owner field with the input kept and nothing stored; a member whose
// name matches an old free-text owner gains nothing by it.
func TestSystemOwnerForm(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		b := u.signIn(t, uManager)
		path := fmt.Sprintf("/engagements/%d", u.engA)
		alice, auditor := u.users[uOwner], u.users[uAuditor]
		systems := func() []*attest.System {
			t.Helper()
			e, err := u.db.FindEngagementByID(ctx, u.orgA, u.engA)
			if err != nil {
				t.Fatal(err)
			}
			return e.Systems
		}
		before := len(systems())

		// The choices are the members who may own things: never the auditor.
		doc := b.get(t, path).doc(t)
		choices := map[string]bool{}
		doc.Find(`#system-form select[name="owner"] option`).Each(func(_ int, o *goquery.Selection) { choices[o.AttrOr("value", "")] = true })
		if !choices[fmt.Sprint(alice.ID)] || choices[fmt.Sprint(auditor.ID)] || !choices[""] {
			t.Errorf("owner choices %v: want nobody and Alice, never the auditor %d", choices, auditor.ID)
		}

		for _, c := range []struct{ what, owner, msg string }{
			{"an auditor", fmt.Sprint(auditor.ID), "auditor"},
			{"an unknown user", "999999", "not a member"},
			{"another organization's admin", fmt.Sprint(u.users[uAdminB].ID), "not a member"},
			{"a typed name", "Alice Owner", "choose the owner from the list"},
		} {
			form := url.Values{"name": {"Payroll"}, "kind": {"saas"}, "owner": {c.owner}, "description": {"Salaries"}}
			p := b.post(t, path+"/systems", form)
			wantStatus(t, c.what+" as owner", p, http.StatusUnprocessableEntity, "")
			wantKept(t, p.doc(t), "#system-form", map[string]string{"name": "Payroll", "kind": "saas", "owner": c.owner, "description": "Salaries"}, "owner", c.msg)
			if n := len(systems()); n != before {
				t.Errorf("%s as owner: %d systems stored, want %d", c.what, n, before)
			}
		}

		// A member chosen from the list owns the system, shown by name.
		wantStatus(t, "a member as owner", b.post(t, path+"/systems", url.Values{"name": {"Payroll"}, "kind": {"saas"}, "owner": {fmt.Sprint(alice.ID)}}), http.StatusSeeOther, path)
		all := systems()
		got := all[len(all)-1]
		if got.Name != "Payroll" || got.OwnerID != alice.ID || got.Owner == nil || got.OwnerNote != "" {
			t.Fatalf("stored system %+v; want Payroll owned by Alice", got)
		}

		// An old free-text owner stays a note; a member who joins later with
		// that name gains nothing by it.
		old := &attest.System{Name: "Legacy CRM", Kind: "saas", OwnerNote: "Nora Quinn"}
		if err := u.db.AddSystem(ctx, u.orgA, u.engA, old); err != nil {
			t.Fatal(err)
		}
		nora := &attest.User{OrgID: u.orgA, Email: "nora@a.example", Name: "Nora Quinn", Role: attest.RoleControlOwner, Active: true}
		if err := u.db.CreateUser(ctx, nora); err != nil {
			t.Fatal(err)
		}
		doc = b.get(t, path).doc(t)
		var crm, payroll string
		doc.Find("table tr").Each(func(_ int, tr *goquery.Selection) {
			switch tr.Find("td").First().Text() {
			case "Legacy CRM":
				crm = tr.Find("td.system-owner").Text()
			case "Payroll":
				payroll = tr.Find("td.system-owner").Text()
			}
		})
		if crm != "Nora Quinn (not a member)" || payroll != "Alice Owner" {
			t.Errorf("owners shown: Legacy CRM %q, Payroll %q", crm, payroll)
		}
		for _, s := range systems() {
			if s.ID == old.ID && (s.OwnerID != 0 || s.Owner != nil || s.OwnerNote != "Nora Quinn") {
				t.Errorf("the namesake came to own the system: %+v", s)
			}
		}
		// The API shows the owner as a person and the note apart.
		var e struct {
			Systems []struct {
				Name      string
				Owner     *attest.Person
				OwnerNote string `json:"owner_note"`
			}
		}
		if err := json.Unmarshal(u.get(t, fmt.Sprintf("/api/v1/engagements/%d", u.engA)), &e); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, s := range e.Systems {
			switch {
			case s.Name == "Payroll" && s.Owner != nil && *s.Owner == attest.Person{ID: alice.ID, Name: "Alice Owner", Email: alice.Email} && s.OwnerNote == "":
				seen++
			case s.Name == "Legacy CRM" && s.Owner == nil && s.OwnerNote == "Nora Quinn":
				seen++
			}
		}
		if seen != 2 {
			t.Errorf("engagement JSON systems %+v; want Payroll owned by Alice as a person, Legacy CRM with its note", e.Systems)
		}
	})
}
