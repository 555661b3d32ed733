package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// TestReviewFromIntegrationForms: the start form takes a system's accounts
// from an integration's latest collection, refusing one without accounts
// beside its field and keeping what was typed; the schedule form sets a
// quarterly schedule, refuses a bad period beside its field, and lists it.
func TestReviewFromIntegrationForms(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		u.setClock("2026-05-04")
		ctx := context.Background()
		var full, empty int64
		for i, name := range []string{"idp", "idp-spare"} {
			in := &attest.Integration{Kind: "okta", Name: name, Settings: map[string]string{}}
			if err := u.db.CreateIntegration(ctx, u.orgA, in); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				full = in.ID
			} else {
				empty = in.ID
			}
		}
		// An integration of a kind that lists no accounts is not offered.
		other := u.freshIntegration(t, u.orgA)
		if err := u.db.ReplaceResources(ctx, u.orgA, full, 3, []collect.Resource{
			{Type: "idp.user", ID: "u1", Name: "ana", Attributes: map[string]any{"login": "ana", "email": "ana@a.example", "roles": []any{"admin"}}},
			{Type: "idp.user", ID: "u2", Name: "ben", Attributes: map[string]any{"login": "ben", "email": "ben@a.example"}},
		}); err != nil {
			t.Fatal(err)
		}
		b := u.signIn(t, uAdmin)
		d := b.get(t, "/access-reviews").doc(t)
		if d.Find(fmt.Sprintf(`#review-form select[name="integration"] option[value="%d"]`, full)).Length() != 1 {
			t.Fatal("the start form does not offer the integration")
		}
		if d.Find(fmt.Sprintf(`#review-form select[name="integration"] option[value="%d"]`, other)).Length() != 0 {
			t.Error("the start form offers an integration whose kind lists no accounts")
		}
		p := b.post(t, "/access-reviews", url.Values{"system": {"Kept system"}, "integration": {fmt.Sprint(empty)}})
		if p.status != refusedStatus || !strings.Contains(p.body, `id="integration-error"`) || !strings.Contains(p.body, `value="Kept system"`) || !strings.Contains(p.body, "has collected no accounts") {
			t.Errorf("an integration without accounts: %d %.400s", p.status, p.body)
		}
		p = b.post(t, "/access-reviews", url.Values{"system": {"Identity provider"}, "integration": {fmt.Sprint(full)}, "control_id": {"ACC-05"}})
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/access-reviews/") {
			t.Fatalf("start from the integration: %d %.300s", p.status, p.body)
		}
		if body := b.get(t, p.location()).body; !strings.Contains(body, "ana") || !strings.Contains(body, "ben") {
			t.Error("the review does not list the integration's accounts")
		}

		p = b.post(t, "/access-review-schedules", url.Values{"system": {"Identity provider"}, "integration": {fmt.Sprint(full)}, "every_months": {"13"}})
		if p.status != refusedStatus || !strings.Contains(p.body, `id="every_months-error"`) || !strings.Contains(p.body, `id="schedule-system" name="system" value="Identity provider"`) {
			t.Errorf("a 13-month schedule: %d %.400s", p.status, p.body)
		}
		wantStatus(t, "schedule", b.post(t, "/access-review-schedules", url.Values{"system": {"Identity provider"}, "integration": {fmt.Sprint(full)}, "control_id": {"ACC-05"}}),
			http.StatusSeeOther, "/access-reviews#schedules")
		var cells []string
		b.get(t, "/access-reviews").doc(t).Find("#schedule-list tbody tr td").Each(func(_ int, c *goquery.Selection) { cells = append(cells, strings.TrimSpace(c.Text())) })
		row := strings.Join(cells, "|")
		if !strings.HasPrefix(row, "Identity provider|idp|") || !strings.Contains(row, "|3 months|2026-04-01|2026-07-01|ACC-05|") {
			t.Errorf("schedule row %q", row)
		}
		list, err := u.db.FindAccessReviewSchedules(ctx, u.orgA)
		if err != nil || len(list) != 1 {
			t.Fatalf("schedules %v, %v", list, err)
		}
		if n, err := u.db.StartDueAccessReviews(ctx, attest.Date("2026-07-01")); n != 1 || err != nil {
			t.Errorf("the schedule opened %d reviews, %v", n, err)
		}
	})
}
