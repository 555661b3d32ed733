package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// The registers' pages share their shape: a list filtered, sorted and
// paged in the database with its CSV; a record's page with its edit form,
// the controls it evidences, its tasks and its history; and the JSON API.
// Reading needs ReadData; every change needs EditReadiness, but approving
// a risk acceptance (its named approver only).

// RegisterServices is what the register pages need of storage.
type RegisterServices interface {
	attest.RiskService
	attest.VendorService
	attest.AssetService
	attest.IncidentService
	attest.RegisterService
	RecordScopeServices
	// RiskHeat counts the risks in each cell of the matrix.
	RiskHeat(ctx context.Context, orgID int64, f attest.RegisterFilter) (inherent, residual map[[2]int]int, err error)
	// RiskAssessmentDue is when the next risk assessment is due.
	RiskAssessmentDue(ctx context.Context, orgID int64) (attest.Date, error)
}

// registerRoutes are the routes of the four registers, pages and API.
func (s *Server) registerRoutes() []route {
	var out []route
	out = append(out, s.riskRoutes()...)
	out = append(out, s.vendorRoutes()...)
	out = append(out, s.assetRoutes()...)
	out = append(out, s.incidentRoutes()...)
	for _, k := range attest.RecordKinds {
		base := "/" + k.Plural() + "/{id}"
		out = append(out,
			route{"POST", base + "/controls", session, attest.EditReadiness, s.recordAttach(k), false},
			route{"POST", base + "/controls/{control}/delete", session, attest.EditReadiness, s.recordDetach(k), false},
			route{"GET", "/api/v1/" + k.Plural(), token, attest.ReadData, s.apiRecordList(k), false},
			route{"GET", "/api/v1/" + k.Plural() + "/{id}", token, attest.ReadData, s.apiRecordGet(k), false},
			route{"POST", "/api/v1/" + k.Plural(), token, attest.EditReadiness, s.apiRecordCreate(k), false},
			route{"PATCH", "/api/v1/" + k.Plural() + "/{id}", token, attest.EditReadiness, s.apiRecordPatch(k), false},
		)
		if k == attest.RecordRisk || k == attest.RecordIncident {
			out = append(out, route{"POST", base + "/tasks", session, attest.EditReadiness, s.recordTask(k), false})
		}
	}
	return out
}

// registerFilterFields are the filters of a register list, in the order
// their errors are reported.
var registerFilterFields = []string{"owner", "from", "to", "q", "status", "category", "sort", "page"}

// registerFilter reads a register list's filters from the query; a bad
// value is recorded on f beside its field.
func (s *Server) registerFilter(r *http.Request, f *form) attest.RegisterFilter {
	q := r.URL.Query()
	rf := attest.RegisterFilter{Search: q.Get("q"), Status: q.Get("status"), Category: q.Get("category"), Gap: q.Get("gap") != ""}
	if v := q.Get("owner"); v != "" {
		id, err := s.resolveOwner(r, v)
		if err != nil {
			f.Errors["owner"] = attest.ErrorMessage(err)
		}
		rf.OwnerID = id
	}
	for _, d := range []struct {
		name string
		to   *attest.Date
	}{{"from", &rf.From}, {"to", &rf.To}} {
		v, err := attest.ParseDate(q.Get(d.name))
		if err != nil {
			f.Errors[d.name] = attest.ErrorMessage(err)
		}
		*d.to = v
	}
	if err := rf.Validate(); err != nil {
		f.refuse(err)
	}
	return rf
}

// registerList is what a list page, its CSV and its API list share.
type registerList[T any] struct {
	path  string
	sorts []string
	find  func(r *http.Request, f attest.RegisterFilter, p attest.Page) ([]T, int, error)
	codec func(r *http.Request) (regcsv.Codec[T], error)
	// newestFirst says the list's own order is descending (the worst
	// risks, the newest incidents first).
	newestFirst bool
}

