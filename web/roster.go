package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// The roster: everyone who works for the organization, with their
// onboarding and offboarding checklists.

// rosterFilter reads the roster's filters from a query.
func rosterFilter(q url.Values) (attest.RosterFilter, error) {
	f := attest.RosterFilter{Search: q.Get("q"), Department: q.Get("department"), Type: attest.EmploymentType(q.Get("type")), Status: q.Get("status")}
	var err error
	for _, d := range []struct {
		name string
		to   *attest.Date
	}{{"started_from", &f.StartedFrom}, {"started_to", &f.StartedTo}, {"left_from", &f.LeftFrom}, {"left_to", &f.LeftTo}} {
		if *d.to, err = queryDate(q, d.name); err != nil {
			return f, err
		}
	}
	if f.Type != "" && !f.Type.Valid() {
		return f, attest.FieldErrorf("type", "unknown employment type %q", f.Type)
	}
	return f, nil
}

func (s *Server) rosterRegister() register {
	return register{Name: "people", Heading: "People", Noun: "people", Path: "/people", Sorts: attest.RosterSorts,
		Intro: "Everyone who works for the organization, whether or not they sign in: hires and leavers are what the auditor samples.",
		Cols:  []regCol{{"name", "Name"}, {"email", "Email"}, {"department", "Department"}, {"employment_type", "Type"}, {"start_date", "Start"}, {"end_date", "End"}, {"", "Manager"}, {"", "Member"}},
		Filters: []regFilter{
			{Name: "status", Label: "Status", Kind: "select", Options: [][2]string{{"", "everyone"}, {"active", "active"}, {"left", "left"}}},
			{Name: "type", Label: "Type", Kind: "select", Options: [][2]string{{"", "any"}, {"employee", "employee"}, {"contractor", "contractor"}, {"intern", "intern"}}},
			{Name: "started_from", Label: "Started from", Kind: "date"}, {Name: "started_to", Label: "to", Kind: "date"},
			{Name: "left_from", Label: "Left from", Kind: "date"}, {Name: "left_to", Label: "to", Kind: "date"},
		},
		CSVHeader: []string{"id", "name", "email", "department", "employment_type", "start_date", "end_date", "manager", "member", "source"},
		find: func(r *http.Request, q url.Values, p attest.Page) ([][]regCell, [][]string, any, int, error) {
			f, err := rosterFilter(q)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			f.Today, f.Scope = attest.DateOf(s.Now()), recordScope(r)
			people, total, err := s.svc.FindRosterPage(r.Context(), orgID(r), f, p)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			rows, csv := make([][]regCell, len(people)), make([][]string, len(people))
			for i, x := range people {
				badge := ""
				if !x.EndDate.IsZero() && x.EndDate.Before(f.Today) {
					badge = "left"
				}
				rows[i] = []regCell{{Text: x.Name, Href: fmt.Sprintf("/people/%d", x.ID), Badge: badge}, {Text: x.Email}, {Text: x.Department}, {Text: string(x.EmploymentType)},
					{Text: string(x.StartDate)}, {Text: string(x.EndDate)}, {Text: x.Manager}, {Text: personText(x.Member)}}
				csv[i] = []string{idText(x.ID), x.Name, x.Email, x.Department, string(x.EmploymentType), string(x.StartDate), string(x.EndDate), x.Manager, personText(x.Member), x.Source}
			}
			return rows, csv, people, total, nil
		}}
}

// personFromForm reads the person form.
func (s *Server) personFromForm(r *http.Request, p *attest.RosterPerson) error {
	p.Name, p.Email, p.Department = r.PostFormValue("name"), r.PostFormValue("email"), r.PostFormValue("department")
	p.EmploymentType = attest.EmploymentType(r.PostFormValue("employment_type"))
	var err error
	if p.StartDate, err = postedDate(r, "start_date"); err != nil {
		return err
	}
	if p.EndDate, err = postedDate(r, "end_date"); err != nil {
		return err
	}
	p.ManagerID = 0
	if v := strings.TrimSpace(r.PostFormValue("manager")); v != "" {
		if p.ManagerID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return attest.FieldErrorf("manager", "choose the manager from the roster")
		}
	}
	return nil
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) error {
	p := &attest.RosterPerson{}
	err := s.personFromForm(r, p)
	if err == nil {
		err = s.svc.CreateRosterPerson(r.Context(), orgID(r), p)
	}
	if err != nil {
		return s.refuseRegister(w, r, s.rosterRegister(), err)
	}
	return redirect(w, r, fmt.Sprintf("/people/%d", p.ID), "Added "+p.Name+" with an onboarding checklist.")
}

