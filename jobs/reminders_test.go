package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
)

// remindersFixture is an organization with a policy waiting for Eve, a
// monthly evidence request owned by Olga, an item owned by Olga that
// expires, and a webhook.
type remindersFixture struct {
	db             *store.DB
	org            int64
	eve, olga, max *attest.User
	// namesake calls herself Olga too: she must get none of Olga's
	// reminders, which follow the owner's user ID.
	namesake *attest.User
	now      time.Time
	ctl      string // Olga's control, with a monthly first need
}

func newRemindersFixture(t *testing.T, tg testdb.Target) *remindersFixture {
	t.Helper()
	ctx := context.Background()
	db := openDB(t, tg)
	f := &remindersFixture{db: db, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return f.now }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	o := &attest.Organization{Name: "Acme"}
	must(db.CreateOrganization(ctx, o))
	f.org = o.ID
	user := func(name, role string) *attest.User {
		u := &attest.User{OrgID: o.ID, Email: strings.ToLower(name) + "@acme.example", Name: name, Role: role, Active: true}
		must(db.CreateUser(ctx, u))
		return u
	}
	f.max, f.eve, f.olga = user("Max", attest.RoleComplianceManager), user("Eve", attest.RoleEmployee), user("Olga", attest.RoleControlOwner)
	f.namesake = &attest.User{OrgID: o.ID, Email: "not.olga@acme.example", Name: "Olga", Role: attest.RoleControlOwner, Active: true}
	must(db.CreateUser(ctx, f.namesake))

	tmpl, err := catalog.PolicyTemplate("acceptable-use")
	must(err)
	p, err := db.AdoptTemplate(ctx, o.ID, tmpl, map[string]string{"organization": "Acme", "owner": "Security lead", "security_contact": "security@acme.example"})
	must(err)
	_, err = db.SetApprovers(ctx, o.ID, p.ID, []int64{f.max.ID})
	must(err)
	_, err = db.SubmitForApproval(ctx, o.ID, p.ID)
	must(err)
	_, err = db.Decide(ctx, o.ID, p.ID, "1.0", f.max.ID, true, "")
	must(err)
	_, err = db.Publish(ctx, o.ID, p.ID, "1.0") // due 2026-03-15 for everyone
	must(err)
	_, err = db.Acknowledge(ctx, o.ID, p.ID, "1.0", f.max.ID)
	must(err)

	e := &attest.Engagement{Name: "Type II", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
	must(db.CreateEngagement(ctx, o.ID, e))
	controls, err := db.FindControls(ctx, o.ID, attest.ControlFilter{Category: "security"})
	must(err)
	for _, c := range controls { // Olga owns one control with a monthly need; the rest nobody
		var owner int64
		if f.ctl == "" && len(c.Evidence) > 0 && c.Evidence[0].Frequency == attest.Monthly {
			owner, f.ctl = f.olga.ID, c.ID
		}
		_, err := db.UpdateControl(ctx, o.ID, c.ID, attest.ControlUpdate{OwnerID: &owner})
		must(err)
	}
	item := &attest.Evidence{Kind: attest.EvidenceLink, Title: "Pen test report", URL: "https://docs.example/pentest",
		PeriodStart: "2026-03-01", PeriodEnd: "2026-03-31", ValidUntil: "2026-03-15", Links: []attest.EvidenceLinkRef{{ControlID: f.ctl, Need: 0}}}
	must(db.CreateEvidence(ctx, o.ID, item))
	must(db.CreateWebhook(ctx, o.ID, &attest.Webhook{URL: "https://hooks.example/attest", Events: []string{attest.EventEvidenceDue}}))
	return f
}

func TestReminders(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRemindersFixture(t, tg)
			if f.ctl == "" {
				t.Fatal("no security control has a monthly evidence need")
			}

			// Day 1 of March, lead 14: the policy (due 03-15) and the
			// expiry (03-15) are 14 days away; January's and February's
			// evidence of the control's other needs are overdue (weekly, so
			// not today unless a multiple of 7 days late).
			got, err := Reminders(ctx, f.db, f.org, "2026-03-01", 14, "https://attest.example")
			if err != nil {
				t.Fatal(err)
			}
			byKey := map[string]DeliverArgs{}
			for _, d := range got {
				byKey[d.Channel+" "+d.To+" "+d.Message.Event] = d
			}
			eve := byKey["email eve@acme.example "+attest.EventPolicyAcknowledgement]
			if !strings.Contains(eve.Message.Text, "Acceptable Use Policy version 1.0, due 2026-03-15 (in 14 days)") || eve.Message.URL != "https://attest.example/policies" {
				t.Errorf("Eve's reminder = %+v", eve.Message)
			}
			if _, ok := byKey["email max@acme.example "+attest.EventPolicyAcknowledgement]; ok {
				t.Errorf("Max acknowledged, yet is reminded")
			}
			if exp := byKey["email olga@acme.example "+attest.EventEvidenceExpiring]; !strings.Contains(exp.Message.Text, "Pen test report") {
				t.Errorf("Olga's expiry reminder = %+v (all: %v)", exp.Message, keys(byKey))
			}
			for _, d := range got {
				if d.To == f.namesake.Email && d.Message.Event != attest.EventPolicyAcknowledgement {
					t.Errorf("a member who only shares Olga's name got her reminder: %s %s", d.Message.Event, d.Message.Text)
				}
			}

			// On 2026-03-03 February's slots (due 02-28) are not a week
			// late; on 03-07 they are: Olga and the webhook hear of it.
			got, _ = Reminders(ctx, f.db, f.org, "2026-03-03", 14, "")
			for _, d := range got {
				if d.Message.Event == attest.EventEvidenceDue {
					t.Errorf("a reminder for evidence on a day without one: %+v", d)
				}
			}
			got, _ = Reminders(ctx, f.db, f.org, "2026-03-07", 14, "")
			var olga, hook bool
			for _, d := range got {
				olga = olga || (d.To == "olga@acme.example" && d.Message.Event == attest.EventEvidenceDue && strings.Contains(d.Message.Text, "overdue since 2026-02-28"))
				if d.To == f.namesake.Email && d.Message.Event == attest.EventEvidenceDue {
					t.Errorf("Olga's namesake was reminded of Olga's evidence: %s", d.Message.Text)
				}
				hook = hook || (d.Channel == ChannelWebhook && d.Message.Event == attest.EventEvidenceDue)
				if d.Channel == ChannelWebhook && d.Message.Event != attest.EventEvidenceDue {
					t.Errorf("the webhook wants only evidence.due, got %s", d.Message.Event)
				}
			}
			if !olga || !hook {
				t.Errorf("on 03-07: Olga reminded %v, webhook %v: %+v", olga, hook, got)
			}

			// Eve turns policy reminders off; a deactivated user gets none.
			if err := f.db.SetNotificationPrefs(ctx, f.org, f.eve.ID, attest.NotificationPrefs{attest.EventPolicyAcknowledgement: false}); err != nil {
				t.Fatal(err)
			}
			off := false
			for _, u := range []*attest.User{f.olga, f.namesake} {
				if _, err := f.db.UpdateUser(ctx, f.org, u.ID, attest.UserUpdate{Active: &off}); err != nil {
					t.Fatal(err)
				}
			}
			got, _ = Reminders(ctx, f.db, f.org, "2026-03-01", 14, "")
			for _, d := range got {
				if d.Channel == ChannelEmail {
					t.Errorf("email sent after opting out or deactivation: %s %s", d.To, d.Message.Event)
				}
			}
		})
	}
}

