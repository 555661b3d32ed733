package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// The registers an auditor samples — people, training, access reviews,
// changes and internal control tests — share one list page, one CSV
// export and one JSON list, each described by a register: its columns,
// filters and a find function that reads one page from the database.

// recordsRoutes are the registers' pages and API.
func (s *Server) recordsRoutes() []route {
	people, changes, tests, reviews, training := s.rosterRegister(), s.changeRegister(), s.controlTestRegister(), s.reviewRegister(), s.trainingRegister()
	return []route{
		{"GET", "/people", session, attest.ReadData, s.registerPage(people), false},
		{"GET", "/people.csv", session, attest.ReadData, s.registerCSV(people), false},
		{"POST", "/people", session, attest.EditReadiness, s.personCreate, false},
		{"POST", "/people/import", session, attest.EditReadiness, s.personImport, false},
		{"POST", "/people/sync", session, attest.EditReadiness, s.personSync, false},
		{"GET", "/people/templates", session, attest.ReadData, s.templatesPage, false},
		{"POST", "/people/templates/{kind}", session, attest.EditReadiness, s.templateSave, false},
		{"GET", "/people/{id}", session, attest.ReadData, s.personPage, false},
		{"POST", "/people/{id}", session, attest.EditReadiness, s.personUpdate, false},
		{"POST", "/checklists/{id}/items/{item}", session, attest.EditReadiness, s.checklistItem, false},

		{"GET", "/training", session, attest.ReadData, s.registerPage(training), false},
		{"GET", "/training.csv", session, attest.ReadData, s.registerCSV(training), false},
		{"POST", "/training", session, attest.EditReadiness, s.trainingCreate, false},
		{"GET", "/training/{id}", session, attest.ReadData, s.trainingPage, false},
		{"POST", "/training/{id}/assign", session, attest.EditReadiness, s.trainingAssign, false},
		{"POST", "/training/{id}/acknowledge", session, attest.AcknowledgePolicy, s.trainingAcknowledge, false},
		{"GET", "/my-training", session, attest.AcknowledgePolicy, s.myTrainingPage, false},
		{"POST", "/training-assignments/{id}", session, attest.EditReadiness, s.trainingComplete, false},

		{"GET", "/access-reviews", session, attest.ReadData, s.registerPage(reviews), false},
		{"GET", "/access-reviews.csv", session, attest.ReadData, s.registerCSV(reviews), false},
		{"POST", "/access-reviews", session, attest.EditReadiness, s.reviewCreate, false},
		{"GET", "/access-reviews/{id}", session, attest.ReadData, s.reviewPage, false},
		{"GET", "/access-reviews/{id}/record.csv", session, attest.ReadData, s.reviewRecord, false},
		{"POST", "/access-reviews/{id}/assign", session, attest.EditReadiness, s.reviewAssign, false},
		{"POST", "/access-reviews/{id}/accounts/{account}", session, attest.ReadData, s.reviewDecide, false},
		{"POST", "/access-reviews/{id}/accounts/{account}/resolve", session, attest.EditReadiness, s.reviewResolve, false},
		{"POST", "/access-reviews/{id}/sign-off", session, attest.EditReadiness, s.reviewSignOff, false},
		{"POST", "/access-review-schedules", session, attest.EditReadiness, s.scheduleSave, false},
		{"POST", "/access-review-schedules/{id}/delete", session, attest.EditReadiness, s.scheduleDelete, false},

		{"GET", "/changes", session, attest.ReadData, s.registerPage(changes), false},
		{"GET", "/changes.csv", session, attest.ReadData, s.registerCSV(changes), false},
		{"POST", "/changes", session, attest.EditReadiness, s.changeCreate, false},
		{"GET", "/changes/{id}", session, attest.ReadData, s.changePage, false},
		{"POST", "/changes/{id}/approve", session, attest.EditOwnControl, s.changeApprove, false},
		{"POST", "/changes/pull-requests", session, attest.EditReadiness, s.changePullRequests, false},

		{"GET", "/control-tests", session, attest.ReadData, s.registerPage(tests), false},
		{"GET", "/control-tests.csv", session, attest.ReadData, s.registerCSV(tests), false},
		{"POST", "/control-tests", session, attest.EditReadiness, s.controlTestCreate, false},
		{"GET", "/control-tests/{id}", session, attest.ReadData, s.controlTestPage, false},
		{"POST", "/control-tests/{id}", session, attest.EditReadiness, s.controlTestRecord, false},

		{"GET", "/populations", session, attest.ReadData, s.populationsPage, false},
		{"GET", "/populations.csv", session, attest.ReadData, s.populationCSV, false},

		{"GET", "/api/v1/people", token, attest.ReadData, s.registerAPI(people), false},
		{"POST", "/api/v1/people", token, attest.EditReadiness, s.apiCreatePerson, false},
		{"GET", "/api/v1/training", token, attest.ReadData, s.registerAPI(training), false},
		{"GET", "/api/v1/access-reviews", token, attest.ReadData, s.registerAPI(reviews), false},
		{"GET", "/api/v1/changes", token, attest.ReadData, s.registerAPI(changes), false},
		{"POST", "/api/v1/changes", token, attest.EditReadiness, s.apiCreateChange, false},
		{"GET", "/api/v1/control-tests", token, attest.ReadData, s.registerAPI(tests), false},
		{"GET", "/api/v1/populations", token, attest.ReadData, s.apiPopulation, false},

		{"GET", "/api/v1/people/{id}", token, attest.ReadData, apiGet(s.personByPath), false},
		{"GET", "/api/v1/training/{id}", token, attest.ReadData, apiGet(s.trainingByPath), false},
		{"GET", "/api/v1/access-reviews/{id}", token, attest.ReadData, apiGet(s.reviewByPath), false},
		{"GET", "/api/v1/changes/{id}", token, attest.ReadData, apiGet(s.changeByPath), false},
		{"GET", "/api/v1/control-tests/{id}", token, attest.ReadData, apiGet(s.controlTestByPath), false},
	}
}

