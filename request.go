package attest

import (
	"context"
	"sort"
	"time"
)

// SlotState is where one period's evidence for one need stands.
type SlotState string

// Slot states. A slot whose period has not begun is upcoming; once it has,
// it is missing until evidence or a not-applicable statement covers it.
const (
	SlotUpcoming      SlotState = "upcoming"
	SlotMissing       SlotState = "missing"
	SlotProvided      SlotState = "provided"
	SlotNotApplicable SlotState = "not_applicable"
	// SlotDeviation is a slot of an automated need in which a check testing
	// the control left a failure open past its remediation window: the
	// control did not operate as designed that period, whatever else was
	// provided, and the auditor sees it.
	SlotDeviation SlotState = "deviation"
)

// Slot is one period of a request: the evidence that covers it, or the
// statement that nothing happened to prove.
type Slot struct {
	Start     Date      `json:"start"`
	End       Date      `json:"end"`
	Due       Date      `json:"due"`
	State     SlotState `json:"state"`
	Evidence  []int64   `json:"evidence,omitempty"`
	Statement string    `json:"statement,omitempty"`
	// Late is set for a missing slot whose due date has passed.
	Late bool `json:"late,omitempty"`
	// Checks are, for an automated need, the checks whose results cover
	// the slot (or, for a deviation, those that found it).
	Checks []string `json:"checks,omitempty"`
}

// Provide records that item covers the slot: it is provided, whatever
// else was said of it (a covered slot is neither late nor not applicable).
func (s *Slot) Provide(item int64) {
	s.State, s.Late, s.Statement = SlotProvided, false, ""
	s.Evidence = append(s.Evidence, item)
}

// Covered reports whether the slot needs nothing more.
func (s *Slot) Covered() bool { return s.State == SlotProvided || s.State == SlotNotApplicable }

// CountsAsDue reports whether the slot counts in coverage so far: once its
// due date has passed, or earlier if it is already covered or holds a
// deviation. A period still running without evidence is not held against
// anyone yet.
func (s *Slot) CountsAsDue() bool { return s.Covered() || s.Late || s.State == SlotDeviation }

// EvidenceRequest is one evidence need of one in-scope control over the
// engagement's period, split into slots by the need's frequency.
type EvidenceRequest struct {
	ControlID   string `json:"control_id"`
	ControlName string `json:"control_name"`
	// OwnerID is the control's owner (0: nobody); Owner is that member.
	OwnerID   int64     `json:"-"`
	Owner     *Person   `json:"owner"`
	Need      int       `json:"need"`
	What      string    `json:"what"`
	Frequency Frequency `json:"frequency"`
	// Population is set for per-event needs: one slot for the whole
	// window, filled with the list of events from which the auditor
	// samples.
	Population bool `json:"population"`
	// PopulationKind names the population that lists the need's events
	// (EvidenceNeed.Population): each slot's period of it is what the
	// auditor samples from, shown beside the slot and carried in the
	// auditor package.
	PopulationKind string `json:"population_kind,omitempty"`
	Slots          []Slot `json:"slots"`
}

