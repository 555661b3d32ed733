package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/attest-dev/attest"
)

// Reviews from integrations: the start form can take a system's accounts
// from an integration's latest collection, and a schedule starts the next
// review of the system from the same integration when each period ends
// (jobs.AccessReviewScanArgs).

// reviewExtras adds the integrations and the schedules to the access
// reviews' page.
func (s *Server) reviewExtras(r *http.Request, data map[string]any) error {
	var ins []*attest.Integration
	if m, ok := s.svc.(MonitorServices); ok {
		all, err := m.FindIntegrations(r.Context(), orgID(r))
		if err != nil {
			return err
		}
		for _, in := range all {
			if s.listsAccounts(in) {
				ins = append(ins, in)
			}
		}
	}
	schedules, err := s.svc.FindAccessReviewSchedules(r.Context(), orgID(r))
	data["Integrations"], data["Schedules"] = ins, schedules
	if _, ok := data["Sched"]; !ok {
		data["Sched"] = newForm(nil)
	}
	return err
}

// refuseRegisterWith shows a register's page again with one of its
// secondary forms (data key key) as typed and the refusal beside its
// field; the create form stays empty.
func (s *Server) refuseRegisterWith(w http.ResponseWriter, r *http.Request, reg register, key string, nf *form) error {
	list, pg, _ := parseList(reg.Path, url.Values{}, reg.Sorts)
	rows, _, _, total, ferr := reg.find(r, url.Values{}, pg)
	if ferr != nil {
		return ferr
	}
	list.setTotal(total)
	data := map[string]any{"Reg": reg, "Rows": rows, "List": list, "Form": newForm(nil), "New": newForm(nil), key: nf}
	if err := s.registerExtras(r, reg.Name, data); err != nil {
		return err
	}
	return s.render(w, r, refusedStatus, "register", &view{Title: reg.Heading, Nav: "records", Data: data})
}

// scheduleSave stores the schedule of a system's reviews.
func (s *Server) scheduleSave(w http.ResponseWriter, r *http.Request) error {
	sc := &attest.AccessReviewSchedule{System: r.PostFormValue("system"), ControlID: r.PostFormValue("control_id")}
	var err error
	if v := r.PostFormValue("integration"); v != "" {
		if sc.IntegrationID, err = strconv.ParseInt(v, 10, 64); err != nil {
			err = attest.FieldErrorf("integration", "choose one of the integrations")
		}
	}
	if v := r.PostFormValue("every_months"); v != "" && err == nil {
		if sc.EveryMonths, err = strconv.Atoi(v); err != nil {
			err = attest.FieldErrorf("every_months", "the period is a number of months")
		}
	}
	if err == nil {
		sc.NextStart, err = postedDate(r, "next_start")
	}
	if err == nil {
		err = s.svc.SaveAccessReviewSchedule(r.Context(), orgID(r), sc)
	}
	if err != nil {
		nf := newForm(r.PostForm)
		if !nf.refuse(err) {
			return err
		}
		return s.refuseRegisterWith(w, r, s.reviewRegister(), "Sched", nf)
	}
	return redirect(w, r, "/access-reviews#schedules", fmt.Sprintf("The reviews of %s start from %s every %d months; the next opens on %s.", sc.System, sc.Integration, sc.EveryMonths, sc.OpensOn))
}

// scheduleDelete stops a schedule; the reviews it opened stay.
func (s *Server) scheduleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteAccessReviewSchedule(r.Context(), orgID(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/access-reviews#schedules", "Schedule stopped.")
}

// listsAccounts reports whether an integration's kind collects accounts a
// review can take (a kind this server does not know is offered too: its
// collections may hold them).
func (s *Server) listsAccounts(in *attest.Integration) bool {
	k, ok := s.kind(in.Kind)
	if !ok {
		return true
	}
	for _, t := range k.ResourceTypes {
		if slices.Contains(attest.AccountResourceTypes, t) {
			return true
		}
	}
	return false
}
