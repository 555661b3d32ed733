package web

import (
	"net/http"
	"strconv"

	"github.com/attest-dev/attest"
)

// The periodic risk assessment: a dated event with its participants, the
// risks reviewed and what changed; the next one's due date reminds the
// assessment's owner.

func (s *Server) riskAssessmentsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssessments(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) renderAssessments(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx, org := r.Context(), orgID(r)
	events, err := s.svc.FindScopedRecordEvents(ctx, org, attest.EventRiskAssessment, 0, recordScope(r))
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(ctx, org)
	if err != nil {
		return err
	}
	risks, _, err := s.svc.FindRisks(ctx, org, attest.RegisterFilter{Scope: recordScope(r)}, attest.Page{Sort: "title", Limit: attest.MaxPageSize})
	if err != nil {
		return err
	}
	titles := map[int64]string{}
	for _, k := range risks {
		titles[k.ID] = k.Title
	}
	due, err := s.svc.RiskAssessmentDue(ctx, org)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "risk_assessments", &view{Title: "Risk assessments", Nav: "risks", Data: map[string]any{
		"Events": events, "Form": f, "Owners": owners, "Risks": risks, "Titles": titles, "Due": due,
	}})
}

func (s *Server) riskAssessmentCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := postForm(r)
	if err != nil {
		return err
	}
	ev := &attest.RecordEvent{Kind: attest.EventRiskAssessment, Summary: f.Get("summary"), Findings: f.Get("findings")}
	ev.OccurredAt, err = formTime(f, "date")
	if err == nil {
		ev.Participants, err = s.formPeople(r, f, "participants")
	}
	if err == nil {
		ev.NextDue, err = formDate(f, "next_due")
	}
	for _, v := range f.Values["items"] {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil && err == nil {
			err = attest.FieldErrorf("items", "unknown risk %q", v)
		}
		ev.Items = append(ev.Items, id)
	}
	if err == nil {
		err = s.svc.AddRecordEvent(r.Context(), orgID(r), ev)
	}
	if f.refuse(err) {
		return s.renderAssessments(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/risks/assessments", "Risk assessment recorded; the next one is due "+string(ev.NextDue)+".")
}
