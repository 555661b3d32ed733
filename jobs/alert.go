package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/notify"
	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river"
)

// EventCheckFailed is the notification of resources that began failing a
// check; webhooks subscribed to it receive it too.
const EventCheckFailed = attest.EventCheckFailed

// alertLines is how many failing resources a message or task names.
const alertLines = 20

// Alerter tells the owner of the controls a check tests that resources
// began failing it, and opens (or updates) the check's remediation task,
// due when the remediation window ends.
type Alerter struct {
	DB      *store.DB
	BaseURL string
	// Enqueue queues a delivery; nil records the task only.
	Enqueue func(ctx context.Context, args river.JobArgs) error
	Now     func() time.Time
}

// Alert implements Runner.Alert.
func (a *Alerter) Alert(ctx context.Context, orgID int64, c CheckInfo, failures []*attest.CheckResult) error {
	now := time.Now().UTC()
	if a.Now != nil {
		now = a.Now()
	}
	var owner *attest.User
	controlID := ""
	for _, id := range c.Controls {
		ctl, err := a.DB.FindControlByID(ctx, orgID, id)
		if err != nil {
			continue // a check may name a control the organization removed
		}
		if controlID == "" {
			controlID = ctl.ID
		}
		if ctl.OwnerID != 0 {
			if u, err := a.DB.FindUserByID(ctx, orgID, ctl.OwnerID); err == nil && u.Active {
				owner, controlID = u, ctl.ID
				break
			}
		}
	}
	lines := make([]string, 0, min(len(failures), alertLines))
	for i, f := range failures {
		if i == alertLines {
			lines = append(lines, fmt.Sprintf("and %d more", len(failures)-alertLines))
			break
		}
		name := f.ResourceName
		if name == "" {
			name = f.ResourceID
		}
		lines = append(lines, fmt.Sprintf("%s %s: %s", f.ResourceType, name, f.Reason))
	}
	desc := fmt.Sprintf("Check %s (%s) found %d resource(s) failing. Fix them before the remediation window ends (%s after each failure began), or record an exception.\n\n- %s",
		c.ID, c.Title, len(failures), c.Window, strings.Join(lines, "\n- "))
	if c.Remediation != "" {
		desc += "\n\nHow to fix: " + c.Remediation
	}
	t := &attest.Task{Title: "Fix failing check: " + c.Title, Description: desc, ControlID: controlID, DueDate: attest.DateOf(now.Add(c.Window))}
	if owner != nil {
		t.OwnerID = owner.ID
	}
	if _, err := a.DB.EnsureRemediationTask(ctx, orgID, c.ID, t); err != nil {
		return fmt.Errorf("remediation task: %w", err)
	}
	if a.Enqueue == nil {
		return nil
	}
	link := ""
	if a.BaseURL != "" {
		link = a.BaseURL + "/monitoring/checks/" + c.ID
	}
	msg := notify.Message{Event: EventCheckFailed, Subject: fmt.Sprintf("%d resource(s) began failing %q", len(failures), c.Title),
		Text: desc, URL: link, At: now, Fields: map[string]string{"check": c.ID, "severity": c.Severity, "task": fmt.Sprint(t.ID)}}
	if owner != nil && owner.Active && owner.Email != "" {
		// The owner may have turned these emails off under Account.
		prefs, err := a.DB.FindNotificationPrefs(ctx, orgID, owner.ID)
		if err != nil {
			return err
		}
		if prefs.Wants(EventCheckFailed) {
			if err := a.Enqueue(ctx, DeliverArgs{OrgID: orgID, Channel: ChannelEmail, To: owner.Email, Message: msg}); err != nil {
				return err
			}
		}
	}
	hooks, err := a.DB.FindWebhooks(ctx, orgID)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if h.Wants(EventCheckFailed) {
			if err := a.Enqueue(ctx, DeliverArgs{OrgID: orgID, Channel: ChannelWebhook, WebhookID: h.ID, Message: msg}); err != nil {
				return err
			}
		}
	}
	return nil
}
