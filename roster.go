package attest

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// The roster is everyone who works for the organization, whether or not
// they ever sign in to Attest: an auditor samples hires and leavers from
// it. Its aggregate is RosterPerson, not Person, because Person is already
// a member as shown beside what they own; a roster person may link to
// such a member (UserID) but is not one.

// EmploymentType is how someone works for the organization.
type EmploymentType string

// Employment types.
const (
	Employee   EmploymentType = "employee"
	Contractor EmploymentType = "contractor"
	Intern     EmploymentType = "intern"
)

// Valid reports whether t is a known employment type.
func (t EmploymentType) Valid() bool { return t == Employee || t == Contractor || t == Intern }

// Roster sources: how a person came onto the roster.
const (
	SourceManual = "manual"
	SourceCSV    = "csv"
	SourceUsers  = "users"
	SourceHR     = "hr"
)

// RosterPerson is one person of the organization's roster.
type RosterPerson struct {
	ID int64 `json:"id"`
	// UserID links the member this person signs in as (0: none); Member is
	// that member as shown, filled when read.
	UserID     int64   `json:"user_id,omitempty"`
	Member     *Person `json:"member,omitempty"`
	Email      string  `json:"email"`
	Name       string  `json:"name"`
	Department string  `json:"department,omitempty"`
	// ManagerID is another roster person (0: none); Manager is their name.
	ManagerID      int64          `json:"manager_id,omitempty"`
	Manager        string         `json:"manager,omitempty"`
	EmploymentType EmploymentType `json:"employment_type"`
	StartDate      Date           `json:"start_date,omitempty"`
	EndDate        Date           `json:"end_date,omitempty"`
	Source         string         `json:"source"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// Active reports whether the person works for the organization on day.
func (p *RosterPerson) Active(day Date) bool {
	return (p.StartDate.IsZero() || !day.Before(p.StartDate)) && (p.EndDate.IsZero() || !p.EndDate.Before(day))
}

// Validate checks the person's fields; EINVALID names the field.
func (p *RosterPerson) Validate() error {
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
	p.Name = strings.TrimSpace(p.Name)
	p.Department = strings.TrimSpace(p.Department)
	if p.Email == "" {
		return FieldErrorf("email", "a person needs an email")
	}
	if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
		return FieldErrorf("email", "%q is not an email address", p.Email)
	}
	if p.Name == "" {
		return FieldErrorf("name", "a person needs a name")
	}
	if len(p.Name) > 200 || len(p.Email) > 254 || len(p.Department) > 200 {
		return FieldErrorf("name", "name, email and department are at most 200 characters")
	}
	if p.EmploymentType == "" {
		p.EmploymentType = Employee
	}
	if !p.EmploymentType.Valid() {
		return FieldErrorf("employment_type", "unknown employment type %q (employee, contractor or intern)", p.EmploymentType)
	}
	if !p.StartDate.Valid() {
		return FieldErrorf("start_date", "start date %q is not YYYY-MM-DD", p.StartDate)
	}
	if !p.EndDate.Valid() {
		return FieldErrorf("end_date", "end date %q is not YYYY-MM-DD", p.EndDate)
	}
	if !p.StartDate.IsZero() && !p.EndDate.IsZero() && p.EndDate.Before(p.StartDate) {
		return FieldErrorf("end_date", "the end date %s is before the start date %s", p.EndDate, p.StartDate)
	}
	if p.ID != 0 && p.ManagerID == p.ID {
		return FieldErrorf("manager", "a person cannot be their own manager")
	}
	if p.Source == "" {
		p.Source = SourceManual
	}
	return nil
}

// RosterSorts are the columns the roster sorts by; the first is its own order.
var RosterSorts = []string{"name", "email", "department", "employment_type", "start_date", "end_date"}

// RosterFilter selects roster people; zero fields match everyone.
type RosterFilter struct {
	// Search matches name, email or department, in any case.
	Search     string
	Department string
	Type       EmploymentType
	// Status is "active" (no end date, or one not yet passed as of
	// Today), "left" (end date passed) or "" for everyone.
	Status string
	Today  Date
	// StartedFrom..StartedTo and LeftFrom..LeftTo select hires and
	// leavers of a period (inclusive; empty ends are open).
	StartedFrom, StartedTo, LeftFrom, LeftTo Date
	// Scope limits the list to an auditor's engagements (RecordScope).
	Scope RecordScope
}

// RosterService manages the roster and its checklists.
type RosterService interface {
	// FindRosterPerson returns ENOTFOUND when the organization has no such person.
	FindRosterPerson(ctx context.Context, orgID, id int64) (*RosterPerson, error)
	// FindRosterPage returns a page of the matching people and how many match.
	FindRosterPage(ctx context.Context, orgID int64, f RosterFilter, p Page) ([]*RosterPerson, int, error)
	// CreateRosterPerson validates and stores p (ECONFLICT for an email
	// already on the roster) and opens its onboarding checklist.
	CreateRosterPerson(ctx context.Context, orgID int64, p *RosterPerson) error
	// UpdateRosterPerson replaces the person's fields; an end date set
	// for the first time opens the offboarding checklist.
	UpdateRosterPerson(ctx context.Context, orgID int64, p *RosterPerson) error
	// ImportRoster adds or updates people by email, all or none.
	ImportRoster(ctx context.Context, orgID int64, people []*RosterPerson) (added, updated int, err error)
	// SyncRosterFromUsers puts every member on the roster who is not on it.
	SyncRosterFromUsers(ctx context.Context, orgID int64) (int, error)

	ChecklistService
}
