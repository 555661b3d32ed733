package attest_test

import (
	"reflect"
	"testing"

	"github.com/attest-dev/attest"
)

// tinyFramework is a hand-made framework small enough to work readiness
// out on paper: a required category "sec" with three criteria, an optional
// "avail" with two, and an optional "priv" with one.
func tinyFramework() *attest.Framework {
	fw := &attest.Framework{
		ID: "tiny", Name: "Tiny",
		Categories: []attest.Category{{ID: "sec", Name: "Security", Required: true}, {ID: "avail", Name: "Availability"}, {ID: "priv", Name: "Privacy"}},
		Series:     []attest.Series{{ID: "S1", Category: "sec", Title: "S"}, {ID: "A1", Category: "avail", Title: "A"}, {ID: "P1", Category: "priv", Title: "P"}},
		Criteria: []attest.Criterion{
			{ID: "S1.1", Category: "sec", Series: "S1", Title: "one"},
			{ID: "S1.2", Category: "sec", Series: "S1", Title: "two"},
			{ID: "S1.3", Category: "sec", Series: "S1", Title: "three"},
			{ID: "A1.1", Category: "avail", Series: "A1", Title: "four"},
			{ID: "A1.2", Category: "avail", Series: "A1", Title: "five"},
			{ID: "P1.1", Category: "priv", Series: "P1", Title: "six"},
		},
	}
	fw.Index()
	return fw
}

// ctl makes a control; owner "" leaves it unowned.
func ctl(id string, status attest.ControlStatus, owner string, criteria ...string) *attest.Control {
	c := &attest.Control{ID: id, Name: "control " + id, Criteria: criteria, Status: status}
	if owner != "" {
		c.OwnerID = int64(len(owner))
		c.Owner = &attest.Person{ID: c.OwnerID, Name: owner}
	}
	if status == attest.NotApplicable {
		c.Justification = "not relevant"
	}
	return c
}

// TestCriterionStates computes the readiness of the single criterion S1.1
// (the rest of sec has no control, so only S1.1 is looked at).
func TestCriterionStates(t *testing.T) {
	const (
		ns = attest.NotStarted
		ip = attest.InProgress
		im = attest.Implemented
		na = attest.NotApplicable
	)
	tests := []struct {
		name     string
		statuses []attest.ControlStatus
		state    attest.CriterionState
		score    float64
		reason   string
	}{
		{"no control", nil, attest.Gap, 0, "no control addresses this criterion"},
		{"all not applicable", []attest.ControlStatus{na, na}, attest.Gap, 0, "every control addressing this criterion is marked not applicable"},
		{"none implemented", []attest.ControlStatus{ns}, attest.Gap, 0, "none of 1 applicable controls implemented"},
		{"none implemented, some in progress", []attest.ControlStatus{ip, ns, ip}, attest.Gap, 0, "none of 3 applicable controls implemented (2 in progress)"},
		{"1 of 3", []attest.ControlStatus{im, ns, ip}, attest.Partial, 33.3, "1 of 3 applicable controls implemented; not yet: C1, C2"},
		{"2 of 3", []attest.ControlStatus{ns, im, im}, attest.Partial, 66.7, "2 of 3 applicable controls implemented; not yet: C0"},
		{"1 of 8 rounds to a half", []attest.ControlStatus{im, ns, ns, ns, ns, ns, ns, ns}, attest.Partial, 12.5, "1 of 8 applicable controls implemented; not yet: C1, C2, C3, C4, C5, C6, C7"},
		{"1 of 7", []attest.ControlStatus{ns, ns, ns, ns, ns, ns, im}, attest.Partial, 14.3, "1 of 7 applicable controls implemented; not yet: C0, C1, C2, C3, C4, C5"},
		{"1 of 11 names eight", []attest.ControlStatus{im, ns, ns, ns, ns, ns, ns, ns, ns, ns, ns}, attest.Partial, 9.1, "1 of 11 applicable controls implemented; not yet: C1, C2, C3, C4, C5, C6, C7, C8 and 2 more"},
		{"all implemented", []attest.ControlStatus{im, im, im}, attest.Ready, 100, "all 3 applicable controls implemented"},
		{"not applicable left out of the count", []attest.ControlStatus{na, im}, attest.Ready, 100, "all 1 applicable controls implemented"},
		{"not applicable left out of the share", []attest.ControlStatus{im, na, ns}, attest.Partial, 50, "1 of 2 applicable controls implemented; not yet: C2"},
	}
	fw := tinyFramework()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var controls []*attest.Control
			for i, s := range tt.statuses {
				controls = append(controls, ctl("C"+string(rune('0'+i)), s, "ann", "S1.1"))
			}
			r := attest.ComputeReadiness(fw, []string{"sec"}, controls, nil, "2026-03-10")
			cr := r.Criteria[0]
			if cr.ID != "S1.1" || cr.State != tt.state || cr.Score != tt.score || cr.Reason != tt.reason {
				t.Errorf("S1.1 = %s %v %q, want %s %v %q", cr.State, cr.Score, cr.Reason, tt.state, tt.score, tt.reason)
			}
			if len(cr.Controls) != len(tt.statuses) {
				t.Errorf("S1.1 lists %d controls, want %d", len(cr.Controls), len(tt.statuses))
			}
		})
	}
}

