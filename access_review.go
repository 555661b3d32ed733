package attest

import (
	"context"
	"strings"
	"time"
)

// Access review statuses.
const (
	ReviewOpen      = "open"
	ReviewSignedOff = "signed_off"
)

// Access review decisions about one account.
const (
	DecisionKeep   = "keep"
	DecisionRevoke = "revoke"
	DecisionChange = "change"
)

// AccessReview is one review campaign of a system's accounts for a
// period (a quarter by default). It is signed off once every account has
// a decision and every revocation or change is done; the signed-off
// record is kept as evidence of its control.
type AccessReview struct {
	ID          int64  `json:"id"`
	System      string `json:"system"`
	PeriodStart Date   `json:"period_start"`
	PeriodEnd   Date   `json:"period_end"`
	DueDate     Date   `json:"due_date"`
	Status      string `json:"status"`
	ControlID   string `json:"control_id,omitempty"`
	// Source is "csv", "manual" or the resource type the accounts came from.
	Source     string     `json:"source"`
	SignedByID int64      `json:"-"`
	SignedBy   *Person    `json:"signed_by,omitempty"`
	SignedAt   *time.Time `json:"signed_at,omitempty"`
	EvidenceID int64      `json:"evidence_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	Accounts   int        `json:"accounts"`
	Undecided  int        `json:"undecided"`
	Unresolved int        `json:"unresolved"`
}

// Overdue reports whether the review is not signed off after its due date.
func (r *AccessReview) Overdue(today Date) bool {
	return r.Status != ReviewSignedOff && r.DueDate.Before(today)
}

// QuarterOf returns the calendar quarter holding day: its first and last days.
func QuarterOf(day Date) (Date, Date) {
	t := day.Time()
	q := (int(t.Month()) - 1) / 3
	start := time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	return DateOf(start), DateOf(start.AddDate(0, 3, -1))
}

// Validate checks the review; empty periods default to the quarter before
// today's, due a month after it ends.
func (r *AccessReview) Validate(today Date) error {
	r.System = strings.TrimSpace(r.System)
	r.ControlID = strings.ToUpper(strings.TrimSpace(r.ControlID))
	if r.System == "" || len(r.System) > 200 {
		return FieldErrorf("system", "a review needs the system it covers (at most 200 characters)")
	}
	if r.PeriodStart.IsZero() && r.PeriodEnd.IsZero() {
		cur, _ := QuarterOf(today)
		r.PeriodStart, r.PeriodEnd = QuarterOf(cur.AddDays(-1))
	}
	for field, d := range map[string]Date{"period_start": r.PeriodStart, "period_end": r.PeriodEnd, "due_date": r.DueDate} {
		if !d.Valid() {
			return FieldErrorf(field, "%q is not a date (YYYY-MM-DD)", d)
		}
	}
	if r.PeriodStart.IsZero() || r.PeriodEnd.IsZero() || r.PeriodEnd.Before(r.PeriodStart) {
		return FieldErrorf("period_end", "a review covers a period: a start and an end on or after it")
	}
	if r.DueDate.IsZero() {
		r.DueDate = r.PeriodEnd.AddDays(30)
	}
	if r.Status == "" {
		r.Status = ReviewOpen
	}
	if r.Source == "" {
		r.Source = "manual"
	}
	return nil
}

// AccessAccount is one account of a review and the decision about it.
type AccessAccount struct {
	ID          int64  `json:"id"`
	ReviewID    int64  `json:"review_id"`
	Account     string `json:"account"`
	DisplayName string `json:"display_name,omitempty"`
	Email       string `json:"email,omitempty"`
	Privileges  string `json:"privileges,omitempty"`
	// PersonID is the roster person the account belongs to and UserID the
	// member (matched by email): a reviewer never decides about an
	// account of their own.
	PersonID    int64      `json:"person_id,omitempty"`
	UserID      int64      `json:"user_id,omitempty"`
	ReviewerID  int64      `json:"-"`
	Reviewer    *Person    `json:"reviewer,omitempty"`
	Decision    string     `json:"decision,omitempty"`
	Comment     string     `json:"comment,omitempty"`
	DecidedBy   *Person    `json:"decided_by,omitempty"`
	DecidedByID int64      `json:"-"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	// ResolvedOn is when a revoke or change decision was carried out.
	ResolvedOn Date `json:"resolved_on,omitempty"`
}

