package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/testdb"
)

// TestRegisterReminders reminds a vendor's owner of its review and of its
// assurance report's expiry, and the assessment owner of the risk
// assessment, on the days RemindToday picks and only them.
func TestRegisterReminders(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openDB(t, tg)
			now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			o := &attest.Organization{Name: "Acme"}
			if err := db.CreateOrganization(ctx, o); err != nil {
				t.Fatal(err)
			}
			ivy := &attest.User{OrgID: o.ID, Email: "ivy@acme.example", Name: "Ivy", Role: attest.RoleControlOwner, Active: true}
			cleo := &attest.User{OrgID: o.ID, Email: "cleo@acme.example", Name: "Cleo", Role: attest.RoleComplianceManager, Active: true}
			for _, u := range []*attest.User{ivy, cleo} {
				if err := db.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			v := &attest.Vendor{Name: "MailCo", Tier: "high", OwnerID: ivy.ID, NextReview: "2026-03-15"}
			if err := db.CreateVendor(ctx, o.ID, v); err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateRegisterSettings(ctx, o.ID, attest.RegisterSettings{RiskScale: 5, RiskAppetite: 8, AssessmentMonths: 12, AssessmentOwnerID: cleo.ID}); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateRisk(ctx, o.ID, &attest.Risk{Title: "Outage", Category: "availability", Likelihood: 2, Impact: 2}); err != nil {
				t.Fatal(err)
			}
			// The first assessment is due a month after the first risk:
			// 2026-04-01. The vendor's review is due in 14 days.
			for _, c := range []struct {
				day       attest.Date
				ivy, cleo bool
				ivyLine   string
				cleoLine  string
			}{
				{"2026-03-01", true, false, "review due 2026-03-15", ""},
				{"2026-03-02", false, false, "", ""},
				{"2026-03-18", false, true, "", "risk assessment is due 2026-04-01"},
				{"2026-03-22", true, false, "review due 2026-03-15", ""},
			} {
				out, err := Reminders(ctx, db, o.ID, c.day, DefaultLeadDays, "https://attest.example")
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for _, d := range out {
					if d.Message.Event == attest.EventRecordsDue && d.Channel == ChannelEmail {
						got[d.To] = d.Message.Text
					}
				}
				if _, ok := got[ivy.Email]; ok != c.ivy || !strings.Contains(got[ivy.Email], c.ivyLine) {
					t.Errorf("%s: Ivy's reminder %q (want %v, %q)", c.day, got[ivy.Email], c.ivy, c.ivyLine)
				}
				if _, ok := got[cleo.Email]; ok != c.cleo || !strings.Contains(got[cleo.Email], c.cleoLine) {
					t.Errorf("%s: Cleo's reminder %q (want %v, %q)", c.day, got[cleo.Email], c.cleo, c.cleoLine)
				}
			}
		})
	}
}
