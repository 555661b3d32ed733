package attest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The registers are the records an auditor asks for beside the controls:
// risks, vendors, assets and systems, incidents. They share a shape: an
// owner who is a member, a status, links to the controls each record
// evidences, tasks, dated events, import and export.

// RecordKind names a register.
type RecordKind string

// The registers.
const (
	RecordRisk     RecordKind = "risk"
	RecordVendor   RecordKind = "vendor"
	RecordAsset    RecordKind = "asset"
	RecordIncident RecordKind = "incident"
)

// RecordKinds lists the registers in the order pages show them.
var RecordKinds = []RecordKind{RecordRisk, RecordVendor, RecordAsset, RecordIncident}

// Valid reports whether k is a known register.
func (k RecordKind) Valid() bool { return slices.Contains(RecordKinds, k) }

// Plural is the register's name in the plural, as in its path.
func (k RecordKind) Plural() string {
	if k == RecordAsset {
		return "assets"
	}
	return string(k) + "s"
}

// RecordRef names one record of a register, with its title, as a
// control's page lists the records that evidence it.
type RecordRef struct {
	Kind  RecordKind `json:"kind"`
	ID    int64      `json:"id"`
	Title string     `json:"title"`
	// EvidenceID is the evidence item made when the record was attached.
	EvidenceID int64     `json:"evidence_id,omitempty"`
	AttachedAt time.Time `json:"attached_at"`
}

// Path is the record's page.
func (r RecordRef) Path() string { return fmt.Sprintf("/%s/%d", r.Kind.Plural(), r.ID) }

// RegisterFilter selects records of a register; zero fields match all.
// Category means the risk's category, the vendor's tier, the asset's type
// or the incident's severity.
type RegisterFilter struct {
	Search   string
	Status   string
	Category string
	OwnerID  int64
	// Gap selects the records that count as readiness gaps: risks above
	// the appetite without treatment, vendors whose report expired,
	// resolved incidents without a post-incident review.
	Gap bool
	// From and To select incidents reported within the days (inclusive).
	From, To Date
	// Scope limits the list to an auditor's engagements (RecordScope).
	Scope RecordScope
}

// Validate checks the filter's text and dates.
func (f *RegisterFilter) Validate() error {
	for name, v := range map[string]string{"q": f.Search, "status": f.Status, "category": f.Category} {
		if err := ValidText(name, v); err != nil {
			return err
		}
	}
	if !f.From.Valid() {
		return FieldErrorf("from", "from must be a date YYYY-MM-DD")
	}
	if !f.To.Valid() {
		return FieldErrorf("to", "to must be a date YYYY-MM-DD")
	}
	return nil
}

// Sort columns of each register; the first is its own order.
var (
	RiskSorts     = []string{"residual", "inherent", "title", "category", "status", "owner", "updated_at"}
	VendorSorts   = []string{"name", "tier", "status", "owner", "next_review", "contract_end"}
	AssetSorts    = []string{"name", "type", "environment", "classification", "owner", "status"}
	IncidentSorts = []string{"reported_at", "severity", "title", "status", "owner"}
)

// RecordEvent kinds: the periodic risk assessment, the incident-response
// tabletop exercise, a vendor's review, and one entry of an incident's
// timeline.
const (
	EventRiskAssessment = "risk_assessment"
	EventTabletop       = "tabletop"
	EventVendorReview   = "vendor_review"
	EventTimeline       = "timeline"
)

