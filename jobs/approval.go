package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/notify"
)

// ApprovalNotices tell the approvers of a policy that its current version
// waits for their decision, when it is sent to them: by email to each
// approver who may still approve (active, not an auditor) and wants the
// event, and to the webhooks that want it.
func ApprovalNotices(ctx context.Context, src NoticeSource, orgID int64, p *attest.Policy, baseURL string, now time.Time) ([]DeliverArgs, error) {
	users, err := src.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	url := ""
	if baseURL != "" {
		url = fmt.Sprintf("%s/policies/%d", baseURL, p.ID)
	}
	subject := fmt.Sprintf("Please approve or reject %s version %s", p.Title, p.CurrentVersion)
	text := fmt.Sprintf("%s version %s is waiting for your decision as one of its approvers. Read it, then approve it or say what to change.", p.Title, p.CurrentVersion)
	var out []DeliverArgs
	asked := 0
	for _, u := range users {
		if !p.IsApprover(u.ID) || !attest.MayOwn(u) || u.Email == "" {
			continue
		}
		asked++
		prefs, err := src.FindNotificationPrefs(ctx, orgID, u.ID)
		if err != nil {
			return nil, err
		}
		if prefs.Wants(attest.EventPolicyApproval) {
			out = append(out, DeliverArgs{OrgID: orgID, Channel: ChannelEmail, To: u.Email, Message: notify.Message{
				Event: attest.EventPolicyApproval, Subject: subject, Text: text, URL: url, At: now}})
		}
	}
	hooks, err := src.FindWebhooks(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, h := range hooks {
		if asked > 0 && h.Wants(attest.EventPolicyApproval) {
			out = append(out, DeliverArgs{OrgID: orgID, Channel: ChannelWebhook, WebhookID: h.ID, Message: notify.Message{
				Event: attest.EventPolicyApproval, Subject: subject, URL: url, At: now,
				Text: fmt.Sprintf("%s version %s was sent to %d approvers for their decision.", p.Title, p.CurrentVersion, asked)}})
		}
	}
	return out, nil
}
