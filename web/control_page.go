package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

func (s *Server) criteriaPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.currentEngagement(r)
	if err != nil {
		return err
	}
	rd, err := s.svc.ReadinessOf(r.Context(), orgID(r), e)
	if err != nil {
		return err
	}
	rows := make([]criterionRow, len(rd.Criteria))
	for i := range rd.Criteria {
		cr := &rd.Criteria[i]
		rows[i] = criterionRow{CriterionReadiness: cr, Controls: cr.Controls}
		if n := len(cr.Controls); n > criteriaChips {
			rows[i].Controls, rows[i].More = cr.Controls[:criteriaChips], n-criteriaChips
		}
	}
	return s.render(w, r, http.StatusOK, "criteria", &view{Title: "Criteria", Nav: "criteria", Data: map[string]any{"Engagement": e, "Readiness": rd, "Rows": rows}})
}

// criteriaChips is how many controls the criteria page shows per
// criterion; the rest are counted and linked, so the page stays the same
// size however many controls an organization has.
const criteriaChips = 8

// criterionRow is a criterion on the criteria page: its first controls and
// how many more it has.
type criterionRow struct {
	*attest.CriterionReadiness
	Controls []attest.ControlRef
	More     int
}

func (s *Server) criterionPage(w http.ResponseWriter, r *http.Request) error {
	c := s.svc.Framework().Criterion(r.PathValue("id"))
	if c == nil {
		return attest.Errorf(attest.ENOTFOUND, "no criterion %q", r.PathValue("id"))
	}
	controls, err := s.svc.FindControls(r.Context(), orgID(r), attest.ControlFilter{Criterion: c.ID})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "criterion", &view{Title: c.ID, Nav: "criteria", Data: map[string]any{"Criterion": c, "Controls": controls}})
}

// controlsPage lists controls, filtered by status, owner, category and
// criterion from the query string.
func (s *Server) controlsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := attest.ControlFilter{Status: attest.ControlStatus(q.Get("status")), Category: q.Get("category"), Criterion: q.Get("criterion")}
	var err error
	if f.OwnerID, f.Unowned, err = s.ownerFilter(r); err != nil {
		return err
	}
	fw := s.svc.Framework()
	if f.Status != "" && !f.Status.Valid() {
		return attest.Errorf(attest.EINVALID, "unknown status %q", f.Status)
	}
	if f.Category != "" && fw.Category(f.Category) == nil {
		return attest.Errorf(attest.EINVALID, "unknown category %q", f.Category)
	}
	if f.Criterion != "" && fw.Criterion(f.Criterion) == nil {
		return attest.Errorf(attest.EINVALID, "unknown criterion %q", f.Criterion)
	}
	all, err := s.svc.FindControls(r.Context(), orgID(r), attest.ControlFilter{})
	if err != nil {
		return err
	}
	var controls []*attest.Control
	for _, c := range all {
		if f.Matches(c, fw) {
			controls = append(controls, c)
		}
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	// A page shows 50 controls; the query string keeps the filters.
	const perPage = 50
	page, _ := strconv.Atoi(q.Get("page"))
	pages := (len(controls) + perPage - 1) / perPage
	page = max(1, min(page, pages))
	matched := len(controls)
	if matched > 0 {
		controls = controls[(page-1)*perPage : min(page*perPage, matched)]
	}
	link := func(p int) string {
		v := url.Values{}
		for k, vals := range q {
			if k != "page" {
				v[k] = vals
			}
		}
		v.Set("page", strconv.Itoa(p))
		return "/controls?" + v.Encode()
	}
	var prev, next string
	if page > 1 {
		prev = link(page - 1)
	}
	if page < pages {
		next = link(page + 1)
	}
	// Rows carry ready-made text: the template then runs no functions per
	// row, which keeps a page of controls fast.
	rows := make([]controlRow, len(controls))
	for i, c := range controls {
		rows[i] = controlRow{ID: c.ID, Name: c.Name, Status: string(c.Status), StatusLabel: strings.ReplaceAll(string(c.Status), "_", " "),
			Owner: ownerHTML(c.Owner, c.OwnerNote), Frequency: strings.ReplaceAll(string(c.Frequency), "_", " "), Criteria: strings.Join(c.Criteria, ", ")}
	}
	return s.render(w, r, http.StatusOK, "controls", &view{Title: "Controls", Nav: "controls", Data: map[string]any{
		"Controls": rows, "Filter": f, "Statuses": attest.ControlStatuses, "Categories": fw.Categories, "Owners": owners, "OwnerFilter": q.Get("owner"), "Total": len(all), "CanBulk": principalFrom(r.Context()).Can(attest.EditReadiness, s.Now()), "Query": r.URL.RawQuery,
		"Matched": matched, "Page": page, "Pages": pages, "Prev": prev, "Next": next,
	}})
}

// controlRow is a control as the controls list shows it.
type controlRow struct {
	ID, Name, Status, StatusLabel, Frequency, Criteria string
	Owner                                              template.HTML
}

