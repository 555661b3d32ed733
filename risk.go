package attest

import (
	"context"
	"slices"
	"strings"
	"time"
)

// RiskTreatment is how a risk is answered.
type RiskTreatment string

// Treatments; "" means the risk has none yet.
const (
	TreatMitigate RiskTreatment = "mitigate"
	TreatAccept   RiskTreatment = "accept"
	TreatTransfer RiskTreatment = "transfer"
	TreatAvoid    RiskTreatment = "avoid"
)

// RiskTreatments lists the treatments.
var RiskTreatments = []RiskTreatment{TreatMitigate, TreatAccept, TreatTransfer, TreatAvoid}

// Risk statuses.
const (
	RiskOpen     = "open"
	RiskTreating = "treating"
	RiskAccepted = "accepted"
	RiskClosed   = "closed"
)

// RiskStatuses lists the statuses of a risk.
var RiskStatuses = []string{RiskOpen, RiskTreating, RiskAccepted, RiskClosed}

// RiskCategories are the categories of the risk library and the register.
var RiskCategories = []string{"access", "application", "availability", "change", "compliance", "data", "endpoint",
	"fraud", "governance", "infrastructure", "operations", "people", "physical", "privacy", "processing", "vendor"}

// Risk is one entry of the risk register: what could go wrong, how likely
// and how bad before (inherent) and after (residual) the mitigating
// controls, and how the organization answers it.
type Risk struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Category    string `json:"category"`
	// LibraryID is the library risk it started from, if any.
	LibraryID string  `json:"library_id,omitempty"`
	OwnerID   int64   `json:"owner_id"`
	Owner     *Person `json:"owner"`
	// Likelihood and Impact are on the organization's scale (1..scale).
	Likelihood int `json:"likelihood"`
	Impact     int `json:"impact"`
	// ResidualLikelihood and ResidualImpact are after treatment; 0 means
	// not assessed (the residual score is then the inherent one).
	ResidualLikelihood int           `json:"residual_likelihood"`
	ResidualImpact     int           `json:"residual_impact"`
	Treatment          RiskTreatment `json:"treatment"`
	TreatmentPlan      string        `json:"treatment_plan"`
	Status             string        `json:"status"`
	// ApproverID is the member who must approve an acceptance (not the
	// one who requests it); AcceptedAt is when they did, and
	// AcceptanceReview when the acceptance must be looked at again.
	ApproverID       int64      `json:"approver_id"`
	Approver         *Person    `json:"approver"`
	RequestedByID    int64      `json:"requested_by_id"`
	RequestedBy      *Person    `json:"requested_by"`
	AcceptedAt       *time.Time `json:"accepted_at"`
	AcceptanceReview Date       `json:"acceptance_review"`
	ReviewedOn       Date       `json:"reviewed_on"`
	// Controls are the mitigating controls (read; attach to change).
	Controls  []string   `json:"controls"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	ClosedAt  *time.Time `json:"closed_at"`
}

// InherentScore is likelihood times impact before treatment.
func (r *Risk) InherentScore() int { return r.Likelihood * r.Impact }

// ResidualScore is the score after treatment: the inherent score until
// the residual likelihood and impact are assessed.
func (r *Risk) ResidualScore() int {
	if r.ResidualLikelihood == 0 || r.ResidualImpact == 0 {
		return r.InherentScore()
	}
	return r.ResidualLikelihood * r.ResidualImpact
}

// AboveAppetite reports whether the risk is open, above the appetite and
// without a treatment: a readiness gap.
func (r *Risk) AboveAppetite(appetite int) bool {
	return r.Status != RiskClosed && r.Treatment == "" && r.InherentScore() > appetite
}

// Validate checks a risk against the organization's scale; it returns
// EINVALID naming the field.
func (r *Risk) Validate(scale int) error {
	r.Title = strings.TrimSpace(r.Title)
	r.Category = strings.ToLower(strings.TrimSpace(r.Category))
	if r.Status == "" {
		r.Status = RiskOpen
	}
	inScale := func(v int, zero bool) bool { return (zero && v == 0) || (v >= 1 && v <= scale) }
	switch {
	case r.Title == "":
		return FieldErrorf("title", "a risk needs a title")
	case len(r.Title) > 300:
		return FieldErrorf("title", "the title is longer than 300 characters")
	case len(r.Description) > 20000, len(r.TreatmentPlan) > 20000:
		return FieldErrorf("description", "the text is longer than 20,000 characters")
	case !slices.Contains(RiskCategories, r.Category):
		return FieldErrorf("category", "unknown category %q (known: %s)", r.Category, strings.Join(RiskCategories, ", "))
	case !inScale(r.Likelihood, false):
		return FieldErrorf("likelihood", "likelihood runs from 1 to %d", scale)
	case !inScale(r.Impact, false):
		return FieldErrorf("impact", "impact runs from 1 to %d", scale)
	case !inScale(r.ResidualLikelihood, true):
		return FieldErrorf("residual_likelihood", "residual likelihood runs from 1 to %d (or empty)", scale)
	case !inScale(r.ResidualImpact, true):
		return FieldErrorf("residual_impact", "residual impact runs from 1 to %d (or empty)", scale)
	case (r.ResidualLikelihood == 0) != (r.ResidualImpact == 0):
		return FieldErrorf("residual_impact", "give both residual likelihood and impact, or neither")
	case r.Treatment != "" && !slices.Contains(RiskTreatments, r.Treatment):
		return FieldErrorf("treatment", "unknown treatment %q (mitigate, accept, transfer or avoid)", r.Treatment)
	case !slices.Contains(RiskStatuses, r.Status):
		return FieldErrorf("status", "unknown status %q (open, treating, accepted or closed)", r.Status)
	case !r.AcceptanceReview.Valid():
		return FieldErrorf("acceptance_review", "the review date must be YYYY-MM-DD")
	case !r.ReviewedOn.Valid():
		return FieldErrorf("reviewed_on", "the review date must be YYYY-MM-DD")
	}
	if r.Treatment == TreatAccept {
		switch {
		case r.ApproverID == 0:
			return FieldErrorf("approver", "accepting a risk needs an approver")
		case r.AcceptanceReview.IsZero():
			return FieldErrorf("acceptance_review", "accepting a risk needs the date it is reviewed again")
		case r.RequestedByID != 0 && r.ApproverID == r.RequestedByID:
			return FieldErrorf("approver", "the approver must be someone other than the person asking to accept the risk")
		}
	}
	if r.Status == RiskAccepted && (r.Treatment != TreatAccept || r.AcceptedAt == nil) {
		return FieldErrorf("status", "a risk is accepted only once its approver approves the acceptance")
	}
	return nil
}

// LibraryRisk is a common risk to start a register from, with the
// controls that mitigate it.
type LibraryRisk struct {
	ID          string   `json:"id" yaml:"id"`
	Title       string   `json:"title" yaml:"title"`
	Category    string   `json:"category" yaml:"category"`
	Description string   `json:"description" yaml:"description"`
	Likelihood  int      `json:"likelihood" yaml:"likelihood"`
	Impact      int      `json:"impact" yaml:"impact"`
	Controls    []string `json:"controls" yaml:"controls"`
}

// RiskService keeps the risk register.
type RiskService interface {
	// FindRisks returns a page of the matching risks and how many match.
	FindRisks(ctx context.Context, orgID int64, f RegisterFilter, p Page) ([]*Risk, int, error)
	// FindRiskByID returns a risk or ENOTFOUND.
	FindRiskByID(ctx context.Context, orgID, id int64) (*Risk, error)
	// CreateRisk validates and stores a risk.
	CreateRisk(ctx context.Context, orgID int64, r *Risk) error
	// UpdateRisk stores the editable fields of r. Choosing acceptance
	// records who asked (RequestedByID) and waits for the approver.
	UpdateRisk(ctx context.Context, orgID int64, r *Risk) error
	// ApproveRisk records the named approver's approval of an acceptance;
	// EFORBIDDEN for anyone else.
	ApproveRisk(ctx context.Context, orgID, id, userID int64) (*Risk, error)
	// ImportRisks stores many risks in one transaction: all or none.
	ImportRisks(ctx context.Context, orgID int64, risks []*Risk) error
}