// TestComputeReadiness works a whole scope out by hand:
//
//	S1.1  SA implemented                       ready   100
//	S1.2  SB implemented, SC and SD not        partial  33.3
//	S1.3  no control                           gap       0
//	A1.1  AA implemented, AB not applicable    ready   100
//	A1.2  AA implemented, AC in progress       partial  50
//	P1.1  PA (priv is out of scope)
//
// sec = (100+33.3+0)/3 = 44.4, avail = (100+50)/2 = 75,
// overall = (100+33.3+0+100+50)/5 = 56.66 → 56.7.
func TestComputeReadiness(t *testing.T) {
	fw := tinyFramework()
	controls := []*attest.Control{
		ctl("SA", attest.Implemented, "ann", "S1.1"),
		ctl("SB", attest.Implemented, "ann", "S1.2"),
		ctl("SC", attest.NotStarted, "", "S1.2"),
		ctl("SD", attest.NotStarted, "bob", "S1.2"),
		ctl("AA", attest.Implemented, "ann", "A1.1", "A1.2"),
		ctl("AB", attest.NotApplicable, "", "A1.1"),
		ctl("AC", attest.InProgress, "", "A1.2"),
		ctl("PA", attest.NotStarted, "", "P1.1"),
	}
	tasks := []*attest.Task{
		{ID: 1, Title: "overdue", Status: attest.TaskOpen, DueDate: "2026-03-09"},
		{ID: 2, Title: "done late", Status: attest.TaskDone, DueDate: "2026-03-01"},
		{ID: 3, Title: "due today", Status: attest.TaskOpen, DueDate: "2026-03-10"},
		{ID: 4, Title: "undated", Status: attest.TaskOpen},
		{ID: 5, Title: "started late", Status: attest.TaskInProgress, DueDate: "2026-01-31"},
	}
	r := attest.ComputeReadiness(fw, []string{"sec", "avail"}, controls, tasks, "2026-03-10")

	if r.Score != 56.7 || r.Ready != 2 || r.Partial != 2 || r.Gap != 1 || r.Date != "2026-03-10" {
		t.Errorf("overall = %v ready %d partial %d gap %d on %s, want 56.7, 2, 2, 1 on 2026-03-10", r.Score, r.Ready, r.Partial, r.Gap, r.Date)
	}
	wantCats := []attest.CategoryReadiness{
		{ID: "sec", Name: "Security", Score: 44.4, Criteria: 3, Ready: 1, Partial: 1, Gap: 1},
		{ID: "avail", Name: "Availability", Score: 75, Criteria: 2, Ready: 1, Partial: 1},
	}
	if !reflect.DeepEqual(r.Categories, wantCats) {
		t.Errorf("categories = %+v\nwant %+v", r.Categories, wantCats)
	}
	wantCrit := map[string]struct {
		state attest.CriterionState
		score float64
	}{
		"S1.1": {attest.Ready, 100}, "S1.2": {attest.Partial, 33.3}, "S1.3": {attest.Gap, 0},
		"A1.1": {attest.Ready, 100}, "A1.2": {attest.Partial, 50},
	}
	var order []string
	for _, cr := range r.Criteria {
		order = append(order, cr.ID)
		if w := wantCrit[cr.ID]; cr.State != w.state || cr.Score != w.score {
			t.Errorf("%s = %s %v, want %s %v", cr.ID, cr.State, cr.Score, w.state, w.score)
		}
	}
	if want := []string{"S1.1", "S1.2", "S1.3", "A1.1", "A1.2"}; !reflect.DeepEqual(order, want) {
		t.Errorf("criteria = %v, want %v (P1.1 is out of scope)", order, want)
	}
	type gap struct{ kind, id string }
	var gaps []gap
	for _, g := range r.Gaps {
		gaps = append(gaps, gap{g.Kind, g.ID})
		if g.Message == "" {
			t.Errorf("gap %s %s has no message", g.Kind, g.ID)
		}
	}
	// AB is not applicable and PA out of scope, so neither counts as unowned.
	wantGaps := []gap{{"criterion", "S1.3"}, {"unowned_control", "SC"}, {"unowned_control", "AC"}, {"overdue_task", "1"}, {"overdue_task", "5"}}
	if !reflect.DeepEqual(gaps, wantGaps) {
		t.Errorf("gaps = %v, want %v", gaps, wantGaps)
	}
}

func TestComputeReadinessEmpty(t *testing.T) {
	fw := tinyFramework()
	r := attest.ComputeReadiness(fw, []string{"sec", "priv"}, nil, nil, "2026-03-10")
	if r.Score != 0 || r.Gap != 4 || r.Ready != 0 || r.Partial != 0 || len(r.Gaps) != 4 {
		t.Errorf("no controls: score %v, gap %d, ready %d, partial %d, %d gaps; want 0, 4, 0, 0, 4", r.Score, r.Gap, r.Ready, r.Partial, len(r.Gaps))
	}
	if len(r.Categories) != 2 || r.Categories[1].ID != "priv" || r.Categories[1].Criteria != 1 {
		t.Errorf("categories = %+v, want sec and priv", r.Categories)
	}
}

func TestSnapshotOf(t *testing.T) {
	fw := tinyFramework()
	r := attest.ComputeReadiness(fw, []string{"sec", "avail"}, []*attest.Control{ctl("SA", attest.Implemented, "ann", "S1.1")}, nil, "2026-03-10")
	r.EngagementID = 7
	s := attest.SnapshotOf(r, r.Date.Time())
	want := map[string]float64{"sec": 33.3, "avail": 0}
	if s.EngagementID != 7 || s.Date != "2026-03-10" || s.Score != 20 || s.Ready != 1 || s.Gap != 4 || !reflect.DeepEqual(s.Categories, want) {
		t.Errorf("snapshot = %+v, want engagement 7, score 20, 1 ready, 4 gap, categories %v", s, want)
	}
}
