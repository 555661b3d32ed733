package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/netguard"
	"github.com/attest-dev/attest/notify"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river"
)

// Delivery channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// deliverAttempts is how often a notification is tried before it is
// marked failed: with River's backoff, about a day and a half.
const deliverAttempts = 8

// SnapshotArgs derives every organization's readiness now and records
// today's snapshot, so each day has one even without changes.
type SnapshotArgs struct{}

// Kind names the job.
func (SnapshotArgs) Kind() string { return "readiness_snapshot" }

// ReminderScanArgs works out and enqueues today's reminders.
type ReminderScanArgs struct{}

// Kind names the job.
func (ReminderScanArgs) Kind() string { return "reminder_scan" }

// DeliverArgs sends one notification by email or to one webhook.
type DeliverArgs struct {
	OrgID     int64          `json:"org_id"`
	Channel   string         `json:"channel"`
	To        string         `json:"to,omitempty"`
	WebhookID int64          `json:"webhook_id,omitempty"`
	Message   notify.Message `json:"message"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "deliver" }

// InsertOpts retries a delivery with backoff and enqueues the same
// notification once a day at most, so a scan run twice sends once.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: deliverAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 24 * time.Hour}}
}

// Deps are what the workers use.
type Deps struct {
	DB  *store.DB
	Box *seal.Box
	// Mailer sends email; nil turns email off (reminders then go to
	// webhooks only).
	Mailer *notify.Mailer
	// HTTP delivers webhooks; nil is a client that refuses the server's
	// own network (netguard). Pass netguard.Client(…, true) to allow it.
	HTTP *http.Client
	// BaseURL is the server's public address, for links in messages.
	BaseURL  string
	LeadDays int
	Log      *slog.Logger
	Now      func() time.Time
	// Runner collects integrations (collect.go); nil schedules none.
	Runner *Runner
}

// Background returns the workers and schedule of `attest serve`: a
// readiness snapshot every hour (a day keeps its latest) and a reminder
// scan every day, each run by one process however many share the
// database.
func Background(d Deps) (*river.Workers, []Periodic) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.LeadDays <= 0 {
		d.LeadDays = DefaultLeadDays
	}
	if d.HTTP == nil {
		d.HTTP = netguard.Client(30*time.Second, false)
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	w := river.NewWorkers()
	river.AddWorker(w, &snapshotWorker{d: d})
	river.AddWorker(w, &refreshWorker{d: d})
	river.AddWorker(w, &reminderWorker{d: d})
	river.AddWorker(w, &deliverWorker{d: d})
	periodic := []Periodic{
		{Name: "readiness_snapshot", Every: time.Hour, Args: SnapshotArgs{}},
		{Name: "reminder_scan", Every: 24 * time.Hour, Args: ReminderScanArgs{}},
	}
	if d.Runner != nil {
		periodic = append(periodic, AddCollection(w, d.Runner)...)
	}
	periodic = append(periodic, addAccessReviews(w, d)...)
	return w, periodic
}

type snapshotWorker struct {
	river.WorkerDefaults[SnapshotArgs]
	d Deps
}

func (w *snapshotWorker) Work(ctx context.Context, _ *river.Job[SnapshotArgs]) error {
	orgs, err := w.d.DB.FindOrganizations(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range orgs { // one organization's failure does not stop the others'
		if err := w.d.DB.RecordSnapshots(ctx, o.ID); err != nil {
			errs = append(errs, fmt.Errorf("organization %d: %w", o.ID, err))
		}
	}
	return errors.Join(errs...)
}

type reminderWorker struct {
	river.WorkerDefaults[ReminderScanArgs]
	d Deps
}

func (w *reminderWorker) Work(ctx context.Context, _ *river.Job[ReminderScanArgs]) error {
	orgs, err := w.d.DB.FindOrganizations(ctx)
	if err != nil {
		return err
	}
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return err
	}
	today := attest.DateOf(w.d.Now())
	for _, o := range orgs {
		deliveries, err := Reminders(ctx, w.d.DB, o.ID, today, w.d.LeadDays, w.d.BaseURL)
		if err != nil {
			return fmt.Errorf("reminders of organization %d: %w", o.ID, err)
		}
		sent := 0
		for _, d := range deliveries {
			if d.Channel == ChannelEmail && w.d.Mailer == nil {
				continue // no SMTP server: webhooks only
			}
			if _, err := client.Insert(ctx, d, nil); err != nil {
				return fmt.Errorf("enqueue reminder: %w", err)
			}
			sent++
		}
		w.d.Log.Info("reminders enqueued", "org", o.ID, "count", sent, "due", len(deliveries))
	}
	return nil
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	d Deps
}

// Work sends the notification. Errors that retrying cannot fix (a refused
// address, a 404 from a webhook, a webhook deleted meanwhile) cancel the
// job at once; others are retried with backoff.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a := job.Args
	err := w.send(ctx, a)
	if err != nil && (notify.Permanent(err) || attest.ErrorCode(err) == attest.ENOTFOUND) {
		return river.JobCancel(err)
	}
	return err
}

func (w *deliverWorker) send(ctx context.Context, a DeliverArgs) error {
	switch a.Channel {
	case ChannelEmail:
		if w.d.Mailer == nil { // this process sends no email; nothing to retry
			w.d.Log.Warn("email not sent: no SMTP server is configured (attest serve --smtp-host)", "event", a.Message.Event)
			return nil
		}
		return w.d.Mailer.Send(ctx, []string{a.To}, a.Message)
	case ChannelWebhook:
		h, err := w.d.DB.FindWebhookByID(ctx, a.OrgID, a.WebhookID)
		if err != nil {
			return err
		}
		secret := ""
		if h.Secret != "" {
			if secret, err = w.d.Box.Open(h.Secret, WebhookPurpose(a.OrgID)); err != nil {
				return attest.Errorf(attest.EINVALID, "the webhook's secret cannot be opened with this server's key")
			}
		}
		return notify.Webhook{URL: h.URL, Secret: secret, Format: h.Format}.Send(ctx, w.d.HTTP, a.Message)
	}
	return attest.Errorf(attest.EINVALID, "unknown channel %q", a.Channel)
}

// WebhookPurpose is the sealing purpose of a webhook's secret, binding it
// to its organization.
func WebhookPurpose(orgID int64) string { return "webhook-secret:" + strconv.FormatInt(orgID, 10) }
