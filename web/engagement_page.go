package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// engagementFromForm reads the engagement fields of the wizard and the
// engagement settings page.
func engagementFromForm(r *http.Request) attest.EngagementUpdate {
	name, notes := r.PostFormValue("name"), r.PostFormValue("notes")
	rt := attest.ReportType(r.PostFormValue("report_type"))
	drivers, customers := lines(r.PostFormValue("drivers")), lines(r.PostFormValue("customers"))
	cats := r.PostForm["categories"]
	if cats == nil {
		cats = []string{}
	}
	target, asOf := attest.Date(r.PostFormValue("target_date")), attest.Date(r.PostFormValue("as_of_date"))
	start, end := attest.Date(r.PostFormValue("window_start")), attest.Date(r.PostFormValue("window_end"))
	if rt == attest.TypeI {
		start, end = "", ""
	} else {
		asOf = ""
	}
	return attest.EngagementUpdate{Name: &name, ReportType: &rt, Drivers: &drivers, Customers: &customers, Notes: &notes,
		TargetDate: &target, AsOfDate: &asOf, WindowStart: &start, WindowEnd: &end, Categories: &cats}
}

// setupPage is the first-run wizard: the organization and its first
// engagement (objectives, type, period, scope).
func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "setup", &view{Title: "Set up Attest", Nav: "dashboard", Data: map[string]any{
		"Categories": s.svc.Framework().Categories, "Kinds": attest.SystemKinds,
	}})
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	e := &attest.Engagement{}
	if err := engagementFromForm(r).Apply(e, s.svc.Framework()); err != nil {
		return err
	}
	if name := strings.TrimSpace(r.PostFormValue("org_name")); name != "" {
		if err := s.svc.RenameOrganization(ctx, p.OrgID, name); err != nil {
			return err
		}
	}
	if sys := strings.TrimSpace(r.PostFormValue("system_name")); sys != "" {
		e.Systems = []*attest.System{{Name: sys, Kind: r.PostFormValue("system_kind"), Owner: r.PostFormValue("system_owner")}}
	}
	if err := s.svc.CreateEngagement(ctx, p.OrgID, e); err != nil {
		return err
	}
	return redirect(w, r, "/", "Your engagement is set up. Assign owners and statuses to the controls in scope.")
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, attest.Errorf(attest.ENOTFOUND, "%s %q does not exist", name, r.PathValue(name))
	}
	return id, nil
}

func (s *Server) engagementPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	e, err := s.engagementFor(r, id)
	if err != nil {
		return err
	}
	sc, err := s.svc.Scope(r.Context(), orgID(r), e.ID)
	if err != nil {
		return err
	}
	in := map[string]bool{}
	for _, c := range e.Categories {
		in[c] = true
	}
	fp, err := s.signingFingerprint(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "engagement", &view{Title: e.Name, Nav: "engagement", Data: map[string]any{
		"Engagement": e, "Scope": sc, "Fingerprint": fp, "Categories": s.svc.Framework().Categories, "InScope": in, "Kinds": attest.SystemKinds,
		"Drivers": strings.Join(e.Drivers, "\n"), "Customers": strings.Join(e.Customers, "\n"),
	}})
}

func (s *Server) engagementUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.engagementFor(r, id); err != nil {
		return err
	}
	if _, err := s.svc.UpdateEngagement(r.Context(), orgID(r), id, engagementFromForm(r)); err != nil {
		return err
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(id, 10), "Engagement saved.")
}

func (s *Server) systemAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	sys := &attest.System{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Owner: r.PostFormValue("owner"), Description: r.PostFormValue("description")}
	if err := s.svc.AddSystem(r.Context(), orgID(r), id, sys); err != nil {
		return err
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(id, 10), "System added.")
}

func (s *Server) systemRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	sid, err := pathInt(r, "system")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveSystem(r.Context(), orgID(r), id, sid); err != nil {
		return err
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(id, 10), "System removed.")
}
