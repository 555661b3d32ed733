package web

import (
	"net/http"
	"strconv"

	"github.com/attest-dev/attest"
)

// uiRoutes is the route table of the pages.
func (s *Server) uiRoutes() []route {
	return []route{
		{"GET", "/signin", public, "", s.signInPage, false},
		{"POST", "/signin", public, "", s.signIn, false},
		{"GET", "/signin/mfa", public, "", s.mfaPage, false},
		{"POST", "/signin/mfa", public, "", s.signInMFA, false},
		{"GET", "/sso", public, "", s.ssoStart, false},
		{"GET", "/sso/callback", public, "", s.ssoCallback, false},
		{"GET", "/invite/{secret}", public, "", s.invitePage, false},
		{"POST", "/invite/{secret}", public, "", s.acceptInvite, false},
		{"POST", "/signout", public, "", s.signOut, false},
		{"GET", "/account/mfa", session, "", s.mfaSetupPage, false},
		{"POST", "/account/mfa", session, "", s.mfaSetup, false},
		{"POST", "/account/mfa/disable", session, "", s.mfaDisable, false},
		{"POST", "/account/notifications", session, "", s.accountNotifications, false},
		{"POST", "/account/password", session, "", s.accountPassword, false},

		{"GET", "/{$}", session, "", s.dashboard, false},
		{"GET", "/setup", session, attest.ManageOrg, s.setupPage, false},
		{"POST", "/setup", session, attest.ManageOrg, s.setup, false},
		{"GET", "/criteria", session, attest.ReadData, s.criteriaPage, false},
		{"GET", "/criteria/{id}", session, attest.ReadData, s.criterionPage, false},
		{"GET", "/controls", session, attest.ReadData, s.controlsPage, false},
		{"GET", "/controls.csv", session, attest.ReadData, s.controlsCSV, false},
		{"POST", "/controls/bulk", session, attest.EditReadiness, s.controlsBulk, false},
		{"GET", "/controls/{id}", session, attest.ReadData, s.controlPage, false},
		{"POST", "/controls/{id}", session, attest.EditOwnControl, s.controlUpdate, false},
		{"GET", "/evidence", session, attest.ReadData, s.evidencePage, false},
		{"GET", "/evidence.csv", session, attest.ReadData, s.evidenceCSV, false},
		{"POST", "/evidence", session, attest.EditOwnControl, s.evidenceCreate, true},
		{"POST", "/evidence/slots", session, attest.EditOwnControl, s.slotNotApplicable, false},
		{"GET", "/evidence/{id}", session, attest.ReadData, s.evidenceItemPage, false},
		{"GET", "/evidence/{id}/download", session, attest.ReadData, s.evidenceDownload, false},
		{"GET", "/tasks", session, attest.ReadData, s.tasksPage, false},
		{"GET", "/tasks.csv", session, attest.ReadData, s.tasksCSV, false},
		{"POST", "/tasks", session, attest.EditOwnControl, s.taskCreate, false},
		{"GET", "/tasks/{id}", session, attest.ReadData, s.taskPage, false},
		{"POST", "/tasks/{id}", session, attest.EditOwnControl, s.taskUpdate, false},
		{"GET", "/engagements", session, attest.ReadData, s.engagementsPage, false},
		{"GET", "/engagements/new", session, attest.EditReadiness, s.engagementNewPage, false},
		{"POST", "/engagements", session, attest.EditReadiness, s.engagementCreate, false},
		{"POST", "/engagements/current", session, attest.EditReadiness, s.engagementUse, false},
		{"POST", "/engagements/{id}/archive", session, attest.EditReadiness, s.engagementArchive, false},
		{"POST", "/tasks/{id}/edit", session, attest.EditOwnControl, s.taskEdit, false},
		{"GET", "/engagements/{id}", session, attest.ReadData, s.engagementPage, false},
		{"POST", "/engagements/{id}", session, attest.EditReadiness, s.engagementUpdate, false},
		{"POST", "/engagements/{id}/systems", session, attest.EditReadiness, s.systemAdd, false},
		{"POST", "/engagements/{id}/systems/{system}/delete", session, attest.EditReadiness, s.systemRemove, false},
		{"POST", "/engagements/{id}/systems/{system}/owner", session, attest.EditReadiness, s.systemOwnerChange, false},
		{"GET", "/settings", session, attest.ManageOrg, s.settingsPage, false},
		{"POST", "/settings/organization", session, attest.ManageOrg, s.settingsOrganization, false},
		{"POST", "/settings/security", session, attest.ManageOrg, s.settingsSecurity, false},
		{"POST", "/settings/domains", session, attest.ManageOrg, s.domainClaim, false},
		{"POST", "/settings/domains/{domain}/verify", session, attest.ManageOrg, s.domainVerify, false},
		{"POST", "/settings/domains/{domain}/delete", session, attest.ManageOrg, s.domainDelete, false},
		{"POST", "/settings/users/{id}", session, attest.ManageOrg, s.settingsUser, false},
		{"POST", "/settings/invitations", session, attest.ManageOrg, s.invitationCreate, false},
		{"POST", "/settings/invitations/{id}/revoke", session, attest.ManageOrg, s.invitationRevoke, false},
		{"POST", "/settings/tokens", session, attest.ManageOrg, s.tokenCreate, false},
		{"POST", "/settings/tokens/{id}/revoke", session, attest.ManageOrg, s.tokenRevoke, false},
		{"POST", "/settings/webhooks", session, attest.ManageOrg, s.webhookCreate, false},
		{"POST", "/settings/webhooks/{id}/delete", session, attest.ManageOrg, s.webhookDelete, false},
		{"GET", "/engagements/{id}/package", session, attest.DownloadPackage, s.engagementPackage, false},
		{"GET", "/audit", session, attest.ReadAuditLog, s.auditPage, false},

		{"GET", "/policies", session, attest.ReadPolicies, s.policiesPage, false},
		{"POST", "/policies", session, attest.EditPolicies, s.policyAdopt, false},
		{"GET", "/policies/acknowledgements.csv", session, attest.ReadData, s.policyAcksCSV, false},
		{"GET", "/policies/export", session, attest.ReadData, s.policyExport, false},
		{"GET", "/policies/{id}", session, attest.ReadPolicies, s.policyPage, false},
		{"GET", "/policies/{id}/edit", session, attest.EditPolicies, s.policyEditPage, false},
		{"POST", "/policies/{id}/edit", session, attest.EditPolicies, s.policySave, false},
		{"POST", "/policies/{id}/preview", session, attest.EditPolicies, s.policyPreview, false},
		{"GET", "/policies/{id}/diff", session, attest.ReadData, s.policyDiff, false},
		{"POST", "/policies/{id}/approvers", session, attest.EditPolicies, s.policyApprovers, false},
		{"POST", "/policies/{id}/decide", session, attest.ReadPolicies, s.policyDecide, false},
		{"POST", "/policies/{id}/submit", session, attest.EditPolicies, s.policySubmit, false},
		{"POST", "/policies/{id}/owner", session, attest.EditPolicies, s.policyOwner, false},
		{"POST", "/policies/{id}/publish", session, attest.EditPolicies, s.policyPublish, false},
		{"POST", "/policies/{id}/review", session, attest.EditPolicies, s.policyReview, false},
		{"POST", "/policies/{id}/acknowledge", session, attest.AcknowledgePolicy, s.policyAcknowledge, false},
		{"GET", "/policies/{id}/acknowledgements.csv", session, attest.ReadData, s.policyAcksCSV, false},
		{"GET", "/policies/{id}/export", session, attest.ReadData, s.policyExport, false},
	}
}

