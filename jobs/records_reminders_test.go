package jobs

import (
	"context"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/testdb"
)

// TestRecordReminders: Eve is reminded of the training she has not done
// and Olga of the access review accounts assigned to her; Max, who
// completed the training, hears nothing of it.
func TestRecordReminders(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRemindersFixture(t, tg)
			db, org := f.db, f.org
			for _, u := range []*attest.User{f.eve, f.max} {
				if err := db.CreateRosterPerson(ctx, org, &attest.RosterPerson{Email: u.Email, Name: u.Name}); err != nil {
					t.Fatal(err)
				}
			}
			c := &attest.TrainingCampaign{Title: "Awareness 2026", DueDate: "2026-03-15"}
			if err := db.CreateTrainingCampaign(ctx, org, c); err != nil {
				t.Fatal(err)
			}
			if _, err := db.AssignTraining(ctx, org, c.ID, nil); err != nil {
				t.Fatal(err)
			}
			as, _ := db.FindTrainingAssignments(ctx, org, c.ID)
			for _, a := range as {
				if a.Email == f.max.Email {
					if _, err := db.CompleteTraining(ctx, org, a.ID, "2026-03-01", attest.CompletedAcknowledged, 0); err != nil {
						t.Fatal(err)
					}
				}
			}
			rv := &attest.AccessReview{System: "Okta", PeriodStart: "2025-10-01", PeriodEnd: "2025-12-31", DueDate: "2026-03-15"}
			if err := db.CreateAccessReview(ctx, org, rv, []*attest.AccessAccount{{Account: "eve", Email: f.eve.Email}, {Account: "bot"}}); err != nil {
				t.Fatal(err)
			}
			if err := db.AssignReviewer(ctx, org, rv.ID, f.olga.ID, nil); err != nil {
				t.Fatal(err)
			}
			got, err := Reminders(ctx, db, org, "2026-03-01", 14, "https://attest.example")
			if err != nil {
				t.Fatal(err)
			}
			byKey := map[string]DeliverArgs{}
			for _, d := range got {
				byKey[d.Channel+" "+d.To+" "+d.Message.Event] = d
			}
			if m := byKey["email eve@acme.example "+attest.EventRecordsDue].Message; !strings.Contains(m.Text, `training "Awareness 2026", due 2026-03-15 (in 14 days)`) {
				t.Errorf("Eve's reminder %+v", m)
			}
			if m := byKey["email olga@acme.example "+attest.EventRecordsDue].Message; !strings.Contains(m.Text, "2 accounts of the Okta access review to decide") {
				t.Errorf("Olga's reminder %+v", m)
			}
			if _, ok := byKey["email max@acme.example "+attest.EventRecordsDue]; ok {
				t.Error("Max completed the training, yet is reminded")
			}

			// A deficiency in Olga's control: she hears of its follow-up task
			// 14 days before it is due (30 days after the test).
			ct := &attest.ControlTest{ControlID: f.ctl, Period: "2026-Q1", Procedure: attest.ProcInspection, Sample: "3 months of records", Result: attest.ResultDeficiency, TestedOn: "2026-03-01"}
			if err := db.CreateControlTest(ctx, org, ct); err != nil {
				t.Fatal(err)
			}
			got, err = Reminders(ctx, db, org, "2026-03-17", 14, "")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range got {
				if d.To == f.olga.Email && d.Message.Event == attest.EventRecordsDue && strings.Contains(d.Message.Text, "the deficiency found testing "+f.ctl) {
					found = true
				}
			}
			if !found {
				t.Errorf("Olga is not told of the deficiency's follow-up: %+v", got)
			}
		})
	}
}
