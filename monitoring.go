package attest

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// CheckStatus is the outcome of a check on one resource: pass, fail,
// error or skip (the same words as package check's Status).
type CheckStatus string

// Check statuses.
const (
	CheckPass  CheckStatus = "pass"
	CheckFail  CheckStatus = "fail"
	CheckError CheckStatus = "error"
	CheckSkip  CheckStatus = "skip"
)

// Severities of checks, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// MonitoredCheck is a check as the monitoring pages show it: what it is,
// the controls it tests, its remediation window, and how its resources
// stood after its last run.
type MonitoredCheck struct {
	ID          string        `json:"id"`
	Title       string        `json:"title"`
	Description string        `json:"description,omitempty"`
	Severity    string        `json:"severity"`
	Controls    []string      `json:"controls"`
	Remediation string        `json:"remediation,omitempty"`
	Window      time.Duration `json:"window_seconds"`
	// Integrations are the names of the integrations whose resources the
	// check read in its last run.
	Integrations []string   `json:"integrations"`
	Pass         int        `json:"pass"`
	Fail         int        `json:"fail"`
	Error        int        `json:"error"`
	Skip         int        `json:"skip"`
	Excepted     int        `json:"excepted"`
	Deviations   int        `json:"deviations"`
	LastRunAt    *time.Time `json:"last_run_at,omitempty"`
	TaskID       int64      `json:"task_id,omitempty"`
}

// Status sums the check up: fail when a resource fails (and is not
// excepted), error when one could not be evaluated, pass otherwise, and
// "not run" before its first run.
func (c *MonitoredCheck) Status() string {
	switch {
	case c.LastRunAt == nil:
		return "not run"
	case c.Fail > 0:
		return "fail"
	case c.Error > 0:
		return "error"
	}
	return "pass"
}

// CheckResult is one stretch of time over which a check's result on a
// resource stayed the same: a new row is written only when the status,
// the reason or the exception changes, so history is kept as state
// changes. Until is nil while it lasts. Deadline is when a failure stops
// being within its remediation window.
type CheckResult struct {
	ID            int64       `json:"id"`
	CheckID       string      `json:"check"`
	ResourceType  string      `json:"resource_type"`
	ResourceID    string      `json:"resource"`
	ResourceName  string      `json:"resource_name,omitempty"`
	IntegrationID int64       `json:"integration_id,omitempty"`
	Status        CheckStatus `json:"status"`
	Reason        string      `json:"reason,omitempty"`
	// Excepted marks a result covered by an approved exception: the
	// status stays what the check found, so the auditor sees both.
	Excepted bool       `json:"excepted"`
	Since    time.Time  `json:"since"`
	Until    *time.Time `json:"until,omitempty"`
	Deadline *time.Time `json:"deadline,omitempty"`
}

// Deviation reports whether the result is a failure left open past its
// remediation window (at now, or when it ended).
func (r *CheckResult) Deviation(now time.Time) bool {
	if r.Status != CheckFail || r.Excepted || r.Deadline == nil {
		return false
	}
	end := now
	if r.Until != nil {
		end = *r.Until
	}
	return end.After(*r.Deadline)
}

// CheckException lets a resource fail a check for a reason, until a date,
// with the approval of someone other than who asked for it.
type CheckException struct {
	ID           int64     `json:"id"`
	CheckID      string    `json:"check"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource"`
	Reason       string    `json:"reason"`
	RequesterID  int64     `json:"-"`
	Requester    *Person   `json:"requested_by"`
	ApproverID   int64     `json:"-"`
	Approver     *Person   `json:"approved_by"`
	Expires      Date      `json:"expires"`
	CreatedAt    time.Time `json:"created_at"`
}

// Active reports whether the exception applies on day today: it lapses
// on its expiry date.
func (e *CheckException) Active(today Date) bool { return today.Before(e.Expires) }

// Validate checks an exception; today bounds its expiry (at most a year).
func (e *CheckException) Validate(today Date) error {
	e.Reason = strings.TrimSpace(e.Reason)
	switch {
	case e.CheckID == "" || e.ResourceID == "":
		return FieldErrorf("resource", "an exception names a check and a resource")
	case e.Reason == "":
		return FieldErrorf("reason", "write why this resource may fail the check")
	case len(e.Reason) > 2000:
		return FieldErrorf("reason", "the reason is longer than 2,000 characters")
	case !e.Expires.Valid() || e.Expires.IsZero():
		return FieldErrorf("expires", "the expiry must be a date (YYYY-MM-DD)")
	case !today.Before(e.Expires):
		return FieldErrorf("expires", "the expiry must be after today")
	case today.AddMonths(12).Before(e.Expires):
		return FieldErrorf("expires", "an exception lasts a year at most")
	case e.ApproverID == 0:
		return FieldErrorf("approver", "name the member who approves the exception")
	case e.ApproverID == e.RequesterID:
		return FieldErrorf("approver", "the approver must be someone other than who asks for the exception")
	}
	return ValidText("reason", e.Reason)
}

// CheckFilter selects checks on the monitoring page.
type CheckFilter struct {
	Integration string
	Control     string
	Severity    string
	Status      string
	Search      string
	Offset      int
	Limit       int
}

// ResultFilter selects a check's results.
type ResultFilter struct {
	CheckID   string
	Status    string
	OpenOnly  bool
	Offset    int
	Limit     int
	ControlID string
}

// MonitoringService stores and reads what checks found.
type MonitoringService interface {
	// FindChecks returns the checks matching f and how many match.
	FindChecks(ctx context.Context, orgID int64, f CheckFilter) ([]*MonitoredCheck, int, error)
	// FindCheck returns one check; ENOTFOUND before its first run.
	FindCheck(ctx context.Context, orgID int64, id string) (*MonitoredCheck, error)
	// FindResults returns result intervals, newest first, and the count.
	FindResults(ctx context.Context, orgID int64, f ResultFilter) ([]*CheckResult, int, error)
	// CreateException records an approved exception and marks the
	// resource's current result excepted.
	CreateException(ctx context.Context, orgID int64, e *CheckException) error
	// FindExceptions returns a check's exceptions (all checks for "").
	FindExceptions(ctx context.Context, orgID int64, checkID string) ([]*CheckException, error)
	// FailingBySeverity counts failing checks per severity, for the
	// dashboard.
	FailingBySeverity(ctx context.Context, orgID int64) (map[string]int, error)
}

// WindowText says the remediation window in days or hours, for people.
func (c *MonitoredCheck) WindowText() string {
	switch {
	case c.Window <= 0:
		return "none"
	case c.Window%(24*time.Hour) == 0:
		if d := int(c.Window / (24 * time.Hour)); d != 1 {
			return strconv.Itoa(d) + " days"
		}
		return "1 day"
	}
	return strings.TrimSuffix(strings.TrimSuffix(c.Window.String(), "0s"), "0m")
}
