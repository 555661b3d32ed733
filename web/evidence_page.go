package web

import (
	"net/http"
	"strings"

	"github.com/attest-dev/attest"
)

// The request list is what an engagement asks for: per control and
// evidence need, one slot per period, each missing, provided, not
// applicable or upcoming. Rows carry ready-made text so the template runs
// no functions per slot: an organization with 500 controls has thousands.

// slotRow is a slot as the pages show it.
type slotRow struct {
	Start, End, Due attest.Date
	State           attest.SlotState
	Label           string
	// Overdue is a missing slot whose due date has passed.
	Overdue  bool
	Evidence []itemRef
	// More counts the items covering the slot beyond those listed.
	More      int
	Statement string
	// StatementBy says who marked the slot not applicable, and when.
	StatementBy string
	// Checks are the checks whose results prove the slot of an automated
	// need, or found its deviation.
	Checks []string
	// Population is the period's population, for a need that names one.
	Population *populationRow
}

// itemRef names an item a slot holds.
type itemRef struct {
	ID    int64
	Title string
}

// requestRow is one request of the list.
type requestRow struct {
	ControlID, ControlName, What, Frequency string
	OwnerID                                 int64
	Owner                                   *attest.Person
	Need                                    int
	Slots                                   []slotRow
	// NextDue is the due date of the first slot still missing.
	NextDue attest.Date
	// FirstMissing is that slot, for the form's default period.
	FirstMissing *slotRow
	has          map[attest.SlotState]bool
}

var slotLabels = map[attest.SlotState]string{
	attest.SlotMissing: "missing", attest.SlotProvided: "provided", attest.SlotNotApplicable: "not applicable", attest.SlotUpcoming: "upcoming",
	attest.SlotDeviation: "deviation",
}

// requestRows turns requests into rows and counts their coverage.
func requestRows(reqs []*attest.EvidenceRequest, titles map[int64]string) ([]requestRow, attest.Coverage) {
	rows := make([]requestRow, len(reqs))
	for i, rq := range reqs {
		row := requestRow{ControlID: rq.ControlID, ControlName: rq.ControlName, OwnerID: rq.OwnerID, Owner: rq.Owner, What: rq.What, Need: rq.Need,
			Frequency: strings.ReplaceAll(string(rq.Frequency), "_", " "), Slots: make([]slotRow, len(rq.Slots)), has: map[attest.SlotState]bool{}}
		for j, sl := range rq.Slots {
			sr := slotRow{Start: sl.Start, End: sl.End, Due: sl.Due, State: sl.State, Label: slotLabels[sl.State], Statement: sl.Statement,
				Overdue: sl.Late, Checks: sl.Checks}
			if sl.State == attest.SlotProvided && len(sl.Evidence) == 0 && len(sl.Checks) > 0 {
				sr.Label = "proved by checks"
			}
			for _, id := range sl.Evidence[:min(len(sl.Evidence), slotItemsShown)] {
				sr.Evidence = append(sr.Evidence, itemRef{ID: id, Title: titles[id]})
			}
			sr.More = len(sl.Evidence) - len(sr.Evidence)
			row.Slots[j] = sr
			row.has[sl.State] = true
		}
		for j := range row.Slots {
			if row.Slots[j].State == attest.SlotMissing {
				row.NextDue, row.FirstMissing = row.Slots[j].Due, &row.Slots[j]
				break
			}
		}
		rows[i] = row
	}
	return rows, attest.CoverageOf(reqs)
}

// owns reports whether the principal is the member ownerID, as
// mayEditControl matches owners: by user ID, never by name.
func owns(p *attest.Principal, ownerID int64) bool {
	return p.UserID != 0 && ownerID == p.UserID
}

// evidenceWindows returns the periods whose evidence an auditor may see:
// those of the engagements granted to them. all is set for everyone else.
func (s *Server) evidenceWindows(r *http.Request) (windows [][2]attest.Date, all bool, err error) {
	p := principalFrom(r.Context())
	if p.Role != attest.RoleAuditor {
		return nil, true, nil
	}
	for _, id := range p.Engagements {
		e, err := s.svc.FindEngagementByID(r.Context(), p.OrgID, id)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, false, err
		}
		if start, end := attest.EngagementPeriod(e); !start.IsZero() && !end.IsZero() {
			windows = append(windows, [2]attest.Date{start, end})
		}
	}
	return windows, false, nil
}

// inWindows reports whether the item's period overlaps one of the windows.
func inWindows(e *attest.Evidence, windows [][2]attest.Date) bool {
	for _, w := range windows {
		if !e.PeriodEnd.Before(w[0]) && !w[1].Before(e.PeriodStart) {
			return true
		}
	}
	return false
}

// evidenceFor loads the item named in the path if the principal may see
// it: an item of the organization, and for an auditor one whose period
// overlaps an engagement granted to them.
func (s *Server) evidenceFor(r *http.Request) (*attest.Evidence, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	e, err := s.svc.FindEvidenceByID(r.Context(), orgID(r), id)
	if err != nil {
		return nil, err
	}
	windows, all, err := s.evidenceWindows(r)
	if err != nil {
		return nil, err
	}
	if !all && !inWindows(e, windows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no evidence %d", id)
	}
	return e, nil
}
