package web

import (
	"fmt"
	"net/http"
	"net/url"
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

// engagementValues is an engagement as its form shows it.
func engagementValues(e *attest.Engagement) url.Values {
	v := url.Values{"name": {e.Name}, "report_type": {string(e.ReportType)}, "drivers": {strings.Join(e.Drivers, "\n")},
		"customers": {strings.Join(e.Customers, "\n")}, "notes": {e.Notes}, "target_date": {string(e.TargetDate)},
		"as_of_date": {string(e.AsOfDate)}, "window_start": {string(e.WindowStart)}, "window_end": {string(e.WindowEnd)}}
	v["categories"] = e.Categories
	return v
}

// engagementFields are the fields the engagement form shows, so that an
// error about any other is shown above it.
var engagementFields = []string{"name", "report_type", "window_start", "window_end", "as_of_date", "target_date", "categories"}

// setupPage is the first-run wizard: the organization and its first
// engagement (objectives, type, period, scope). Once there is an
// engagement, further ones are created on the Engagements page.
func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	if done, err := s.hasEngagements(r); err != nil || done {
		if err == nil {
			err = redirect(w, r, "/engagements/new", "Attest is set up already: create further engagements here.")
		}
		return err
	}
	f := newForm(url.Values{"name": {"SOC 2 audit"}, "report_type": {string(attest.TypeII)}, "org_name": {sessionFrom(r.Context()).orgName}})
	return s.renderSetup(w, r, http.StatusOK, f)
}

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, status, "setup", &view{Title: "Set up Attest", Nav: "dashboard", Data: map[string]any{
		"Categories": s.svc.Framework().Categories, "Kinds": attest.SystemKinds, "Form": f, "Owners": owners,
	}})
}

// hasEngagements reports whether the organization has any engagement,
// archived ones included.
func (s *Server) hasEngagements(r *http.Request) (bool, error) {
	es, err := s.svc.FindEngagements(r.Context(), orgID(r))
	return len(es) > 0, err
}

// setup creates the organization's first engagement. It never creates a
// second one: that would be a new engagement the user did not ask for.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	if done, err := s.hasEngagements(r); err != nil || done {
		if err == nil {
			err = redirect(w, r, "/engagements", "Attest is set up already: nothing was changed. Create further engagements here.")
		}
		return err
	}
	f := newForm(r.PostForm)
	e := &attest.Engagement{}
	err := engagementFromForm(r).Apply(e, s.svc.Framework())
	name := strings.TrimSpace(r.PostFormValue("org_name"))
	if sys := strings.TrimSpace(r.PostFormValue("system_name")); sys != "" && err == nil {
		e.Systems = []*attest.System{{Name: sys, Kind: r.PostFormValue("system_kind")}}
		if err = e.Systems[0].Validate(); err != nil {
			err = attest.FieldErrorf("system_name", "%s", attest.ErrorMessage(err))
		}
		if err == nil {
			e.Systems[0].OwnerID, err = s.chosenOwner(r, "system_owner")
		}
	}
	if err == nil && name != "" {
		err = s.svc.RenameOrganization(ctx, p.OrgID, name)
	}
	if err == nil {
		err = s.svc.CreateEngagement(ctx, p.OrgID, e)
	}
	if f.refuse(err, append(engagementFields, "org_name", "system_name", "system_owner")...) {
		return s.renderSetup(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/", "Your engagement is set up. Assign owners and statuses to the controls in scope.")
}

// chosenOwner reads a system owner chosen from the form's list of members:
// a user ID, or "" for nobody. Anything else (a name, someone who is not a
// member, an auditor) is refused on the field: a name never picks an owner.
func (s *Server) chosenOwner(r *http.Request, field string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return 0, nil
	}
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return 0, attest.FieldErrorf(field, "choose the owner from the list of members")
	}
	id, err := s.resolveOwner(r, v)
	if attest.ErrorCode(err) == attest.EINVALID {
		return 0, attest.FieldErrorf(field, "%s", attest.ErrorMessage(err))
	}
	return id, err
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
	return s.renderEngagement(w, r, http.StatusOK, e, newForm(engagementValues(e)), nil)
}

// systemRow is a system in scope as the engagement's page lists it, with
// the form that hands it to another member.
type systemRow struct {
	*attest.System
	OwnerForm *form
}