// page reads the list's query and one page of rows; a refused query
// shows the first page unfiltered with the reason beside its field.
func (l registerList[T]) page(s *Server, r *http.Request) ([]T, *listState, *form, error) {
	q := r.URL.Query()
	f := newForm(q)
	rf := s.registerFilter(r, f)
	list, pg, err := parseList(l.path, q, l.sorts)
	if err != nil && !f.refuse(err) {
		return nil, nil, nil, err
	}
	if f.Invalid() {
		rf = attest.RegisterFilter{}
	}
	items, total, err := l.find(r, rf, pg)
	if err != nil && !f.refuse(err) {
		return nil, nil, nil, err
	}
	list.setTotal(total)
	if list.Sort == "" && l.newestFirst {
		list.Desc = true // the list's own order runs from the largest value down
	}
	return items, list, f, nil
}

// csv downloads every row the filters match, formula-safe.
func (l registerList[T]) csv(s *Server, w http.ResponseWriter, r *http.Request, name string) error {
	q := r.URL.Query()
	f := newForm(q)
	rf := s.registerFilter(r, f)
	_, pg, err := parseList(l.path, q, l.sorts)
	if err == nil {
		err = firstError(f, registerFilterFields...)
	}
	if err != nil {
		return err
	}
	codec, err := l.codec(r)
	if err != nil {
		return err
	}
	fetch := func(p attest.Page) ([][]string, int, error) {
		items, total, err := l.find(r, rf, p)
		rows := make([][]string, len(items))
		for i, it := range items {
			rows[i] = codec.Row(it)
		}
		return rows, total, err
	}
	return s.csvExport(w, name, codec.Header, fetch, pg)
}

// api writes one page of the list as JSON with X-Total-Count.
func (l registerList[T]) api(s *Server, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	rf := s.registerFilter(r, f)
	pg, err := apiPage(q, l.sorts)
	if err == nil {
		err = firstError(f, registerFilterFields...)
	}
	if err != nil {
		return err
	}
	items, total, err := l.find(r, rf, pg)
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	return writePage(w, items, total)
}

// recordID reads the {id} of a record's path.
func recordID(r *http.Request, kind attest.RecordKind) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, attest.Errorf(attest.ENOTFOUND, "no %s %q", kind, r.PathValue("id"))
	}
	return id, nil
}

// recordPath is a record's page.
func recordPath(kind attest.RecordKind, id int64) string {
	return fmt.Sprintf("/%s/%d", kind.Plural(), id)
}

// recordAttach attaches a record to a control's evidence need.
func (s *Server) recordAttach(kind attest.RecordKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := recordID(r, kind)
		if err != nil {
			return err
		}
		control := strings.ToUpper(strings.TrimSpace(r.PostFormValue("control_id")))
		need, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("need")))
		if r.PostFormValue("need") == "" {
			need, err = 0, nil
		}
		if err != nil {
			return attest.FieldErrorf("need", "the evidence need is a number")
		}
		if _, err := s.svc.AttachRecord(r.Context(), orgID(r), kind, id, control, need); err != nil {
			return err
		}
		return redirect(w, r, recordPath(kind, id), fmt.Sprintf("Attached to %s: the record is now evidence of the control.", control))
	}
}

// recordDetach removes a record's link to a control.
func (s *Server) recordDetach(kind attest.RecordKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := recordID(r, kind)
		if err != nil {
			return err
		}
		if err := s.svc.DetachRecord(r.Context(), orgID(r), kind, id, r.PathValue("control")); err != nil {
			return err
		}
		return redirect(w, r, recordPath(kind, id), "Detached; the evidence it made stays in the record.")
	}
}

// recordTask adds a task (a treatment step, a corrective action).
func (s *Server) recordTask(kind attest.RecordKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := recordID(r, kind)
		if err != nil {
			return err
		}
		owner, err := s.resolveOwner(r, r.PostFormValue("owner"))
		if err != nil {
			return formError("owner", err)
		}
		due, err := attest.ParseDate(r.PostFormValue("due_date"))
		if err != nil {
			return formError("due_date", err)
		}
		t := &attest.Task{Title: r.PostFormValue("title"), OwnerID: owner, DueDate: due, ControlID: strings.ToUpper(strings.TrimSpace(r.PostFormValue("control_id")))}
		if err := s.svc.AddRecordTask(r.Context(), orgID(r), kind, id, t); err != nil {
			return err
		}
		return redirect(w, r, recordPath(kind, id), "Task added.")
	}
}

