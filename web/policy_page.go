package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/jobs"
	"github.com/attest-dev/attest/policydoc"
)

// Policies are read by everyone; drafts, history and acknowledgement
// records by those who read the program's data; written by compliance
// managers; approved by the approvers each policy names; acknowledged by
// every member but auditors.

// policyFor loads a policy the principal may see: without ReadData only a
// published policy exists, or one the principal is asked to approve.
func (s *Server) policyFor(r *http.Request) (*attest.Policy, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	p := principalFrom(r.Context())
	pol, err := s.svc.FindPolicyByID(r.Context(), p.OrgID, id)
	if err != nil {
		return nil, err
	}
	if pol.PublishedVersion == "" && !p.Can(attest.ReadData, s.Now()) && !pol.IsApprover(p.UserID) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no policy %d", id)
	}
	return pol, nil
}

// policyRow is a policy as the list shows it.
type policyRow struct {
	Policy   *attest.Policy
	Standing *attest.PolicyStanding
	Mine     attest.AckState
	Review   string // "", "due" (within 30 days) or "overdue"
}

func (s *Server) policiesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	now := s.Now()
	today := attest.DateOf(now)
	policies, err := s.svc.FindPolicies(ctx, p.OrgID)
	if err != nil {
		return err
	}
	standings, err := s.svc.PolicyStandings(ctx, p.OrgID)
	if err != nil {
		return err
	}
	byID := map[int64]*attest.PolicyStanding{}
	for _, st := range standings {
		byID[st.Policy.ID] = st
	}
	readAll := p.Can(attest.ReadData, now)
	var rows []policyRow
	adopted := map[string]bool{}
	for _, pol := range policies {
		adopted[pol.TemplateID] = true
		if !readAll && pol.PublishedVersion == "" {
			continue
		}
		row := policyRow{Policy: pol, Standing: byID[pol.ID], Review: reviewState(pol, today)}
		if st := byID[pol.ID]; st != nil {
			for _, u := range st.Users {
				if u.UserID == p.UserID {
					row.Mine = u.State
				}
			}
		}
		rows = append(rows, row)
	}
	var templates []*attest.PolicyTemplate
	var owners []*attest.Person
	if p.Can(attest.EditPolicies, now) {
		if owners, err = s.svc.FindOwners(ctx, p.OrgID); err != nil {
			return err
		}
		all, err := catalog.PolicyTemplates()
		if err != nil {
			return err
		}
		for _, t := range all {
			if !adopted[t.ID] {
				templates = append(templates, t)
			}
		}
	}
	return s.render(w, r, http.StatusOK, "policies", &view{Title: "Policies", Nav: "policies", Data: map[string]any{
		"Rows": rows, "Templates": templates, "Owners": owners, "Pending": attest.PendingFor(p.UserID, standings), "ReadAll": readAll,
	}})
}

// reviewState says whether a published policy's review is overdue or due
// within 30 days.
func reviewState(p *attest.Policy, today attest.Date) string {
	switch {
	case p.PublishedVersion == "" || p.NextReview.IsZero():
		return ""
	case p.ReviewOverdue(today):
		return "overdue"
	case p.NextReview.Before(today.AddDays(31)):
		return "due"
	}
	return ""
}

// policyAdopt adopts a template as a draft, filled from the form and the
// organization's name.
func (s *Server) policyAdopt(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	t, err := catalog.PolicyTemplate(r.PostFormValue("template"))
	if err != nil {
		return err
	}
	org, err := s.svc.FindOrganization(ctx, p.OrgID)
	if err != nil {
		return err
	}
	owner, err := s.svc.ResolvePerson(ctx, p.OrgID, attest.PersonRef(r.PostFormValue("owner")))
	if err != nil {
		return formError("owner", err)
	}
	ownerName := ""
	if owner != nil {
		ownerName = owner.Display()
	}
	fill := attest.PolicyFill(org.Name, t, map[string]string{"owner": ownerName,
		"security_contact": r.PostFormValue("security_contact"), "privacy_contact": r.PostFormValue("privacy_contact")})
	pol, err := s.svc.AdoptTemplate(ctx, p.OrgID, t, fill)
	if err != nil {
		return err
	}
	if owner != nil {
		if pol, err = s.svc.SetPolicyOwner(ctx, p.OrgID, pol.ID, owner.ID); err != nil {
			return err
		}
	}
	return redirect(w, r, fmt.Sprintf("/policies/%d/edit", pol.ID), "Adopted "+pol.Title+" as draft 1.0.")
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderPolicy(w, r, http.StatusOK, "", nil)
}