// refuseRegister shows a register's page again with the create form as
// typed and the refusal beside its field.
func (s *Server) refuseRegister(w http.ResponseWriter, r *http.Request, reg register, err error) error {
	nf := newForm(r.PostForm)
	if !nf.refuse(err) {
		return err
	}
	list, pg, _ := parseList(reg.Path, url.Values{}, reg.Sorts)
	rows, _, _, total, ferr := reg.find(r, url.Values{}, pg)
	if ferr != nil {
		return ferr
	}
	list.setTotal(total)
	data := map[string]any{"Reg": reg, "Rows": rows, "List": list, "Form": newForm(nil), "New": nf}
	if err := s.registerExtras(r, reg.Name, data); err != nil {
		return err
	}
	return s.render(w, r, refusedStatus, "register", &view{Title: reg.Heading, Nav: "records", Data: data})
}

// personImport reads a roster CSV from the form (a file or pasted text).
func (s *Server) personImport(w http.ResponseWriter, r *http.Request) error {
	text := r.PostFormValue("csv")
	if file, _, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(file, MaxBodyBytes))
		file.Close()
		if err != nil {
			return err
		}
		text = string(b)
	}
	people, err := attest.ReadRosterCSV(strings.NewReader(text))
	var added, updated int
	if err == nil {
		added, updated, err = s.svc.ImportRoster(r.Context(), orgID(r), people)
	}
	if err != nil {
		return s.refuseRegister(w, r, s.rosterRegister(), attest.FieldErrorf("csv", "%s", attest.ErrorMessage(err)))
	}
	return redirect(w, r, "/people", fmt.Sprintf("Imported the roster: %d added, %d updated.", added, updated))
}

func (s *Server) personSync(w http.ResponseWriter, r *http.Request) error {
	n, err := s.svc.SyncRosterFromUsers(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return redirect(w, r, "/people", fmt.Sprintf("%d members added to the roster.", n))
}

// personByPath loads the roster person the path names.
func (s *Server) personByPath(r *http.Request) (*attest.RosterPerson, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, attest.ScopePerson, id); err != nil {
		return nil, err
	}
	return s.svc.FindRosterPerson(r.Context(), orgID(r), id)
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.personByPath(r)
	if err != nil {
		return err
	}
	return s.renderPerson(w, r, http.StatusOK, p, nil)
}

func (s *Server) renderPerson(w http.ResponseWriter, r *http.Request, status int, p *attest.RosterPerson, f *form) error {
	ctx := r.Context()
	cs, err := s.svc.FindChecklists(ctx, orgID(r), p.ID)
	if err != nil {
		return err
	}
	managers, _, err := s.svc.FindRosterPage(ctx, orgID(r), attest.RosterFilter{}, attest.Page{Limit: attest.MaxPageSize})
	if err != nil {
		return err
	}
	if f == nil {
		f = newForm(url.Values{"name": {p.Name}, "email": {p.Email}, "department": {p.Department}, "employment_type": {string(p.EmploymentType)},
			"start_date": {string(p.StartDate)}, "end_date": {string(p.EndDate)}, "manager": {idText(p.ManagerID)}})
	}
	return s.render(w, r, status, "person", &view{Title: p.Name, Nav: "records", Data: map[string]any{
		"Person": p, "Checklists": cs, "Form": f, "Managers": managers, "Today": attest.DateOf(s.Now()),
	}})
}