func (s *Server) controlPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.FindControlByID(r.Context(), orgID(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	tasks, err := s.svc.FindTasks(r.Context(), orgID(r), attest.TaskFilter{ControlID: c.ID})
	if err != nil {
		return err
	}
	var crit []*attest.Criterion
	for _, id := range c.Criteria {
		if cr := s.svc.Framework().Criterion(id); cr != nil {
			crit = append(crit, cr)
		}
	}
	p := principalFrom(r.Context())
	ev, err := s.controlEvidence(r, c)
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	dir, err := s.directory(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	actors := map[string]actorView{}
	items, _ := ev["Items"].([]itemRow)
	for _, it := range items {
		actors[it.ProvidedBy] = dir.actor(it.ProvidedBy)
	}
	return s.render(w, r, http.StatusOK, "control", &view{Title: c.ID + " " + c.Name, Nav: "controls", Data: map[string]any{
		"Control": c, "Tasks": tasks, "Criteria": crit, "Statuses": attest.ControlStatuses, "CanEdit": s.mayEditControl(p, c),
		"Evidence": ev, "Owners": owners, "Actors": actors,
	}})
}

// mayEditControl: managers edit every control, control owners the controls
// they own.
func (s *Server) mayEditControl(p *attest.Principal, c *attest.Control) bool {
	now := s.Now()
	if p.Can(attest.EditReadiness, now) {
		return true
	}
	// Ownership is by user ID: a member named like the owner owns nothing.
	return p.Can(attest.EditOwnControl, now) && p.UserID != 0 && c.OwnerID == p.UserID
}

// controlUpdate applies the control form.
func (s *Server) controlUpdate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	c, err := s.svc.FindControlByID(ctx, p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !s.mayEditControl(p, c) {
		return attest.Errorf(attest.EFORBIDDEN, "only the control's owner or a compliance manager may change %s", c.ID)
	}
	status := attest.ControlStatus(r.PostFormValue("status"))
	notes, just := r.PostFormValue("notes"), r.PostFormValue("justification")
	due := attest.Date(r.PostFormValue("due_date"))
	u := attest.ControlUpdate{Status: &status, Notes: &notes, Justification: &just, DueDate: &due}
	if p.Can(attest.EditReadiness, s.Now()) {
		owner, err := s.resolveOwner(r, r.PostFormValue("owner"))
		if err != nil {
			return formError("owner", err)
		}
		u.OwnerID = &owner
	}
	if _, err := s.svc.UpdateControl(ctx, p.OrgID, c.ID, u); err != nil {
		return err
	}
	return redirect(w, r, "/controls/"+c.ID, "Saved "+c.ID+".")
}

func (s *Server) tasksPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := attest.TaskFilter{Status: attest.TaskStatus(q.Get("status")), Open: q.Get("open") != "0"}
	var err error
	if f.OwnerID, _, err = s.ownerFilter(r); err != nil {
		return err
	}
	if f.Status != "" {
		f.Open = false
		if !f.Status.Valid() {
			return attest.Errorf(attest.EINVALID, "unknown task status %q", f.Status)
		}
	}
	tasks, err := s.svc.FindTasks(r.Context(), orgID(r), f)
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "tasks", &view{Title: "Tasks", Nav: "tasks", Data: map[string]any{"Tasks": tasks, "Filter": f,
		"Owners": owners, "OwnerFilter": q.Get("owner")}})
}

// mayEditTask: managers edit every task; control owners tasks they own or
// tasks of controls they own.
func (s *Server) mayEditTask(r *http.Request, t *attest.Task) bool {
	p := principalFrom(r.Context())
	if p.Can(attest.EditReadiness, s.Now()) {
		return true
	}
	if p.UserID != 0 && t.OwnerID == p.UserID { // by ID: a namesake owns nothing
		return true
	}
	if t.ControlID != "" {
		if c, err := s.svc.FindControlByID(r.Context(), p.OrgID, t.ControlID); err == nil {
			return s.mayEditControl(p, c)
		}
	}
	return false
}

func (s *Server) taskCreate(w http.ResponseWriter, r *http.Request) error {
	owner, err := s.resolveOwner(r, r.PostFormValue("owner"))
	if err != nil {
		return formError("owner", err)
	}
	t := &attest.Task{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), OwnerID: owner,
		DueDate: attest.Date(r.PostFormValue("due_date")), ControlID: r.PostFormValue("control_id")}
	// A control owner adds tasks to the controls they own: naming oneself
	// the task's owner does not make another's control one's own.
	if !s.mayEditTask(r, &attest.Task{ControlID: t.ControlID}) {
		return attest.Errorf(attest.EFORBIDDEN, "you may add tasks only to controls you own")
	}
	if err := s.svc.CreateTask(r.Context(), orgID(r), t); err != nil {
		return err
	}
	back := "/tasks"
	if t.ControlID != "" {
		back = "/controls/" + t.ControlID
	}
	return redirect(w, r, back, "Task added.")
}

func (s *Server) taskUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return attest.Errorf(attest.ENOTFOUND, "no task %q", r.PathValue("id"))
	}
	t, err := s.svc.FindTaskByID(r.Context(), orgID(r), id)
	if err != nil {
		return err
	}
	if !s.mayEditTask(r, t) {
		return attest.Errorf(attest.EFORBIDDEN, "you may change only your own tasks")
	}
	u := attest.TaskUpdate{}
	if v := r.PostFormValue("status"); v != "" {
		st := attest.TaskStatus(v)
		u.Status = &st
	}
	if _, err := s.svc.UpdateTask(r.Context(), orgID(r), id, u); err != nil {
		return err
	}
	back := r.PostFormValue("back")
	return redirect(w, r, safeNext(back), "Task updated.")
}