// TestRemindersSkipArchived: once its engagement is archived, missing
// evidence is no longer asked for; restored, it is again.
func TestRemindersSkipArchived(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRemindersFixture(t, tg)
			due := func() int {
				t.Helper()
				got, err := Reminders(ctx, f.db, f.org, "2026-03-07", 14, "")
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, d := range got {
					if d.Message.Event == attest.EventEvidenceDue {
						n++
					}
				}
				return n
			}
			if due() == 0 {
				t.Fatal("no evidence reminder before archiving: the test shows nothing")
			}
			es, err := f.db.FindEngagements(ctx, f.org)
			if err != nil || len(es) != 1 {
				t.Fatalf("engagements %v, %v", es, err)
			}
			yes, no := true, false
			if _, err := f.db.UpdateEngagement(ctx, f.org, es[0].ID, attest.EngagementUpdate{Archived: &yes}); err != nil {
				t.Fatal(err)
			}
			if n := due(); n != 0 {
				t.Errorf("%d evidence reminders for an archived engagement", n)
			}
			if _, err := f.db.UpdateEngagement(ctx, f.org, es[0].ID, attest.EngagementUpdate{Archived: &no}); err != nil {
				t.Fatal(err)
			}
			if due() == 0 {
				t.Error("restored, the engagement's missing evidence is not asked for")
			}
		})
	}
}

func keys(m map[string]DeliverArgs) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRemindToday(t *testing.T) {
	for _, c := range []struct {
		due  attest.Date
		want bool
	}{{"2026-03-15", true}, {"2026-03-14", false}, {"2026-03-04", true}, {"2026-03-01", true}, {"2026-02-28", false}, {"2026-02-22", true}, {"2026-02-15", true}} {
		if got := attest.RemindToday(c.due, "2026-03-01", 14); got != c.want {
			t.Errorf("RemindToday(%s) = %v, want %v", c.due, got, c.want)
		}
	}
}
