package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// The request list is grouped by control: an owner works control by
// control (its page holds the forms), and one row of period badges per
// need shows the whole window at a glance where a row per period made a
// page 17,000 pixels long. A page shows 25 controls. Filters and orders
// that need no slot (search, mine, category, criterion, by control) pick
// the page's controls first and read only their evidence; those that do
// (a state, due date or status order) derive the slots of every matching
// control first. Either way each slot is answered from one entry of an
// index on the evidence links (RequestSummary), so a page's cost follows
// its slots, not the organization's items.

// groupsPerPage is how many controls one page of the list shows.
const groupsPerPage = 25

// requestListQuery is the list's query string: the domain query, "mine",
// the page, and the message of a filter that was refused (by field).
type requestListQuery struct {
	attest.RequestQuery
	Mine   bool
	Page   int
	Errors map[string]string
}

// parseRequestList reads the list's filters. A bad value is dropped, with
// its message kept for the field, and the rest of the filters still apply.
func (s *Server) parseRequestList(q url.Values) requestListQuery {
	l := requestListQuery{Mine: q.Get("mine") == "1", Errors: map[string]string{}}
	l.Page, _ = strconv.Atoi(q.Get("page"))
	fw := s.svc.Framework()
	fields := []struct {
		name string
		set  func(v string)
	}{
		{"q", func(v string) { l.Search = v }},
		{"state", func(v string) { l.State = attest.SlotState(v) }},
		{"category", func(v string) { l.Category = v }},
		{"criterion", func(v string) { l.Criterion = v }},
		{"sort", func(v string) { l.Sort = v }},
	}
	for _, f := range fields {
		f.set(q.Get(f.name))
		if err := l.RequestQuery.Validate(fw); err != nil {
			l.Errors[f.name] = attest.ErrorMessage(err)
			f.set("")
		}
	}
	_ = l.RequestQuery.Validate(fw) // normalize what was kept
	return l
}

// requestGroups returns the groups of the list that the query keeps, the
// total, and the groups of the page asked for (all of them for page 0).
//
// A page reads the summary of its slots (one item each); the export (page
// 0) reads every item of every slot.
func (s *Server) requestGroups(ctx context.Context, p *attest.Principal, e *attest.Engagement, l *requestListQuery) (page []*attest.RequestGroup, total int, err error) {
	read := s.svc.RequestSummary
	if l.Page == 0 {
		read = s.svc.ControlRequests
	}
	all, err := s.svc.FindControls(ctx, p.OrgID, attest.ControlFilter{})
	if err != nil {
		return nil, 0, err
	}
	fw := s.svc.Framework()
	var controls []*attest.Control
	for _, c := range attest.DeriveScope(fw, e.Categories, all).Controls {
		if c.Status != attest.NotApplicable && len(c.Evidence) > 0 && (!l.Mine || owns(p, c.OwnerID)) && l.MatchControl(c, fw) {
			controls = append(controls, c)
		}
	}
	from, to := 0, len(controls)
	if !l.NeedsSlots() {
		// One group per control: page the controls, then read the
		// page's evidence only.
		total = len(controls)
		if l.Page > 0 {
			l.Page = max(1, min(l.Page, (total+groupsPerPage-1)/groupsPerPage))
			from, to = min((l.Page-1)*groupsPerPage, total), min(l.Page*groupsPerPage, total)
		}
		reqs, err := read(ctx, p.OrgID, e, controls[from:to])
		if err != nil {
			return nil, 0, err
		}
		return l.Group(reqs), total, nil
	}
	reqs, err := read(ctx, p.OrgID, e, controls)
	if err != nil {
		return nil, 0, err
	}
	groups := l.Group(reqs)
	total = len(groups)
	from, to = 0, total // every group, unless a page is asked for
	if l.Page > 0 {
		l.Page = max(1, min(l.Page, (total+groupsPerPage-1)/groupsPerPage))
		from, to = min((l.Page-1)*groupsPerPage, total), min(l.Page*groupsPerPage, total)
	}
	return groups[from:to], total, nil
}

// evidenceEngagement is the engagement a list shows: ?engagement= or the
// current one.
func (s *Server) evidenceEngagement(r *http.Request) (*attest.Engagement, error) {
	if v := r.URL.Query().Get("engagement"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, attest.Errorf(attest.ENOTFOUND, "no engagement %q", v)
		}
		return s.engagementFor(r, id)
	}
	return s.currentEngagement(r)
}

