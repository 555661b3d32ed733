// Package check is the check engine: resources in, result rows out. A
// check is data (one YAML file): it selects resources by type, asserts a
// CEL condition on each, and explains a failure with a CEL reason. The
// engine is pure: it reads resources through a Source and never touches
// storage.
package check

// Status is the outcome of one check on one resource.
type Status string

// The statuses a result row can have.
const (
	// Pass: the resource meets the condition.
	Pass Status = "pass"
	// Fail: the resource does not meet it.
	Fail Status = "fail"
	// Error: the expression could not be evaluated on this resource (a
	// missing attribute, a type error); other rows are unaffected.
	Error Status = "error"
	// Skip: the check does not apply to this resource (its "when"
	// expression was false).
	Skip Status = "skip"
)

// Result is one row of a check's evaluation.
type Result struct {
	CheckID      string `json:"check"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource"`
	ResourceName string `json:"resource_name,omitempty"`
	Status       Status `json:"status"`
	Reason       string `json:"reason,omitempty"`
}
