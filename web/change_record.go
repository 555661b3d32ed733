package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/attest-dev/attest"
)

// Change records: who asked, who approved, tests, the day it went live,
// emergency or not, and how to roll back. Changes without an approval
// independent of the requester are flagged.

func (s *Server) changeRegister() register {
	return register{Name: "changes", Heading: "Changes", Noun: "changes", Path: "/changes", Sorts: attest.ChangeSorts,
		Intro: "Changes to the systems in scope. A change approved by nobody, or only by its requester, is flagged and counts as a gap.",
		Cols:  []regCol{{"title", "Change"}, {"system", "System"}, {"implemented_on", "Implemented"}, {"", "Requester"}, {"", "Approver"}, {"", "Emergency"}, {"", "Source"}},
		Filters: []regFilter{{Name: "unapproved", Label: "Unapproved only", Kind: "check"}, {Name: "emergency", Label: "Emergency only", Kind: "check"},
			{Name: "from", Label: "Implemented from", Kind: "date"}, {Name: "to", Label: "to", Kind: "date"}},
		CSVHeader: []string{"id", "title", "system", "requester", "approver", "approved_on", "implemented_on", "emergency", "independently_approved", "tests", "rollback_plan", "source", "external_id", "url", "control_id"},
		find: func(r *http.Request, q url.Values, p attest.Page) ([][]regCell, [][]string, any, int, error) {
			f := attest.ChangeFilter{Search: q.Get("q"), System: q.Get("system"), Unapproved: q.Get("unapproved") != "", Emergency: q.Get("emergency") != "", Scope: recordScope(r)}
			var err error
			if f.From, err = queryDate(q, "from"); err == nil {
				f.To, err = queryDate(q, "to")
			}
			if err != nil {
				return nil, nil, nil, 0, err
			}
			changes, total, err := s.svc.FindChangePage(r.Context(), orgID(r), f, p)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			rows, csv := make([][]regCell, len(changes)), make([][]string, len(changes))
			for i, c := range changes {
				badge := ""
				if c.Unapproved {
					badge = "unapproved"
				}
				rows[i] = []regCell{{Text: c.Title, Href: fmt.Sprintf("/changes/%d", c.ID), Badge: badge}, {Text: c.System}, {Text: string(c.ImplementedOn)},
					{Text: orText(personText(c.Requester), c.RequesterNote)}, {Text: orText(personText(c.Approver), c.ApproverNote)}, {Text: yesNo(c.Emergency)}, {Text: c.Source}}
				csv[i] = []string{idText(c.ID), c.Title, c.System, csvPerson(c.Requester, c.RequesterNote), csvPerson(c.Approver, c.ApproverNote), string(c.ApprovedOn),
					string(c.ImplementedOn), yesNo(c.Emergency), yesNo(!c.Unapproved), c.Tests, c.RollbackPlan, c.Source, c.ExternalID, c.URL, c.ControlID}
			}
			return rows, csv, changes, total, nil
		}}
}

func orText(a, b string) string {
	if a != "" {
		return a
	}
	if b != "" {
		return b + " (not a member)"
	}
	return ""
}

func (s *Server) changeFromForm(r *http.Request) (*attest.ChangeRecord, error) {
	c := &attest.ChangeRecord{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), System: r.PostFormValue("system"),
		Tests: r.PostFormValue("tests"), RollbackPlan: r.PostFormValue("rollback_plan"), Emergency: r.PostFormValue("emergency") != "",
		ControlID: r.PostFormValue("control_id"), URL: r.PostFormValue("url")}
	var err error
	if c.RequesterID, err = s.formMember(r, "requester"); err != nil {
		return nil, err
	}
	if c.ApproverID, err = s.formMember(r, "approver"); err != nil {
		return nil, err
	}
	if c.ImplementedOn, err = postedDate(r, "implemented_on"); err != nil {
		return nil, err
	}
	if c.ApprovedOn, err = postedDate(r, "approved_on"); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Server) changeCreate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.changeFromForm(r)
	if err == nil {
		err = s.svc.CreateChange(r.Context(), orgID(r), c)
	}
	if err != nil {
		return s.refuseRegister(w, r, s.changeRegister(), err)
	}
	msg := "Change recorded."
	if c.Unapproved {
		msg += " It has no independent approval yet."
	}
	return redirect(w, r, fmt.Sprintf("/changes/%d", c.ID), msg)
}

func (s *Server) changeByPath(r *http.Request) (*attest.ChangeRecord, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, attest.ScopeChange, id); err != nil {
		return nil, err
	}
	return s.svc.FindChange(r.Context(), orgID(r), id)
}

func (s *Server) changePage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.changeByPath(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "change", &view{Title: c.Title, Nav: "records", Data: map[string]any{"Change": c, "Me": principalFrom(r.Context()).UserID}})
}

// changeApprove records the signed-in member's approval of a change that
// is not theirs.
func (s *Server) changeApprove(w http.ResponseWriter, r *http.Request) error {
	c, err := s.changeByPath(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if _, err := s.svc.ApproveChange(r.Context(), p.OrgID, c.ID, p.UserID, attest.DateOf(s.Now())); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/changes/%d", c.ID), "Change approved.")
}

// apiCreateChange is POST /api/v1/changes: requester and approver are
// members named by ID, email or exact name.
func (s *Server) apiCreateChange(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		attest.ChangeRecord
		RequesterRef attest.PersonRef `json:"requester_ref"`
		ApproverRef  attest.PersonRef `json:"approver_ref"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c := in.ChangeRecord
	c.ID, c.Requester, c.Approver = 0, nil, nil
	var err error
	if c.RequesterID, err = s.resolveOwner(r, string(in.RequesterRef)); err != nil {
		return attest.FieldErrorf("requester_ref", "%s", attest.ErrorMessage(err))
	}
	if c.ApproverID, err = s.resolveOwner(r, string(in.ApproverRef)); err != nil {
		return attest.FieldErrorf("approver_ref", "%s", attest.ErrorMessage(err))
	}
	if err := s.svc.CreateChange(r.Context(), orgID(r), &c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}
