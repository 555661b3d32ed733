package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// The incident register's pages: the list (an observation window's
// incidents are a population an auditor receives as CSV), an incident's
// page from report to sign-off — timeline, affected systems and data,
// notification, root cause, corrective actions, post-incident review —
// and the tabletop exercises that test the response plan.

func (s *Server) incidentRoutes() []route {
	return []route{
		{"GET", "/incidents", session, attest.ReadData, s.incidentsPage, false},
		{"GET", "/incidents.csv", session, attest.ReadData, s.incidentsCSV, false},
		{"POST", "/incidents", session, attest.EditReadiness, s.incidentCreate, false},
		{"GET", "/incidents/exercises", session, attest.ReadData, s.exercisesPage, false},
		{"POST", "/incidents/exercises", session, attest.EditReadiness, s.exerciseCreate, false},
		{"GET", "/incidents/{id}", session, attest.ReadData, s.incidentPage, false},
		{"POST", "/incidents/{id}", session, attest.EditOwnControl, s.incidentUpdate, false},
		{"POST", "/incidents/{id}/timeline", session, attest.EditReadiness, s.incidentTimeline, false},
		{"POST", "/incidents/{id}/signoff", session, attest.EditReadiness, s.incidentSignOff, false},
	}
}

func (s *Server) incidentList() registerList[*attest.Incident] {
	return registerList[*attest.Incident]{path: "/incidents", newestFirst: true, sorts: attest.IncidentSorts,
		find: func(r *http.Request, f attest.RegisterFilter, p attest.Page) ([]*attest.Incident, int, error) {
			f.Scope = recordScope(r)
			return s.svc.FindIncidents(r.Context(), orgID(r), f, p)
		},
		codec: func(*http.Request) (regcsv.Codec[*attest.Incident], error) { return regcsv.Incidents, nil }}
}

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderIncidents(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) renderIncidents(w http.ResponseWriter, r *http.Request, status int, create *form) error {
	incidents, list, f, err := s.incidentList().page(s, r)
	if err != nil {
		return err
	}
	if f.Invalid() && status == http.StatusOK {
		status = refusedStatus
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	// The current engagement's window is offered as the population.
	var window []string
	if e, err := s.currentEngagement(r); err == nil && e != nil {
		start, end := attest.EngagementPeriod(e)
		window = []string{string(start), string(end), e.Name}
	}
	return s.render(w, r, status, "incidents", &view{Title: "Incidents", Nav: "incidents", Data: map[string]any{
		"Incidents": incidents, "List": list, "Form": f, "Create": create, "Owners": owners, "Severities": attest.IncidentSeverities,
		"Statuses": attest.IncidentStatuses, "OwnerFilter": f.Get("owner"), "Window": window,
	}})
}

func (s *Server) incidentsCSV(w http.ResponseWriter, r *http.Request) error {
	return s.incidentList().csv(s, w, r, "incidents.csv")
}

// incidentFromForm reads an incident's fields from a form onto base.
func (s *Server) incidentFromForm(r *http.Request, f *form, base *attest.Incident) (*attest.Incident, error) {
	in := *base
	in.Title, in.Severity, in.Summary, in.AffectedData = f.Get("title"), f.Get("severity"), f.Get("summary"), f.Get("affected_data")
	in.RootCause, in.Review = f.Get("root_cause"), f.Get("review")
	in.PersonalData, in.Customers = f.Get("personal_data") != "", f.Get("customers") != ""
	if st := f.Get("status"); st != "" {
		in.Status = st
	}
	var err error
	if in.OwnerID, err = s.formPerson(r, f, "owner"); err != nil {
		return nil, err
	}
	if f.Get("reported_at") != "" || base.ID == 0 {
		if in.ReportedAt, err = formTime(f, "reported_at"); err != nil {
			return nil, err
		}
	}
	if in.NotifiedOn, err = formDate(f, "notified_on"); err != nil {
		return nil, err
	}
	if in.ReviewedOn, err = formDate(f, "reviewed_on"); err != nil {
		return nil, err
	}
	in.AssetIDs = nil
	for _, v := range f.Values["assets"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, attest.FieldErrorf("assets", "unknown asset %q", v)
		}
		in.AssetIDs = append(in.AssetIDs, id)
	}
	return &in, nil
}

func (s *Server) incidentCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := postForm(r)
	if err != nil {
		return err
	}
	in, err := s.incidentFromForm(r, f, &attest.Incident{})
	if err == nil {
		err = s.svc.CreateIncident(r.Context(), orgID(r), in)
	}
	if f.refuse(err) {
		return s.renderIncidents(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordIncident, in.ID), "Incident reported.")
}

func (s *Server) incidentByPath(r *http.Request) (*attest.Incident, error) {
	id, err := recordID(r, attest.RecordIncident)
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, string(attest.RecordIncident), id); err != nil {
		return nil, err
	}
	return s.svc.FindIncidentByID(r.Context(), orgID(r), id)
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) error {
	in, err := s.incidentByPath(r)
	if err != nil {
		return err
	}
	return s.renderIncident(w, r, http.StatusOK, in, incidentForm(in), newForm(nil))
}

