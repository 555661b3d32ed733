package attest

import (
	"context"
	"strings"
	"time"
)

// An access review can take its accounts from an integration's latest
// resources (the directory's users, the code host's members; see
// AccountsFromResources), and a schedule starts the next review of a
// system from the same integration once each period ends: quarterly by
// default, as SOC 2 auditors expect of user access reviews.

// AccessReviewSchedule starts a system's reviews from an integration.
type AccessReviewSchedule struct {
	ID            int64  `json:"id"`
	System        string `json:"system"`
	IntegrationID int64  `json:"integration_id"`
	// Integration is the integration's name, for display.
	Integration string `json:"integration,omitempty"`
	ControlID   string `json:"control_id,omitempty"`
	// EveryMonths is the length of a review's period: 3 (a quarter) by
	// default, 1 to 12.
	EveryMonths int `json:"every_months"`
	// NextStart is the first day of the next period to review; its review
	// opens on OpensOn, the day after the period ends.
	NextStart    Date      `json:"next_start"`
	OpensOn      Date      `json:"opens_on"`
	LastReviewID int64     `json:"last_review_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Validate checks the schedule; an empty NextStart is the period running
// today (its quarter, for a quarterly schedule), so the first review opens
// when it ends.
func (s *AccessReviewSchedule) Validate(today Date) error {
	s.System = strings.TrimSpace(s.System)
	s.ControlID = strings.ToUpper(strings.TrimSpace(s.ControlID))
	if s.System == "" || len(s.System) > 200 {
		return FieldErrorf("system", "a schedule needs the system it reviews (at most 200 characters)")
	}
	if s.IntegrationID == 0 {
		return FieldErrorf("integration", "choose the integration whose accounts are reviewed")
	}
	if s.EveryMonths == 0 {
		s.EveryMonths = 3
	}
	if s.EveryMonths < 1 || s.EveryMonths > 12 {
		return FieldErrorf("every_months", "a review period is 1 to 12 months")
	}
	if !s.NextStart.Valid() {
		return FieldErrorf("next_start", "%q is not a date (YYYY-MM-DD)", s.NextStart)
	}
	if s.NextStart.IsZero() {
		if s.EveryMonths == 3 {
			s.NextStart, _ = QuarterOf(today)
		} else {
			s.NextStart = today[:8] + "01"
		}
	}
	s.OpensOn = s.NextStart.AddMonths(s.EveryMonths)
	return nil
}

// Period is the period the schedule's next review covers.
func (s *AccessReviewSchedule) Period() (Date, Date) {
	return s.NextStart, s.NextStart.AddMonths(s.EveryMonths).AddDays(-1)
}

// AccessReviewScheduleService starts reviews from integrations.
type AccessReviewScheduleService interface {
	// StartAccessReviewFrom opens a review whose accounts are the account
	// resources (AccountResourceTypes) of the integration's latest
	// collection: EINVALID naming "integration" when it has none.
	StartAccessReviewFrom(ctx context.Context, orgID int64, r *AccessReview, integrationID int64) ([]*AccessAccount, error)
	// SaveAccessReviewSchedule stores a schedule, replacing the system's
	// earlier one.
	SaveAccessReviewSchedule(ctx context.Context, orgID int64, s *AccessReviewSchedule) error
	// FindAccessReviewSchedules returns the organization's schedules by system.
	FindAccessReviewSchedules(ctx context.Context, orgID int64) ([]*AccessReviewSchedule, error)
	// DeleteAccessReviewSchedule stops a schedule; its reviews stay.
	DeleteAccessReviewSchedule(ctx context.Context, orgID, id int64) error
}
