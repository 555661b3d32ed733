package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/attest-dev/attest"
)

// Internal control tests: the audit plan of a period and its results. A
// deficiency or exception opens a follow-up task for the control's owner.

func (s *Server) controlTestRegister() register {
	return register{Name: "control-tests", Heading: "Internal control tests", Noun: "tests", Path: "/control-tests", Sorts: attest.ControlTestSorts,
		Intro: "The internal audit plan: controls to test this period, how each was tested, the sample and the result. A deficiency or exception opens a follow-up task for the control's owner.",
		Cols:  []regCol{{"control", "Control"}, {"period", "Period"}, {"due_date", "Due"}, {"", "Tester"}, {"", "Procedure"}, {"result", "Result"}, {"tested_on", "Tested"}, {"", "Follow-up"}},
		Filters: []regFilter{{Name: "period", Label: "Period", Kind: "text"},
			{Name: "result", Label: "Result", Kind: "select", Options: [][2]string{{"", "any"}, {"planned", "planned"}, {"effective", "effective"}, {"deficiency", "deficiency"}, {"exception", "exception"}}},
			{Name: "from", Label: "Tested from", Kind: "date"}, {Name: "to", Label: "to", Kind: "date"}},
		CSVHeader: []string{"id", "control_id", "period", "due_date", "tester", "procedure", "sample", "result", "tested_on", "notes", "follow_up_task_id"},
		find: func(r *http.Request, q url.Values, p attest.Page) ([][]regCell, [][]string, any, int, error) {
			f := attest.ControlTestFilter{Search: q.Get("q"), Period: q.Get("period"), Result: q.Get("result"), ControlID: q.Get("control"), Scope: recordScope(r)}
			var err error
			if f.From, err = queryDate(q, "from"); err == nil {
				f.To, err = queryDate(q, "to")
			}
			if err != nil {
				return nil, nil, nil, 0, err
			}
			tests, total, err := s.svc.FindControlTestPage(r.Context(), orgID(r), f, p)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			rows, csv := make([][]regCell, len(tests)), make([][]string, len(tests))
			for i, t := range tests {
				result := t.Result
				if result == "" {
					result = "planned"
				}
				follow := regCell{}
				if t.FollowUpTaskID != 0 {
					follow = regCell{Text: fmt.Sprintf("task %d", t.FollowUpTaskID), Href: fmt.Sprintf("/tasks/%d", t.FollowUpTaskID)}
				}
				rows[i] = []regCell{{Text: t.ControlID, Href: fmt.Sprintf("/control-tests/%d", t.ID)}, {Text: t.Period}, {Text: string(t.DueDate)}, {Text: personText(t.Tester)},
					{Text: t.Procedure}, {Badge: result}, {Text: string(t.TestedOn)}, follow}
				csv[i] = []string{idText(t.ID), t.ControlID, t.Period, string(t.DueDate), csvPerson(t.Tester, ""), t.Procedure, t.Sample, t.Result, string(t.TestedOn), t.Notes, idText(t.FollowUpTaskID)}
			}
			return rows, csv, tests, total, nil
		}}
}

func (s *Server) controlTestCreate(w http.ResponseWriter, r *http.Request) error {
	t := &attest.ControlTest{ControlID: r.PostFormValue("control_id"), Period: r.PostFormValue("period")}
	var err error
	if t.TesterID, err = s.formMember(r, "tester"); err == nil {
		t.DueDate, err = postedDate(r, "due_date")
	}
	if err == nil {
		err = s.svc.CreateControlTest(r.Context(), orgID(r), t)
	}
	if err != nil {
		return s.refuseRegister(w, r, s.controlTestRegister(), err)
	}
	return redirect(w, r, fmt.Sprintf("/control-tests/%d", t.ID), "Test of "+t.ControlID+" planned.")
}

func (s *Server) controlTestByPath(r *http.Request) (*attest.ControlTest, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, attest.ScopeControlTest, id); err != nil {
		return nil, err
	}
	return s.svc.FindControlTest(r.Context(), orgID(r), id)
}

func (s *Server) controlTestPage(w http.ResponseWriter, r *http.Request) error {
	t, err := s.controlTestByPath(r)
	if err != nil {
		return err
	}
	return s.renderControlTest(w, r, http.StatusOK, t, newForm(url.Values{"procedure": {t.Procedure}, "sample": {t.Sample}, "result": {t.Result},
		"tested_on": {string(t.TestedOn)}, "notes": {t.Notes}, "tester": {idText(t.TesterID)}}))
}

func (s *Server) renderControlTest(w http.ResponseWriter, r *http.Request, status int, t *attest.ControlTest, f *form) error {
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, status, "control_test", &view{Title: "Test of " + t.ControlID, Nav: "records", Data: map[string]any{"Test": t, "Form": f, "Owners": owners}})
}

func (s *Server) controlTestRecord(w http.ResponseWriter, r *http.Request) error {
	t, err := s.controlTestByPath(r)
	if err != nil {
		return err
	}
	upd := &attest.ControlTest{Procedure: r.PostFormValue("procedure"), Sample: r.PostFormValue("sample"), Result: r.PostFormValue("result"), Notes: r.PostFormValue("notes")}
	if upd.TesterID, err = s.formMember(r, "tester"); err == nil {
		upd.TestedOn, err = postedDate(r, "tested_on")
	}
	var got *attest.ControlTest
	if err == nil {
		got, err = s.svc.RecordControlTest(r.Context(), orgID(r), t.ID, upd)
	}
	if err != nil {
		f := newForm(r.PostForm)
		if !f.refuse(err) {
			return err
		}
		return s.renderControlTest(w, r, refusedStatus, t, f)
	}
	msg := "Result recorded."
	if got.Failed() {
		msg += fmt.Sprintf(" Follow-up task %d is with the control's owner.", got.FollowUpTaskID)
	}
	return redirect(w, r, fmt.Sprintf("/control-tests/%d", t.ID), msg)
}