// renderEngagement shows an engagement with its form filled from f, and
// the new-system form from sys (nil: empty).
func (s *Server) renderEngagement(w http.ResponseWriter, r *http.Request, status int, e *attest.Engagement, f, sys *form) error {
	return s.renderEngagementOwner(w, r, status, e, f, sys, 0, nil)
}

// renderEngagementOwner is renderEngagement with the owner form of system
// sid filled from owner (a refused change).
func (s *Server) renderEngagementOwner(w http.ResponseWriter, r *http.Request, status int, e *attest.Engagement, f, sys *form, sid int64, owner *form) error {
	rows := make([]systemRow, len(e.Systems))
	for i, x := range e.Systems {
		rows[i] = systemRow{System: x, OwnerForm: newForm(url.Values{"owner": {ownerValue(x.OwnerID)}})}
		if x.ID == sid && owner != nil {
			rows[i].OwnerForm = owner
		}
	}
	sc, err := s.svc.Scope(r.Context(), orgID(r), e.ID)
	if err != nil {
		return err
	}
	fp, err := s.signingFingerprint(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	inventory, err := s.inventoryFor(r, e)
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, status, "engagement", &view{Title: e.Name, Nav: "engagement", Data: map[string]any{
		"Engagement": e, "Scope": sc, "Fingerprint": fp, "Categories": s.svc.Framework().Categories, "Kinds": attest.SystemKinds, "Form": f,
		"SystemForm": sys, "Inventory": inventory, "Owners": owners, "Systems": rows,
	}})
}

func (s *Server) engagementUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	e, err := s.engagementFor(r, id)
	if err != nil {
		return err
	}
	_, err = s.svc.UpdateEngagement(r.Context(), orgID(r), id, engagementFromForm(r))
	if f := newForm(r.PostForm); f.refuse(err, engagementFields...) {
		return s.renderEngagement(w, r, refusedStatus, e, f, nil)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(id, 10), "Engagement saved.")
}

func (s *Server) systemAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	e, err := s.engagementFor(r, id)
	if err != nil {
		return err
	}
	sys := &attest.System{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Description: r.PostFormValue("description")}
	if sys.OwnerID, err = s.chosenOwner(r, "owner"); err == nil {
		err = s.svc.AddSystem(r.Context(), orgID(r), id, sys)
	}
	if f := newForm(r.PostForm); f.refuse(err, "name", "kind", "owner", "description") {
		return s.renderEngagement(w, r, refusedStatus, e, newForm(engagementValues(e)), f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(id, 10), "System added.")
}

// systemPath is the engagement and the system a system's path names.
func systemPath(r *http.Request) (id, sid int64, err error) {
	if id, err = pathInt(r, "id"); err != nil {
		return 0, 0, err
	}
	sid, err = pathInt(r, "system")
	return id, sid, err
}

