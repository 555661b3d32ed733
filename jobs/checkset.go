package jobs

import (
	"context"
	"slices"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
)

// CheckInfo describes one check for the runner: what the monitoring pages
// show and which resource types it reads.
type CheckInfo struct {
	ID, Title, Description string
	Severity               string
	Controls               []string
	Remediation            string
	Window                 time.Duration
	ResourceTypes          []string
}

// ResourceFunc reads the stored resources of one type.
type ResourceFunc func(ctx context.Context, typ string, fn func(collect.Resource) error) error

// CheckSet is the checks the runner evaluates and how: Eval runs the
// checks named by ids over the resources read through res and emits a
// result row per check and resource. It is the seam to the check engine
// (package check), so the runner is tested with a small evaluator too.
type CheckSet struct {
	Checks []CheckInfo
	Eval   func(ctx context.Context, ids []string, res ResourceFunc, emit func(check.Result) error) error
}

// reading returns the checks that read any of types (all for nil).
func (cs *CheckSet) reading(types []string) []CheckInfo {
	if cs == nil {
		return nil
	}
	if types == nil {
		return cs.Checks
	}
	var out []CheckInfo
	for _, c := range cs.Checks {
		for _, t := range c.ResourceTypes {
			if slices.Contains(types, t) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// monitored turns a check's description into what the store keeps.
func (c CheckInfo) monitored() *attest.MonitoredCheck {
	return &attest.MonitoredCheck{ID: c.ID, Title: c.Title, Description: c.Description, Severity: c.Severity,
		Controls: c.Controls, Remediation: c.Remediation, Window: c.Window}
}

// FromChecks is the check set of the check engine's checks.
func FromChecks(checks []*check.Check) *CheckSet {
	cs := &CheckSet{}
	byID := make(map[string]*check.Check, len(checks))
	for _, c := range checks {
		byID[c.ID] = c
		cs.Checks = append(cs.Checks, CheckInfo{ID: c.ID, Title: c.Title, Description: c.Description, Severity: c.Severity,
			Controls: c.Controls, Remediation: c.Remediation, Window: c.Window, ResourceTypes: c.ResourceTypes})
	}
	cs.Eval = func(ctx context.Context, ids []string, res ResourceFunc, emit func(check.Result) error) error {
		sel := make([]*check.Check, 0, len(ids))
		for _, id := range ids {
			if c := byID[id]; c != nil {
				sel = append(sel, c)
			}
		}
		return check.Run(ctx, sel, resourceSource(res), emit)
	}
	return cs
}

// resourceSource adapts a ResourceFunc to the engine's Source.
type resourceSource ResourceFunc

func (f resourceSource) Resources(ctx context.Context, typ string, fn func(collect.Resource) error) error {
	return f(ctx, typ, fn)
}
