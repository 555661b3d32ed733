package attest

import (
	"context"
	"fmt"
)

// A population is every event of a kind within a period, as the auditor
// samples it for a Type II report: complete, and with the filter that
// built it, so the auditor can check nothing was left out.

// PopulationKinds are the populations Attest exports.
var PopulationKinds = []string{"hires", "leavers", "access-grants", "access-removals", "changes", "internal-tests"}

// Population is one population's rows.
type Population struct {
	Kind string `json:"kind"`
	From Date   `json:"from"`
	To   Date   `json:"to"`
	// Filter says in words how the rows were selected.
	Filter string     `json:"filter"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// CheckPopulation validates a population request.
func CheckPopulation(kind string, from, to Date) error {
	if !containsString(PopulationKinds, kind) {
		return FieldErrorf("kind", "unknown population %q (one of %v)", kind, PopulationKinds)
	}
	if from.IsZero() || to.IsZero() || !from.Valid() || !to.Valid() {
		return FieldErrorf("from", "a population covers a period: give from and to (YYYY-MM-DD)")
	}
	if to.Before(from) {
		return FieldErrorf("to", "the period ends (%s) before it starts (%s)", to, from)
	}
	return nil
}

// PopulationFilter describes the selection of a population in words.
func PopulationFilter(kind string, from, to Date) string {
	what := map[string]string{
		"hires":           "roster people whose start date is",
		"leavers":         "roster people whose end date is",
		"access-grants":   "onboarding checklist account items done",
		"access-removals": "offboarding checklist account items done, and access review revocations or changes carried out,",
		"changes":         "change records implemented",
		"internal-tests":  "internal control tests performed",
	}[kind]
	return fmt.Sprintf("%s: all %s from %s to %s inclusive", kind, what, from, to)
}

// PopulationService builds populations.
type PopulationService interface {
	FindPopulation(ctx context.Context, orgID int64, kind string, from, to Date) (*Population, error)
}
