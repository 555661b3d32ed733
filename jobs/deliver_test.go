package jobs

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/mailpittest"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/netguard"
	"github.com/attest-dev/attest/notify"
	"github.com/attest-dev/attest/seal"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// TestDeliveries runs the reminder scan on the queue: reminders arrive by
// email at a real SMTP server and at a webhook that checks the signature;
// a webhook that keeps failing is retried, then marked failed and listed
// for admins.
func TestDeliveries(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRemindersFixture(t, tg)
			f.now = time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC) // policy due in 8 days: no; evidence a week late: yes
			mp := mailpittest.Start(t)
			mailer, err := notify.NewMailer(notify.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, From: "attest@acme.example", TLS: notify.TLSNone})
			if err != nil {
				t.Fatal(err)
			}
			key := make([]byte, seal.KeySize)
			rand.Read(key)
			box, err := seal.New(key)
			if err != nil {
				t.Fatal(err)
			}

			var good, bad atomic.Int32
			goodSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if err := notify.VerifySignature("s3cret", r.Header.Get(notify.SignatureHeader), body, time.Now(), time.Minute); err != nil {
					t.Errorf("webhook signature: %v", err)
				}
				good.Add(1)
			}))
			t.Cleanup(goodSrv.Close)
			badSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				bad.Add(1)
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			}))
			t.Cleanup(badSrv.Close)
			// The fixture's webhook names a host that does not exist here.
			hooks, err := f.db.FindWebhooks(ctx, f.org)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hooks {
				if err := f.db.DeleteWebhook(ctx, f.org, h.ID); err != nil {
					t.Fatal(err)
				}
			}
			sealed, err := box.Seal("s3cret", WebhookPurpose(f.org))
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range []*attest.Webhook{{URL: goodSrv.URL, Secret: sealed}, {URL: badSrv.URL, Format: attest.WebhookSlack}} {
				if err := f.db.CreateWebhook(ctx, f.org, h); err != nil {
					t.Fatal(err)
				}
			}

			// The test's webhooks listen on loopback: allow internal targets.
			workers, _ := Background(Deps{DB: f.db, Box: box, Mailer: mailer, HTTP: netguard.Client(10*time.Second, true),
				Now: func() time.Time { return f.now }, LeadDays: 14, BaseURL: "https://attest.example"})
			cfg := Config{Workers: workers, Concurrency: 4, PollInterval: 50 * time.Millisecond, RetryPolicy: fastRetry{},
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			q := startQueue(t, f.db.SQL(), f.db.Dialect(), cfg)
			if err := q.Enqueue(ctx, ReminderScanArgs{}, nil); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 20*time.Second, "an email to Olga and the signed webhook", func() (bool, error) {
				return mp.Count(t) >= 1 && good.Load() >= 1, nil
			})
			msg := mp.OnlyMessage(t)
			if len(msg.To) != 1 || msg.To[0].Address != "olga@acme.example" || !strings.Contains(msg.Text, "overdue since 2026-02-28") {
				t.Errorf("email = to %v, %q: %.300s", msg.To, msg.Subject, msg.Text)
			}
			waitFor(t, 20*time.Second, "the failing webhook to be given up", func() (bool, error) {
				failed, err := q.Failed(ctx, "deliver", 10)
				return len(failed) == 1, err
			})
			failed, _ := q.Failed(ctx, "deliver", 10)
			if failed[0].Attempts != deliverAttempts || !strings.Contains(failed[0].LastError, "503") || failed[0].OrgID != f.org {
				t.Errorf("failed delivery = %+v", failed[0])
			}
			if n := bad.Load(); n != deliverAttempts {
				t.Errorf("the failing webhook was tried %d times, want %d", n, deliverAttempts)
			}

			// A second scan the same day enqueues nothing new.
			if err := q.Enqueue(ctx, ReminderScanArgs{}, nil); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 10*time.Second, "the second scan", func() (bool, error) {
				res, err := q.client.JobList(ctx, river.NewJobListParams().Kinds("reminder_scan").States(rivertype.JobStateCompleted))
				return err == nil && len(res.Jobs) == 2, err
			})
			if n := mp.Count(t); n != 1 {
				t.Errorf("%d emails after a second scan the same day, want 1", n)
			}
		})
	}
}
