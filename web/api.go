package web

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"

	"github.com/attest-dev/attest"
)

// apiRoutes is the JSON API's route table.
func (s *Server) apiRoutes() []route {
	return []route{
		{"GET", "/api/v1/criteria", token, attest.ReadData, s.listCriteria, false},
		{"GET", "/api/v1/criteria/{id}", token, attest.ReadData, s.getCriterion, false},
		{"GET", "/api/v1/controls", token, attest.ReadData, s.listControls, false},
		{"POST", "/api/v1/controls", token, attest.EditReadiness, s.createControl, false},
		{"GET", "/api/v1/controls/{id}", token, attest.ReadData, s.getControl, false},
		{"PATCH", "/api/v1/controls/{id}", token, attest.EditReadiness, s.updateControl, false},
		{"PUT", "/api/v1/controls/{id}/criteria/{criterion}", token, attest.EditReadiness, s.mapControl, false},
		{"DELETE", "/api/v1/controls/{id}/criteria/{criterion}", token, attest.EditReadiness, s.unmapControl, false},
		{"GET", "/api/v1/engagements", token, attest.ReadData, s.listEngagements, false},
		{"POST", "/api/v1/engagements", token, attest.EditReadiness, s.createEngagement, false},
		{"GET", "/api/v1/engagements/{id}", token, attest.ReadData, s.getEngagement, false},
		{"PATCH", "/api/v1/engagements/{id}", token, attest.EditReadiness, s.updateEngagement, false},
		{"GET", "/api/v1/engagements/{id}/scope", token, attest.ReadData, s.getScope, false},
		{"PUT", "/api/v1/engagements/{id}/scope", token, attest.EditReadiness, s.setScope, false},
		{"POST", "/api/v1/engagements/{id}/systems", token, attest.EditReadiness, s.addSystem, false},
		{"DELETE", "/api/v1/engagements/{id}/systems/{system}", token, attest.EditReadiness, s.removeSystem, false},
		{"PATCH", "/api/v1/engagements/{id}/systems/{system}", token, attest.EditReadiness, s.updateSystem, false},
		{"GET", "/api/v1/engagements/{id}/readiness", token, attest.ReadData, s.getReadiness, false},
		{"GET", "/api/v1/engagements/{id}/snapshots", token, attest.ReadData, s.listSnapshots, false},
		{"GET", "/api/v1/readiness", token, attest.ReadData, s.getCurrentReadiness, false},
		{"GET", "/api/v1/tasks", token, attest.ReadData, s.listTasks, false},
		{"POST", "/api/v1/tasks", token, attest.EditReadiness, s.createTask, false},
		{"GET", "/api/v1/tasks/{id}", token, attest.ReadData, s.getTask, false},
		{"PATCH", "/api/v1/tasks/{id}", token, attest.EditReadiness, s.updateTask, false},
		{"POST", "/api/v1/tasks/{id}/close", token, attest.EditReadiness, s.closeTask, false},
	}
}

// pathID parses a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, attest.Errorf(attest.ENOTFOUND, "%s %q does not exist", name, r.PathValue(name))
	}
	return id, nil
}