// renderPolicy shows a policy; publishErr, when set, says beside the
// Publish button why publishing was refused, and decide is the approval
// form as typed when it was refused (nil: empty).
func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, status int, publishErr string, decide *form) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	now := s.Now()
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	readAll := p.Can(attest.ReadData, now)
	number := pol.PublishedVersion
	if readAll || pol.IsApprover(p.UserID) {
		number = pol.CurrentVersion
		if v := r.URL.Query().Get("version"); v != "" {
			number = v
		}
	}
	versions, err := s.svc.FindPolicyVersions(ctx, p.OrgID, pol.ID)
	if err != nil {
		return err
	}
	var shown *attest.PolicyVersion
	for _, v := range versions {
		if v.Number == number {
			shown = v
		}
	}
	if shown == nil {
		return attest.Errorf(attest.ENOTFOUND, "policy %d has no version %q", pol.ID, number)
	}
	body := shown.ShownBody()
	if policydoc.NeedsLegacyFill(shown) {
		// Published before publication filled the approver and the date.
		doc, err := policydoc.Gather(ctx, s.svc, p.OrgID, pol, shown.Number)
		if err != nil {
			return err
		}
		body = doc.Version.Body
	}
	data := map[string]any{"Policy": pol, "Version": shown, "Body": policydoc.RenderMarkdown(body), "ReadAll": readAll,
		"Review": reviewState(pol, attest.DateOf(now))}
	standing, err := s.svc.PolicyStanding(ctx, p.OrgID, pol)
	if err != nil {
		return err
	}
	if standing != nil {
		for _, u := range standing.Users {
			if u.UserID == p.UserID {
				data["Mine"] = u
			}
		}
	}
	if readAll {
		users, err := s.svc.FindUsers(ctx, p.OrgID)
		if err != nil {
			return err
		}
		decisions, err := s.svc.FindPolicyDecisions(ctx, p.OrgID, pol.ID)
		if err != nil {
			return err
		}
		names := userNames(users)
		owners, err := s.svc.FindOwners(ctx, p.OrgID)
		if err != nil {
			return err
		}
		data["Owners"] = owners
		people := attest.PeopleOf(users)
		var approvers []*attest.Person
		for _, id := range pol.Approvers {
			if pp := people.Get(id); pp != nil {
				approvers = append(approvers, pp)
			}
		}
		dir, err := s.directory(ctx, p.OrgID)
		if err != nil {
			return err
		}
		actors := map[string]actorView{} // version authors, as the log records them
		for _, v := range versions {
			actors[v.Author] = dir.actor(v.Author)
		}
		slices.Reverse(versions)
		data["Versions"], data["Standing"], data["Users"], data["Names"], data["Actors"] = versions, standing, users, names, actors
		data["Approvers"], data["Decisions"] = approvers, decisionsOf(decisions, people)
		data["CurrentState"] = attest.DecidedState(pol.Approvers, pol.CurrentVersion, decisions)
	}
	// Approvers see the version being written, and decide once it is sent.
	data["CanDecide"] = pol.IsApprover(p.UserID) && pol.CurrentVersion != pol.PublishedVersion && pol.SubmittedVersion == pol.CurrentVersion
	data["NotSent"] = pol.IsApprover(p.UserID) && pol.CurrentVersion != pol.PublishedVersion && pol.SubmittedVersion != pol.CurrentVersion
	if pol.CurrentVersion != pol.PublishedVersion {
		for _, v := range versions {
			if v.Number == pol.CurrentVersion {
				data["ToFill"] = attest.PlaceholdersToFill(v.Body, pol)
			}
		}
	}
	data["PublishError"] = publishErr
	data["Decide"] = decide
	return s.render(w, r, status, "policy", &view{Title: pol.Title, Nav: "policies", Data: data})
}

