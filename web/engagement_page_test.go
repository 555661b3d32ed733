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

// TestEngagementsPages creates a second engagement in the browser, checks
// that the dashboard keeps showing the current one, switches, archives and
// restores, and has a refused form come back as typed.
func TestEngagementsPages(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		b := u.signIn(t, uManager)
		heading := func() string {
			t.Helper()
			p := b.get(t, "/")
			wantStatus(t, "the dashboard", p, http.StatusOK, "")
			return p.doc(t).Find("main h1").Text()
		}
		before := heading()
		if before != engNameA {
			t.Fatalf("dashboard shows %q, want the first engagement %q", before, engNameA)
		}
		// The setup wizard is for the first engagement only.
		admin := u.signIn(t, uAdmin)
		wantStatus(t, "the wizard once set up", admin.get(t, "/setup"), http.StatusSeeOther, "/engagements/new")

		p := b.get(t, "/engagements/new")
		wantStatus(t, "the new engagement form", p, http.StatusOK, "")
		form := formValues(p.doc(t).Find("#engagement-new-form"))
		form.Set("name", "FY27 Type II")
		form.Set("drivers", "Enterprise deal")
		form.Set("customers", "Globex")
		form.Set("window_start", "2027-01-01")
		form.Set("window_end", "2026-12-31")
		form.Set("systems", "Billing API")
		form.Add("categories", "availability")
		p = b.post(t, "/engagements", form)
		wantStatus(t, "a backwards window", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "#engagement-new-form", map[string]string{"name": "FY27 Type II", "drivers": "Enterprise deal",
			"customers": "Globex", "window_start": "2027-01-01", "window_end": "2026-12-31", "systems": "Billing API"}, "window_end", "before it starts")
		if !p.doc(t).Find("#cat-availability").Is("[checked]") {
			t.Error("the refused form lost the ticked category")
		}

		form.Set("window_end", "2027-06-30")
		p = b.post(t, "/engagements", form)
		wantStatus(t, "a good new engagement", p, http.StatusSeeOther, "")
		es, err := u.db.FindEngagements(ctx, u.orgA)
		if err != nil || es[0].Name != "FY27 Type II" {
			t.Fatalf("engagements after create: %v, %v", es, err)
		}
		created := es[0]
		if p.location() != fmt.Sprintf("/engagements/%d", created.ID) {
			t.Errorf("create went to %q", p.location())
		}
		full, err := u.db.FindEngagementByID(ctx, u.orgA, created.ID)
		if err != nil || len(full.Systems) != 1 || strings.Join(full.Customers, ",") != "Globex" || full.Current {
			t.Fatalf("created engagement: %+v, %v", full, err)
		}
		// Regression: the newest engagement used to take over the dashboard.
		if h := heading(); h != before {
			t.Fatalf("after creating a second engagement the dashboard shows %q, want %q", h, before)
		}

		// The list shows every engagement and marks the current one.
		doc := b.get(t, "/engagements").doc(t)
		if n := doc.Find("table.engagements tbody tr").Length(); n != 3 {
			t.Errorf("the list has %d rows, want 3", n)
		}
		cur := doc.Find("table.engagements tr:has(.badge.current) td a").Text()
		if cur != engNameA {
			t.Errorf("the list marks %q current, want %q", cur, engNameA)
		}

		use := url.Values{"engagement_id": {fmt.Sprint(created.ID)}, "back": {"/"}}
		wantStatus(t, "switch", b.post(t, "/engagements/current", use), http.StatusSeeOther, "/")
		if h := heading(); h != "FY27 Type II" {
			t.Fatalf("after switching the dashboard shows %q", h)
		}
		if h := b.get(t, "/evidence").doc(t).Find("main h1").Text(); !strings.Contains(b.get(t, "/evidence").body, "FY27 Type II") {
			t.Errorf("the evidence page (%q) does not show the current engagement", h)
		}

		// Archived: out of the switcher, still listed and readable; the
		// current one hands over.
		wantStatus(t, "archive", b.post(t, fmt.Sprintf("/engagements/%d/archive", created.ID), url.Values{"archived": {"1"}}), http.StatusSeeOther, "/engagements")
		doc = b.get(t, "/engagements").doc(t)
		if doc.Find(fmt.Sprintf(`#switch-engagement option[value="%d"]`, created.ID)).Length() != 0 {
			t.Error("an archived engagement is still offered in the switcher")
		}
		if !strings.Contains(doc.Find(fmt.Sprintf(`tr[data-id="%d"]`, created.ID)).Text(), "archived") {
			t.Error("the list does not show the engagement as archived")
		}
		wantStatus(t, "an archived engagement's page", b.get(t, fmt.Sprintf("/engagements/%d", created.ID)), http.StatusOK, "")
		if h := heading(); h == "FY27 Type II" {
			t.Error("the archived engagement is still current")
		}
		p = b.post(t, "/engagements/current", use)
		if p.status != http.StatusBadRequest {
			t.Errorf("making an archived engagement current = %d, want 400", p.status)
		}
		wantStatus(t, "restore", b.post(t, fmt.Sprintf("/engagements/%d/archive", created.ID), url.Values{"archived": {"0"}}), http.StatusSeeOther, "/engagements")
		if e, _ := u.db.FindEngagementByID(ctx, u.orgA, created.ID); e.Archived() {
			t.Error("restore left the engagement archived")
		}

		// A viewer sees the list without the buttons, and may not switch.
		v := u.signIn(t, uViewer)
		doc = v.get(t, "/engagements").doc(t)
		if doc.Find("table.engagements tbody tr").Length() != 3 || doc.Find("form").Length() > 1 { // the sign-out form
			t.Error("the viewer's list is not the read-only list of every engagement")
		}
		wantStatus(t, "a viewer switching", v.post(t, "/engagements/current", use), http.StatusForbidden, "")
	})
}

