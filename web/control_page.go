package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	c := s.svc.Framework().LookupCriterion(r.PathValue("id"))
	if c == nil {
		return attest.Errorf(attest.ENOTFOUND, "no criterion %q", r.PathValue("id"))
	}
	controls, err := s.svc.FindControls(r.Context(), orgID(r), attest.ControlFilter{Criterion: c.ID})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "criterion", &view{Title: c.ID, Nav: "criteria", Data: map[string]any{"Criterion": c, "Controls": controls}})
}

// controlFilter reads the controls list's filters from the query: a
// criterion in any case ("cc6.1"), a category, a status, an owner and a
// search. A value it does not know is recorded beside its field in f and
// left out of the filter.
func (s *Server) controlFilter(r *http.Request, f *form) (attest.ControlFilter, error) {
	q := r.URL.Query()
	fw := s.svc.Framework()
	cf := attest.ControlFilter{Search: strings.TrimSpace(q.Get("q"))}
	var err error
	if cf.OwnerID, cf.Unowned, err = s.ownerFilter(r); err != nil {
		return cf, err
	}
	if v := q.Get("status"); v != "" {
		if st := attest.ControlStatus(v); st.Valid() {
			cf.Status = st
		} else {
			f.Errors["status"] = fmt.Sprintf("unknown status %q", v)
		}
	}
	if v := strings.TrimSpace(q.Get("category")); v != "" {
		if c := fw.Category(strings.ToLower(v)); c != nil {
			cf.Category = c.ID
		} else {
			f.Errors["category"] = fmt.Sprintf("unknown category %q", v)
		}
	}
	if v := q.Get("criterion"); strings.TrimSpace(v) != "" {
		if c := fw.LookupCriterion(v); c != nil {
			cf.Criterion = c.ID
			f.Values.Set("criterion", c.ID)
		} else {
			f.Errors["criterion"] = fmt.Sprintf("unknown criterion %q (criteria look like CC6.1)", v)
		}
	}
	return cf, nil
}

// firstError is the first message of a form, for the API, which answers
// one error at a time.
func firstError(f *form, order ...string) error {
	for _, k := range order {
		if msg := f.Err(k); msg != "" {
			return attest.FieldErrorf(k, "%s", msg)
		}
	}
	return nil
}

// controlFilterFields are the filters of the controls list, in the order
// their errors are reported.
var controlFilterFields = []string{"status", "owner", "category", "criterion", "q", "sort", "page"}

// controlsPage lists controls: filtered, searched, sorted and cut into
// pages in the database, every choice kept in the query string.
func (s *Server) controlsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	cf, err := s.controlFilter(r, f)
	if err != nil {
		return err
	}
	list, pg, err := parseList("/controls", q, attest.ControlSorts)
	if err != nil && !f.refuse(err) {
		return err
	}
	controls, total, err := s.svc.FindControlRows(r.Context(), orgID(r), cf, pg)
	if err != nil {
		return err
	}
	list.setTotal(total)
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	canBulk := principalFrom(r.Context()).Can(attest.EditReadiness, s.Now())
	status := http.StatusOK
	if f.Invalid() {
		status = refusedStatus
	}
	return s.render(w, r, status, "controls", &view{Title: "Controls", Nav: "controls", Data: map[string]any{
		"Rows": controlRows(controls, canBulk), "Form": f, "Statuses": attest.ControlStatuses, "Categories": s.svc.Framework().Categories, "Owners": owners,
		"OwnerFilter": q.Get("owner"), "CanBulk": canBulk, "Query": r.URL.RawQuery,
		"List": list,
	}})
}

// controlsCSV downloads every control the list's filters match.
func (s *Server) controlsCSV(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	cf, err := s.controlFilter(r, f)
	if err != nil {
		return err
	}
	_, pg, err := parseList("/controls", q, attest.ControlSorts)
	if err == nil {
		err = firstError(f, controlFilterFields...)
	}
	if err != nil {
		return err
	}
	fetch := func(p attest.Page) ([][]string, int, error) {
		controls, total, err := s.svc.FindControlPage(r.Context(), orgID(r), cf, p)
		rows := make([][]string, len(controls))
		for i, c := range controls {
			rows[i] = []string{c.ID, c.Name, string(c.Status), csvPerson(c.Owner, c.OwnerNote), string(c.Frequency), string(c.DueDate), strings.Join(c.Criteria, " "),
				c.UpdatedAt.UTC().Format(time.RFC3339)}
		}
		return rows, total, err
	}
	return s.csvExport(w, "controls.csv", []string{"id", "name", "status", "owner", "frequency", "due_date", "criteria", "updated_at"}, fetch, pg)
}

