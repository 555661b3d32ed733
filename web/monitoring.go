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
)

// Monitoring: every check that has run with its status, last run and
// failing resources, filtered by integration, control, severity and
// status, paged, and as CSV; a page per check with its results (open ones
// first), its exceptions and a form to record one.

func (s *Server) monitoringRoutes() []route {
	return []route{
		{"GET", "/monitoring", session, attest.ReadData, s.monitoringPage, false},
		{"GET", "/monitoring.csv", session, attest.ReadData, s.monitoringCSV, false},
		{"GET", "/monitoring/checks/{id}", session, attest.ReadData, s.checkPage, false},
		{"POST", "/monitoring/checks/{id}/exceptions", session, attest.EditReadiness, s.exceptionCreate, false},
		{"GET", "/api/v1/checks", token, attest.ReadData, s.apiChecks, false},
		{"GET", "/api/v1/checks/{id}/results", token, attest.ReadData, s.apiCheckResults, false},
	}
}

// checkFilter reads the monitoring filters from the query.
func checkFilter(q url.Values) (attest.CheckFilter, error) {
	f := attest.CheckFilter{Integration: q.Get("integration"), Control: q.Get("control"), Severity: q.Get("severity"), Status: q.Get("status"), Search: q.Get("q")}
	if f.Severity != "" && !contains(attest.Severities, f.Severity) {
		return f, attest.FieldErrorf("severity", "severity must be one of %s", strings.Join(attest.Severities, ", "))
	}
	if f.Status != "" && !contains([]string{"pass", "fail", "error"}, f.Status) {
		return f, attest.FieldErrorf("status", "status must be pass, fail or error")
	}
	return f, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func (s *Server) monitoringPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fm := newForm(q)
	l, page, err := parseList("/monitoring", q, []string{"status"})
	f, ferr := checkFilter(q)
	if !fm.refuse(err) && err != nil {
		return err
	}
	if fm.refuse(ferr) {
		f = attest.CheckFilter{}
	}
	f.Offset, f.Limit = page.Offset, page.Limit
	ctx := r.Context()
	checks, total, err := s.mon().FindChecks(ctx, orgID(r), f)
	if err != nil {
		return err
	}
	l.setTotal(total)
	ins, err := s.mon().FindIntegrations(ctx, orgID(r))
	if err != nil {
		return err
	}
	bySev, err := s.mon().FailingBySeverity(ctx, orgID(r))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if fm.Invalid() {
		status = refusedStatus
	}
	return s.render(w, r, status, "monitoring", &view{Title: "Monitoring", Nav: "monitoring", Data: map[string]any{
		"Checks": checks, "List": l, "Form": fm, "Integrations": ins, "Severities": attest.Severities, "Failing": severityCounts(bySev),
	}})
}

// severityCount is one severity's count of failing checks.
type severityCount struct {
	Severity string
	N        int
}

func severityCounts(m map[string]int) []severityCount {
	out := make([]severityCount, 0, len(attest.Severities))
	for _, sv := range attest.Severities {
		out = append(out, severityCount{sv, m[sv]})
	}
	return out
}

// failingChecks is the dashboard's card of failing checks by severity.
func (s *Server) failingChecks(ctx context.Context, orgID int64) []severityCount {
	m, err := s.mon().FailingBySeverity(ctx, orgID)
	if err != nil {
		s.log.Error("count failing checks", "err", err)
		return nil
	}
	return severityCounts(m)
}