// Pending reports whether the account still holds up the sign-off.
func (a *AccessAccount) Pending() bool {
	return a.Decision == "" || (a.Decision != DecisionKeep && a.ResolvedOn.IsZero())
}

// Validate checks an account read from a CSV or a resource.
func (a *AccessAccount) Validate() error {
	a.Account = strings.TrimSpace(a.Account)
	a.Email = strings.ToLower(strings.TrimSpace(a.Email))
	if a.Account == "" || len(a.Account) > 300 {
		return FieldErrorf("account", "an account needs its name or ID (at most 300 characters)")
	}
	if len(a.DisplayName) > 300 || len(a.Privileges) > 2000 || len(a.Email) > 254 {
		return FieldErrorf("privileges", "display name, email or privileges too long")
	}
	return nil
}

// Decision is a reviewer's decision about one account.
type Decision struct {
	Decision string `json:"decision"`
	Comment  string `json:"comment"`
}

// Validate checks the decision: revoking or changing needs a comment.
func (d *Decision) Validate() error {
	d.Comment = strings.TrimSpace(d.Comment)
	switch d.Decision {
	case DecisionKeep:
	case DecisionRevoke, DecisionChange:
		if d.Comment == "" {
			return FieldErrorf("comment", "say why the access is to be %sd", strings.TrimSuffix(d.Decision, "e"))
		}
	default:
		return FieldErrorf("decision", "decide keep, revoke or change, not %q", d.Decision)
	}
	if len(d.Comment) > 2000 {
		return FieldErrorf("comment", "a comment is at most 2,000 characters")
	}
	return nil
}

// AccessReviewSorts are the columns reviews sort by; the first is their own order.
var AccessReviewSorts = []string{"due_date", "system", "status", "period_end", "created_at"}

// AccessReviewFilter selects reviews; zero fields match all.
type AccessReviewFilter struct {
	Search string
	Status string
	// Overdue selects open reviews due before Today.
	Overdue bool
	Today   Date
	// Scope limits the list to an auditor's engagements (RecordScope).
	Scope RecordScope
}

// AccessReviewService manages access reviews.
type AccessReviewService interface {
	FindAccessReview(ctx context.Context, orgID, id int64) (*AccessReview, error)
	FindAccessReviewPage(ctx context.Context, orgID int64, f AccessReviewFilter, p Page) ([]*AccessReview, int, error)
	// CreateAccessReview stores the review with its accounts (all or none),
	// matching each account to a roster person and a member by email.
	CreateAccessReview(ctx context.Context, orgID int64, r *AccessReview, accounts []*AccessAccount) error
	FindAccessAccounts(ctx context.Context, orgID, reviewID int64) ([]*AccessAccount, error)
	// AssignReviewer makes a member the reviewer of accounts (all of the
	// review's when ids is empty), skipping none: EINVALID when one of them
	// is the reviewer's own.
	AssignReviewer(ctx context.Context, orgID, reviewID, reviewerID int64, ids []int64) error
	// DecideAccess records the member byUser's decision; EFORBIDDEN when
	// the account is their own or assigned to another reviewer.
	DecideAccess(ctx context.Context, orgID, reviewID, accountID, byUser int64, d Decision) (*AccessAccount, error)
	// ResolveAccess records a revocation or change carried out on day.
	ResolveAccess(ctx context.Context, orgID, reviewID, accountID int64, day Date) (*AccessAccount, error)
	// SignOffAccessReview closes the review: ECONFLICT while an account
	// is pending. record (nil: none) is the signed-off record, kept as
	// evidence of the review's control with the sign-off, or not at all.
	SignOffAccessReview(ctx context.Context, orgID, reviewID, byUser int64, record *Evidence) (*AccessReview, error)
}