// controlRows is the body of the controls table: a row per control, with
// a selection box when the viewer may change them in bulk.
func controlRows(controls []*attest.Control, canBulk bool) template.HTML {
	if len(controls) == 0 {
		return `<tr><td colspan="6">No control matches.</td></tr>`
	}
	var f fragment
	f.b.Grow(len(controls) * 400)
	for _, c := range controls {
		f.raw("<tr>\n")
		if canBulk {
			f.raw(`<td><input type="checkbox" name="id" value="`).text(c.ID).raw(`" id="sel-`).text(c.ID).raw(`" aria-label="Select `).text(c.ID).raw(`"></td>`)
		}
		f.raw(`<td><a href="/controls/`).seg(c.ID).raw(`">`).text(c.ID).raw(`</a> `).text(c.Name).raw("</td>\n")
		f.raw(`<td><span class="badge `).text(string(c.Status)).raw(`">`).text(strings.ReplaceAll(string(c.Status), "_", " ")).raw("</span></td>\n")
		f.raw(`<td>`).html(ownerHTML(c.Owner, c.OwnerNote)).raw("</td>\n")
		f.raw(`<td class="hide-sm">`).text(strings.ReplaceAll(string(c.Frequency), "_", " ")).raw("</td>\n")
		f.raw(`<td class="hide-sm">`).text(strings.Join(c.Criteria, ", ")).raw("</td>\n</tr>")
	}
	return f.done()
}

