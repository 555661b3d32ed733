package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/jobs"
	"github.com/riverqueue/river"
)

// JobQueue is the background job queue as the pages use it: to send
// notifications at once, and to list the deliveries given up, for admins.
type JobQueue interface {
	Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	Failed(ctx context.Context, kind string, limit int) ([]jobs.FailedJob, error)
}

// notify enqueues deliveries; a failure is logged, never shown to the user
// whose change caused them, because the change itself was saved.
func (s *Server) notify(ctx context.Context, deliveries []jobs.DeliverArgs, err error) {
	if err == nil && s.Jobs != nil {
		for _, d := range deliveries {
			if err = s.Jobs.Enqueue(ctx, d, nil); err != nil {
				break
			}
		}
	}
	if err != nil {
		s.log.Error("enqueue notifications", "err", err)
	}
}

// eventLabels name the notification events on the pages.
var eventLabels = map[string]string{
	attest.EventPolicyAcknowledgement: "Policies waiting for my acknowledgement",
	attest.EventPolicyApproval:        "Policy versions waiting for my approval",
	attest.EventEvidenceDue:           "Evidence I owe that is due or late",
	attest.EventEvidenceExpiring:      "Evidence for my controls that is about to expire",
	attest.EventRecordsDue:            "Records I own or must act on that are due: vendor reviews and reports, risk acceptances and assessments, training, access review decisions",
	attest.EventCheckFailed:           "Resources that began failing a check of a control I own",
}

// eventChoice is one event as a checkbox.
type eventChoice struct {
	Event, Label string
	On           bool
}

func (s *Server) eventChoices(ctx context.Context, orgID, userID int64) ([]eventChoice, error) {
	prefs, err := s.svc.FindNotificationPrefs(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	out := make([]eventChoice, 0, len(attest.NotificationEvents))
	for _, e := range attest.NotificationEvents {
		out = append(out, eventChoice{Event: e, Label: eventLabels[e], On: prefs.Wants(e)})
	}
	return out, nil
}

// accountNotifications saves which reminders the user receives by email.
func (s *Server) accountNotifications(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if p.UserID == 0 {
		return attest.Errorf(attest.EFORBIDDEN, "only people have notification preferences")
	}
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	prefs := attest.NotificationPrefs{}
	on := map[string]bool{}
	for _, e := range r.PostForm["event"] {
		on[e] = true
	}
	for _, e := range attest.NotificationEvents {
		prefs[e] = on[e]
	}
	if err := s.svc.SetNotificationPrefs(r.Context(), p.OrgID, p.UserID, prefs); err != nil {
		return err
	}
	return redirect(w, r, "/account/mfa", "Notification choices saved.")
}

// webhookCreate adds a webhook; its secret is sealed before it is stored.
func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	org := orgID(r)
	h := &attest.Webhook{URL: r.PostFormValue("url"), Format: r.PostFormValue("format"), Events: r.PostForm["event"]}
	if err := h.Validate(); err != nil {
		return err
	}
	if err := s.checkTarget(r.Context(), "The webhook URL", h.URL); err != nil {
		return err
	}
	if secret := strings.TrimSpace(r.PostFormValue("secret")); secret != "" {
		sealed, err := s.box.Seal(secret, jobs.WebhookPurpose(org))
		if err != nil {
			return err
		}
		h.Secret = sealed
	}
	if err := s.svc.CreateWebhook(r.Context(), org, h); err != nil {
		return err
	}
	return redirect(w, r, "/settings", "Webhook added.")
}

func (s *Server) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteWebhook(r.Context(), orgID(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/settings", "Webhook removed.")
}

// failedDeliveries are the organization's notifications that were given
// up after their retries, newest first.
func (s *Server) failedDeliveries(ctx context.Context, orgID int64) ([]jobs.FailedJob, error) {
	if s.Jobs == nil {
		return nil, nil
	}
	all, err := s.Jobs.Failed(ctx, jobs.DeliverArgs{}.Kind(), 200)
	if err != nil {
		return nil, err
	}
	var out []jobs.FailedJob
	for _, f := range all {
		if f.OrgID == orgID {
			out = append(out, f)
		}
	}
	return out, nil
}

// engagementPackage streams the engagement's signed auditor package. It is
// written straight to the response in constant memory: if a stored file
// turns out missing or altered midway, the zip ends unsigned, so the
// auditor's `attest verify` refuses it; the error is logged.
func (s *Server) engagementPackage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	e, err := s.engagementFor(r, id)
	if err != nil {
		return err
	}
	if s.Blobs == nil {
		return attest.Errorf(attest.EINVALID, "this server has no blob store")
	}
	key, err := auditpack.SigningKey(ctx, s.svc, s.box, orgID(r))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("attest-package-%d-%s.zip", e.ID, time.Now().UTC().Format("20060102"))
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := auditpack.Write(ctx, w, s.svc, s.Blobs, key, orgID(r), e.ID); err != nil {
		s.log.Error("auditor package failed midway", "engagement", e.ID, "err", err)
	}
	return nil
}