// RecordEvent is something that happened on a day, with who took part:
// a risk assessment (the risks reviewed and what changed), a tabletop
// exercise (the scenario and findings), a vendor review (findings), or
// an incident's timeline entry.
type RecordEvent struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	// RecordID is the vendor or incident the event is about (0 for the
	// organization's risk assessments and exercises).
	RecordID     int64     `json:"record_id,omitempty"`
	OccurredAt   time.Time `json:"occurred_at"`
	Participants []int64   `json:"participant_ids"`
	People       []*Person `json:"participants"`
	// Items are the risks a risk assessment reviewed.
	Items    []int64 `json:"items,omitempty"`
	Summary  string  `json:"summary"`
	Findings string  `json:"findings,omitempty"`
	// NextDue is when the next assessment, exercise or review is due.
	NextDue    Date      `json:"next_due,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Validate checks an event before it is stored.
func (e *RecordEvent) Validate() error {
	e.Summary = strings.TrimSpace(e.Summary)
	e.Findings = strings.TrimSpace(e.Findings)
	switch e.Kind {
	case EventRiskAssessment, EventTabletop, EventVendorReview, EventTimeline:
	default:
		return FieldErrorf("kind", "unknown event kind %q", e.Kind)
	}
	switch {
	case e.OccurredAt.IsZero():
		return FieldErrorf("date", "the event needs the day it took place")
	case e.Summary == "":
		return FieldErrorf("summary", "describe what happened")
	case len(e.Summary) > 10000, len(e.Findings) > 10000:
		return FieldErrorf("summary", "the text is limited to 10,000 characters")
	case !e.NextDue.Valid():
		return FieldErrorf("next_due", "the next due date must be YYYY-MM-DD")
	case e.Kind != EventTimeline && len(e.Participants) == 0:
		return FieldErrorf("participants", "name at least one participant")
	case e.Kind == EventRiskAssessment && len(e.Items) == 0:
		return FieldErrorf("items", "name the risks the assessment reviewed")
	}
	return nil
}

// RegisterSettings are an organization's choices for its registers.
type RegisterSettings struct {
	// RiskScale is the number of levels of likelihood and impact, 3 to 5.
	RiskScale int `json:"risk_scale"`
	// RiskAppetite is the highest score the organization accepts without
	// treatment; a higher inherent score needs a treatment.
	RiskAppetite int `json:"risk_appetite"`
	// AssessmentMonths is how often the risk assessment is held.
	AssessmentMonths int `json:"assessment_months"`
	// AssessmentOwnerID is the member reminded when it is due.
	AssessmentOwnerID int64 `json:"assessment_owner_id"`
}

// DefaultRegisterSettings are the settings of an organization that chose
// none: a 5×5 scale, an appetite of 8, a yearly assessment.
func DefaultRegisterSettings() RegisterSettings {
	return RegisterSettings{RiskScale: 5, RiskAppetite: 8, AssessmentMonths: 12}
}

// Validate checks the settings.
func (s *RegisterSettings) Validate() error {
	switch {
	case s.RiskScale < 3 || s.RiskScale > 5:
		return FieldErrorf("risk_scale", "the risk scale runs from 3×3 to 5×5")
	case s.RiskAppetite < 1 || s.RiskAppetite > s.RiskScale*s.RiskScale:
		return FieldErrorf("risk_appetite", "the appetite is a score from 1 to %d", s.RiskScale*s.RiskScale)
	case s.AssessmentMonths < 1 || s.AssessmentMonths > 24:
		return FieldErrorf("assessment_months", "the assessment is held every 1 to 24 months")
	}
	return nil
}

// RegisterService links records to controls and tasks and records their
// events; each register's own service is in its file.
type RegisterService interface {
	// AttachRecord attaches a record to a control's evidence need: a
	// statement describing the record is stored as evidence of the need.
	// ENOTFOUND for an unknown record, EINVALID for an unknown control or need.
	AttachRecord(ctx context.Context, orgID int64, kind RecordKind, id int64, controlID string, need int) (*RecordRef, error)
	// DetachRecord removes the link; the evidence item stays.
	DetachRecord(ctx context.Context, orgID int64, kind RecordKind, id int64, controlID string) error
	// RecordControls returns the controls a record is attached to.
	RecordControls(ctx context.Context, orgID int64, kind RecordKind, id int64) ([]RecordRef, error)
	// ControlRecords returns the records attached to a control.
	ControlRecords(ctx context.Context, orgID int64, controlID string) ([]RecordRef, error)
	// AddRecordTask creates a task (a treatment step or corrective action)
	// tied to the record.
	AddRecordTask(ctx context.Context, orgID int64, kind RecordKind, id int64, t *Task) error
	// RecordTasks returns the record's tasks.
	RecordTasks(ctx context.Context, orgID int64, kind RecordKind, id int64) ([]*Task, error)
	// AddRecordEvent stores an event; participants must be members.
	AddRecordEvent(ctx context.Context, orgID int64, e *RecordEvent) error
	// FindRecordEvents returns the events of a kind (for a record, or all
	// with recordID 0), newest first.
	FindRecordEvents(ctx context.Context, orgID int64, kind string, recordID int64) ([]*RecordEvent, error)
	// FindRegisterSettings returns the settings (the defaults if none).
	FindRegisterSettings(ctx context.Context, orgID int64) (RegisterSettings, error)
	// UpdateRegisterSettings validates and stores the settings.
	UpdateRegisterSettings(ctx context.Context, orgID int64, s RegisterSettings) error
}

// RecordScope limits the registers and records to what concerns the
// engagements granted to an auditor; the zero value limits nothing. The
// rule, applied by the database so that a page of a list is a full page:
//
//   - Time-bound records — incidents (reported), changes (implemented),
//     control tests (tested, else due), access reviews and training
//     campaigns (due), risk assessments and tabletop exercises (held),
//     roster people hired or leaving and their checklists (start or end
//     date) — are visible when their day falls in the observation window
//     of a granted engagement: a Type II engagement's window, or for a
//     Type I the twelve months up to and including its as-of date.
//   - Standing registers — risks, vendors, assets — are visible when
//     attached to a control in scope of a granted engagement (a control
//     mapped to a criterion of its categories); an asset also when it is
//     one of a granted engagement's systems. One attached to no control
//     (and, for an asset, no engagement's system) concerns the whole
//     organization and is visible with any grant.
//
// A hidden record is "not found" for the auditor, as another
// organization's is.
type RecordScope struct {
	Scoped      bool
	Engagements []int64
}

// Record kinds of RecordScope beside the registers.
const (
	ScopePerson         = "person"
	ScopeTraining       = "training"
	ScopeAccessReview   = "access_review"
	ScopeChange         = "change"
	ScopeControlTest    = "control_test"
	ScopeRiskAssessment = EventRiskAssessment
	ScopeTabletop       = EventTabletop
)

// ScopeWindow is the observation window of an engagement for RecordScope:
// a Type II engagement's window, a Type I's twelve months up to its
// as-of date. ok is false when the engagement has no dates.
func ScopeWindow(e *Engagement) (from, to Date, ok bool) {
	if e.ReportType == TypeI {
		if e.AsOfDate.IsZero() {
			return "", "", false
		}
		return DateOf(e.AsOfDate.AddMonths(-12).Time().AddDate(0, 0, 1)), e.AsOfDate, true
	}
	if e.WindowStart.IsZero() || e.WindowEnd.IsZero() {
		return "", "", false
	}
	return e.WindowStart, e.WindowEnd, true
}
