package attest

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// CriterionState is how ready one criterion is.
type CriterionState string

// Criterion states: ready when every applicable control addressing it is
// implemented, partial when some are, gap when none are or none exist.
const (
	Ready   CriterionState = "ready"
	Partial CriterionState = "partial"
	Gap     CriterionState = "gap"
)

// ControlRef is a control as readiness reports it.
type ControlRef struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	Status ControlStatus `json:"status"`
	Owner  *Person       `json:"owner"`
	Held   string        `json:"held,omitempty"`
}

// CriterionReadiness is the readiness of one criterion in scope.
type CriterionReadiness struct {
	ID       string         `json:"id"`
	Category string         `json:"category"`
	Series   string         `json:"series"`
	Title    string         `json:"title"`
	State    CriterionState `json:"state"`
	Reason   string         `json:"reason"`
	// Score is the share of applicable controls implemented, 0 to 100.
	Score    float64      `json:"score"`
	Controls []ControlRef `json:"controls"`
	// Coverage is the evidence of the criterion's controls over the
	// engagement's period so far (see ApplyCoverage).
	Coverage        Coverage `json:"coverage"`
	CoveragePercent float64  `json:"coverage_percent"`
}

// CategoryReadiness sums up the criteria of one category.
type CategoryReadiness struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
	Criteria int     `json:"criteria"`
	Ready    int     `json:"ready"`
	Partial  int     `json:"partial"`
	Gap      int     `json:"gap"`
}

// GapItem is one thing standing between the organization and readiness.
type GapItem struct {
	// Kind is "criterion" (no implemented control), "unowned_control" or
	// "overdue_task".
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Message string `json:"message"`
}

// Readiness is the readiness of an engagement's scope on one day.
type Readiness struct {
	EngagementID int64                `json:"engagement_id"`
	Engagement   string               `json:"engagement"`
	Date         Date                 `json:"date"`
	Score        float64              `json:"score"`
	Ready        int                  `json:"ready"`
	Partial      int                  `json:"partial"`
	Gap          int                  `json:"gap"`
	Categories   []CategoryReadiness  `json:"categories"`
	Criteria     []CriterionReadiness `json:"criteria"`
	Gaps         []GapItem            `json:"gaps"`
	// Coverage is every evidence slot of the request list that has begun,
	// and how many are covered: a Type II report tests the whole window,
	// not today's state.
	Coverage        Coverage `json:"coverage"`
	CoveragePercent float64  `json:"coverage_percent"`
	// UpdatedAt is when these figures were derived from the facts; Stale
	// says that changes made since are still being taken into account
	// (the figures are recomputed shortly after each change).
	UpdatedAt time.Time `json:"updated_at"`
	Stale     bool      `json:"stale"`
}

// ComputeReadiness works out the readiness of the categories' criteria from
// the organization's controls and the tasks that concern the engagement, as
// of today. Scores are percentages with one decimal: a criterion scores the
// share of its applicable controls that are implemented; a category and the
// whole scope score the mean of their criteria.
func ComputeReadiness(fw *Framework, categories []string, controls []*Control, tasks []*Task, today Date) *Readiness {
	byCriterion := make(map[string][]*Control)
	for _, c := range controls {
		for _, id := range c.Criteria {
			byCriterion[id] = append(byCriterion[id], c)
		}
	}
	r := &Readiness{Date: today, Categories: []CategoryReadiness{}, Criteria: []CriterionReadiness{}, Gaps: []GapItem{}}
	catIndex := make(map[string]int)
	for _, id := range categories {
		cat := fw.Category(id)
		if cat == nil {
			continue
		}
		catIndex[id] = len(r.Categories)
		r.Categories = append(r.Categories, CategoryReadiness{ID: cat.ID, Name: cat.Name})
	}
	catSum := make([]float64, len(r.Categories))
	var total float64
	inScope := make(map[string]*Control)
	for _, crit := range fw.CriteriaIn(categories) {
		cr := assessCriterion(crit, byCriterion[crit.ID])
		for _, c := range byCriterion[crit.ID] {
			inScope[c.ID] = c
		}
		i := catIndex[crit.Category]
		cat := &r.Categories[i]
		cat.Criteria++
		switch cr.State {
		case Ready:
			cat.Ready++
			r.Ready++
		case Partial:
			cat.Partial++
			r.Partial++
		default:
			cat.Gap++
			r.Gap++
			r.Gaps = append(r.Gaps, GapItem{Kind: "criterion", ID: crit.ID, Message: crit.ID + ": " + cr.Reason})
		}
		catSum[i] += cr.Score
		total += cr.Score
		r.Criteria = append(r.Criteria, cr)
	}
	for i := range r.Categories {
		if n := r.Categories[i].Criteria; n > 0 {
			r.Categories[i].Score = round1(catSum[i] / float64(n))
		}
	}
	if n := len(r.Criteria); n > 0 {
		r.Score = round1(total / float64(n))
	}
	for _, c := range controls {
		if inScope[c.ID] != nil && c.Status != NotApplicable && c.OwnerID == 0 {
			msg := fmt.Sprintf("control %s (%s) has no owner", c.ID, c.Name)
			if c.OwnerNote != "" { // a name that is not a member owns nothing
				msg += fmt.Sprintf(" (noted: %q, not a member)", c.OwnerNote)
			}
			r.Gaps = append(r.Gaps, GapItem{Kind: "unowned_control", ID: c.ID, Message: msg})
		}
		if inScope[c.ID] != nil && c.Held != "" {
			r.Gaps = append(r.Gaps, GapItem{Kind: "policy", ID: c.ID, Message: fmt.Sprintf("control %s is implemented but does not count yet: %s", c.ID, c.Held)})
		}
	}
	for _, t := range tasks {
		if t.Overdue(today) {
			r.Gaps = append(r.Gaps, GapItem{Kind: "overdue_task", ID: fmt.Sprint(t.ID), Message: fmt.Sprintf("task %q was due %s", t.Title, t.DueDate)})
		}
	}
	return r
}

