package attest

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Incident severities, most severe first, and statuses.
var (
	IncidentSeverities = []string{"sev1", "sev2", "sev3", "sev4"}
	IncidentStatuses   = []string{"open", "contained", "resolved", "closed"}
)

// Incident is a security or availability incident (CC7.3–CC7.5): what
// happened, what it touched, why, what is done so it does not happen
// again, and the post-incident review signed off by a member.
type Incident struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	Severity   string    `json:"severity"`
	Status     string    `json:"status"`
	ReportedAt time.Time `json:"reported_at"`
	OwnerID    int64     `json:"owner_id"`
	Owner      *Person   `json:"owner"`
	Summary    string    `json:"summary"`
	// AffectedData describes the data involved; AssetIDs the systems.
	AffectedData string  `json:"affected_data"`
	AssetIDs     []int64 `json:"asset_ids"`
	PersonalData bool    `json:"personal_data"`
	Customers    bool    `json:"customers_affected"`
	// NotifiedOn is when the affected customers or people were told.
	NotifiedOn Date   `json:"notified_on"`
	RootCause  string `json:"root_cause"`
	// Review is the post-incident review; ReviewedOn its day. SignedOffBy
	// is the member who signed the review off, at SignedOffAt.
	Review        string     `json:"review"`
	ReviewedOn    Date       `json:"reviewed_on"`
	SignedOffByID int64      `json:"signed_off_by_id"`
	SignedOffBy   *Person    `json:"signed_off_by"`
	SignedOffAt   *time.Time `json:"signed_off_at"`
	Controls      []string   `json:"controls"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ClosedAt      *time.Time `json:"closed_at"`
}

// NeedsReview reports whether the incident is resolved or closed without
// a signed-off post-incident review: a readiness gap.
func (i *Incident) NeedsReview() bool {
	return (i.Status == "resolved" || i.Status == "closed") && i.SignedOffAt == nil
}

// Validate checks an incident; EINVALID names the field.
func (i *Incident) Validate() error {
	i.Title = strings.TrimSpace(i.Title)
	i.Severity = strings.ToLower(strings.TrimSpace(i.Severity))
	if i.Status == "" {
		i.Status = "open"
	}
	switch {
	case i.Title == "":
		return FieldErrorf("title", "an incident needs a title")
	case len(i.Title) > 300:
		return FieldErrorf("title", "the title is longer than 300 characters")
	case len(i.Summary) > 20000, len(i.RootCause) > 20000, len(i.Review) > 20000, len(i.AffectedData) > 5000:
		return FieldErrorf("summary", "the text is longer than 20,000 characters")
	case !slices.Contains(IncidentSeverities, i.Severity):
		return FieldErrorf("severity", "unknown severity %q (sev1 to sev4)", i.Severity)
	case !slices.Contains(IncidentStatuses, i.Status):
		return FieldErrorf("status", "unknown status %q (open, contained, resolved or closed)", i.Status)
	case i.ReportedAt.IsZero():
		return FieldErrorf("reported_at", "the incident needs the time it was reported")
	case !i.NotifiedOn.Valid():
		return FieldErrorf("notified_on", "the notification date must be YYYY-MM-DD")
	case !i.ReviewedOn.Valid():
		return FieldErrorf("reviewed_on", "the review date must be YYYY-MM-DD")
	case i.Status == "closed" && i.SignedOffAt == nil:
		return FieldErrorf("status", "an incident closes once its post-incident review is signed off")
	}
	return nil
}

// IncidentService keeps the incident register.
type IncidentService interface {
	FindIncidents(ctx context.Context, orgID int64, f RegisterFilter, p Page) ([]*Incident, int, error)
	FindIncidentByID(ctx context.Context, orgID, id int64) (*Incident, error)
	CreateIncident(ctx context.Context, orgID int64, i *Incident) error
	UpdateIncident(ctx context.Context, orgID int64, i *Incident) error
	ImportIncidents(ctx context.Context, orgID int64, is []*Incident) error
	// SignOffIncident records that userID signed off the post-incident
	// review, which must be written (EINVALID otherwise).
	SignOffIncident(ctx context.Context, orgID, id, userID int64) (*Incident, error)
}
