package attest

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Frequency is how often a control operates or its evidence is produced.
type Frequency string

// Frequencies a control may have.
const (
	Continuous Frequency = "continuous"
	Daily      Frequency = "daily"
	Weekly     Frequency = "weekly"
	Monthly    Frequency = "monthly"
	Quarterly  Frequency = "quarterly"
	Annually   Frequency = "annually"
	PerEvent   Frequency = "per_event"
)

// Frequencies lists every valid Frequency, most frequent first.
var Frequencies = []Frequency{Continuous, Daily, Weekly, Monthly, Quarterly, Annually, PerEvent}

// Valid reports whether f is one of Frequencies.
func (f Frequency) Valid() bool {
	for _, v := range Frequencies {
		if f == v {
			return true
		}
	}
	return false
}

// ControlStatus is where a control's implementation stands.
type ControlStatus string

// Control statuses.
const (
	NotStarted    ControlStatus = "not_started"
	InProgress    ControlStatus = "in_progress"
	Implemented   ControlStatus = "implemented"
	NotApplicable ControlStatus = "not_applicable"
)

// ControlStatuses lists every valid ControlStatus.
var ControlStatuses = []ControlStatus{NotStarted, InProgress, Implemented, NotApplicable}

// Valid reports whether s is one of ControlStatuses.
func (s ControlStatus) Valid() bool {
	for _, v := range ControlStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// OwnerRoles are the functions a control may be assigned to by default.
var OwnerRoles = []string{"executive", "compliance", "security", "engineering", "it", "hr", "legal", "privacy", "operations"}

// EvidenceNeed says what evidence a control requires and how often.
type EvidenceNeed struct {
	What      string    `json:"what"`
	Frequency Frequency `json:"frequency"`
	// Automated marks a need that the checks testing the control can
	// prove: their results over a period cover its slot (see
	// ApplyCheckCoverage). Manual evidence still covers it too.
	Automated bool `json:"automated,omitempty" yaml:"automated"`
	// Population names the population (one of PopulationKinds) the need's
	// events are listed in: the hires for a background check, the
	// changes for change approvals. The request list shows that
	// population beside each period of the need, and the auditor package
	// carries it. Empty when no population of Attest's records fits.
	Population string `json:"population,omitempty" yaml:"population"`
}

// Control is a safeguard an organization operates, mapped to the criteria
// it addresses. Every organization starts with the built-in library and may
// add custom controls; status, owner and the rest are the organization's.
type Control struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Criteria    []string       `json:"criteria"`
	OwnerRole   string         `json:"owner_role"`
	Frequency   Frequency      `json:"frequency"`
	Automatable bool           `json:"automatable"`
	Evidence    []EvidenceNeed `json:"evidence"`
	Custom      bool           `json:"custom"`

	Status ControlStatus `json:"status"`
	// OwnerID is the member who owns the control (0: nobody); Owner is
	// that member as shown, filled when the control is read.
	OwnerID int64   `json:"-"`
	Owner   *Person `json:"owner"`
	// OwnerNote keeps an owner named in free text who is not a member
	// (a contractor, or a name no member matched when owners became
	// members). It is shown, never grants anything, and the control still
	// counts as unowned.
	OwnerNote     string    `json:"owner_note,omitempty"`
	DueDate       Date      `json:"due_date,omitempty"`
	Notes         string    `json:"notes,omitempty"`
	Justification string    `json:"justification,omitempty"`
	UpdatedAt     time.Time `json:"updated_at"`

	// Held says why an implemented control does not yet count as
	// implemented: the policy it needs is not in force (see PolicyGates).
	// It is computed, never stored.
	Held string `json:"held,omitempty"`
}

// HoldControls returns controls with Held set from gates. Controls that a
// gate holds are copied, so shared (cached) controls are never changed.
func HoldControls(controls []*Control, gates map[string]string) []*Control {
	if len(gates) == 0 {
		return controls
	}
	out := make([]*Control, len(controls))
	for i, c := range controls {
		out[i] = c
		if r, ok := gates[c.ID]; ok && c.Status == Implemented {
			cp := *c
			cp.Held = r
			out[i] = &cp
		}
	}
	return out
}

var controlIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,9}-[0-9A-Z]{1,6}$`)

// Validate checks a control's definition against the framework. It returns
// EINVALID naming the first problem.
func (c *Control) Validate(fw *Framework) error {
	switch {
	case !controlIDPattern.MatchString(c.ID):
		return Errorf(EINVALID, "control ID %q must look like ABC-01 (capital letters, a dash, digits or letters)", c.ID)
	case strings.TrimSpace(c.Name) == "":
		return Errorf(EINVALID, "control %s needs a name", c.ID)
	case len(c.Name) > 200:
		return Errorf(EINVALID, "control %s: name is longer than 200 characters", c.ID)
	case !c.Frequency.Valid():
		return Errorf(EINVALID, "control %s: unknown frequency %q", c.ID, c.Frequency)
	case c.OwnerRole != "" && !validOwnerRole(c.OwnerRole):
		return Errorf(EINVALID, "control %s: unknown owner role %q (known: %s)", c.ID, c.OwnerRole, strings.Join(OwnerRoles, ", "))
	}
	for _, e := range c.Evidence {
		if strings.TrimSpace(e.What) == "" || !e.Frequency.Valid() {
			return Errorf(EINVALID, "control %s: each evidence need must say what and a valid frequency", c.ID)
		}
		if e.Population != "" && !containsString(PopulationKinds, e.Population) {
			return Errorf(EINVALID, "control %s: unknown population %q (one of %s)", c.ID, e.Population, strings.Join(PopulationKinds, ", "))
		}
	}
	if err := fw.CheckCriteria(c.Criteria); err != nil {
		return err
	}
	if c.Status == "" {
		c.Status = NotStarted
	}
	return c.validateState()
}

func (c *Control) validateState() error {
	if !c.Status.Valid() {
		return FieldErrorf("status", "unknown control status %q", c.Status)
	}
	if !c.DueDate.Valid() {
		return FieldErrorf("due_date", "due date %q is not YYYY-MM-DD", c.DueDate)
	}
	if len(c.OwnerNote) > 200 {
		return Errorf(EINVALID, "the owner note is longer than 200 characters")
	}
	if c.Status == NotApplicable && strings.TrimSpace(c.Justification) == "" {
		return FieldErrorf("justification", "control %s can be marked not applicable only with a justification", c.ID)
	}
	return nil
}

func validOwnerRole(r string) bool {
	for _, v := range OwnerRoles {
		if v == r {
			return true
		}
	}
	return false
}

// ControlUpdate holds the fields of a control that may change; nil means
// unchanged. OwnerID names a member already resolved (see PersonService);
// 0 leaves the control without an owner.
type ControlUpdate struct {
	Status        *ControlStatus `json:"status"`
	OwnerID       *int64         `json:"-"`
	OwnerNote     *string        `json:"owner_note"`
	DueDate       *Date          `json:"due_date"`
	Notes         *string        `json:"notes"`
	Justification *string        `json:"justification"`
}

// Apply sets the update's fields on c and validates the result.
func (u ControlUpdate) Apply(c *Control) error {
	if u.Status != nil {
		c.Status = *u.Status
	}
	if u.OwnerID != nil {
		if *u.OwnerID != c.OwnerID {
			c.Owner = nil // filled again by whoever stores the control
		}
		c.OwnerID = *u.OwnerID
	}
	if u.OwnerID != nil && *u.OwnerID != 0 && u.OwnerNote == nil {
		c.OwnerNote = "" // a member owns it now: the free-text owner is moot
	}
	if u.OwnerNote != nil {
		c.OwnerNote = strings.TrimSpace(*u.OwnerNote)
	}
	if u.DueDate != nil {
		d, err := ParseDate(string(*u.DueDate))
		if err != nil {
			return err
		}
		c.DueDate = d
	}
	if u.Notes != nil {
		c.Notes = *u.Notes
	}
	if u.Justification != nil {
		c.Justification = strings.TrimSpace(*u.Justification)
	}
	if c.Status != NotApplicable {
		c.Justification = ""
	}
	return c.validateState()
}

// ControlFilter selects controls; zero fields match everything.
type ControlFilter struct {
	Status ControlStatus
	// OwnerID selects the controls of one member; Unowned those of nobody.
	OwnerID   int64
	Unowned   bool
	Criterion string
	Category  string
	// Search matches controls whose ID or name holds the text, in any case.
	Search string
}

// Matches reports whether the control passes the filter; criteria and
// categories are looked up in fw.
func (f ControlFilter) Matches(c *Control, fw *Framework) bool {
	if (f.Status != "" && c.Status != f.Status) || (f.OwnerID != 0 && c.OwnerID != f.OwnerID) || (f.Unowned && c.OwnerID != 0) {
		return false
	}
	if q := strings.ToLower(f.Search); q != "" && !strings.Contains(strings.ToLower(c.ID), q) && !strings.Contains(strings.ToLower(c.Name), q) {
		return false
	}
	if f.Criterion == "" && f.Category == "" {
		return true
	}
	for _, id := range c.Criteria {
		crit := fw.Criterion(id)
		if crit != nil && (f.Criterion == "" || f.Criterion == id) && (f.Category == "" || f.Category == crit.Category) {
			return true
		}
	}
	return false
}

// ControlService manages an organization's controls. Every method is scoped
// to the organization orgID: no other organization's row is ever read or
// changed.
type ControlService interface {
	// FindControlByID returns ENOTFOUND if the organization has no such control.
	FindControlByID(ctx context.Context, orgID int64, id string) (*Control, error)
	// FindControls returns the controls that match, ordered by ID. They may
	// be shared with other callers and must not be modified.
	FindControls(ctx context.Context, orgID int64, f ControlFilter) ([]*Control, error)
	// CreateControl adds a custom control: EINVALID for a bad definition,
	// ECONFLICT if the ID is taken.
	CreateControl(ctx context.Context, orgID int64, c *Control) error
	// UpdateControl changes status, owner, due date, notes or justification.
	// The owner must be a member who may own things (EINVALID otherwise).
	UpdateControl(ctx context.Context, orgID int64, id string, u ControlUpdate) (*Control, error)
	// UpdateControls applies one change to several controls in one
	// transaction, with one audit entry per control: all change or none
	// (ENOTFOUND for an unknown ID, EINVALID naming the first control the
	// change does not fit).
	UpdateControls(ctx context.Context, orgID int64, ids []string, u ControlUpdate) ([]*Control, error)
	// MapControl adds a mapping from a control to a criterion (idempotent).
	MapControl(ctx context.Context, orgID int64, controlID, criterionID string) error
	// UnmapControl removes a mapping; ENOTFOUND if it did not exist.
	UnmapControl(ctx context.Context, orgID int64, controlID, criterionID string) error
	// FindControlPage returns one page of the matching controls, sorted as
	// the page asks (by ID by default; ties by ID), and how many match in
	// all. EINVALID for a sort column not in ControlSorts.
	FindControlPage(ctx context.Context, orgID int64, f ControlFilter, p Page) ([]*Control, int, error)
	// FindControlRows is FindControlPage for a list that shows only each
	// control's ID, name, status, owner, frequency and criteria: the other
	// fields are left empty, and reading none of them keeps a page cheap.
	FindControlRows(ctx context.Context, orgID int64, f ControlFilter, p Page) ([]*Control, int, error)
}