func (s *Server) controlPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.FindControlByID(r.Context(), orgID(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderControl(w, r, http.StatusOK, c, controlForms{})
}

// controlForms are the forms of a control's page that come back as typed
// after a refusal; nil ones are filled from the control.
type controlForms struct {
	// Control is the status form.
	Control *form
	// Evidence is the evidence form of need Need.
	Evidence *form
	Need     int
	// NA is a not-applicable statement for the slot of need NANeed
	// starting NAStart.
	NA      *form
	NANeed  int
	NAStart attest.Date
}

// controlValues is a control as its status form shows it.
func controlValues(c *attest.Control) url.Values {
	return url.Values{"status": {string(c.Status)}, "owner": {ownerValue(c.OwnerID)}, "due_date": {string(c.DueDate)},
		"justification": {c.Justification}, "notes": {c.Notes}}
}

// renderControl shows a control's page with its forms.
func (s *Server) renderControl(w http.ResponseWriter, r *http.Request, status int, c *attest.Control, cf controlForms) error {
	tasks, err := s.svc.FindTasks(r.Context(), orgID(r), scopeTasks(principalFrom(r.Context()), attest.TaskFilter{ControlID: c.ID}))
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
	ev, err := s.controlEvidence(r, c, cf)
	if err != nil {
		return err
	}
	if cf.Control == nil {
		cf.Control = newForm(controlValues(c))
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
	records, err := s.svc.ControlRecords(r.Context(), p.OrgID, c.ID)
	if err == nil {
		records, err = s.visibleRecords(r, records)
	}
	if err != nil {
		return err
	}
	return s.render(w, r, status, "control", &view{Title: c.ID + " " + c.Name, Nav: "controls", Data: map[string]any{
		"Control": c, "Tasks": tasks, "Criteria": crit, "Statuses": attest.ControlStatuses, "CanEdit": s.mayEditControl(p, c),
		"Evidence": ev, "Form": cf.Control, "Owners": owners, "Actors": actors, "Records": records, "Timelines": s.controlTimelines(r, c.ID),
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
	_, err = s.svc.UpdateControl(ctx, p.OrgID, c.ID, u)
	if f := newForm(r.PostForm); f.refuse(err, "status", "owner", "due_date", "justification", "notes") {
		return s.renderControl(w, r, refusedStatus, c, controlForms{Control: f})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/controls/"+c.ID, "Saved "+c.ID+".")
}

// taskFilter reads the tasks list's filters from the query: status (""
// means open and in progress, "all" every task; open=0 is an older way to
// say all), owner, control (in any case) and a search. A value it does not
// know is recorded beside its field in f and left out.
func (s *Server) taskFilter(r *http.Request, f *form) (attest.TaskFilter, error) {
	q := r.URL.Query()
	tf := attest.TaskFilter{Search: strings.TrimSpace(q.Get("q")), Open: q.Get("open") != "0"}
	switch v := q.Get("status"); v {
	case "":
	case "all":
		tf.Open = false
	default:
		tf.Open = false
		if st := attest.TaskStatus(v); st.Valid() {
			tf.Status = st
		} else {
			tf.Open = true
			f.Errors["status"] = fmt.Sprintf("unknown task status %q", v)
		}
	}
	if v := strings.TrimSpace(q.Get("control")); v != "" {
		tf.ControlID = strings.ToUpper(v)
		f.Values.Set("control", tf.ControlID)
	}
	var err error
	if tf.OwnerID, _, err = s.ownerFilter(r); err != nil {
		return tf, err
	}
	return tf, nil
}

// taskFilterFields are the filters of the tasks list, in the order their
// errors are reported.
var taskFilterFields = []string{"status", "owner", "control", "q", "sort", "page", "limit", "offset"}

// tasksPage lists tasks: filtered, searched, sorted and cut into pages in
// the database, every choice kept in the query string.
func (s *Server) tasksPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	tf, err := s.taskFilter(r, f)
	if err != nil {
		return err
	}
	list, pg, err := parseList("/tasks", q, attest.TaskSorts)
	if err != nil && !f.refuse(err) {
		return err
	}
	tasks, total, err := s.svc.FindTaskPage(r.Context(), orgID(r), scopeTasks(principalFrom(r.Context()), tf), pg)
	if err != nil {
		return err
	}
	list.setTotal(total)
	status := http.StatusOK
	if f.Invalid() {
		status = refusedStatus
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	back := list.link()
	return s.render(w, r, status, "tasks", &view{Title: "Tasks", Nav: "tasks", Data: map[string]any{
		"Tasks": tasks, "Form": f, "List": list, "Back": back, "Owners": owners, "OwnerFilter": q.Get("owner"),
	}})
}

// tasksCSV downloads every task the list's filters match.
func (s *Server) tasksCSV(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	tf, err := s.taskFilter(r, f)
	if err != nil {
		return err
	}
	_, pg, err := parseList("/tasks", q, attest.TaskSorts)
	if err == nil {
		err = firstError(f, taskFilterFields...)
	}
	if err != nil {
		return err
	}
	fetch := func(p attest.Page) ([][]string, int, error) {
		tasks, total, err := s.svc.FindTaskPage(r.Context(), orgID(r), scopeTasks(principalFrom(r.Context()), tf), p)
		rows := make([][]string, len(tasks))
		for i, t := range tasks {
			closed := ""
			if t.ClosedAt != nil {
				closed = t.ClosedAt.UTC().Format(time.RFC3339)
			}
			rows[i] = []string{strconv.FormatInt(t.ID, 10), t.Title, string(t.Status), csvPerson(t.Owner, t.OwnerNote), string(t.DueDate), t.ControlID,
				t.CreatedAt.UTC().Format(time.RFC3339), closed}
		}
		return rows, total, err
	}
	return s.csvExport(w, "tasks.csv", []string{"id", "title", "status", "owner", "due_date", "control", "created_at", "closed_at"}, fetch, pg)
}

// scopeTasks limits an auditor's task list to the engagements granted to
// them; tasks of other engagements, or of none, are not theirs to see.
func scopeTasks(p *attest.Principal, f attest.TaskFilter) attest.TaskFilter {
	if p != nil && p.Role == attest.RoleAuditor {
		f.Scoped, f.Engagements = true, p.Engagements
	}
	return f
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

// csvPerson is an owner in a CSV export: the member's email, else the
// free-text note.
func csvPerson(p *attest.Person, note string) string {
	if p != nil {
		return p.Email
	}
	return note
}

// ownerValue is an owner as a form's owner <select> holds it: the member's
// ID, or "" for nobody.
func ownerValue(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