// incidentForm holds an incident's stored values.
func incidentForm(in *attest.Incident) *form {
	on := func(b bool) string {
		if b {
			return "on"
		}
		return ""
	}
	f := url2form(map[string]string{"title": in.Title, "severity": in.Severity, "status": in.Status, "reported_at": in.ReportedAt.UTC().Format("2006-01-02T15:04"),
		"owner": idText(in.OwnerID), "summary": in.Summary, "affected_data": in.AffectedData, "personal_data": on(in.PersonalData), "customers": on(in.Customers),
		"notified_on": string(in.NotifiedOn), "root_cause": in.RootCause, "review": in.Review, "reviewed_on": string(in.ReviewedOn)})
	for _, a := range in.AssetIDs {
		f.Values.Add("assets", strconv.FormatInt(a, 10))
	}
	return f
}

// renderIncident shows an incident's page: f is the edit form, sub a
// refused timeline entry.
func (s *Server) renderIncident(w http.ResponseWriter, r *http.Request, status int, in *attest.Incident, f, sub *form) error {
	ctx, org := r.Context(), orgID(r)
	timeline, err := s.svc.FindRecordEvents(ctx, org, attest.EventTimeline, in.ID)
	if err != nil {
		return err
	}
	assets, _, err := s.svc.FindAssets(ctx, org, attest.RegisterFilter{}, attest.Page{Limit: attest.MaxPageSize})
	if err != nil {
		return err
	}
	data := map[string]any{"Incident": in, "Form": f, "Sub": sub, "Timeline": timeline, "Assets": assets, "Severities": attest.IncidentSeverities,
		"Statuses": attest.IncidentStatuses, "MaySignOff": in.SignedOffAt == nil && in.Review != "" && !in.ReviewedOn.IsZero() && in.RootCause != ""}
	data["CanEdit"], data["OwnerFixed"] = s.mayEditRecord(r, in.OwnerID), !principalFrom(r.Context()).Can(attest.EditReadiness, s.Now())
	if err := s.recordData(r, attest.RecordIncident, in.ID, data); err != nil {
		return err
	}
	return s.render(w, r, status, "incident", &view{Title: in.Title, Nav: "incidents", Data: data})
}

func (s *Server) incidentUpdate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.incidentByPath(r)
	if err != nil {
		return err
	}
	f, err := postForm(r)
	if err != nil {
		return err
	}
	if err := s.recordEditor(r, f, attest.RecordIncident, in.OwnerID); err != nil {
		return err
	}
	next, err := s.incidentFromForm(r, f, in)
	if err == nil {
		err = s.svc.UpdateIncident(r.Context(), orgID(r), next)
	}
	if f.refuse(err) {
		return s.renderIncident(w, r, refusedStatus, in, f, newForm(nil))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordIncident, in.ID), "Incident saved.")
}

// incidentTimeline adds an entry to the incident's timeline.
func (s *Server) incidentTimeline(w http.ResponseWriter, r *http.Request) error {
	in, err := s.incidentByPath(r)
	if err != nil {
		return err
	}
	f, err := postForm(r)
	if err != nil {
		return err
	}
	ev := &attest.RecordEvent{Kind: attest.EventTimeline, RecordID: in.ID, Summary: f.Get("summary")}
	ev.OccurredAt, err = formTime(f, "at")
	if err == nil {
		err = s.svc.AddRecordEvent(r.Context(), orgID(r), ev)
	}
	if f.refuse(err) {
		return s.renderIncident(w, r, refusedStatus, in, incidentForm(in), f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordIncident, in.ID)+"#timeline", "Timeline entry added.")
}

// incidentSignOff records the signed-in member's sign-off of the review.
func (s *Server) incidentSignOff(w http.ResponseWriter, r *http.Request) error {
	id, err := recordID(r, attest.RecordIncident)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if _, err := s.svc.SignOffIncident(r.Context(), p.OrgID, id, p.UserID); err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordIncident, id), "Post-incident review signed off.")
}

func (s *Server) exercisesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderExercises(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) renderExercises(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	events, err := s.svc.FindScopedRecordEvents(r.Context(), orgID(r), attest.EventTabletop, 0, recordScope(r))
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, status, "exercises", &view{Title: "Tabletop exercises", Nav: "incidents", Data: map[string]any{"Events": events, "Form": f, "Owners": owners}})
}

// exerciseCreate records a tabletop exercise of the response plan.
func (s *Server) exerciseCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := postForm(r)
	if err != nil {
		return err
	}
	ev := &attest.RecordEvent{Kind: attest.EventTabletop, Summary: strings.TrimSpace(f.Get("summary")), Findings: f.Get("findings")}
	ev.OccurredAt, err = formTime(f, "date")
	if err == nil {
		ev.Participants, err = s.formPeople(r, f, "participants")
	}
	if err == nil {
		ev.NextDue, err = formDate(f, "next_due")
	}
	if err == nil {
		err = s.svc.AddRecordEvent(r.Context(), orgID(r), ev)
	}
	if f.refuse(err) {
		return s.renderExercises(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/incidents/exercises", "Tabletop exercise recorded.")
}
