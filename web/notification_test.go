package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/evpack"
	"github.com/attest-dev/attest/jobs"
	"github.com/riverqueue/river"
)

// fakeFailed is a job queue with given failed jobs.
type fakeFailed []jobs.FailedJob

func (f fakeFailed) Failed(context.Context, string, int) ([]jobs.FailedJob, error) { return f, nil }

func (f fakeFailed) Enqueue(context.Context, river.JobArgs, *river.InsertOpts) error { return nil }

func TestNotificationSettings(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		eve := u.signIn(t, uEmploye)
		if p := eve.get(t, "/account/mfa"); p.doc(t).Find(`#notifications-form input[name=event]:checked`).Length() != len(attest.NotificationEvents) {
			t.Errorf("every event should be on by default")
		}
		if p := eve.post(t, "/account/notifications", url.Values{"event": {attest.EventEvidenceDue}}); p.status != http.StatusSeeOther {
			t.Fatalf("save choices = %d: %.300s", p.status, p.body)
		}
		prefs, err := u.db.FindNotificationPrefs(ctx, u.orgA, u.users[uEmploye].ID)
		if err != nil || prefs.Wants(attest.EventPolicyAcknowledgement) || !prefs.Wants(attest.EventEvidenceDue) {
			t.Errorf("stored choices = %v, %v", prefs, err)
		}

		// A webhook's secret is sealed at rest and opens with the server's key.
		ada := u.signIn(t, uAdmin)
		p := ada.post(t, "/settings/webhooks", url.Values{"url": {"https://hooks.example/attest"}, "secret": {"whsec-123"}, "format": {"slack"}, "event": {attest.EventEvidenceDue}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("add webhook = %d: %.300s", p.status, p.body)
		}
		hooks, err := u.db.FindWebhooks(ctx, u.orgA)
		if err != nil || len(hooks) != 1 {
			t.Fatalf("webhooks = %v, %v", hooks, err)
		}
		if strings.Contains(hooks[0].Secret, "whsec-123") {
			t.Errorf("the webhook secret is stored in the clear")
		}
		if plain, err := u.server.box.Open(hooks[0].Secret, jobs.WebhookPurpose(u.orgA)); err != nil || plain != "whsec-123" {
			t.Errorf("the sealed secret opens to %q, %v", plain, err)
		}
		if p := ada.post(t, "/settings/webhooks", url.Values{"url": {"javascript:alert(1)"}}); p.status != http.StatusBadRequest {
			t.Errorf("a javascript: webhook = %d", p.status)
		}

		// Failed deliveries of this organization show to admins, others' do not.
		args := func(org int64) json.RawMessage {
			b, _ := json.Marshal(jobs.DeliverArgs{OrgID: org, Channel: jobs.ChannelWebhook, WebhookID: 1})
			return b
		}
		u.server.Jobs = fakeFailed{
			{Kind: "deliver", Args: args(u.orgA), OrgID: u.orgA, Attempts: 8, LastError: "HTTP 503 from hooks.example", FailedAt: time.Now()},
			{Kind: "deliver", Args: args(u.orgB), OrgID: u.orgB, Attempts: 8, LastError: "secret of org B", FailedAt: time.Now()},
		}
		settings := ada.get(t, "/settings").doc(t).Find("#failed-deliveries").Text()
		if !strings.Contains(settings, "HTTP 503") || strings.Contains(settings, "org B") {
			t.Errorf("failed deliveries shown: %q", settings)
		}
	})
}

