package attest

import (
	"context"
	"strings"
	"time"
)

// ReportType is the kind of SOC 2 report an engagement aims for.
type ReportType string

// Report types: Type I tests design at a point in time, Type II tests
// operation over an observation window.
const (
	TypeI  ReportType = "type1"
	TypeII ReportType = "type2"
)

// Window limits for a Type II observation window, in months.
const (
	MinWindowMonths = 3
	MaxWindowMonths = 12
)

// System is a component inside the audit's boundary: an application, a
// database, a cloud account, a vendor service.
type System struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// OwnerID is the member who owns the system (0: nobody); Owner is that
	// member as shown, filled when the system is read. A system taken from
	// the asset inventory follows the asset's owner. OwnerNote keeps a
	// free-text owner who is not a member; it grants nothing.
	OwnerID     int64   `json:"-"`
	Owner       *Person `json:"owner"`
	OwnerNote   string  `json:"owner_note,omitempty"`
	Description string  `json:"description,omitempty"`
	// AssetID is the asset of the inventory the system was taken from (0:
	// none); such a system follows the asset's name and owner.
	AssetID int64 `json:"asset_id,omitempty"`
}

// SystemKinds are the kinds of system a scope may hold.
var SystemKinds = []string{"application", "infrastructure", "database", "cloud", "saas", "network", "endpoint", "data", "people", "process", "other"}

// Engagement is an audit project: why it is done, what report it aims for,
// when, and what is in scope.
type Engagement struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	ReportType  ReportType `json:"report_type"`
	Drivers     []string   `json:"drivers"`
	Customers   []string   `json:"customers"`
	Notes       string     `json:"notes,omitempty"`
	TargetDate  Date       `json:"target_date,omitempty"`
	AsOfDate    Date       `json:"as_of_date,omitempty"`
	WindowStart Date       `json:"window_start,omitempty"`
	WindowEnd   Date       `json:"window_end,omitempty"`
	Categories  []string   `json:"categories"`
	Systems     []*System  `json:"systems"`
	CreatedAt   time.Time  `json:"created_at"`
	// ArchivedAt is set once the engagement is archived: it stays readable
	// but is no longer offered as the current one.
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	// Current marks the organization's current engagement, the one its
	// dashboard, evidence and readiness pages show. Creating an engagement
	// makes it current only when asked or when there is no current one.
	Current bool `json:"current"`
}

// Archived reports whether the engagement was archived.
func (e *Engagement) Archived() bool { return e.ArchivedAt != nil }

// Validate checks the engagement and normalizes its categories (the
// required ones are always added). It returns EINVALID naming the problem.
func (e *Engagement) Validate(fw *Framework) error {
	e.Name = strings.TrimSpace(e.Name)
	if e.Name == "" {
		return FieldErrorf("name", "an engagement needs a name")
	}
	if len(e.Name) > 200 {
		return FieldErrorf("name", "engagement name is longer than 200 characters")
	}
	for _, d := range []struct {
		field string
		d     Date
	}{{"target_date", e.TargetDate}, {"as_of_date", e.AsOfDate}, {"window_start", e.WindowStart}, {"window_end", e.WindowEnd}} {
		if !d.d.Valid() {
			return FieldErrorf(d.field, "%q is not a date of the form YYYY-MM-DD", d.d)
		}
	}
	switch e.ReportType {
	case TypeI:
		if e.AsOfDate.IsZero() {
			return FieldErrorf("as_of_date", "a Type I engagement needs an as-of date")
		}
		if !e.WindowStart.IsZero() || !e.WindowEnd.IsZero() {
			return FieldErrorf("window_start", "a Type I engagement has an as-of date, not an observation window")
		}
	case TypeII:
		if err := ValidateWindow(e.WindowStart, e.WindowEnd); err != nil {
			return err
		}
		if !e.AsOfDate.IsZero() {
			return FieldErrorf("as_of_date", "a Type II engagement has an observation window, not an as-of date")
		}
	default:
		return FieldErrorf("report_type", "report type must be %q or %q, not %q", TypeI, TypeII, e.ReportType)
	}
	cats, err := fw.NormalizeCategories(e.Categories)
	if err != nil {
		return FieldErrorf("categories", "%s", ErrorMessage(err))
	}
	e.Categories = cats
	e.Drivers = trimAll(e.Drivers)
	e.Customers = trimAll(e.Customers)
	for _, s := range e.Systems {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// ValidateWindow checks a Type II observation window: both ends set, the end
// after the start, between MinWindowMonths and MaxWindowMonths long.
func ValidateWindow(start, end Date) error {
	if start.IsZero() || end.IsZero() {
		return FieldErrorf(missingEnd(start), "a Type II engagement needs an observation window start and end")
	}
	if !start.Before(end) {
		return FieldErrorf("window_end", "the observation window ends (%s) before it starts (%s)", end, start)
	}
	if end > start.AddMonths(MaxWindowMonths) {
		return FieldErrorf("window_end", "the observation window %s to %s is longer than %d months", start, end, MaxWindowMonths)
	}
	if end < DateOf(start.AddMonths(MinWindowMonths).Time().AddDate(0, 0, -1)) {
		return FieldErrorf("window_end", "the observation window %s to %s is shorter than %d months", start, end, MinWindowMonths)
	}
	return nil
}

// missingEnd names the window field to fill first.
func missingEnd(start Date) string {
	if start.IsZero() {
		return "window_start"
	}
	return "window_end"
}

// Validate checks a system's fields.
func (s *System) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return FieldErrorf("name", "a system needs a name")
	}
	s.OwnerNote = strings.TrimSpace(s.OwnerNote)
	if len(s.OwnerNote) > 200 {
		return FieldErrorf("owner_note", "the owner note is longer than 200 characters")
	}
	if s.Kind == "" {
		s.Kind = "other"
	}
	for _, k := range SystemKinds {
		if k == s.Kind {
			return nil
		}
	}
	return FieldErrorf("kind", "unknown system kind %q (known: %s)", s.Kind, strings.Join(SystemKinds, ", "))
}

func trimAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// EngagementUpdate holds the engagement fields that may change; nil means
// unchanged. Systems change through AddSystem and RemoveSystem.
type EngagementUpdate struct {
	Name        *string     `json:"name"`
	ReportType  *ReportType `json:"report_type"`
	Drivers     *[]string   `json:"drivers"`
	Customers   *[]string   `json:"customers"`
	Notes       *string     `json:"notes"`
	TargetDate  *Date       `json:"target_date"`
	AsOfDate    *Date       `json:"as_of_date"`
	WindowStart *Date       `json:"window_start"`
	WindowEnd   *Date       `json:"window_end"`
	Categories  *[]string   `json:"categories"`
	// Archived archives (true) or restores (false) the engagement; the
	// current engagement, once archived, hands over to the newest one left.
	Archived *bool `json:"archived"`
	// Current true makes the engagement the organization's current one;
	// false is refused (make another one current instead).
	Current *bool `json:"current"`
}

// Apply sets the update's fields on e and validates the result. Archived
// and Current are the store's to apply: they touch more than e.
func (u EngagementUpdate) Apply(e *Engagement, fw *Framework) error {
	set := func(dst *Date, src *Date) {
		if src != nil {
			*dst = *src
		}
	}
	if u.Name != nil {
		e.Name = *u.Name
	}
	if u.ReportType != nil {
		e.ReportType = *u.ReportType
	}
	if u.Drivers != nil {
		e.Drivers = *u.Drivers
	}
	if u.Customers != nil {
		e.Customers = *u.Customers
	}
	if u.Notes != nil {
		e.Notes = *u.Notes
	}
	set(&e.TargetDate, u.TargetDate)
	set(&e.AsOfDate, u.AsOfDate)
	set(&e.WindowStart, u.WindowStart)
	set(&e.WindowEnd, u.WindowEnd)
	if u.Categories != nil {
		e.Categories = *u.Categories
	}
	return e.Validate(fw)
}

// Scope is what an engagement's categories bring into the audit: the
// criteria, and the organization's controls mapped to them.
type Scope struct {
	Categories []string   `json:"categories"`
	Criteria   []string   `json:"criteria"`
	Controls   []*Control `json:"controls"`
	Systems    []*System  `json:"systems"`
}

// DeriveScope returns the criteria of the categories and the controls that
// address at least one of them.
func DeriveScope(fw *Framework, categories []string, controls []*Control) *Scope {
	crit := fw.CriteriaIn(categories)
	in := make(map[string]bool, len(crit))
	s := &Scope{Categories: categories, Criteria: make([]string, 0, len(crit)), Controls: []*Control{}}
	for _, c := range crit {
		in[c.ID] = true
		s.Criteria = append(s.Criteria, c.ID)
	}
	for _, c := range controls {
		for _, id := range c.Criteria {
			if in[id] {
				s.Controls = append(s.Controls, c)
				break
			}
		}
	}
	return s
}

// EngagementService manages an organization's engagements.
type EngagementService interface {
	// FindEngagementByID returns ENOTFOUND if the organization has none such.
	FindEngagementByID(ctx context.Context, orgID, id int64) (*Engagement, error)
	// FindEngagements returns the organization's engagements, newest first.
	FindEngagements(ctx context.Context, orgID int64) ([]*Engagement, error)
	// CreateEngagement validates and stores e with its systems.
	CreateEngagement(ctx context.Context, orgID int64, e *Engagement) error
	// UpdateEngagement changes fields; EINVALID leaves the engagement as it was.
	UpdateEngagement(ctx context.Context, orgID, id int64, u EngagementUpdate) (*Engagement, error)
	// AddSystem adds a system to the engagement's scope.
	AddSystem(ctx context.Context, orgID, engagementID int64, s *System) error
	// RemoveSystem removes a system; ENOTFOUND if it is not there.
	RemoveSystem(ctx context.Context, orgID, engagementID, systemID int64) error
	// SetSystemOwner hands a system to a member who may own things (0:
	// nobody), clearing its note; EINVALID on "owner" for anyone else, or
	// for a system taken from the asset inventory (it follows the asset's
	// owner); ENOTFOUND if the system is not there.
	SetSystemOwner(ctx context.Context, orgID, engagementID, systemID, ownerID int64) (*System, error)
}
