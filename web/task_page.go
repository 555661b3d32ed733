package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/attest-dev/attest"
)

// A task's page shows it whole, its history from the audit log (who
// changed which field, by name), a form to edit it and a button to reopen
// it once done. The list of tasks links each row here.

// taskForm is the edit form's values: what is stored, or what was typed
// when a change was refused, with the refusal beside its field.
type taskForm struct {
	Title, Description, Owner, DueDate, ControlID string
	// Field names the field the error is about ("" for the form as a whole).
	Field, Error string
}

// historyEntry is one audited change of a task.
type historyEntry struct {
	At      string
	Actor   actorView
	Action  string
	Changes []attest.FieldChange
}

// taskByPath loads the task the path names.
func (s *Server) taskByPath(r *http.Request) (*attest.Task, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, attest.Errorf(attest.ENOTFOUND, "no task %q", r.PathValue("id"))
	}
	t, err := s.svc.FindTaskByID(r.Context(), orgID(r), id)
	if err != nil {
		return nil, err
	}
	// An auditor sees the tasks of the engagements granted to them only,
	// as on the task list: not those of other engagements or of none.
	if !principalFrom(r.Context()).SeesEngagement(t.EngagementID) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no task %d", id)
	}
	return t, nil
}

func (s *Server) taskPage(w http.ResponseWriter, r *http.Request) error {
	t, err := s.taskByPath(r)
	if err != nil {
		return err
	}
	f := taskForm{Title: t.Title, Description: t.Description, DueDate: string(t.DueDate), ControlID: t.ControlID}
	if t.OwnerID != 0 {
		f.Owner = fmt.Sprint(t.OwnerID)
	}
	return s.renderTask(w, r, http.StatusOK, t, f)
}

// renderTask shows the task's page with the edit form holding f.
func (s *Server) renderTask(w http.ResponseWriter, r *http.Request, status int, t *attest.Task, f taskForm) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	owners, err := s.svc.FindOwners(ctx, p.OrgID)
	if err != nil {
		return err
	}
	history, err := s.taskHistory(r, t.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "task", &view{Title: t.Title, Nav: "tasks", Data: map[string]any{
		"Task": t, "Form": f, "Owners": owners, "History": history, "CanEdit": s.mayEditTask(r, t),
		"CanAssign": p.Can(attest.EditReadiness, s.Now()),
	}})
}

// taskHistory reads the task's audit entries, newest first, as field
// changes by person.
func (s *Server) taskHistory(r *http.Request, id int64) ([]historyEntry, error) {
	ctx := r.Context()
	entries, err := s.svc.FindAuditLog(ctx, orgID(r), attest.AuditFilter{Entity: "task", EntityID: fmt.Sprint(id), Limit: 100})
	if err != nil {
		return nil, err
	}
	dir, err := s.directory(ctx, orgID(r))
	if err != nil {
		return nil, err
	}
	out := make([]historyEntry, 0, len(entries))
	for _, e := range entries {
		h := historyEntry{At: e.At.UTC().Format("2006-01-02 15:04 MST"), Actor: dir.actor(e.Actor), Action: strings.TrimPrefix(e.Action, "task.")}
		if e.Before != nil {
			h.Changes = attest.FieldChanges(e.Before, e.After)
		}
		out = append(out, h)
	}
	return out, nil
}

// taskEdit saves the edit form: title, description, owner (managers
// only), due date and control. A refused change keeps what was typed and
// names the field.
func (s *Server) taskEdit(w http.ResponseWriter, r *http.Request) error {
	t, err := s.taskByPath(r)
	if err != nil {
		return err
	}
	if !s.mayEditTask(r, t) {
		return attest.Errorf(attest.EFORBIDDEN, "you may change only your own tasks")
	}
	p := principalFrom(r.Context())
	f := taskForm{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Owner: r.PostFormValue("owner"),
		DueDate: strings.TrimSpace(r.PostFormValue("due_date")), ControlID: strings.ToUpper(strings.TrimSpace(r.PostFormValue("control_id")))}
	due := attest.Date(f.DueDate)
	u := attest.TaskUpdate{Title: &f.Title, Description: &f.Description, DueDate: &due}
	if f.ControlID != t.ControlID {
		// Moving a task to another control needs the right to edit that
		// control's tasks too.
		if f.ControlID != "" && !s.mayEditTask(r, &attest.Task{ControlID: f.ControlID}) {
			f.Field, f.Error = "control_id", "you may move tasks only to controls you own"
			return s.renderTask(w, r, http.StatusForbidden, t, f)
		}
		u.ControlID = &f.ControlID
	}
	if p.Can(attest.EditReadiness, s.Now()) {
		owner, err := s.resolveOwner(r, f.Owner)
		if err != nil {
			f.Field, f.Error = "owner", attest.ErrorMessage(err)
			return s.renderTask(w, r, http.StatusBadRequest, t, f)
		}
		u.OwnerID = &owner
	}
	_, err = s.svc.UpdateTask(r.Context(), p.OrgID, t.ID, u)
	if attest.ErrorCode(err) == attest.EINVALID {
		f.Field, f.Error = taskField(attest.ErrorMessage(err)), attest.ErrorMessage(err)
		return s.renderTask(w, r, http.StatusBadRequest, t, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/tasks/%d", t.ID), "Task saved.")
}

// taskField guesses which field a refusal is about from its message.
func taskField(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "title"):
		return "title"
	case strings.Contains(m, "description"):
		return "description"
	case strings.Contains(m, "due date"), strings.Contains(m, "yyyy-mm-dd"):
		return "due_date"
	case strings.Contains(m, "control"):
		return "control_id"
	case strings.Contains(m, "owner"), strings.Contains(m, "member"):
		return "owner"
	}
	return ""
}