// decisionView is a decision with the approver.
type decisionView struct {
	*attest.PolicyDecision
	Person *attest.Person
}

func decisionsOf(ds []*attest.PolicyDecision, people attest.People) []decisionView {
	out := make([]decisionView, 0, len(ds))
	for i := len(ds) - 1; i >= 0; i-- { // newest first
		out = append(out, decisionView{ds[i], people.Get(ds[i].ApproverID)})
	}
	return out
}

func userNames(users []*attest.User) map[int64]string {
	names := make(map[int64]string, len(users))
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return names
}

// policyEditPage shows the editor on the current version.
func (s *Server) policyEditPage(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	versions, err := s.svc.FindPolicyVersions(r.Context(), orgID(r), pol.ID)
	if err != nil {
		return err
	}
	cur := versions[len(versions)-1]
	return s.renderEditor(w, r, http.StatusOK, pol, cur.Number, cur.Body, false, "")
}

// renderEditor shows the editor with body, based on version base. conflict
// explains a refused save; the text the user wrote is kept in the editor.
func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, status int, pol *attest.Policy, base, body string, major bool, conflict string) error {
	data := map[string]any{"Policy": pol, "Base": base, "Text": body, "Major": major, "Preview": policydoc.RenderMarkdown(attest.DraftBody(body)), "Conflict": conflict}
	if conflict != "" {
		versions, err := s.svc.FindPolicyVersions(r.Context(), orgID(r), pol.ID)
		if err != nil {
			return err
		}
		latest := versions[len(versions)-1]
		data["Latest"], data["Diff"] = latest, policydoc.Diff(latest.Body, body)
	}
	return s.render(w, r, status, "policy_edit", &view{Title: "Edit " + pol.Title, Nav: "policies", Data: data})
}

// policySave saves the editor's text as a new version, or shows a preview
// when the preview button was pressed (the editor works without script).
// A save based on an old version is refused as a conflict and the text is
// shown again with what changed meanwhile, so nothing is lost.
func (s *Server) policySave(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	base, body, major := r.PostFormValue("base_version"), r.PostFormValue("body"), r.PostFormValue("major") == "on"
	if r.PostFormValue("action") == "preview" {
		return s.renderEditor(w, r, http.StatusOK, pol, base, body, major, "")
	}
	v, err := s.svc.SaveDraft(r.Context(), orgID(r), pol.ID, base, body, major)
	switch attest.ErrorCode(err) {
	case "":
		return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), fmt.Sprintf("Saved version %s.", v.Number))
	case attest.ECONFLICT:
		cur, ferr := s.svc.FindPolicyByID(r.Context(), orgID(r), pol.ID)
		if ferr != nil {
			return ferr
		}
		msg := fmt.Sprintf("Someone saved version %s while you were editing version %s. Your text is kept below; compare it with theirs, then save again.", cur.CurrentVersion, base)
		return s.renderEditor(w, r, http.StatusConflict, cur, cur.CurrentVersion, body, major, msg)
	case attest.EINVALID:
		return s.renderEditor(w, r, http.StatusBadRequest, pol, base, body, major, "")
	}
	return err
}

// policyPreview renders Markdown for the editor's live preview: the same
// sanitizing renderer as the policy page, so the preview is what readers
// will see.
func (s *Server) policyPreview(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.policyFor(r); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := fmt.Fprint(w, policydoc.RenderMarkdown(attest.DraftBody(r.PostFormValue("body"))))
	return err
}

