package jobs

import (
	"context"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
)

// TestApprovalNotices: approvers hear of a version sent to them, as they
// chose, and the webhooks that want the event get one summary; nobody
// else is told.
func TestApprovalNotices(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRemindersFixture(t, tg)
			tmpl, err := catalog.PolicyTemplate("backup")
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.db.AdoptTemplate(ctx, f.org, tmpl, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p, err = f.db.SetApprovers(ctx, f.org, p.ID, []int64{f.max.ID, f.olga.ID}); err != nil {
				t.Fatal(err)
			}
			if err := f.db.SetNotificationPrefs(ctx, f.org, f.olga.ID, attest.NotificationPrefs{attest.EventPolicyApproval: false}); err != nil {
				t.Fatal(err)
			}
			if err := f.db.CreateWebhook(ctx, f.org, &attest.Webhook{URL: "https://hooks.example/approvals", Events: []string{attest.EventPolicyApproval}}); err != nil {
				t.Fatal(err)
			}
			got, err := ApprovalNotices(ctx, f.db, f.org, p, "https://attest.example", f.now)
			if err != nil {
				t.Fatal(err)
			}
			var emails []string
			hooks := 0
			for _, d := range got {
				if d.Message.Event != attest.EventPolicyApproval {
					t.Errorf("event %s", d.Message.Event)
				}
				if d.Channel == ChannelEmail {
					emails = append(emails, d.To)
				} else {
					hooks++
				}
			}
			if len(emails) != 1 || emails[0] != f.max.Email || hooks != 1 {
				t.Errorf("notices to %v and %d webhooks; want Max only (Olga opted out) and one webhook", emails, hooks)
			}
			if got[0].Message.URL == "" || got[0].Message.Subject == "" {
				t.Errorf("notice %+v", got[0].Message)
			}
		})
	}
}