func assessCriterion(crit *Criterion, controls []*Control) CriterionReadiness {
	cr := CriterionReadiness{ID: crit.ID, Category: crit.Category, Series: crit.Series, Title: crit.Title, Controls: make([]ControlRef, 0, len(controls))}
	var applicable, implemented, inProgress int
	var missing []string
	for _, c := range controls {
		cr.Controls = append(cr.Controls, ControlRef{ID: c.ID, Name: c.Name, Status: c.Status, Owner: c.Owner, Held: c.Held})
		switch {
		case c.Status == NotApplicable:
			continue
		case c.Status == Implemented && c.Held != "":
			inProgress++
			missing = append(missing, c.ID+" (policy not in force)")
		case c.Status == Implemented:
			implemented++
		case c.Status == InProgress:
			inProgress++
			missing = append(missing, c.ID)
		default:
			missing = append(missing, c.ID)
		}
		applicable++
	}
	switch {
	case len(controls) == 0:
		cr.State, cr.Reason = Gap, "no control addresses this criterion"
	case applicable == 0:
		cr.State, cr.Reason = Gap, "every control addressing this criterion is marked not applicable"
	case implemented == applicable:
		cr.State, cr.Reason = Ready, fmt.Sprintf("all %d applicable controls implemented", applicable)
	case implemented > 0:
		cr.State, cr.Reason = Partial, fmt.Sprintf("%d of %d applicable controls implemented; not yet: %s", implemented, applicable, nameSome(missing))
	default:
		cr.State = Gap
		cr.Reason = fmt.Sprintf("none of %d applicable controls implemented", applicable)
		if inProgress > 0 {
			cr.Reason += fmt.Sprintf(" (%d in progress)", inProgress)
		}
	}
	if applicable > 0 {
		cr.Score = round1(100 * float64(implemented) / float64(applicable))
	}
	return cr
}

// reasonNames is how many controls a criterion's reason names before it
// counts the rest: a criterion can have hundreds.
const reasonNames = 8

// nameSome joins the first reasonNames IDs and counts the others.
func nameSome(ids []string) string {
	if len(ids) <= reasonNames {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:reasonNames], ", "), len(ids)-reasonNames)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Snapshot is the readiness of an engagement recorded on one day; the last
// recording of a day wins, so a day has one snapshot and a trend can be
// drawn from them.
type Snapshot struct {
	EngagementID int64              `json:"engagement_id"`
	Date         Date               `json:"date"`
	Score        float64            `json:"score"`
	Ready        int                `json:"ready"`
	Partial      int                `json:"partial"`
	Gap          int                `json:"gap"`
	Categories   map[string]float64 `json:"categories"`
	TakenAt      time.Time          `json:"taken_at"`
}

// SnapshotOf condenses a readiness into a snapshot.
func SnapshotOf(r *Readiness, now time.Time) *Snapshot {
	s := &Snapshot{EngagementID: r.EngagementID, Date: r.Date, Score: r.Score, Ready: r.Ready, Partial: r.Partial, Gap: r.Gap, Categories: make(map[string]float64, len(r.Categories)), TakenAt: now}
	for _, c := range r.Categories {
		s.Categories[c.ID] = c.Score
	}
	return s
}

// ReadinessService computes and records readiness.
type ReadinessService interface {
	// Readiness returns the engagement's readiness as last derived from
	// the facts (shortly after the latest change).
	Readiness(ctx context.Context, orgID, engagementID int64) (*Readiness, error)
	// RecordSnapshots derives every engagement's readiness now and records
	// today's snapshot of each.
	RecordSnapshots(ctx context.Context, orgID int64) error
	// FindSnapshots returns an engagement's snapshots, oldest first.
	FindSnapshots(ctx context.Context, orgID, engagementID int64) ([]*Snapshot, error)
}