// evidencePage is the request list of an engagement, grouped by control,
// 25 controls a page, with the filters of requestListQuery.
func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	e, err := s.evidenceEngagement(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l := s.parseRequestList(q)
	l.Page = max(1, l.Page)
	groups, total, err := s.requestGroups(ctx, p, e, &l)
	if err != nil {
		return err
	}
	var ids []int64
	for _, g := range groups {
		for _, rq := range g.Requests {
			for _, sl := range rq.Slots {
				ids = append(ids, sl.Evidence[:min(len(sl.Evidence), 1)]...) // a badge names its first item
			}
		}
	}
	titles, err := s.svc.EvidenceTitles(ctx, p.OrgID, ids)
	if err != nil {
		return err
	}
	rd, err := s.svc.ReadinessOf(ctx, p.OrgID, e)
	if err != nil {
		return err
	}
	pages := max(1, (total+groupsPerPage-1)/groupsPerPage)
	link := func(page int) string {
		v := url.Values{}
		for k, vals := range q {
			if k != "page" {
				v[k] = vals
			}
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return "/evidence?" + v.Encode()
	}
	var prev, next string
	if l.Page > 1 {
		prev = link(l.Page - 1)
	}
	if l.Page < pages {
		next = link(l.Page + 1)
	}
	csvQuery := url.Values{}
	for k, vals := range q {
		if k != "page" {
			csvQuery[k] = vals
		}
	}
	csvQuery.Set("engagement", strconv.FormatInt(e.ID, 10))
	status := http.StatusOK
	if len(l.Errors) > 0 {
		status = http.StatusBadRequest
	}
	pops, err := s.populations(ctx, p.OrgID, groups, attest.DateOf(s.Now()))
	if err != nil {
		return err
	}
	fw := s.svc.Framework()
	return s.render(w, r, status, "evidence", &view{Title: "Evidence requests", Nav: "evidence", Data: map[string]any{
		"Engagement": e, "Groups": groupRows(groups, titles, s.mayProvideFunc(p), pops), "Total": total, "Coverage": rd.Coverage, "Percent": rd.Coverage.Percent(),
		"Query": l, "Page": l.Page, "Pages": pages, "Prev": prev, "Next": next, "CSV": "/evidence.csv?" + csvQuery.Encode(),
		"States": []attest.SlotState{attest.SlotMissing, attest.SlotLate, attest.SlotProvided, attest.SlotNotApplicable, attest.SlotDeviation, attest.SlotUpcoming},
		"Labels": slotLabels, "Categories": fw.Categories,
		"Sorts": [][2]string{{attest.SortByControl, "control"}, {attest.SortByDue, "next due date"}, {attest.SortByStatus, "status (late first)"}},
	}})
}

// mayProvideFunc says whether the principal may provide a control's
// evidence, so that the list's "provide" links go where a form waits.
func (s *Server) mayProvideFunc(p *attest.Principal) func(ownerID int64) bool {
	now := s.Now()
	if p.Can(attest.EditReadiness, now) {
		return func(int64) bool { return true }
	}
	own := p.Can(attest.EditOwnControl, now)
	return func(ownerID int64) bool { return own && owns(p, ownerID) }
}

// evidenceCSV exports the list the filters keep, every page, one row per
// slot (with a state filter, the slots in that state): formula-safe cells.
func (s *Server) evidenceCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	e, err := s.evidenceEngagement(r)
	if err != nil {
		return err
	}
	l := s.parseRequestList(r.URL.Query())
	for field, msg := range l.Errors {
		return attest.Errorf(attest.EINVALID, "%s: %s", field, msg)
	}
	l.Page = 0
	groups, _, err := s.requestGroups(ctx, p, e, &l)
	if err != nil {
		return err
	}
	pops, err := s.populations(ctx, p.OrgID, groups, attest.DateOf(s.Now()))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="evidence-requests-%d.csv"`, e.ID))
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"control_id", "control", "owner", "need", "evidence_needed", "frequency", "period_start", "period_end", "due", "state", "late", "evidence_ids", "statement", "checks", "population", "population_rows"})
	for _, g := range groups {
		for _, rq := range g.Requests {
			for _, sl := range rq.SlotsIn(l.State) {
				ids := make([]string, len(sl.Evidence))
				for i, id := range sl.Evidence {
					ids[i] = strconv.FormatInt(id, 10)
				}
				late := ""
				if sl.Late {
					late = "yes"
				}
				pop, rows := "", ""
				if pr := pops[populationKey{rq.ControlID, rq.Need, sl.Start}]; pr != nil {
					pop, rows = pr.CSV, strconv.Itoa(pr.Count)
				}
				cw.Write([]string{csvSafe(rq.ControlID), csvSafe(rq.ControlName), csvSafe(rq.Owner.Display()), strconv.Itoa(rq.Need), csvSafe(rq.What),
					string(rq.Frequency), string(sl.Start), string(sl.End), string(sl.Due), string(sl.State), late, strings.Join(ids, " "), csvSafe(sl.Statement), csvSafe(strings.Join(sl.Checks, " ")), pop, rows})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
