package jobs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/notify"
	"github.com/attest-dev/attest/store"
)

// DefaultLeadDays is how many days before a due date or an expiry the
// first reminder goes out.
const DefaultLeadDays = 14

// reminder is one line of a reminder for one recipient and event.
type reminder struct {
	event string
	line  string
}

// Reminders works out the reminders an organization's people and webhooks
// receive today: policies waiting for acknowledgement, evidence due for a
// period, and evidence about to expire. Each person gets one message per
// event listing everything; each webhook one summary per event. Users who
// turned an event off, deactivated users and users without an email get
// nothing.
func Reminders(ctx context.Context, db *store.DB, orgID int64, today attest.Date, lead int, baseURL string) ([]DeliverArgs, error) {
	users, err := db.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	// Owners are matched by user ID: what someone calls themselves never
	// brings them another's reminders.
	byID := map[int64]*attest.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	perUser := map[int64][]reminder{}
	add := func(u *attest.User, event, line string) {
		if u != nil {
			perUser[u.ID] = append(perUser[u.ID], reminder{event, line})
		}
	}

	standings, err := db.PolicyStandings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, st := range standings {
		for _, ua := range st.Users {
			if ua.State != attest.AckDone && attest.RemindToday(ua.Due, today, lead) {
				add(byID[ua.UserID], attest.EventPolicyAcknowledgement, fmt.Sprintf("%s version %s, %s", st.Policy.Title, st.Policy.PublishedVersion, dueText(ua.Due, today)))
			}
		}
	}

	engagements, err := db.FindEngagements(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, e := range engagements {
		if e.Archived() { // an archived engagement asks for nothing more
			continue
		}
		reqs, err := db.Requests(ctx, orgID, e.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range reqs {
			for _, s := range r.Slots {
				if s.State == attest.SlotMissing && attest.RemindToday(s.Due, today, lead) {
					add(byID[r.OwnerID], attest.EventEvidenceDue,
						fmt.Sprintf("%s %s: %s for %s to %s, %s", r.ControlID, r.ControlName, r.What, s.Start, s.End, dueText(s.Due, today)))
				}
			}
		}
	}

	items, err := db.FindEvidence(ctx, orgID, "")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.SupersededBy != 0 || it.ValidUntil.IsZero() || !attest.RemindToday(it.ValidUntil, today, lead) {
			continue
		}
		seen := map[int64]bool{}
		for _, l := range it.Links {
			c, err := db.FindControlByID(ctx, orgID, l.ControlID)
			if err != nil {
				return nil, err
			}
			if u := byID[c.OwnerID]; c.OwnerID != 0 && u != nil && !seen[u.ID] {
				seen[u.ID] = true
				add(u, attest.EventEvidenceExpiring, fmt.Sprintf("%q (evidence %d for %s) is valid until %s", it.Title, it.ID, l.ControlID, it.ValidUntil))
			}
		}
	}

	if err := registerReminders(ctx, db, orgID, today, lead, func(uid int64, line string) { add(byID[uid], attest.EventRecordsDue, line) }); err != nil {
		return nil, err
	}
	if err := recordReminders(ctx, db, orgID, today, lead, byID, add); err != nil { // jobs/records_reminders.go
		return nil, err
	}

	at := today.Time()
	var out []DeliverArgs
	counts := map[string]int{}
	for uid, rs := range perUser {
		u := byID[uid]
		prefs, err := db.FindNotificationPrefs(ctx, orgID, uid)
		if err != nil {
			return nil, err
		}
		for _, event := range attest.NotificationEvents {
			lines := linesOf(rs, event)
			counts[event] += len(lines)
			if len(lines) == 0 || !u.Active || u.Email == "" || !prefs.Wants(event) {
				continue
			}
			out = append(out, DeliverArgs{OrgID: orgID, Channel: ChannelEmail, To: u.Email, Message: message(event, lines, baseURL, at)})
		}
	}
	hooks, err := db.FindWebhooks(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, h := range hooks {
		for _, event := range attest.NotificationEvents {
			if n := counts[event]; n > 0 && h.Wants(event) {
				out = append(out, DeliverArgs{OrgID: orgID, Channel: ChannelWebhook, WebhookID: h.ID, Message: notify.Message{
					Event: event, Subject: summary(event, n), Text: summary(event, n) + ".", URL: link(event, baseURL), At: at}})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.To+a.Channel != b.To+b.Channel {
			return a.To+a.Channel < b.To+b.Channel
		}
		if a.WebhookID != b.WebhookID {
			return a.WebhookID < b.WebhookID
		}
		return a.Message.Event < b.Message.Event
	})
	return out, nil
}

// NoticeSource is what PublicationNotices reads; the store provides it.
type NoticeSource interface {
	PolicyStanding(ctx context.Context, orgID int64, p *attest.Policy) (*attest.PolicyStanding, error)
	FindUsers(ctx context.Context, orgID int64) ([]*attest.User, error)
	FindNotificationPrefs(ctx context.Context, orgID, userID int64) (attest.NotificationPrefs, error)
	FindWebhooks(ctx context.Context, orgID int64) ([]*attest.Webhook, error)
}

// PublicationNotices ask everyone who must acknowledge a newly published
// policy version to read it, at once rather than at the next daily scan,
// and tell the webhooks that want acknowledgement events.
func PublicationNotices(ctx context.Context, src NoticeSource, orgID int64, p *attest.Policy, baseURL string, now time.Time) ([]DeliverArgs, error) {
	st, err := src.PolicyStanding(ctx, orgID, p)
	if err != nil || st == nil {
		return nil, err
	}
	users, err := src.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*attest.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	url := ""
	if baseURL != "" {
		url = fmt.Sprintf("%s/policies/%d", baseURL, p.ID)
	}
	subject := fmt.Sprintf("Please read %s version %s", p.Title, p.PublishedVersion)
	var out []DeliverArgs
	pending := 0
	for _, ua := range st.Users {
		u := byID[ua.UserID]
		if ua.State == attest.AckDone || u == nil || u.Email == "" {
			continue
		}
		pending++
		prefs, err := src.FindNotificationPrefs(ctx, orgID, u.ID)
		if err != nil {
			return nil, err
		}
		if prefs.Wants(attest.EventPolicyAcknowledgement) {
			out = append(out, DeliverArgs{OrgID: orgID, Channel: ChannelEmail, To: u.Email, Message: notify.Message{
				Event: attest.EventPolicyAcknowledgement, Subject: subject, URL: url, At: now,
				Text: fmt.Sprintf("%s version %s has been published. Please read it and confirm by %s.", p.Title, p.PublishedVersion, ua.Due)}})
		}
	}
	hooks, err := src.FindWebhooks(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for _, h := range hooks {
		if pending > 0 && h.Wants(attest.EventPolicyAcknowledgement) {
			out = append(out, DeliverArgs{OrgID: orgID, Channel: ChannelWebhook, WebhookID: h.ID, Message: notify.Message{
				Event: attest.EventPolicyAcknowledgement, Subject: subject, URL: url, At: now,
				Text: fmt.Sprintf("%s version %s was published; %d people are asked to acknowledge it.", p.Title, p.PublishedVersion, pending)}})
		}
	}
	return out, nil
}

func linesOf(rs []reminder, event string) []string {
	var out []string
	for _, r := range rs {
		if r.event == event {
			out = append(out, r.line)
		}
	}
	sort.Strings(out)
	return out
}

func dueText(due, today attest.Date) string {
	days := int(due.Time().Sub(today.Time()).Hours() / 24)
	switch {
	case days > 0:
		return fmt.Sprintf("due %s (in %d days)", due, days)
	case days == 0:
		return "due today"
	}
	return fmt.Sprintf("overdue since %s", due)
}

func summary(event string, n int) string {
	switch event {
	case attest.EventPolicyAcknowledgement:
		return fmt.Sprintf("%d policy acknowledgements are due", n)
	case attest.EventEvidenceDue:
		return fmt.Sprintf("%d evidence requests are due", n)
	case attest.EventRecordsDue:
		return fmt.Sprintf("%d records need your attention", n)
	}
	return fmt.Sprintf("%d evidence items expire soon", n)
}

func link(event, baseURL string) string {
	if baseURL == "" {
		return ""
	}
	if event == attest.EventPolicyAcknowledgement {
		return baseURL + "/policies"
	}
	if event == attest.EventRecordsDue {
		return baseURL + "/"
	}
	return baseURL + "/evidence"
}

func message(event string, lines []string, baseURL string, at time.Time) notify.Message {
	intro := map[string]string{
		attest.EventPolicyAcknowledgement: "Please read and acknowledge:",
		attest.EventEvidenceDue:           "Evidence you owe:",
		attest.EventEvidenceExpiring:      "Evidence that will soon no longer count:",
		attest.EventRecordsDue:            "Records waiting for you:",
	}[event]
	return notify.Message{Event: event, Subject: summary(event, len(lines)), Text: intro + "\n\n- " + strings.Join(lines, "\n- "), URL: link(event, baseURL), At: at}
}
