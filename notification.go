package attest

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Notification events: what a user or a webhook may be told about.
const (
	// EventPolicyAcknowledgement: a policy is waiting for the user's
	// acknowledgement and its due date is near or past.
	EventPolicyAcknowledgement = "policy.acknowledgement_due"
	// EventEvidenceDue: evidence the user owes for a period is due soon or
	// late.
	EventEvidenceDue = "evidence.due"
	// EventEvidenceExpiring: evidence serving the user's controls expires
	// soon.
	EventEvidenceExpiring = "evidence.expiring"
	// EventPolicyApproval: a policy version was sent to the user, one of
	// its approvers, for their decision.
	EventPolicyApproval = "policy.approval_requested"
	// EventRecordsDue: records that need the user soon or are late: a
	// vendor review or assurance report, a risk acceptance's review or the
	// periodic risk assessment they own; training they must complete;
	// access review decisions assigned to them.
	EventRecordsDue = "records.due"
	// EventCheckFailed: resources began failing a check that tests a
	// control the user owns (sent when the run finds it).
	EventCheckFailed = "check.failed"
)

// NotificationEvents lists every event, in the order settings show them.
var NotificationEvents = []string{EventPolicyAcknowledgement, EventPolicyApproval, EventEvidenceDue, EventEvidenceExpiring, EventRecordsDue, EventCheckFailed}

// NotificationPrefs says which events a user receives by email; an event
// without an entry is sent.
type NotificationPrefs map[string]bool

// Wants reports whether the user receives the event by email.
func (p NotificationPrefs) Wants(event string) bool {
	on, ok := p[event]
	return !ok || on
}

// Webhook formats.
const (
	WebhookJSON  = "json"
	WebhookSlack = "slack"
)

// Webhook posts an organization's notifications to a URL, signed with its
// secret (sealed at rest). Events empty means every event.
type Webhook struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"-"`
	Format    string    `json:"format"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a webhook before it is stored.
func (w *Webhook) Validate() error {
	u, err := url.Parse(strings.TrimSpace(w.URL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Errorf(EINVALID, "a webhook needs an http:// or https:// URL")
	}
	w.URL = u.String()
	if w.Format == "" {
		w.Format = WebhookJSON
	}
	if w.Format != WebhookJSON && w.Format != WebhookSlack {
		return Errorf(EINVALID, "unknown webhook format %q (json or slack)", w.Format)
	}
	for _, e := range w.Events {
		if !slices.Contains(NotificationEvents, e) {
			return Errorf(EINVALID, "unknown event %q", e)
		}
	}
	return nil
}

// Wants reports whether the webhook receives the event.
func (w *Webhook) Wants(event string) bool {
	return len(w.Events) == 0 || slices.Contains(w.Events, event)
}

// RemindToday says whether a reminder about something due on due goes out
// today: lead days before, three days before, on the day, and weekly once
// late, so people are reminded without being flooded.
func RemindToday(due, today Date, lead int) bool {
	days := int(due.Time().Sub(today.Time()).Hours() / 24)
	switch {
	case days == lead, days == 3, days == 0:
		return true
	case days < 0:
		return -days%7 == 0
	}
	return false
}

// NotificationService keeps what users want to hear about and the
// organization's webhooks.
type NotificationService interface {
	FindNotificationPrefs(ctx context.Context, orgID, userID int64) (NotificationPrefs, error)
	SetNotificationPrefs(ctx context.Context, orgID, userID int64, prefs NotificationPrefs) error
	CreateWebhook(ctx context.Context, orgID int64, w *Webhook) error
	FindWebhooks(ctx context.Context, orgID int64) ([]*Webhook, error)
	FindWebhookByID(ctx context.Context, orgID, id int64) (*Webhook, error)
	DeleteWebhook(ctx context.Context, orgID, id int64) error
}
