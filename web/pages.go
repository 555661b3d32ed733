package web

import (
	"net/http"

	"github.com/attest-dev/attest"
)

// uiRoutes is the route table of the pages.
func (s *Server) uiRoutes() []route {
	return []route{
		{"GET", "/signin", public, "", s.signInPage},
		{"POST", "/signin", public, "", s.signIn},
		{"GET", "/signin/mfa", public, "", s.mfaPage},
		{"POST", "/signin/mfa", public, "", s.signInMFA},
		{"GET", "/sso", public, "", s.ssoStart},
		{"GET", "/sso/callback", public, "", s.ssoCallback},
		{"GET", "/invite/{secret}", public, "", s.invitePage},
		{"POST", "/invite/{secret}", public, "", s.acceptInvite},
		{"POST", "/signout", public, "", s.signOut},
		{"GET", "/account/mfa", session, "", s.mfaSetupPage},
		{"POST", "/account/mfa", session, "", s.mfaSetup},
		{"POST", "/account/mfa/disable", session, "", s.mfaDisable},

		{"GET", "/{$}", session, "", s.dashboard},
		{"GET", "/setup", session, attest.ManageOrg, s.setupPage},
		{"POST", "/setup", session, attest.ManageOrg, s.setup},
		{"GET", "/criteria", session, attest.ReadData, s.criteriaPage},
		{"GET", "/criteria/{id}", session, attest.ReadData, s.criterionPage},
		{"GET", "/controls", session, attest.ReadData, s.controlsPage},
		{"GET", "/controls/{id}", session, attest.ReadData, s.controlPage},
		{"POST", "/controls/{id}", session, attest.EditOwnControl, s.controlUpdate},
		{"GET", "/tasks", session, attest.ReadData, s.tasksPage},
		{"POST", "/tasks", session, attest.EditOwnControl, s.taskCreate},
		{"POST", "/tasks/{id}", session, attest.EditOwnControl, s.taskUpdate},
		{"GET", "/engagements/{id}", session, attest.ReadData, s.engagementPage},
		{"POST", "/engagements/{id}", session, attest.EditReadiness, s.engagementUpdate},
		{"POST", "/engagements/{id}/systems", session, attest.EditReadiness, s.systemAdd},
		{"POST", "/engagements/{id}/systems/{system}/delete", session, attest.EditReadiness, s.systemRemove},
		{"GET", "/settings", session, attest.ManageOrg, s.settingsPage},
		{"POST", "/settings/organization", session, attest.ManageOrg, s.settingsOrganization},
		{"POST", "/settings/security", session, attest.ManageOrg, s.settingsSecurity},
		{"POST", "/settings/users/{id}", session, attest.ManageOrg, s.settingsUser},
		{"POST", "/settings/invitations", session, attest.ManageOrg, s.invitationCreate},
		{"POST", "/settings/invitations/{id}/revoke", session, attest.ManageOrg, s.invitationRevoke},
		{"POST", "/settings/tokens", session, attest.ManageOrg, s.tokenCreate},
		{"POST", "/settings/tokens/{id}/revoke", session, attest.ManageOrg, s.tokenRevoke},
		{"GET", "/audit", session, attest.ReadAuditLog, s.auditPage},

		{"GET", "/policies", session, attest.ReadPolicies, s.policiesPage},
		{"POST", "/policies", session, attest.EditPolicies, s.policyAdopt},
		{"GET", "/policies/acknowledgements.csv", session, attest.ReadData, s.policyAcksCSV},
		{"GET", "/policies/export", session, attest.ReadData, s.policyExport},
		{"GET", "/policies/{id}", session, attest.ReadPolicies, s.policyPage},
		{"GET", "/policies/{id}/edit", session, attest.EditPolicies, s.policyEditPage},
		{"POST", "/policies/{id}/edit", session, attest.EditPolicies, s.policySave},
		{"POST", "/policies/{id}/preview", session, attest.EditPolicies, s.policyPreview},
		{"GET", "/policies/{id}/diff", session, attest.ReadData, s.policyDiff},
		{"POST", "/policies/{id}/approvers", session, attest.EditPolicies, s.policyApprovers},
		{"POST", "/policies/{id}/decide", session, attest.ReadPolicies, s.policyDecide},
		{"POST", "/policies/{id}/publish", session, attest.EditPolicies, s.policyPublish},
		{"POST", "/policies/{id}/review", session, attest.EditPolicies, s.policyReview},
		{"POST", "/policies/{id}/acknowledge", session, attest.AcknowledgePolicy, s.policyAcknowledge},
		{"GET", "/policies/{id}/acknowledgements.csv", session, attest.ReadData, s.policyAcksCSV},
		{"GET", "/policies/{id}/export", session, attest.ReadData, s.policyExport},
	}
}

