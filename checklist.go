package attest

import (
	"context"
	"strings"
	"time"
)

// Checklist kinds.
const (
	Onboarding  = "onboarding"
	Offboarding = "offboarding"
)

// Checklist item kinds: an account to grant or revoke, a device to hand
// out or return, anything else.
const (
	ItemTask    = "task"
	ItemAccount = "account"
	ItemDevice  = "device"
)

// TemplateItem is one line of a checklist template.
type TemplateItem struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
}

// ChecklistTemplate is what a new checklist of a kind starts from; the
// organization edits it. DeadlineDays is, for offboarding, how many days
// after the last day every account must be revoked (the policy's
// deadline); for onboarding, how many days after the first day the
// checklist is due.
type ChecklistTemplate struct {
	Kind         string         `json:"kind"`
	DeadlineDays int            `json:"deadline_days"`
	Items        []TemplateItem `json:"items"`
	// ControlID is the control a completed checklist of this kind is
	// evidence of ("": none); the checklist's statement answers the
	// control's need for the hires or the leavers.
	ControlID string `json:"control_id,omitempty"`
}

// DefaultTemplates are the templates of an organization that has not
// edited its own.
var DefaultTemplates = map[string]ChecklistTemplate{
	Onboarding: {Kind: Onboarding, DeadlineDays: 30, ControlID: "HR-01", Items: []TemplateItem{
		{ItemTask, "Background check done"},
		{ItemTask, "Confidentiality agreement signed"},
		{ItemTask, "Policies acknowledged"},
		{ItemTask, "Security awareness training done"},
		{ItemAccount, "Accounts granted for the role"},
		{ItemDevice, "Laptop issued with disk encryption on"},
	}},
	Offboarding: {Kind: Offboarding, DeadlineDays: 1, ControlID: "ACC-06", Items: []TemplateItem{
		{ItemAccount, "Identity provider account disabled"},
		{ItemAccount, "Email and chat accounts suspended"},
		{ItemAccount, "Code hosting and cloud access removed"},
		{ItemDevice, "Laptop returned"},
		{ItemTask, "Exit reminder of confidentiality obligations"},
	}},
}

// Validate checks a template; EINVALID names the problem.
func (t *ChecklistTemplate) Validate() error {
	if t.Kind != Onboarding && t.Kind != Offboarding {
		return FieldErrorf("kind", "unknown checklist kind %q (onboarding or offboarding)", t.Kind)
	}
	t.ControlID = strings.ToUpper(strings.TrimSpace(t.ControlID))
	if t.DeadlineDays < 0 || t.DeadlineDays > 365 {
		return FieldErrorf("deadline_days", "the deadline is 0 to 365 days")
	}
	if len(t.Items) == 0 || len(t.Items) > 100 {
		return FieldErrorf("items", "a template has 1 to 100 items")
	}
	for i := range t.Items {
		it := &t.Items[i]
		it.Title = strings.TrimSpace(it.Title)
		if it.Kind == "" {
			it.Kind = ItemTask
		}
		if it.Kind != ItemTask && it.Kind != ItemAccount && it.Kind != ItemDevice {
			return FieldErrorf("items", "item %d: unknown kind %q (task, account or device)", i+1, it.Kind)
		}
		if it.Title == "" || len(it.Title) > 300 {
			return FieldErrorf("items", "item %d needs a title of at most 300 characters", i+1)
		}
	}
	return nil
}

// ParseTemplateItems reads a template's items from text, one per line,
// each optionally starting with "account:" or "device:".
func ParseTemplateItems(text string) []TemplateItem {
	var out []TemplateItem
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		it := TemplateItem{Kind: ItemTask, Title: line}
		if k, rest, ok := strings.Cut(line, ":"); ok && (k == ItemAccount || k == ItemDevice || k == ItemTask) {
			it = TemplateItem{Kind: k, Title: strings.TrimSpace(rest)}
		}
		out = append(out, it)
	}
	return out
}

// ChecklistItem is one dated, attributable step of a checklist.
type ChecklistItem struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	// DoneOn is the day it was done ("" while open); DoneBy the member
	// who recorded it.
	DoneOn   Date    `json:"done_on,omitempty"`
	DoneByID int64   `json:"-"`
	DoneBy   *Person `json:"done_by,omitempty"`
	Note     string  `json:"note,omitempty"`
	// EvidenceID is an evidence item that shows it done (0: none).
	EvidenceID int64 `json:"evidence_id,omitempty"`
}

// Checklist is a person's onboarding or offboarding checklist.
type Checklist struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	Person   string `json:"person"`
	Kind     string `json:"kind"`
	// DueDate is when every item must be done: for offboarding, the last
	// day plus the template's deadline.
	DueDate     Date             `json:"due_date"`
	Items       []*ChecklistItem `json:"items"`
	CreatedAt   time.Time        `json:"created_at"`
	CompletedAt *time.Time       `json:"completed_at,omitempty"`
	// EvidenceID is the statement stored as evidence of the template's
	// control when the checklist was completed (0: none).
	EvidenceID int64 `json:"evidence_id,omitempty"`
}

// Late lists the items not done by the due date (still open after it, or
// done after it): for offboarding accounts, the leavers' access that was
// not revoked in time.
func (c *Checklist) Late(today Date, kinds ...string) []*ChecklistItem {
	var out []*ChecklistItem
	for _, it := range c.Items {
		if len(kinds) > 0 && !containsString(kinds, it.Kind) {
			continue
		}
		if (it.DoneOn.IsZero() && c.DueDate.Before(today)) || (!it.DoneOn.IsZero() && c.DueDate.Before(it.DoneOn)) {
			out = append(out, it)
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// ItemUpdate records an item done (DoneOn set) or reopened (DoneOn "").
type ItemUpdate struct {
	DoneOn     Date   `json:"done_on"`
	Note       string `json:"note"`
	EvidenceID int64  `json:"evidence_id"`
}

// ChecklistService manages templates and checklists.
type ChecklistService interface {
	// FindChecklistTemplate returns the organization's template of a kind,
	// or the default one.
	FindChecklistTemplate(ctx context.Context, orgID int64, kind string) (*ChecklistTemplate, error)
	// SaveChecklistTemplate validates and stores a template; checklists
	// opened before keep their items.
	SaveChecklistTemplate(ctx context.Context, orgID int64, t *ChecklistTemplate) error
	// FindChecklists returns the person's checklists with their items.
	FindChecklists(ctx context.Context, orgID, personID int64) ([]*Checklist, error)
	// FindChecklist returns one checklist, ENOTFOUND when absent.
	FindChecklist(ctx context.Context, orgID, id int64) (*Checklist, error)
	// UpdateChecklistItem records an item done by the member byUser, or
	// reopens it; the checklist completes when every item is done.
	UpdateChecklistItem(ctx context.Context, orgID, checklistID, itemID, byUser int64, u ItemUpdate) (*Checklist, error)
}