// register describes one register's list.
type register struct {
	Name, Heading, Noun, Path string
	Intro                     string
	Sorts                     []string
	Cols                      []regCol
	Filters                   []regFilter
	CSVHeader                 []string
	// find reads one page: the rows as cells for the page, as CSV cells,
	// the items themselves for the API, and how many match.
	find func(r *http.Request, q url.Values, p attest.Page) (rows [][]regCell, csv [][]string, items any, total int, err error)
}

// regCol is a column of a register's table; Sort is its sort key or "".
type regCol struct{ Sort, Label string }

// regCell is one cell: text, a link, or a badge.
type regCell struct{ Text, Href, Badge string }

// regFilter is one filter of a register's list.
type regFilter struct {
	Name, Label, Kind string // Kind: select, date, check, text
	Options           [][2]string
}

// registerPage serves a register's list page.
func (s *Server) registerPage(reg register) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		f := newForm(q)
		list, pg, err := parseList(reg.Path, q, reg.Sorts)
		if err != nil && !f.refuse(err) {
			return err
		}
		rows, _, _, total, err := reg.find(r, q, pg)
		if err != nil {
			if !f.refuse(err) {
				return err
			}
			rows, _, _, total, err = reg.find(r, url.Values{}, attest.Page{})
			if err != nil {
				return err
			}
		}
		list.setTotal(total)
		status := http.StatusOK
		if f.Invalid() {
			status = refusedStatus
		}
		data := map[string]any{"Reg": reg, "Rows": rows, "List": list, "Form": f, "New": newForm(nil)}
		if err := s.registerExtras(r, reg.Name, data); err != nil {
			return err
		}
		return s.render(w, r, status, "register", &view{Title: reg.Heading, Nav: "records", Data: data})
	}
}

// registerExtras adds what a register's create form needs.
func (s *Server) registerExtras(r *http.Request, name string, data map[string]any) error {
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	data["Owners"] = owners
	if err != nil {
		return err
	}
	switch name {
	case "access-reviews":
		return s.reviewExtras(r, data)
	case "changes":
		return s.changeExtras(r, data)
	}
	return nil
}

// registerCSV serves every row a register's filters match as CSV.
func (s *Server) registerCSV(reg register) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		_, pg, err := parseList(reg.Path, q, reg.Sorts)
		if err != nil {
			return err
		}
		fetch := func(p attest.Page) ([][]string, int, error) {
			_, rows, _, total, err := reg.find(r, q, p)
			return rows, total, err
		}
		return s.csvExport(w, reg.Name+".csv", reg.CSVHeader, fetch, pg)
	}
}

// registerAPI serves a page of a register as JSON, with X-Total-Count.
func (s *Server) registerAPI(reg register) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		pg, err := apiPage(q, reg.Sorts)
		if err != nil {
			return err
		}
		_, _, items, total, err := reg.find(r, q, pg)
		if err != nil {
			return err
		}
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
		return writeJSON(w, http.StatusOK, items)
	}
}

// queryDate reads a date filter of a list.
func queryDate(q url.Values, name string) (attest.Date, error) {
	d, err := attest.ParseDate(q.Get(name))
	if err != nil {
		return "", attest.FieldErrorf(name, "%s", attest.ErrorMessage(err))
	}
	return d, nil
}

// postedDate reads a date field of a posted form.
func postedDate(r *http.Request, name string) (attest.Date, error) {
	d, err := attest.ParseDate(r.PostFormValue(name))
	if err != nil {
		return "", attest.FieldErrorf(name, "%s", attest.ErrorMessage(err))
	}
	return d, nil
}

// formMember resolves a member named by a form field ("" is nobody).
func (s *Server) formMember(r *http.Request, name string) (int64, error) {
	id, err := s.resolveOwner(r, strings.TrimSpace(r.PostFormValue(name)))
	if err != nil {
		return 0, attest.FieldErrorf(name, "%s", attest.ErrorMessage(err))
	}
	return id, nil
}

func personText(p *attest.Person) string {
	if p == nil {
		return ""
	}
	return p.Display()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