// policyDiff compares two versions line by line.
func (s *Server) policyDiff(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	versions, err := s.svc.FindPolicyVersions(r.Context(), orgID(r), pol.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if to == "" {
		to = versions[len(versions)-1].Number
	}
	if from == "" { // the version before the newest, or itself
		from = versions[max(0, len(versions)-2)].Number
	}
	var a, b *attest.PolicyVersion
	for _, v := range versions {
		if v.Number == from {
			a = v
		}
		if v.Number == to {
			b = v
		}
	}
	if a == nil || b == nil {
		return attest.Errorf(attest.ENOTFOUND, "policy %d has no version %q", pol.ID, map[bool]string{true: from, false: to}[a == nil])
	}
	lines := policydoc.Diff(a.Body, b.Body)
	added, removed := policydoc.Stats(lines)
	return s.render(w, r, http.StatusOK, "policy_diff", &view{Title: "Changes to " + pol.Title, Nav: "policies", Data: map[string]any{
		"Policy": pol, "From": a, "To": b, "Lines": lines, "Added": added, "Removed": removed, "Versions": versions,
	}})
}

func (s *Server) policyApprovers(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	var ids []int64
	for _, v := range r.PostForm["approver"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "unknown approver %q", v)
		}
		ids = append(ids, id)
	}
	if _, err := s.svc.SetApprovers(r.Context(), orgID(r), pol.ID, ids); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), "Approvers saved.")
}

// policyDecide records the signed-in approver's approval or rejection of
// the current version; the store refuses anyone the policy does not name.
func (s *Server) policyDecide(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	approve := r.PostFormValue("decision") == "approve"
	_, err = s.svc.Decide(r.Context(), p.OrgID, pol.ID, r.PostFormValue("version"), p.UserID, approve, r.PostFormValue("comment"))
	if f := newForm(r.PostForm); f.refuse(err, "comment") {
		return s.renderPolicy(w, r, refusedStatus, "", f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), map[bool]string{true: "Approved.", false: "Rejected."}[approve])
}

// policySubmit sends the current version to the policy's approvers and
// tells them at once, through the notification queue.
func (s *Server) policySubmit(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	out, err := s.svc.SubmitForApproval(r.Context(), orgID(r), pol.ID)
	if attest.ErrorCode(err) == attest.EINVALID {
		return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), "Not sent: "+attest.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	notices, err := jobs.ApprovalNotices(r.Context(), s.svc, orgID(r), out, s.baseURL(r), s.Now())
	s.notify(r.Context(), notices, err)
	return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), fmt.Sprintf("Version %s was sent to %d approvers.", out.CurrentVersion, len(out.Approvers)))
}

// policyOwner makes a member the policy's owner.
func (s *Server) policyOwner(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	owner, err := s.resolveOwner(r, r.PostFormValue("owner"))
	if err == nil {
		_, err = s.svc.SetPolicyOwner(r.Context(), orgID(r), pol.ID, owner)
	}
	if attest.ErrorCode(err) == attest.EINVALID {
		return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), "Owner not changed: "+attest.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), "Owner saved.")
}

func (s *Server) policyPublish(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	out, err := s.svc.Publish(r.Context(), orgID(r), pol.ID, r.PostFormValue("version"))
	if attest.ErrorCode(err) == attest.EINVALID {
		return s.renderPolicy(w, r, http.StatusBadRequest, attest.ErrorMessage(err), nil)
	}
	if err != nil {
		return err
	}
	if pol.PublishedVersion == "" || attest.NewMajor(pol.PublishedVersion, out.PublishedVersion) {
		notices, err := jobs.PublicationNotices(r.Context(), s.svc, orgID(r), out, s.baseURL(r), s.Now())
		s.notify(r.Context(), notices, err)
	}
	return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), fmt.Sprintf("Published version %s.", out.PublishedVersion))
}

func (s *Server) policyReview(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	out, err := s.svc.RecordReview(r.Context(), orgID(r), pol.ID, r.PostFormValue("note"))
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/policies/%d", pol.ID), "Review recorded; the next is due "+string(out.NextReview)+".")
}

// policyAcknowledge records that the signed-in user read the published
// version they were shown; a version superseded meanwhile is refused.
func (s *Server) policyAcknowledge(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.policyFor(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if p.UserID == 0 {
		return attest.Errorf(attest.EFORBIDDEN, "only people acknowledge policies")
	}
	version := r.PostFormValue("version")
	if version == "" {
		version = pol.PublishedVersion
	}
	if _, err := s.svc.Acknowledge(r.Context(), p.OrgID, pol.ID, version, p.UserID); err != nil {
		return err
	}
	return redirect(w, r, safeNext(r.PostFormValue("back")), fmt.Sprintf("Thank you: you acknowledged %s version %s.", pol.Title, version))
}