func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.personByPath(r)
	if err != nil {
		return err
	}
	upd := *p
	err = s.personFromForm(r, &upd)
	if err == nil {
		err = s.svc.UpdateRosterPerson(r.Context(), orgID(r), &upd)
	}
	if err != nil {
		f := newForm(r.PostForm)
		if !f.refuse(err) {
			return err
		}
		return s.renderPerson(w, r, refusedStatus, p, f)
	}
	return redirect(w, r, fmt.Sprintf("/people/%d", p.ID), "Saved.")
}

// checklistItem records a checklist item done (or reopens it).
func (s *Server) checklistItem(w http.ResponseWriter, r *http.Request) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	iid, err := pathID(r, "item")
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	c, err := s.svc.FindChecklist(r.Context(), p.OrgID, cid)
	if err != nil {
		return err
	}
	u := attest.ItemUpdate{Note: strings.TrimSpace(r.PostFormValue("note"))}
	if r.PostFormValue("reopen") == "" {
		if u.DoneOn, err = postedDate(r, "done_on"); err == nil && u.DoneOn.IsZero() {
			u.DoneOn = attest.DateOf(s.Now())
		}
	}
	if err == nil {
		if v := strings.TrimSpace(r.PostFormValue("evidence_id")); v != "" {
			if u.EvidenceID, err = strconv.ParseInt(v, 10, 64); err != nil {
				err = attest.FieldErrorf("evidence_id", "evidence is named by its number")
			}
		}
	}
	if err == nil {
		_, err = s.svc.UpdateChecklistItem(r.Context(), p.OrgID, cid, iid, p.UserID, u)
	}
	if attest.ErrorCode(err) == attest.EINVALID {
		person, perr := s.svc.FindRosterPerson(r.Context(), p.OrgID, c.PersonID)
		if perr != nil {
			return perr
		}
		f := newForm(nil)
		f.Errors[""] = attest.ErrorMessage(err)
		return s.renderPerson(w, r, refusedStatus, person, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/people/%d#checklist-%d", c.PersonID, c.ID), "Checklist updated.")
}

func (s *Server) templatesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTemplates(w, r, http.StatusOK, nil)
}

func (s *Server) renderTemplates(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	var ts []*attest.ChecklistTemplate
	for _, k := range []string{attest.Onboarding, attest.Offboarding} {
		t, err := s.svc.FindChecklistTemplate(r.Context(), orgID(r), k)
		if err != nil {
			return err
		}
		ts = append(ts, t)
	}
	return s.render(w, r, status, "checklist_templates", &view{Title: "Checklist templates", Nav: "records", Data: map[string]any{"Templates": ts, "Form": f}})
}

func (s *Server) templateSave(w http.ResponseWriter, r *http.Request) error {
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("deadline_days")))
	t := &attest.ChecklistTemplate{Kind: r.PathValue("kind"), DeadlineDays: days, Items: attest.ParseTemplateItems(r.PostFormValue("items")),
		ControlID: r.PostFormValue("control_id")}
	if err != nil {
		err = attest.FieldErrorf("deadline_days", "the deadline is a number of days")
	} else if _, ok := attest.DefaultTemplates[t.Kind]; !ok {
		return attest.Errorf(attest.ENOTFOUND, "no checklist kind %q", t.Kind)
	} else {
		err = s.svc.SaveChecklistTemplate(r.Context(), orgID(r), t)
	}
	if err != nil {
		f := newForm(r.PostForm)
		if !f.refuse(err) {
			return err
		}
		f.Values.Set("kind", t.Kind)
		return s.renderTemplates(w, r, refusedStatus, f)
	}
	return redirect(w, r, "/people/templates", "The "+t.Kind+" template is saved; new checklists start from it.")
}

// apiCreatePerson is POST /api/v1/people.
func (s *Server) apiCreatePerson(w http.ResponseWriter, r *http.Request) error {
	var p attest.RosterPerson
	if err := decode(r, &p); err != nil {
		return err
	}
	p.ID, p.Member = 0, nil
	if err := s.svc.CreateRosterPerson(r.Context(), orgID(r), &p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}
