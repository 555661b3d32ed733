package attest

import (
	"context"
	"strings"
	"time"
)

// Training campaign kinds.
const (
	TrainingAwareness = "awareness"
	TrainingRole      = "role"
)

// Completion methods of a training assignment.
const (
	CompletedAcknowledged = "acknowledgement"
	CompletedCertificate  = "certificate"
)

// TrainingCampaign asks people of the roster to complete a training by a
// due date: the yearly security awareness, or a role's own.
type TrainingCampaign struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Kind  string `json:"kind"`
	// Material is what to study: a link or instructions.
	Material  string    `json:"material,omitempty"`
	DueDate   Date      `json:"due_date"`
	ControlID string    `json:"control_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Assigned  int       `json:"assigned"`
	Completed int       `json:"completed"`
	// EvidenceID is the statement stored as evidence of the control when
	// every assignment was completed (0: none).
	EvidenceID int64 `json:"evidence_id,omitempty"`
}

// Validate checks the campaign; EINVALID names the field.
func (c *TrainingCampaign) Validate() error {
	c.Title = strings.TrimSpace(c.Title)
	c.ControlID = strings.ToUpper(strings.TrimSpace(c.ControlID))
	if c.Title == "" || len(c.Title) > 300 {
		return FieldErrorf("title", "a campaign needs a title of at most 300 characters")
	}
	if c.Kind == "" {
		c.Kind = TrainingAwareness
	}
	if c.Kind != TrainingAwareness && c.Kind != TrainingRole {
		return FieldErrorf("kind", "unknown kind %q (awareness or role)", c.Kind)
	}
	if c.DueDate.IsZero() || !c.DueDate.Valid() {
		return FieldErrorf("due_date", "a campaign needs a due date (YYYY-MM-DD)")
	}
	if len(c.Material) > 20000 {
		return FieldErrorf("material", "the material is at most 20,000 characters")
	}
	return nil
}

// TrainingAssignment is one person's training of a campaign.
type TrainingAssignment struct {
	ID          int64  `json:"id"`
	CampaignID  int64  `json:"campaign_id"`
	Campaign    string `json:"campaign"`
	Material    string `json:"material,omitempty"`
	DueDate     Date   `json:"due_date"`
	PersonID    int64  `json:"person_id"`
	Person      string `json:"person"`
	Email       string `json:"email"`
	CompletedOn Date   `json:"completed_on,omitempty"`
	// Method is how completion was shown: an in-app acknowledgement or an
	// uploaded certificate (EvidenceID).
	Method     string `json:"method,omitempty"`
	EvidenceID int64  `json:"evidence_id,omitempty"`
}

// Overdue reports whether the training is not done after its due date.
func (a *TrainingAssignment) Overdue(today Date) bool {
	return a.CompletedOn.IsZero() && a.DueDate.Before(today)
}

// TrainingSorts are the columns campaigns sort by; the first is their own order.
var TrainingSorts = []string{"due_date", "title", "created_at"}

// TrainingFilter selects campaigns.
type TrainingFilter struct {
	Search string
	Kind   string
	// Scope limits the list to an auditor's engagements (RecordScope).
	Scope RecordScope
}

// TrainingService manages training campaigns and their completion.
type TrainingService interface {
	FindTrainingCampaign(ctx context.Context, orgID, id int64) (*TrainingCampaign, error)
	FindTrainingPage(ctx context.Context, orgID int64, f TrainingFilter, p Page) ([]*TrainingCampaign, int, error)
	CreateTrainingCampaign(ctx context.Context, orgID int64, c *TrainingCampaign) error
	// AssignTraining assigns roster people (every active one when ids is
	// empty); people already assigned are skipped. It returns how many
	// were added.
	AssignTraining(ctx context.Context, orgID, campaignID int64, personIDs []int64) (int, error)
	FindTrainingAssignments(ctx context.Context, orgID, campaignID int64) ([]*TrainingAssignment, error)
	// CompleteTraining records an assignment done on day by method
	// (a certificate needs evidenceID).
	CompleteTraining(ctx context.Context, orgID, assignmentID int64, day Date, method string, evidenceID int64) (*TrainingAssignment, error)
	// FindTrainingOf returns the training assigned to the roster person
	// with the email: a member's own.
	FindTrainingOf(ctx context.Context, orgID int64, email string) ([]*TrainingAssignment, error)
	// OverdueTraining lists every assignment not done after its due date.
	OverdueTraining(ctx context.Context, orgID int64, today Date) ([]*TrainingAssignment, error)
}

// RecordsService is every register of issue 12, for the web layer.
type RecordsService interface {
	RosterService
	TrainingService
	AccessReviewService
	ChangeService
	ControlTestService
	PopulationService
	AccessReviewScheduleService
}