// dashboard is the home page: readiness of the current engagement, its
// trend, gaps, the user's tasks and key dates. Organizations without an
// engagement go to the first-run wizard.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	standings, err := s.svc.PolicyStandings(ctx, p.OrgID)
	if err != nil {
		return err
	}
	pending := attest.PendingFor(p.UserID, standings)
	// Versions waiting for this approver's decision come first on either
	// home page.
	approvals, err := s.svc.FindApprovalRequests(ctx, p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	if !p.Can(attest.ReadData, s.Now()) {
		return s.render(w, r, http.StatusOK, "home", &view{Title: "Home", Nav: "home", Data: map[string]any{"Pending": pending, "Approvals": approvals}})
	}
	if p.Role == attest.RoleAuditor {
		if shown, err := s.auditorHome(w, r); shown || err != nil {
			return err
		}
	}
	// Those who may switch engagements see the list of them: the current
	// one is found in it, one query for both.
	var e *attest.Engagement
	var active []*attest.Engagement
	if p.Can(attest.EditReadiness, s.Now()) && p.Role != attest.RoleAuditor {
		es, ferr := s.visibleEngagements(r)
		if ferr != nil {
			return ferr
		}
		for _, x := range es {
			if !x.Archived() {
				active = append(active, x)
			}
			if x.Current {
				e = x
			}
		}
		if e == nil {
			err = attest.Errorf(attest.ENOTFOUND, "the organization has no current engagement")
		}
	} else {
		e, err = s.currentEngagement(r)
	}
	if attest.ErrorCode(err) == attest.ENOTFOUND && p.Role != attest.RoleAuditor {
		// Without a current engagement: the first-run wizard when there is
		// none at all, else the list to choose or restore one from.
		visible, ferr := s.visibleEngagements(r)
		switch {
		case ferr != nil:
			return ferr
		case len(visible) > 0:
			return redirect(w, r, "/engagements", "No engagement is current: make one current, restore an archived one or create one.")
		case p.Can(attest.ManageOrg, s.Now()):
			return redirect(w, r, "/setup", "")
		}
	}
	if err != nil {
		return err
	}
	rd, snaps, err := s.svc.ReadinessAndScores(ctx, p.OrgID, e)
	if err != nil {
		return err
	}
	var mine []*attest.Task
	if p.UserID != 0 { // "my tasks" are those the member owns by ID
		if mine, err = s.svc.FindOpenTasksOf(ctx, p.OrgID, p.UserID, 20); err != nil {
			return err
		}
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
	var reviews []policyRow // reviews due within 30 days or overdue: published policies only
	for _, st := range standings {
		if r := reviewState(st.Policy, today); r != "" {
			reviews = append(reviews, policyRow{Policy: st.Policy, Review: r})
		}
	}
	// A category's evidence is its criteria's slots added up: a control
	// serving two criteria counts twice, as it is tested for both.
	byCat := map[string]attest.Coverage{}
	for _, cr := range rd.Criteria {
		c := byCat[cr.Category]
		c.Due, c.Covered, c.Total = c.Due+cr.Coverage.Due, c.Covered+cr.Coverage.Covered, c.Total+cr.Coverage.Total
		byCat[cr.Category] = c
	}
	catCoverage := make(map[string]float64, len(byCat))
	for id, c := range byCat {
		catCoverage[id] = c.Percent()
	}
	if len(snaps) > 730 {
		snaps = snaps[len(snaps)-730:]
	}
	return s.render(w, r, http.StatusOK, "dashboard", &view{Title: "Dashboard", Nav: "dashboard", Data: map[string]any{
		"Engagement": e, "Readiness": rd, "Snapshots": snaps, "MyTasks": mine, "Overdue": counts["overdue_task"], "Today": today,
		"GapItems": gapItems(gaps), "GapCounts": counts, "Pending": pending, "Approvals": approvals, "Reviews": reviews, "CategoryRows": categoryRows(rd.Categories, catCoverage), "Active": active,
		"FailingChecks": s.failingChecks(ctx, p.OrgID),
	}})
}

// currentEngagement is the engagement the organization chose as current;
// for an auditor, the newest engagement granted to them.
func (s *Server) currentEngagement(r *http.Request) (*attest.Engagement, error) {
	p := principalFrom(r.Context())
	if p.Role == attest.RoleAuditor {
		if id, err := strconv.ParseInt(r.URL.Query().Get("engagement"), 10, 64); err == nil && p.SeesEngagement(id) {
			return s.svc.FindEngagementByID(r.Context(), p.OrgID, id)
		}
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
