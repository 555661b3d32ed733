package attest

import (
	"sort"
	"strings"
)

// SlotLate is the filter value for missing slots whose due date has
// passed; it is not a state of its own (see Slot.Late).
const SlotLate SlotState = "late"

// Request list orders.
const (
	SortByControl = "control"
	SortByDue     = "due"
	SortByStatus  = "status"
)

// RequestQuery selects and orders an engagement's request list, one group
// per control. The control part (Search, Category, Criterion) needs only
// the controls, so a page can pick its controls before it reads any
// evidence; the slot part (State, and the due and status orders) needs
// the slots of every control that passes the first.
type RequestQuery struct {
	// Search matches the control's ID or name or the text of one of its
	// evidence needs, in any case.
	Search string
	// State keeps the requests with a slot in this state; SlotLate keeps
	// those with a late slot.
	State SlotState
	// Category and Criterion keep the controls mapped to a criterion of
	// the category, or to the criterion (CC6.1 and cc6.1 alike).
	Category, Criterion string
	// Sort is SortByControl (the default), SortByDue (earliest missing
	// due date first) or SortByStatus (late first, then missing,
	// upcoming, and complete last).
	Sort string
}

// Validate normalizes the query and returns EINVALID naming a bad field.
func (q *RequestQuery) Validate(fw *Framework) error {
	q.Search = strings.TrimSpace(q.Search)
	q.Criterion = strings.ToUpper(strings.TrimSpace(q.Criterion))
	q.Category = strings.ToLower(strings.TrimSpace(q.Category))
	switch q.State {
	case "", SlotMissing, SlotLate, SlotProvided, SlotNotApplicable, SlotUpcoming, SlotDeviation:
	default:
		return Errorf(EINVALID, "unknown slot state %q: use missing, late, provided, not_applicable, deviation or upcoming", q.State)
	}
	if q.Category != "" && fw.Category(q.Category) == nil {
		return Errorf(EINVALID, "unknown category %q", q.Category)
	}
	if q.Criterion != "" && fw.Criterion(q.Criterion) == nil {
		return Errorf(EINVALID, "unknown criterion %q", q.Criterion)
	}
	switch q.Sort {
	case "":
		q.Sort = SortByControl
	case SortByControl, SortByDue, SortByStatus:
	default:
		return Errorf(EINVALID, "unknown order %q: use control, due or status", q.Sort)
	}
	return nil
}

// NeedsSlots reports whether the query filters or orders by slots, so that
// the slots of every matching control must be known before one page of
// them can be chosen.
func (q *RequestQuery) NeedsSlots() bool {
	return q.State != "" || (q.Sort != "" && q.Sort != SortByControl)
}

// MatchControl reports whether the control passes the control part of the
// query.
func (q *RequestQuery) MatchControl(c *Control, fw *Framework) bool {
	if !(ControlFilter{Category: q.Category, Criterion: q.Criterion}).Matches(c, fw) {
		return false
	}
	if q.Search == "" {
		return true
	}
	if containsFold(c.ID, q.Search) || containsFold(c.Name, q.Search) {
		return true
	}
	for _, n := range c.Evidence {
		if containsFold(n.What, q.Search) {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// HasSlot reports whether the request has a slot the state filter keeps.
func (r *EvidenceRequest) HasSlot(state SlotState) bool {
	for i := range r.Slots {
		if s := &r.Slots[i]; s.State == state || (state == SlotLate && s.Late) {
			return true
		}
	}
	return false
}

// NextDue is the due date of the request's first missing slot, or "".
func (r *EvidenceRequest) NextDue() Date {
	for _, s := range r.Slots {
		if s.State == SlotMissing {
			return s.Due
		}
	}
	return ""
}

// RequestGroup is one control's requests in a list.
type RequestGroup struct {
	ControlID   string `json:"control_id"`
	ControlName string `json:"control_name"`
	// OwnerID is the control's owner (0: nobody); Owner is that member.
	OwnerID  int64              `json:"-"`
	Owner    *Person            `json:"owner"`
	Requests []*EvidenceRequest `json:"requests"`
	// NextDue is the earliest due date of a missing slot; Late and
	// Missing count the slots in those states.
	NextDue Date `json:"next_due,omitempty"`
	Late    int  `json:"late"`
	Missing int  `json:"missing"`
	// Deviations counts the slots of automated needs in which a check
	// left a failure open past its remediation window.
	Deviations int `json:"deviations"`
}

// rank orders groups for SortByStatus: deviations or late, missing,
// upcoming, complete.
func (g *RequestGroup) rank() int {
	switch {
	case g.Late > 0 || g.Deviations > 0:
		return 0
	case g.Missing > 0:
		return 1
	}
	for _, r := range g.Requests {
		if r.HasSlot(SlotUpcoming) {
			return 2
		}
	}
	return 3
}

// Group applies the slot part of the query to requests ordered by control
// (as BuildRequests returns them): it keeps the requests the state filter
// keeps, groups them by control, and orders the groups.
func (q *RequestQuery) Group(reqs []*EvidenceRequest) []*RequestGroup {
	var out []*RequestGroup
	for _, r := range reqs {
		if q.State != "" && !r.HasSlot(q.State) {
			continue
		}
		if len(out) == 0 || out[len(out)-1].ControlID != r.ControlID {
			out = append(out, &RequestGroup{ControlID: r.ControlID, ControlName: r.ControlName, OwnerID: r.OwnerID, Owner: r.Owner})
		}
		g := out[len(out)-1]
		g.Requests = append(g.Requests, r)
		for _, s := range r.Slots {
			switch {
			case s.Late:
				g.Late++
				g.Missing++
			case s.State == SlotMissing:
				g.Missing++
			case s.State == SlotDeviation:
				g.Deviations++
			}
		}
		if d := r.NextDue(); d != "" && (g.NextDue == "" || d.Before(g.NextDue)) {
			g.NextDue = d
		}
	}
	switch q.Sort {
	case SortByDue:
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i].NextDue, out[j].NextDue
			if (a == "") != (b == "") {
				return b == ""
			}
			return a.Before(b)
		})
	case SortByStatus:
		sort.SliceStable(out, func(i, j int) bool { return out[i].rank() < out[j].rank() })
	}
	return out
}

// SlotsIn returns the request with only the slots the state filter keeps
// (all of them without one), for exports that list one row per slot.
func (r *EvidenceRequest) SlotsIn(state SlotState) []Slot {
	if state == "" {
		return r.Slots
	}
	var out []Slot
	for _, s := range r.Slots {
		if s.State == state || (state == SlotLate && s.Late) {
			out = append(out, s)
		}
	}
	return out
}
