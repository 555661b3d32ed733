package attest

import (
	"context"
	"strings"
	"time"
)

// ChangeRecord is one change to a system in scope: who asked for it, who
// approved it, how it was tested, when it went live and how it would be
// rolled back. A change is independently approved when a member other
// than the requester approved it.
type ChangeRecord struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description,omitempty"`
	System      string  `json:"system,omitempty"`
	RequesterID int64   `json:"-"`
	Requester   *Person `json:"requester,omitempty"`
	// RequesterNote and ApproverNote keep a name that is not a member (a
	// code-hosting login); they grant nothing and approve nothing.
	RequesterNote string  `json:"requester_note,omitempty"`
	ApproverID    int64   `json:"-"`
	Approver      *Person `json:"approver,omitempty"`
	ApproverNote  string  `json:"approver_note,omitempty"`
	ApprovedOn    Date    `json:"approved_on,omitempty"`
	Tests         string  `json:"tests,omitempty"`
	ImplementedOn Date    `json:"implemented_on"`
	Emergency     bool    `json:"emergency"`
	RollbackPlan  string  `json:"rollback_plan,omitempty"`
	// Source is "manual", "csv" or "github.pull_request"; ExternalID and
	// URL point at the change where it came from.
	Source     string    `json:"source"`
	ExternalID string    `json:"external_id,omitempty"`
	URL        string    `json:"url,omitempty"`
	ControlID  string    `json:"control_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// EvidenceID is the statement stored as evidence of the control when
	// the change was independently approved (0: none).
	EvidenceID int64 `json:"evidence_id,omitempty"`
	// Unapproved is true when no member other than the requester approved it.
	Unapproved bool `json:"unapproved"`
}

// IndependentlyApproved reports whether a member other than the requester
// approved the change.
func (c *ChangeRecord) IndependentlyApproved() bool {
	return c.ApproverID != 0 && c.ApproverID != c.RequesterID
}

// Validate checks the change; EINVALID names the field.
func (c *ChangeRecord) Validate() error {
	c.Title = strings.TrimSpace(c.Title)
	c.System = strings.TrimSpace(c.System)
	c.ControlID = strings.ToUpper(strings.TrimSpace(c.ControlID))
	if c.Title == "" || len(c.Title) > 300 {
		return FieldErrorf("title", "a change needs a title of at most 300 characters")
	}
	if c.ImplementedOn.IsZero() {
		return FieldErrorf("implemented_on", "a change needs the day it was implemented")
	}
	for field, d := range map[string]Date{"implemented_on": c.ImplementedOn, "approved_on": c.ApprovedOn} {
		if !d.Valid() {
			return FieldErrorf(field, "%q is not a date (YYYY-MM-DD)", d)
		}
	}
	if len(c.Description) > 20000 || len(c.Tests) > 20000 || len(c.RollbackPlan) > 20000 {
		return FieldErrorf("description", "description, tests and rollback plan are at most 20,000 characters each")
	}
	if c.Source == "" {
		c.Source = SourceManual
	}
	c.Unapproved = !c.IndependentlyApproved()
	return nil
}

// ChangeSorts are the columns changes sort by; the first is their own order.
var ChangeSorts = []string{"implemented_on", "title", "system", "created_at"}

// ChangeFilter selects changes; zero fields match all.
type ChangeFilter struct {
	Search string
	System string
	// Unapproved selects changes without an independent approval;
	// Emergency selects emergency changes.
	Unapproved, Emergency bool
	From, To              Date
	// Scope limits the list to an auditor's engagements (RecordScope).
	Scope RecordScope
}

// ChangeService manages change records.
type ChangeService interface {
	FindChange(ctx context.Context, orgID, id int64) (*ChangeRecord, error)
	FindChangePage(ctx context.Context, orgID int64, f ChangeFilter, p Page) ([]*ChangeRecord, int, error)
	// CreateChange validates and stores c; requester and approver must be members.
	CreateChange(ctx context.Context, orgID int64, c *ChangeRecord) error
	// ApproveChange records the member's approval; EFORBIDDEN for the requester.
	ApproveChange(ctx context.Context, orgID, id, approverID int64, day Date) (*ChangeRecord, error)
	// ImportChanges stores many changes, all or none; a change whose
	// source and external ID are already stored is skipped.
	ImportChanges(ctx context.Context, orgID int64, changes []*ChangeRecord) (int, error)
	// ImportPullRequests records the merged pull requests of the latest
	// github.pull_request resources (of one integration, 0: all; see
	// ChangesFromResources for their shape) as changes attached to
	// controlID (EINVALID naming control_id for an unknown one); those
	// stored already are skipped. It returns how many were added and how
	// many merged pull requests were read.
	ImportPullRequests(ctx context.Context, orgID, integrationID int64, controlID string) (added, merged int, err error)
}