// TestEngagementFormKept: a refused change on an engagement's page comes
// back as typed, with the message beside the field, and changes nothing.
func TestEngagementFormKept(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		b := u.signIn(t, uManager)
		path := fmt.Sprintf("/engagements/%d", u.engA)
		form := formValues(b.get(t, path).doc(t).Find(`form[action="` + path + `"]`))
		form.Set("name", "  ")
		form.Set("notes", "typed notes")
		p := b.post(t, path, form)
		wantStatus(t, "an empty name", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), `form[action="`+path+`"]`, map[string]string{"notes": "typed notes", "window_start": "2026-01-01"}, "name", "needs a name")
		if e, _ := u.db.FindEngagementByID(context.Background(), u.orgA, u.engA); e.Name != engNameA || e.Notes != "" {
			t.Errorf("a refused change was stored: %+v", e)
		}
		// A system without a name: the system form comes back as typed.
		alice := fmt.Sprint(u.users[uOwner].ID)
		p = b.post(t, path+"/systems", url.Values{"name": {" "}, "kind": {"database"}, "owner": {alice}, "description": {"Billing data"}})
		wantStatus(t, "a system without a name", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "#system-form", map[string]string{"kind": "database", "owner": alice, "description": "Billing data"}, "name", "needs a name")
		if e, _ := u.db.FindEngagementByID(context.Background(), u.orgA, u.engA); len(e.Systems) != 1 {
			t.Errorf("a refused system was stored: %d systems", len(e.Systems))
		}
	})
}

