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

// TestRecordsEvidenceInBrowser: approving a change in the browser makes it
// evidence of its control, linked from the change and listed on the
// control's page and in the request list; a checklist template names the
// control its completed checklists evidence (an unknown control is
// refused beside the field, keeping what was typed), and completing an
// offboarding checklist item by item makes the evidence.
func TestRecordsEvidenceInBrowser(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		u.setClock("2026-05-04")
		b := u.signIn(t, uAdmin)
		p := b.post(t, "/changes", url.Values{"title": {"Rotate signing keys"}, "implemented_on": {"2026-04-20"}, "control_id": {"CHG-02"},
			"requester": {u.fill(u.orgA, "{ownedBy}")}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("record a change: %d %.300s", p.status, p.body)
		}
		change := p.header.Get("Location")
		if strings.Contains(b.get(t, change).body, `id="record-evidence"`) {
			t.Error("an unapproved change links to evidence")
		}
		wantStatus(t, "approve", b.post(t, change+"/approve", url.Values{}), http.StatusSeeOther, change)
		link := b.get(t, change).doc(t).Find("#record-evidence").AttrOr("href", "")
		if !strings.HasPrefix(link, "/evidence/") {
			t.Fatalf("the approved change does not link to its evidence")
		}
		if body := b.get(t, "/controls/CHG-02").body; !strings.Contains(body, "Change approved: Rotate signing keys") {
			t.Error("the control's page does not list the change's evidence")
		}
		badge := b.get(t, "/evidence?q=CHG-02").doc(t).Find(`tr.request[data-control="CHG-02"][data-need="1"] li.slot.provided a`)
		if badge.Length() != 1 || badge.AttrOr("href", "") != link {
			t.Errorf("the request list's CHG-02 need 1: %d provided slots, link %q, want %q", badge.Length(), badge.AttrOr("href", ""), link)
		}

		// The offboarding template names its control.
		bad := b.post(t, "/people/templates/offboarding", url.Values{"deadline_days": {"2"}, "items": {"account: Directory account disabled"}, "control_id": {"NOPE-99"}})
		if bad.status != 422 || !strings.Contains(bad.body, `id="control_id-error"`) || !strings.Contains(bad.body, `value="NOPE-99"`) {
			t.Errorf("unknown control: %d %.300s", bad.status, bad.body)
		}
		wantStatus(t, "save template", b.post(t, "/people/templates/offboarding", url.Values{"deadline_days": {"2"},
			"items": {"account: Directory account disabled\ndevice: Laptop returned"}, "control_id": {"hr-08"}}), http.StatusSeeOther, "/people/templates")
		ctx := attest.WithActor(context.Background(), "user:fixture@example.com")
		leaver := &attest.RosterPerson{Name: "Lee Leaver", Email: "lee@a.example", StartDate: "2025-01-01", EndDate: "2026-04-30"}
		if err := u.db.CreateRosterPerson(ctx, u.orgA, leaver); err != nil {
			t.Fatal(err)
		}
		cs, err := u.db.FindChecklists(ctx, u.orgA, leaver.ID)
		if err != nil || len(cs) == 0 {
			t.Fatalf("checklists %v, %v", cs, err)
		}
		off := cs[len(cs)-1]
		for _, it := range off.Items {
			p := b.post(t, fmt.Sprintf("/checklists/%d/items/%d", off.ID, it.ID), url.Values{"done_on": {"2026-05-01"}})
			if p.status != http.StatusSeeOther {
				t.Fatalf("tick %s: %d %.300s", it.Title, p.status, p.body)
			}
		}
		page := b.get(t, fmt.Sprintf("/people/%d", leaver.ID)).doc(t)
		if href := page.Find(fmt.Sprintf("#checklist-%d a.record-evidence", off.ID)).AttrOr("href", ""); !strings.HasPrefix(href, "/evidence/") {
			t.Fatalf("the completed checklist does not link to its evidence")
		} else if body := b.get(t, href).body; !strings.Contains(body, "Offboarding checklist completed: Lee Leaver") || !strings.Contains(body, "HR-08") {
			t.Errorf("the checklist's evidence item: %.600s", body)
		}
	})
}