func (s *Server) monitoringCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := checkFilter(r.URL.Query())
	if err != nil {
		return err
	}
	header := []string{"check", "title", "severity", "status", "controls", "integrations", "failing", "excepted", "passing", "errors", "last_run"}
	return s.csvExport(w, "checks.csv", header, func(p attest.Page) ([][]string, int, error) {
		f.Offset, f.Limit = p.Offset, p.Limit
		cs, total, err := s.mon().FindChecks(r.Context(), orgID(r), f)
		rows := make([][]string, len(cs))
		for i, c := range cs {
			last := ""
			if c.LastRunAt != nil {
				last = c.LastRunAt.Format(time.RFC3339)
			}
			rows[i] = []string{c.ID, c.Title, c.Severity, c.Status(), strings.Join(c.Controls, " "), strings.Join(c.Integrations, " "),
				strconv.Itoa(c.Fail), strconv.Itoa(c.Excepted), strconv.Itoa(c.Pass), strconv.Itoa(c.Error), last}
		}
		return rows, total, err
	}, attest.Page{})
}

func (s *Server) checkPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCheck(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) renderCheck(w http.ResponseWriter, r *http.Request, status int, fm *form) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	c, err := s.mon().FindCheck(ctx, p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	l, page, err := parseList("/monitoring/checks/"+c.ID, r.URL.Query(), []string{"status"})
	if err != nil {
		return err
	}
	rf := attest.ResultFilter{CheckID: c.ID, OpenOnly: r.URL.Query().Get("history") == "", Status: r.URL.Query().Get("status"), Offset: page.Offset, Limit: page.Limit}
	results, total, err := s.mon().FindResults(ctx, p.OrgID, rf)
	if err != nil {
		return err
	}
	l.setTotal(total)
	exceptions, err := s.mon().FindExceptions(ctx, p.OrgID, c.ID)
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(ctx, p.OrgID)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "check", &view{Title: c.Title, Nav: "monitoring", Data: map[string]any{
		"Check": c, "Results": results, "List": l, "History": !rf.OpenOnly, "Exceptions": exceptions, "Form": fm, "Owners": owners,
		"Now": s.Now(), "Today": attest.DateOf(s.Now()),
	}})
}

// exceptionCreate records an exception for one resource: a reason, an
// approver other than the requester, and an expiry.
func (s *Server) exceptionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	p := principalFrom(r.Context())
	fm := newForm(r.PostForm)
	approver, _ := strconv.ParseInt(r.PostFormValue("approver"), 10, 64)
	e := &attest.CheckException{CheckID: r.PathValue("id"), ResourceType: r.PostFormValue("resource_type"), ResourceID: strings.TrimSpace(r.PostFormValue("resource")),
		Reason: r.PostFormValue("reason"), RequesterID: p.UserID, ApproverID: approver, Expires: attest.Date(r.PostFormValue("expires"))}
	err := s.mon().CreateException(r.Context(), p.OrgID, e)
	if fm.refuse(err, "resource", "reason", "approver", "expires") {
		return s.renderCheck(w, r, refusedStatus, fm)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/monitoring/checks/"+url.PathEscape(e.CheckID), fmt.Sprintf("Exception recorded for %s until %s.", e.ResourceID, e.Expires))
}

func (s *Server) apiChecks(w http.ResponseWriter, r *http.Request) error {
	f, err := checkFilter(r.URL.Query())
	if err != nil {
		return err
	}
	_, page, err := parseList("/api/v1/checks", r.URL.Query(), []string{"status"})
	if err != nil {
		return err
	}
	f.Offset, f.Limit = page.Offset, page.Limit
	cs, total, err := s.mon().FindChecks(r.Context(), orgID(r), f)
	if err != nil {
		return err
	}
	return writePage(w, cs, total)
}

func (s *Server) apiCheckResults(w http.ResponseWriter, r *http.Request) error {
	_, page, err := parseList("/api/v1/checks", r.URL.Query(), []string{"status"})
	if err != nil {
		return err
	}
	rs, total, err := s.mon().FindResults(r.Context(), orgID(r), attest.ResultFilter{CheckID: r.PathValue("id"), Status: r.URL.Query().Get("status"),
		OpenOnly: r.URL.Query().Get("history") == "", Offset: page.Offset, Limit: page.Limit})
	if err != nil {
		return err
	}
	return writePage(w, rs, total)
}