// TestSystemOwnerChange: a manager hands a system in scope to another
// member from its row; a choice that is not a member who may own comes back
// beside that row and changes nothing; a system taken from the inventory
// follows its asset and offers no choice; a viewer may not change owners.
func TestSystemOwnerChange(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		b := u.signIn(t, uManager)
		path := fmt.Sprintf("/engagements/%d", u.engA)
		sys := &attest.System{Name: "Ledger", Kind: "database"}
		if err := u.db.AddSystem(ctx, u.orgA, u.engA, sys); err != nil {
			t.Fatal(err)
		}
		a := &attest.Asset{Name: "Payments cluster", Type: "database", Environment: "production", Classification: "internal", OwnerID: u.users[uManager].ID}
		if err := u.db.CreateAsset(ctx, u.orgA, a); err != nil {
			t.Fatal(err)
		}
		fromAsset, err := u.db.ScopeAsset(ctx, u.orgA, u.engA, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		action := fmt.Sprintf("%s/systems/%d/owner", path, sys.ID)
		doc := b.get(t, path).doc(t)
		form := doc.Find(`form[action="` + action + `"]`)
		if form.Length() != 1 || form.Find(`option`).Length() < 3 {
			t.Fatalf("the system's row has no owner form with the members to choose from")
		}
		if doc.Find(fmt.Sprintf(`form[action="%s/systems/%d/owner"]`, path, fromAsset.ID)).Length() != 0 ||
			!strings.Contains(doc.Find(fmt.Sprintf(`a[href="/assets/%d"]`, a.ID)).Text(), "follows the asset") {
			t.Error("the system from the inventory offers an owner choice instead of naming its asset")
		}
		values := formValues(form)
		alice := fmt.Sprint(u.users[uOwner].ID)
		values.Set("owner", alice)
		wantStatus(t, "handing the system to Alice", b.post(t, action, values), http.StatusSeeOther, path)
		owners := func() map[int64]int64 {
			e, err := u.db.FindEngagementByID(ctx, u.orgA, u.engA)
			if err != nil {
				t.Fatal(err)
			}
			m := map[int64]int64{}
			for _, s := range e.Systems {
				m[s.ID] = s.OwnerID
			}
			return m
		}
		if got := owners()[sys.ID]; got != u.users[uOwner].ID {
			t.Fatalf("system owner = %d, want Alice (%d)", got, u.users[uOwner].ID)
		}
		if sel := b.get(t, path).doc(t).Find(`form[action="` + action + `"] select option[selected]`); sel.AttrOr("value", "") != alice {
			t.Errorf("the row shows owner %q, want Alice", sel.AttrOr("value", ""))
		}
		// The auditor may not own: refused beside the row, nothing changed.
		values.Set("owner", fmt.Sprint(u.users[uAuditor].ID))
		p := b.post(t, action, values)
		wantStatus(t, "handing the system to the auditor", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), `form[action="`+action+`"]`, map[string]string{"owner": fmt.Sprint(u.users[uAuditor].ID)}, "owner", "")
		if msg := p.doc(t).Find(`form[action="` + action + `"] .field-error`).Text(); msg == "" {
			t.Error("the refusal says nothing beside the row")
		}
		// The inventory's system is refused by name.
		p = b.post(t, fmt.Sprintf("%s/systems/%d/owner", path, fromAsset.ID), url.Values{"csrf": {values.Get("csrf")}, "owner": {alice}})
		wantStatus(t, "handing the inventory's system to Alice", p, http.StatusUnprocessableEntity, "")
		if !strings.Contains(p.body, "change the asset") {
			t.Errorf("the refusal of the inventory's system does not say why:\n%.300s", p.body)
		}
		if got := owners(); got[sys.ID] != u.users[uOwner].ID || got[fromAsset.ID] != u.users[uManager].ID {
			t.Errorf("refused changes were stored: %v", got)
		}
		// Nobody: the system is unowned again.
		values.Set("owner", "")
		wantStatus(t, "handing the system to nobody", b.post(t, action, values), http.StatusSeeOther, path)
		if got := owners()[sys.ID]; got != 0 {
			t.Errorf("system owner = %d, want nobody", got)
		}
		v := u.signIn(t, uViewer)
		if v.get(t, path).doc(t).Find(`form[action="`+action+`"]`).Length() != 0 {
			t.Error("a viewer is offered the owner form")
		}
		values.Set("owner", alice)
		wantStatus(t, "a viewer changing the owner", v.post(t, action, values), http.StatusForbidden, "")
	})
}