// SlotStatement marks a slot not applicable, with the reason written down
// ("no new hires in this period").
type SlotStatement struct {
	EngagementID int64     `json:"engagement_id"`
	ControlID    string    `json:"control_id"`
	Need         int       `json:"need"`
	PeriodStart  Date      `json:"period_start"`
	Statement    string    `json:"statement"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
}

// SlotMonths is how many months one slot of a frequency spans (see
// slotMonths).
func SlotMonths(f Frequency) int { return slotMonths(f) }

// slotMonths is how many months one slot of a frequency spans. Needs more
// frequent than monthly are asked for monthly: auditors sample them from
// the month's records.
func slotMonths(f Frequency) int {
	switch f {
	case Quarterly:
		return 3
	case Annually:
		return 12
	}
	return 1
}

// DefaultValidUntil is when an item collected at collected stops counting
// if its provider gave no date: one period of the longest need it serves
// later (a year for annual evidence such as a penetration test report). An
// item that serves only per-event needs does not expire.
func DefaultValidUntil(collected Date, needs []EvidenceNeed) Date {
	months := 0
	for _, n := range needs {
		if n.Frequency != PerEvent {
			months = max(months, slotMonths(n.Frequency))
		}
	}
	if months == 0 {
		return ""
	}
	return collected.AddMonths(months)
}

// EngagementPeriod is the span evidence must cover: a Type II window, or
// the single day of a Type I report.
func EngagementPeriod(e *Engagement) (start, end Date) {
	if e.ReportType == TypeI {
		return e.AsOfDate, e.AsOfDate
	}
	return e.WindowStart, e.WindowEnd
}

// periods splits [start, end] into spans of months counted from start, the
// last one cut at end: a six-month window has six monthly periods, two
// quarterly and one annual.
func periods(start, end Date, months int) [][2]Date {
	var out [][2]Date
	for i := 0; ; i++ {
		from := start.AddMonths(i * months)
		if end.Before(from) {
			return out
		}
		to := start.AddMonths((i + 1) * months).AddDays(-1)
		if end.Before(to) {
			to = end
		}
		out = append(out, [2]Date{from, to})
	}
}

// BuildRequests derives the engagement's request list: for every control
// in scope and not marked not applicable, one request per evidence need
// with a slot per period. An item covers a slot when it serves that need,
// is not superseded, its period overlaps the slot's, it was still valid
// at the slot's end (or today, if that is earlier) and, in a Type II
// window, the slot had begun on the day the item was provided (see
// Covers): expired evidence counts as missing, and evidence given in
// December proves nothing about January.
func BuildRequests(e *Engagement, controls []*Control, items []*Evidence, statements []*SlotStatement, today Date) []*EvidenceRequest {
	start, end := EngagementPeriod(e)
	if start.IsZero() || end.IsZero() {
		return nil
	}
	type needKey struct {
		control string
		need    int
	}
	serving := map[needKey][]*Evidence{}
	for _, it := range items {
		if it.SupersededBy != 0 {
			continue
		}
		for _, l := range it.Links {
			k := needKey{l.ControlID, l.Need}
			serving[k] = append(serving[k], it)
		}
	}
	type slotKey struct {
		needKey
		start Date
	}
	na := map[slotKey]*SlotStatement{}
	for _, s := range statements {
		if s.EngagementID == e.ID {
			na[slotKey{needKey{s.ControlID, s.Need}, s.PeriodStart}] = s
		}
	}
	var out []*EvidenceRequest
	for _, c := range controls {
		if c.Status == NotApplicable {
			continue
		}
		for i, need := range c.Evidence {
			r := &EvidenceRequest{ControlID: c.ID, ControlName: c.Name, OwnerID: c.OwnerID, Owner: c.Owner, Need: i, What: need.What,
				Frequency: need.Frequency, Population: need.Frequency == PerEvent, PopulationKind: need.Population}
			spans := [][2]Date{{start, end}}
			if !r.Population && e.ReportType != TypeI {
				spans = periods(start, end, slotMonths(need.Frequency))
			}
			k := needKey{c.ID, i}
			for _, sp := range spans {
				s := Slot{Start: sp[0], End: sp[1], Due: sp[1], State: SlotMissing}
				if today.Before(s.Start) {
					s.State = SlotUpcoming
				}
				validAt := s.End
				if today.Before(validAt) {
					validAt = today
				}
				for _, it := range serving[k] {
					if it.Covers(&s, validAt, e.ReportType == TypeI) {
						s.Evidence = append(s.Evidence, it.ID)
					}
				}
				if len(s.Evidence) > 0 {
					s.State = SlotProvided
				} else if st := na[slotKey{k, s.Start}]; st != nil {
					s.State, s.Statement = SlotNotApplicable, st.Statement
				}
				s.Late = s.State == SlotMissing && s.Due.Before(today)
				r.Slots = append(r.Slots, s)
			}
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ControlID != out[j].ControlID {
			return out[i].ControlID < out[j].ControlID
		}
		return out[i].Need < out[j].Need
	})
	return out
}

// Covers reports whether the item is proof for the slot: its period
// overlaps the slot's, it is still valid on validAt, and the slot had
// begun on the day the item was provided. An item cannot prove a period
// that had not started when it was given, whatever period it claims: a
// December upload for the whole window covers the October quarter, not
// January's. Point-in-time items (a penetration test report with its
// validity date) prove the period they are dated in, which had begun by
// then, so the last condition never takes anything from them. A Type I
// report looks at the design on one day (typeI): evidence gathered ahead
// of that day for it counts while it is valid.
func (e *Evidence) Covers(s *Slot, validAt Date, typeI bool) bool {
	if e.PeriodEnd.Before(s.Start) || s.End.Before(e.PeriodStart) || e.Expired(validAt) {
		return false
	}
	if typeI {
		return true
	}
	on := e.ProvidedOn()
	return !on.IsZero() && !on.Before(s.Start)
}

// ProvidedOn is the day the item was provided: when it was collected, or
// when it was stored if that came first (a collection time cannot claim a
// day the record did not yet exist).
func (e *Evidence) ProvidedOn() Date {
	t := e.CollectedAt
	if t.IsZero() || (!e.CreatedAt.IsZero() && e.CreatedAt.Before(t)) {
		t = e.CreatedAt
	}
	if t.IsZero() {
		return ""
	}
	return DateOf(t)
}

// ProvideSlot is the slot a new item for the request should cover by
// default: the slot starting on start (the one a "provide" link names),
// else the earliest missing slot, else the latest slot that has begun by
// today (more evidence for the running period), else the first. It never
// proposes the whole window: evidence proves the period it is given for.
func (r *EvidenceRequest) ProvideSlot(start, today Date) *Slot {
	if len(r.Slots) == 0 {
		return nil
	}
	if start != "" {
		for i := range r.Slots {
			if r.Slots[i].Start == start {
				return &r.Slots[i]
			}
		}
	}
	for i := range r.Slots {
		if r.Slots[i].State == SlotMissing {
			return &r.Slots[i]
		}
	}
	best := &r.Slots[0]
	for i := range r.Slots {
		if !today.Before(r.Slots[i].Start) {
			best = &r.Slots[i]
		}
	}
	return best
}

// Coverage counts the slots due so far (see Slot.CountsAsDue) and how many
// of them are covered, out of all the slots of the period.
type Coverage struct {
	Due     int `json:"due"`
	Covered int `json:"covered"`
	Total   int `json:"total"`
}

// Percent is the covered share of the slots due so far, 0–100; with none
// due yet it is 0.
func (c Coverage) Percent() float64 {
	if c.Due == 0 {
		return 0
	}
	return round1(100 * float64(c.Covered) / float64(c.Due))
}

func (c *Coverage) add(s *Slot) {
	c.Total++
	if !s.CountsAsDue() {
		return
	}
	c.Due++
	if s.Covered() {
		c.Covered++
	}
}

// CoverageOf sums the slots of all the requests.
func CoverageOf(reqs []*EvidenceRequest) Coverage {
	var c Coverage
	for _, r := range reqs {
		for i := range r.Slots {
			c.add(&r.Slots[i])
		}
	}
	return c
}

// CoverageByControl sums the slots of each control's requests.
func CoverageByControl(reqs []*EvidenceRequest) map[string]Coverage {
	out := map[string]Coverage{}
	for _, r := range reqs {
		c := out[r.ControlID]
		for i := range r.Slots {
			c.add(&r.Slots[i])
		}
		out[r.ControlID] = c
	}
	return out
}

// ApplyCoverage adds evidence coverage to a readiness: per criterion the
// slots of its controls, and overall every slot of the request list once.
func ApplyCoverage(r *Readiness, reqs []*EvidenceRequest) {
	byControl := CoverageByControl(reqs)
	all := CoverageOf(reqs)
	r.Coverage, r.CoveragePercent = all, all.Percent()
	for i := range r.Criteria {
		cr := &r.Criteria[i]
		var cov Coverage
		for _, ref := range cr.Controls {
			c := byControl[ref.ID]
			cov.Due, cov.Covered, cov.Total = cov.Due+c.Due, cov.Covered+c.Covered, cov.Total+c.Total
		}
		cr.Coverage, cr.CoveragePercent = cov, cov.Percent()
	}
}

// RequestsFor filters requests to those of controls the member userID
// owns; a user ID of 0 (an API token) owns nothing.
func RequestsFor(reqs []*EvidenceRequest, userID int64) []*EvidenceRequest {
	var out []*EvidenceRequest
	for _, r := range reqs {
		if userID != 0 && r.OwnerID == userID {
			out = append(out, r)
		}
	}
	return out
}

// RequestService derives request lists and records not-applicable slots.
type RequestService interface {
	// Requests returns the engagement's whole request list as of today.
	Requests(ctx context.Context, orgID, engagementID int64) ([]*EvidenceRequest, error)
	// ControlRequests returns the requests of the given controls only (those
	// of them in the engagement's scope), reading only their evidence: what
	// a control's page or one page of the list needs.
	ControlRequests(ctx context.Context, orgID int64, e *Engagement, controls []*Control) ([]*EvidenceRequest, error)
	// RequestSummary is ControlRequests with one item named per covered
	// slot, at a cost that follows the slots rather than the items: what
	// a list shows.
	RequestSummary(ctx context.Context, orgID int64, e *Engagement, controls []*Control) ([]*EvidenceRequest, error)
	// MarkSlotNotApplicable records a statement for one slot (EINVALID
	// without a statement or for a slot the request list does not have).
	MarkSlotNotApplicable(ctx context.Context, orgID int64, s *SlotStatement) error
}