// dashboard is the home page: readiness of the current engagement, its
// trend, gaps, the user's tasks and key dates. Organizations without an
// engagement go to the first-run wizard.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	pending, err := s.svc.PendingAcknowledgements(ctx, p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	if !p.Can(attest.ReadData, s.Now()) {
		return s.render(w, r, http.StatusOK, "home", &view{Title: "Home", Nav: "home", Data: map[string]any{"Pending": pending}})
	}
	e, err := s.currentEngagement(r)
	if attest.ErrorCode(err) == attest.ENOTFOUND && p.Can(attest.ManageOrg, s.Now()) {
		return redirect(w, r, "/setup", "")
	}
	if err != nil {
		return err
	}
	rd, snaps, err := s.svc.ReadinessAndScores(ctx, p.OrgID, e)
	if err != nil {
		return err
	}
	mine, err := s.svc.FindTasks(ctx, p.OrgID, attest.TaskFilter{Owner: p.Name, Open: true, Limit: 20})
	if err != nil {
		return err
	}
	// The page lists the first gaps of each kind and counts the rest: an
	// organization can have thousands of overdue tasks.
	const perKind = 8
	counts := map[string]int{}
	var gaps []attest.GapItem
	for _, g := range rd.Gaps {
		counts[g.Kind]++
		if counts[g.Kind] <= perKind {
			gaps = append(gaps, g)
		}
	}
	today := attest.DateOf(s.Now())
	policies, err := s.svc.FindPolicies(ctx, p.OrgID)
	if err != nil {
		return err
	}
	var reviews []policyRow // reviews due within 30 days or overdue
	for _, pol := range policies {
		if st := reviewState(pol, today); st != "" {
			reviews = append(reviews, policyRow{Policy: pol, Review: st})
		}
	}
	if len(snaps) > 730 {
		snaps = snaps[len(snaps)-730:]
	}
	return s.render(w, r, http.StatusOK, "dashboard", &view{Title: "Dashboard", Nav: "dashboard", Data: map[string]any{
		"Engagement": e, "Readiness": rd, "Snapshots": snaps, "MyTasks": mine, "Overdue": counts["overdue_task"], "Today": today,
		"Gaps": gaps, "GapCounts": counts, "Pending": pending, "Reviews": reviews,
	}})
}

// currentEngagement is the newest engagement the principal may see.
func (s *Server) currentEngagement(r *http.Request) (*attest.Engagement, error) {
	p := principalFrom(r.Context())
	if p.Role == attest.RoleAuditor {
		if n := len(p.Engagements); n > 0 { // the newest granted
			return s.svc.FindEngagementByID(r.Context(), p.OrgID, p.Engagements[n-1])
		}
		return nil, attest.Errorf(attest.ENOTFOUND, "no engagement has been shared with you yet")
	}
	return s.svc.CurrentEngagement(r.Context(), p.OrgID)
}

// engagementFor loads an engagement the principal may see, or ENOTFOUND.
func (s *Server) engagementFor(r *http.Request, id int64) (*attest.Engagement, error) {
	p := principalFrom(r.Context())
	if !p.SeesEngagement(id) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no engagement %d", id)
	}
	return s.svc.FindEngagementByID(r.Context(), p.OrgID, id)
}