// TestEngagementPackageDownload: an admin downloads the auditor package
// from the engagement page; it verifies with the organization's key.
func TestEngagementPackageDownload(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ada := u.signIn(t, uAdmin)
		if !strings.Contains(ada.get(t, "/engagements/"+u.fill(u.orgA, "{eng}")).body, "package-link") {
			t.Errorf("the engagement page has no package link for an admin")
		}
		res := ada.get(t, "/engagements/"+u.fill(u.orgA, "{eng}")+"/package")
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("package = %d %s: %.200s", res.status, res.header.Get("Content-Type"), res.body)
		}
		key, err := auditpack.SigningKey(context.Background(), u.db, u.server.box, u.orgA)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := evpack.Verify(bytes.NewReader([]byte(res.body)), int64(len(res.body)), evpack.VerifyOptions{PublicKey: key.Public().(ed25519.PublicKey)})
		if err != nil || !rep.OK || rep.Meta.Organization == "" {
			t.Fatalf("the downloaded package does not verify: %+v, %v", rep, err)
		}
		fp := evpack.Fingerprint(key.Public().(ed25519.PublicKey))
		if p := ada.get(t, "/engagements/"+u.fill(u.orgA, "{eng}")); !strings.Contains(p.doc(t).Find("#package .fingerprint").Text(), fp) {
			t.Errorf("the engagement page does not show the key's fingerprint %s", fp)
		}
		if p := ada.get(t, "/settings"); !strings.Contains(p.doc(t).Find("#signing .fingerprint").Text(), fp) {
			t.Errorf("the settings page does not show the key's fingerprint %s", fp)
		}
		// A compliance manager downloads it too; an employee does not.
		max := u.signIn(t, uManager)
		if p := max.get(t, "/engagements/"+u.fill(u.orgA, "{eng}")); !strings.Contains(p.body, "package-link") {
			t.Errorf("a compliance manager has no package link")
		}
		if res := max.get(t, "/engagements/"+u.fill(u.orgA, "{eng}")+"/package"); res.status != http.StatusOK {
			t.Errorf("a compliance manager's download = %d", res.status)
		}
		if res := u.signIn(t, uEmploye).get(t, "/engagements/"+u.fill(u.orgA, "{eng}")+"/package"); res.status != http.StatusForbidden {
			t.Errorf("an employee's download = %d, want 403", res.status)
		}
	})
}

// recordingQueue records what is enqueued.
type recordingQueue struct {
	fakeFailed
	got []jobs.DeliverArgs
}

func (q *recordingQueue) Enqueue(_ context.Context, args river.JobArgs, _ *river.InsertOpts) error {
	q.got = append(q.got, args.(jobs.DeliverArgs))
	return nil
}

// TestPublicationNotices: publishing a policy asks everyone who must
// acknowledge it at once, by email (as each chose) and webhook; a minor
// version asks nobody again.
func TestPublicationNotices(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		q := &recordingQueue{}
		u.server.Jobs = q
		if err := u.db.SetNotificationPrefs(ctx, u.orgA, u.users[uViewer].ID, attest.NotificationPrefs{attest.EventPolicyAcknowledgement: false}); err != nil {
			t.Fatal(err)
		}
		if err := u.db.CreateWebhook(ctx, u.orgA, &attest.Webhook{URL: "https://hooks.example/a", Events: []string{attest.EventPolicyAcknowledgement}}); err != nil {
			t.Fatal(err)
		}
		p := u.policyWith(t, u.orgA, true)
		max := u.signIn(t, uManager)
		if r := max.post(t, fmt.Sprintf("/policies/%d/publish", p.ID), url.Values{"version": {"1.0"}}); r.status != http.StatusSeeOther {
			t.Fatalf("publish = %d: %.300s", r.status, r.body)
		}
		to := map[string]bool{}
		hooks := 0
		for _, d := range q.got {
			if d.Channel == jobs.ChannelWebhook {
				hooks++
				continue
			}
			to[d.To] = true
			if !strings.HasPrefix(d.Message.URL, "http://127.0.0.1") || !strings.Contains(d.Message.Text, "version 1.0") {
				t.Errorf("notice %+v", d.Message)
			}
		}
		for _, key := range []string{uAdmin, uManager, uOwner, uEmploye} {
			if !to[u.users[key].Email] {
				t.Errorf("%s was not asked to acknowledge", key)
			}
		}
		if to[u.users[uAuditor].Email] || to[u.users[uViewer].Email] || hooks != 1 {
			t.Errorf("notices to %v and %d webhooks: the auditor is never asked, the viewer opted out, one webhook", to, hooks)
		}
		q.got = nil
		if _, err := u.db.SaveDraft(ctx, u.orgA, p.ID, "1.0", "# Access\n\nTypo fixed.\n", false); err != nil {
			t.Fatal(err)
		}
		if _, err := u.db.SubmitForApproval(ctx, u.orgA, p.ID); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{uAdmin, uManager, uOwner, uEmploye, uViewer} {
			if _, err := u.db.Decide(ctx, u.orgA, p.ID, "1.1", u.users[key].ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		if r := max.post(t, fmt.Sprintf("/policies/%d/publish", p.ID), url.Values{"version": {"1.1"}}); r.status != http.StatusSeeOther {
			t.Fatalf("publish 1.1 = %d: %.300s", r.status, r.body)
		}
		if len(q.got) != 0 {
			t.Errorf("a minor version sent %d notices", len(q.got))
		}
	})
}
