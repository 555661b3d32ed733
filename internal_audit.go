package attest

import (
	"context"
	"strings"
	"time"
)

// Internal audit: the organization tests its own controls between annual
// audits. The plan of a period lists the controls to test; a tester
// records the procedure, the sample examined and the result. A deficiency
// or exception tells the control's owner and needs a follow-up task.

// Test procedures, as auditors name them.
const (
	ProcInquiry     = "inquiry"
	ProcObservation = "observation"
	ProcInspection  = "inspection"
	ProcReperform   = "re-performance"
)

// Test results.
const (
	ResultEffective  = "effective"
	ResultDeficiency = "deficiency"
	ResultException  = "exception"
)

// ControlTest is one planned or performed internal test of a control.
type ControlTest struct {
	ID        int64  `json:"id"`
	ControlID string `json:"control_id"`
	// Period names the plan it belongs to ("2026-Q4", "2026").
	Period    string  `json:"period"`
	DueDate   Date    `json:"due_date,omitempty"`
	TesterID  int64   `json:"-"`
	Tester    *Person `json:"tester,omitempty"`
	Procedure string  `json:"procedure,omitempty"`
	Sample    string  `json:"sample,omitempty"`
	// Result is "" while the test is planned.
	Result   string `json:"result,omitempty"`
	TestedOn Date   `json:"tested_on,omitempty"`
	Notes    string `json:"notes,omitempty"`
	// FollowUpTaskID is the remediation task of a deficiency or exception.
	FollowUpTaskID int64     `json:"follow_up_task_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	// EvidenceID is the statement stored as evidence of the control when
	// the test was found effective (0: none).
	EvidenceID int64 `json:"evidence_id,omitempty"`
}

// Failed reports whether the test found a deficiency or an exception.
func (t *ControlTest) Failed() bool {
	return t.Result == ResultDeficiency || t.Result == ResultException
}

// Validate checks the test; EINVALID names the field.
func (t *ControlTest) Validate() error {
	t.ControlID = strings.ToUpper(strings.TrimSpace(t.ControlID))
	t.Period = strings.TrimSpace(t.Period)
	if t.ControlID == "" {
		return FieldErrorf("control_id", "a test names the control it tests")
	}
	if t.Period == "" || len(t.Period) > 40 {
		return FieldErrorf("period", "a test belongs to a period of the plan, such as 2026-Q4")
	}
	if !t.DueDate.Valid() {
		return FieldErrorf("due_date", "%q is not a date (YYYY-MM-DD)", t.DueDate)
	}
	if !t.TestedOn.Valid() {
		return FieldErrorf("tested_on", "%q is not a date (YYYY-MM-DD)", t.TestedOn)
	}
	switch t.Procedure {
	case "", ProcInquiry, ProcObservation, ProcInspection, ProcReperform:
	default:
		return FieldErrorf("procedure", "unknown procedure %q (inquiry, observation, inspection or re-performance)", t.Procedure)
	}
	switch t.Result {
	case "":
	case ResultEffective, ResultDeficiency, ResultException:
		if t.Procedure == "" {
			return FieldErrorf("procedure", "say how the control was tested")
		}
		if strings.TrimSpace(t.Sample) == "" {
			return FieldErrorf("sample", "say which sample was examined")
		}
		if t.TestedOn.IsZero() {
			return FieldErrorf("tested_on", "say when the test was done")
		}
	default:
		return FieldErrorf("result", "unknown result %q (effective, deficiency or exception)", t.Result)
	}
	if len(t.Sample) > 20000 || len(t.Notes) > 20000 {
		return FieldErrorf("notes", "sample and notes are at most 20,000 characters")
	}
	return nil
}

// ControlTestSorts are the columns tests sort by; the first is their own order.
var ControlTestSorts = []string{"due_date", "control", "period", "result", "tested_on"}

// ControlTestFilter selects tests; zero fields match all.
type ControlTestFilter struct {
	Search    string
	Period    string
	Result    string // "planned" selects tests without a result
	ControlID string
	// NoFollowUp selects deficiencies and exceptions without a task.
	NoFollowUp bool
	From, To   Date
	// Scope limits the list to an auditor's engagements (RecordScope).
	Scope RecordScope
}

// ControlTestService manages the internal audit plan and its results.
type ControlTestService interface {
	FindControlTest(ctx context.Context, orgID, id int64) (*ControlTest, error)
	FindControlTestPage(ctx context.Context, orgID int64, f ControlTestFilter, p Page) ([]*ControlTest, int, error)
	// CreateControlTest plans a test (or records one done).
	CreateControlTest(ctx context.Context, orgID int64, t *ControlTest) error
	// RecordControlTest records the test's procedure, sample and result. A
	// deficiency or exception without a follow-up task gets one, owned by
	// the control's owner, who is told.
	RecordControlTest(ctx context.Context, orgID, id int64, t *ControlTest) (*ControlTest, error)
	// ImportControlTests stores many tests, all or none.
	ImportControlTests(ctx context.Context, orgID int64, tests []*ControlTest) error
}