// systemOwnerChange hands a system in scope to another member (or to
// nobody). A refused choice comes back beside the system's row.
func (s *Server) systemOwnerChange(w http.ResponseWriter, r *http.Request) error {
	id, sid, err := systemPath(r)
	if err != nil {
		return err
	}
	e, err := s.engagementFor(r, id)
	if err != nil {
		return err
	}
	owner, err := s.chosenOwner(r, "owner")
	if err == nil {
		_, err = s.svc.SetSystemOwner(r.Context(), orgID(r), id, sid, owner)
	}
	if f := newForm(r.PostForm); f.refuse(err, "owner") {
		return s.renderEngagementOwner(w, r, refusedStatus, e, newForm(engagementValues(e)), nil, sid, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(id, 10), "Owner changed.")
}

func (s *Server) systemRemove(w http.ResponseWriter, r *http.Request) error {
	id, sid, err := systemPath(r)
	if err != nil {
		return err
	}
	if err := s.svc.RemoveSystem(r.Context(), orgID(r), id, sid); err != nil {
		return err
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(id, 10), "System removed.")
}

// engagementRow is an engagement as the Engagements page lists it.
type engagementRow struct {
	*attest.Engagement
	Type, Period string
}

// reportLabel and period describe an engagement's report in words.
func reportLabel(t attest.ReportType) string {
	if t == attest.TypeI {
		return "Type I"
	}
	return "Type II"
}

func engagementPeriod(e *attest.Engagement) string {
	if e.ReportType == attest.TypeI {
		return "as of " + string(e.AsOfDate)
	}
	return string(e.WindowStart) + " to " + string(e.WindowEnd)
}

// visibleEngagements are the organization's engagements the principal may
// see, newest first.
func (s *Server) visibleEngagements(r *http.Request) ([]*attest.Engagement, error) {
	es, err := s.svc.FindEngagements(r.Context(), orgID(r))
	if err != nil {
		return nil, err
	}
	p := principalFrom(r.Context())
	out := es[:0]
	for _, e := range es {
		if p.SeesEngagement(e.ID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// engagementsPage lists every engagement with its report, period, scope
// and standing (current, active or archived), and switches the current one.
func (s *Server) engagementsPage(w http.ResponseWriter, r *http.Request) error {
	es, err := s.visibleEngagements(r)
	if err != nil {
		return err
	}
	rows := make([]engagementRow, len(es))
	var active []*attest.Engagement
	for i, e := range es {
		rows[i] = engagementRow{Engagement: e, Type: reportLabel(e.ReportType), Period: engagementPeriod(e)}
		if !e.Archived() {
			active = append(active, e)
		}
	}
	return s.render(w, r, http.StatusOK, "engagements", &view{Title: "Engagements", Nav: "engagement", Data: map[string]any{
		"Rows": rows, "Active": active,
	}})
}

// engagementNewPage is the form for a further engagement.
func (s *Server) engagementNewPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderEngagementNew(w, r, http.StatusOK, newForm(url.Values{"name": {"SOC 2 audit"}, "report_type": {string(attest.TypeII)}}))
}

func (s *Server) renderEngagementNew(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	return s.render(w, r, status, "engagement_new", &view{Title: "New engagement", Nav: "engagement", Data: map[string]any{
		"Categories": s.svc.Framework().Categories, "Kinds": attest.SystemKinds, "Form": f,
	}})
}

// engagementCreate creates an engagement from the form. It becomes current
// only when the box for it is ticked (or when there is no current one).
func (s *Server) engagementCreate(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r.PostForm)
	e := &attest.Engagement{}
	err := engagementFromForm(r).Apply(e, s.svc.Framework())
	e.Current = r.PostFormValue("make_current") == "1"
	for _, name := range lines(r.PostFormValue("systems")) {
		if err == nil {
			sys := &attest.System{Name: name, Kind: "other"}
			if err = sys.Validate(); err != nil {
				err = attest.FieldErrorf("systems", "%s", attest.ErrorMessage(err))
			}
			e.Systems = append(e.Systems, sys)
		}
	}
	if err == nil {
		err = s.svc.CreateEngagement(r.Context(), orgID(r), e)
	}
	if f.refuse(err, append(engagementFields, "systems")...) {
		return s.renderEngagementNew(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Created %s. The current engagement is unchanged: make it current from the list when you want to work on it.", e.Name)
	if e.Current {
		msg = fmt.Sprintf("Created %s; it is now the current engagement.", e.Name)
	}
	return redirect(w, r, "/engagements/"+strconv.FormatInt(e.ID, 10), msg)
}

// engagementUse makes the engagement named by the form's engagement_id the
// organization's current one.
func (s *Server) engagementUse(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PostFormValue("engagement_id"), 10, 64)
	if err != nil {
		return attest.Errorf(attest.ENOTFOUND, "no engagement %q", r.PostFormValue("engagement_id"))
	}
	if _, err := s.engagementFor(r, id); err != nil {
		return err
	}
	yes := true
	e, err := s.svc.UpdateEngagement(r.Context(), orgID(r), id, attest.EngagementUpdate{Current: &yes})
	if err != nil {
		return err
	}
	return redirect(w, r, safeNext(r.PostFormValue("back")), e.Name+" is now the current engagement.")
}

// engagementArchive archives the engagement (archived=1) or restores it
// (archived=0).
func (s *Server) engagementArchive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.engagementFor(r, id); err != nil {
		return err
	}
	archived := r.PostFormValue("archived") != "0"
	e, err := s.svc.UpdateEngagement(r.Context(), orgID(r), id, attest.EngagementUpdate{Archived: &archived})
	if err != nil {
		return err
	}
	msg := "Restored " + e.Name + "."
	if archived {
		msg = "Archived " + e.Name + ": it stays readable here but is no longer offered as current."
	}
	return redirect(w, r, "/engagements", msg)
}