func (s *Server) listCriteria(w http.ResponseWriter, r *http.Request) error {
	fw := s.svc.Framework()
	cat := r.URL.Query().Get("category")
	if cat != "" && fw.Category(cat) == nil {
		return attest.Errorf(attest.EINVALID, "unknown category %q", cat)
	}
	out := []attest.Criterion{}
	for _, c := range fw.Criteria {
		if cat == "" || c.Category == cat {
			out = append(out, c)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getCriterion(w http.ResponseWriter, r *http.Request) error {
	c := s.svc.Framework().LookupCriterion(r.PathValue("id"))
	if c == nil {
		return attest.Errorf(attest.ENOTFOUND, "no criterion %q", r.PathValue("id"))
	}
	return writeJSON(w, http.StatusOK, c)
}

// apiPage reads limit and offset (and sort, dir) of an API list; its page
// is attest.MaxPageSize rows unless limit says fewer.
func apiPage(q url.Values, columns []string) (attest.Page, error) {
	if q.Get("limit") == "" {
		q = maps.Clone(q)
		q.Set("limit", strconv.Itoa(attest.MaxPageSize))
	}
	_, pg, err := parseList("", q, columns)
	return pg, err
}

func (s *Server) listControls(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	cf, err := s.controlFilter(r, f)
	if err != nil {
		return err
	}
	pg, err := apiPage(q, attest.ControlSorts)
	if err == nil {
		err = firstError(f, controlFilterFields...)
	}
	if err != nil {
		return err
	}
	controls, total, err := s.svc.FindControlPage(r.Context(), orgID(r), cf, pg)
	if err != nil {
		return err
	}
	return writePage(w, controls, total)
}

func (s *Server) createControl(w http.ResponseWriter, r *http.Request) error {
	var c attest.Control
	if err := decode(r, &c); err != nil {
		return err
	}
	for i, id := range c.Criteria {
		c.Criteria[i] = criterionID(s.svc.Framework(), id)
	}
	if err := s.svc.CreateControl(r.Context(), orgID(r), &c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &c)
}

func (s *Server) getControl(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.FindControlByID(r.Context(), orgID(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// controlPatch is the body of PATCH /api/v1/controls/{id}: the fields of
// ControlUpdate and an owner given as a user ID or an email ("" for
// nobody).
type controlPatch struct {
	attest.ControlUpdate
	Owner *attest.PersonRef `json:"owner"`
}

func (s *Server) updateControl(w http.ResponseWriter, r *http.Request) error {
	var in controlPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	u := in.ControlUpdate
	if in.Owner != nil {
		id, err := s.resolveOwner(r, string(*in.Owner))
		if err != nil {
			return err
		}
		u.OwnerID = &id
	}
	c, err := s.svc.UpdateControl(r.Context(), orgID(r), r.PathValue("id"), u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) mapControl(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.MapControl(r.Context(), orgID(r), r.PathValue("id"), criterionID(s.svc.Framework(), r.PathValue("criterion"))); err != nil {
		return err
	}
	return s.getControl(w, r)
}

func (s *Server) unmapControl(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.UnmapControl(r.Context(), orgID(r), r.PathValue("id"), criterionID(s.svc.Framework(), r.PathValue("criterion"))); err != nil {
		return err
	}
	return s.getControl(w, r)
}

func (s *Server) listEngagements(w http.ResponseWriter, r *http.Request) error {
	es, err := s.svc.FindEngagements(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	visible := es[:0]
	for _, e := range es {
		if p.SeesEngagement(e.ID) {
			visible = append(visible, e)
		}
	}
	es = visible
	return writeJSON(w, http.StatusOK, es)
}

// engagementInput is the body of POST /api/v1/engagements: an engagement
// whose systems name their owners as POST .../systems does.
type engagementInput struct {
	attest.Engagement
	Systems []*systemInput `json:"systems"`
}

func (s *Server) createEngagement(w http.ResponseWriter, r *http.Request) error {
	var in engagementInput
	if err := decode(r, &in); err != nil {
		return err
	}
	e := in.Engagement
	e.ID, e.Systems = 0, nil
	for _, sin := range in.Systems {
		sys, err := s.systemFrom(r, sin)
		if err != nil {
			return err
		}
		e.Systems = append(e.Systems, sys)
	}
	if err := s.svc.CreateEngagement(r.Context(), orgID(r), &e); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &e)
}

func (s *Server) getEngagement(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	e, err := s.svc.FindEngagementByID(r.Context(), orgID(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (s *Server) updateEngagement(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	var u attest.EngagementUpdate
	if err := decode(r, &u); err != nil {
		return err
	}
	e, err := s.svc.UpdateEngagement(r.Context(), orgID(r), id, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (s *Server) getScope(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	sc, err := s.svc.Scope(r.Context(), orgID(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sc)
}

func (s *Server) setScope(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	var body struct {
		Categories []string `json:"categories"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Categories == nil {
		return attest.Errorf(attest.EINVALID, "send the categories in scope as {\"categories\": [...]}")
	}
	if _, err := s.svc.UpdateEngagement(r.Context(), orgID(r), id, attest.EngagementUpdate{Categories: &body.Categories}); err != nil {
		return err
	}
	return s.getScope(w, r)
}

// systemInput is the body of POST /api/v1/engagements/{id}/systems: a
// system whose owner is given as a user ID or an email (or {"id": …}).
type systemInput struct {
	attest.System
	Owner *attest.PersonRef `json:"owner"`
}

func (s *Server) addSystem(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	var in systemInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sys, err := s.systemFrom(r, &in)
	if err != nil {
		return err
	}
	if err := s.svc.AddSystem(r.Context(), orgID(r), id, sys); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sys)
}

// systemFrom is the system a request body describes, its owner resolved
// to a member who may own things.
func (s *Server) systemFrom(r *http.Request, in *systemInput) (*attest.System, error) {
	sys := in.System
	sys.ID, sys.OwnerID, sys.Owner = 0, 0, nil
	if in.Owner != nil {
		var err error
		if sys.OwnerID, err = s.resolveOwner(r, string(*in.Owner)); err != nil {
			if attest.ErrorCode(err) == attest.EINVALID {
				err = attest.FieldErrorf("owner", "system %q: %s", sys.Name, attest.ErrorMessage(err))
			}
			return nil, err
		}
	}
	return &sys, nil
}

// updateSystem hands a system to a member: {"owner": "ana@example.com"},
// a user ID or {"id": …}; "" for nobody. Systems from the asset inventory
// follow their asset's owner and are refused.
func (s *Server) updateSystem(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "system")
	if err != nil {
		return err
	}
	var in struct {
		Owner *attest.PersonRef `json:"owner"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Owner == nil {
		return attest.FieldErrorf("owner", "send the system's new owner as {\"owner\": \"email\"} (\"\" for nobody)")
	}
	owner, err := s.resolveOwner(r, string(*in.Owner))
	if attest.ErrorCode(err) == attest.EINVALID {
		err = attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	sys, err := s.svc.SetSystemOwner(r.Context(), orgID(r), id, sid, owner)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sys)
}

func (s *Server) removeSystem(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "system")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveSystem(r.Context(), orgID(r), id, sid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getReadiness(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	rd, err := s.svc.Readiness(r.Context(), orgID(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rd)
}

func (s *Server) getCurrentReadiness(w http.ResponseWriter, r *http.Request) error {
	e, err := s.currentEngagement(r)
	if err != nil {
		return err
	}
	rd, err := s.svc.Readiness(r.Context(), orgID(r), e.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rd)
}

func (s *Server) listSnapshots(w http.ResponseWriter, r *http.Request) error {
	id, err := s.visibleEngagement(r)
	if err != nil {
		return err
	}
	sn, err := s.svc.FindSnapshots(r.Context(), orgID(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sn)
}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	tf, err := s.taskFilter(r, f)
	if err != nil {
		return err
	}
	// The API lists every task unless asked for open ones (open=true).
	tf.Open = tf.Status == "" && q.Get("open") == "true"
	if v := q.Get("engagement"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "engagement must be a number, not %q", v)
		}
		tf.EngagementID = id
	}
	pg, err := apiPage(q, attest.TaskSorts)
	if err == nil {
		err = firstError(f, taskFilterFields...)
	}
	if err != nil {
		return err
	}
	tasks, total, err := s.svc.FindTaskPage(r.Context(), orgID(r), scopeTasks(principalFrom(r.Context()), tf), pg)
	if err != nil {
		return err
	}
	return writePage(w, tasks, total)
}

// taskInput is the body of POST /api/v1/tasks: a task whose owner is given
// as a user ID or an email.
type taskInput struct {
	attest.Task
	Owner *attest.PersonRef `json:"owner"`
}

func (s *Server) createTask(w http.ResponseWriter, r *http.Request) error {
	var in taskInput
	if err := decode(r, &in); err != nil {
		return err
	}
	t := in.Task
	t.ID, t.ClosedAt, t.OwnerID = 0, nil, 0
	if in.Owner != nil {
		id, err := s.resolveOwner(r, string(*in.Owner))
		if err != nil {
			return err
		}
		t.OwnerID = id
	}
	if err := s.svc.CreateTask(r.Context(), orgID(r), &t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &t)
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.svc.FindTaskByID(r.Context(), orgID(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) updateTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in taskPatch
	if err := decode(r, &in); err != nil {
		return err
	}
	u := in.TaskUpdate
	if in.Owner != nil {
		owner, err := s.resolveOwner(r, string(*in.Owner))
		if err != nil {
			return err
		}
		u.OwnerID = &owner
	}
	t, err := s.svc.UpdateTask(r.Context(), orgID(r), id, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// taskPatch is the body of PATCH /api/v1/tasks/{id}: the fields of
// TaskUpdate and an owner given as a user ID or an email ("" for nobody).
type taskPatch struct {
	attest.TaskUpdate
	Owner *attest.PersonRef `json:"owner"`
}

func (s *Server) closeTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	done := attest.TaskDone
	t, err := s.svc.UpdateTask(r.Context(), orgID(r), id, attest.TaskUpdate{Status: &done})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// visibleEngagement parses the engagement ID of the path; an engagement the
// principal may not see is reported as not found.
func (s *Server) visibleEngagement(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	if !principalFrom(r.Context()).SeesEngagement(id) {
		return 0, attest.Errorf(attest.ENOTFOUND, "no engagement %d", id)
	}
	return id, nil
}

// criterionID is a criterion ID as typed, in the framework's case (cc6.1
// is CC6.1); an unknown one is returned as typed, for the store to refuse.
func criterionID(fw *attest.Framework, typed string) string {
	if c := fw.LookupCriterion(typed); c != nil {
		return c.ID
	}
	return typed
}