// recordHistory reads a record's audit entries, newest first.
func (s *Server) recordHistory(r *http.Request, kind attest.RecordKind, id int64) ([]historyEntry, error) {
	ctx := r.Context()
	entries, err := s.svc.FindAuditLog(ctx, orgID(r), attest.AuditFilter{Entity: string(kind), EntityID: fmt.Sprint(id), Limit: 100})
	if err != nil {
		return nil, err
	}
	dir, err := s.directory(ctx, orgID(r))
	if err != nil {
		return nil, err
	}
	out := make([]historyEntry, 0, len(entries))
	for _, e := range entries {
		h := historyEntry{At: e.At.UTC().Format("2006-01-02 15:04 MST"), Actor: dir.actor(e.Actor), Action: strings.TrimPrefix(e.Action, string(kind)+".")}
		if e.Before != nil && e.After != nil {
			h.Changes = attest.FieldChanges(e.Before, e.After)
		}
		out = append(out, h)
	}
	return out, nil
}

// recordData is what every record page shows beside the record.
func (s *Server) recordData(r *http.Request, kind attest.RecordKind, id int64, data map[string]any) error {
	ctx := r.Context()
	org := orgID(r)
	controls, err := s.svc.RecordControls(ctx, org, kind, id)
	if err != nil {
		return err
	}
	history, err := s.recordHistory(r, kind, id)
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(ctx, org)
	if err != nil {
		return err
	}
	data["Kind"], data["Attached"], data["History"], data["Owners"] = kind, controls, history, owners
	if kind == attest.RecordRisk || kind == attest.RecordIncident {
		if data["Tasks"], err = s.svc.RecordTasks(ctx, org, kind, id); err != nil {
			return err
		}
	}
	return nil
}

// formInt reads a whole number from a form; "" is 0.
func formInt(f *form, name string) (int, error) {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, attest.FieldErrorf(name, "%s must be a whole number", strings.ReplaceAll(name, "_", " "))
	}
	return n, nil
}

// formDate reads a date from a form.
func formDate(f *form, name string) (attest.Date, error) {
	d, err := attest.ParseDate(f.Get(name))
	if err != nil {
		return "", attest.FieldErrorf(name, "%s", attest.ErrorMessage(err))
	}
	return d, nil
}

// formPerson reads a member from a form.
func (s *Server) formPerson(r *http.Request, f *form, name string) (int64, error) {
	id, err := s.resolveOwner(r, f.Get(name))
	if err != nil {
		return 0, attest.FieldErrorf(name, "%s", attest.ErrorMessage(err))
	}
	return id, nil
}

// formTime reads a day and an optional time of day (UTC) from a form.
func formTime(f *form, name string) (time.Time, error) {
	v := strings.TrimSpace(f.Get(name))
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", attest.DateLayout, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, attest.FieldErrorf(name, "give a day and time, YYYY-MM-DD HH:MM (UTC)")
}

// formPeople reads the members a multiple select names.
func (s *Server) formPeople(r *http.Request, f *form, name string) ([]int64, error) {
	var out []int64
	for _, v := range f.Values[name] {
		id, err := s.resolveOwner(r, v)
		if err != nil {
			return nil, attest.FieldErrorf(name, "%s", attest.ErrorMessage(err))
		}
		if id != 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

// postForm parses a POST form into a form that keeps what was typed.
func postForm(r *http.Request) (*form, error) {
	if err := r.ParseForm(); err != nil {
		return nil, attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	return newForm(r.PostForm), nil
}

// queryOf is the query string of a path with values, for links.
func queryOf(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return path + "?" + v.Encode()
}
