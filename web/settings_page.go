package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// settingsPage shows users, invitations, API tokens and security settings.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSettings(w, r, http.StatusOK, nil)
}

// renderSettings renders the settings page; forms holds the forms (by
// name: "security", "domain") that refused what was typed, shown again as
// typed with the reasons beside their fields.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, forms map[string]*form) error {
	ctx := r.Context()
	org := orgID(r)
	users, err := s.svc.FindUsers(ctx, org)
	if err != nil {
		return err
	}
	invs, err := s.svc.FindInvitations(ctx, org)
	if err != nil {
		return err
	}
	tokens, err := s.svc.FindTokens(ctx, org)
	if err != nil {
		return err
	}
	st, err := s.svc.FindSettings(ctx, org)
	if err != nil {
		return err
	}
	engs, err := s.svc.FindEngagements(ctx, org)
	if err != nil {
		return err
	}
	// Each auditor's form shows the engagements granted, so saving the
	// form keeps them.
	grants := map[int64]map[int64]bool{}
	for _, u := range users {
		if u.Role != attest.RoleAuditor {
			continue
		}
		ids, err := s.svc.FindAuditorGrants(ctx, org, u.ID)
		if err != nil {
			return err
		}
		grants[u.ID] = map[int64]bool{}
		for _, id := range ids {
			grants[u.ID][id] = true
		}
	}
	hooks, err := s.svc.FindWebhooks(ctx, org)
	if err != nil {
		return err
	}
	failed, err := s.failedDeliveries(ctx, org)
	if err != nil {
		return err
	}
	fp, err := s.signingFingerprint(ctx, org)
	if err != nil {
		return err
	}
	claims, err := s.svc.FindDomainClaims(ctx, org)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "settings", &view{Title: "Settings", Nav: "settings", Data: map[string]any{
		"Claims": claims, "SecurityForm": forms["security"], "DomainForm": forms["domain"],
		"Webhooks": hooks, "Failed": failed, "Events": attest.NotificationEvents,
		"Users": users, "Invitations": invs, "Tokens": tokens, "Settings": st, "Roles": attest.Roles, "TokenRoles": attest.TokenRoles, "Engagements": engs, "Grants": grants,
		"Now": s.Now(), "CallbackURL": s.ssoRedirectURL(r), "Fingerprint": fp,
	}})
}

func (s *Server) settingsOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.RenameOrganization(r.Context(), orgID(r), strings.TrimSpace(r.PostFormValue("name"))); err != nil {
		return err
	}
	return redirect(w, r, "/settings", "Organization renamed.")
}

// settingsSecurity saves MFA enforcement and SSO. An empty client secret
// keeps the stored one; a new one is sealed before it is stored. A mistake
// shows the form again as typed (the secret aside), the reason beside the
// field.
func (s *Server) settingsSecurity(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := s.svc.FindSettings(ctx, orgID(r))
	if err != nil {
		return err
	}
	err = s.securityFromForm(r, st)
	if err == nil {
		err = s.svc.UpdateSettings(ctx, orgID(r), st)
	}
	if f := newForm(r.PostForm); f.refuse(err, securityFields...) {
		f.Values.Del("oidc_client_secret")
		f.Values.Set("submitted", "1")
		return s.renderSettings(w, r, refusedStatus, map[string]*form{"security": f})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/settings", "Security settings saved.")
}

// securityFields are the fields of the security form.
var securityFields = []string{"require_mfa", "oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_domain", "oidc_default_role", "ack_share_percent", "ack_due_days"}

// securityFromForm copies the security form into st; errors name a field.
func (s *Server) securityFromForm(r *http.Request, st *attest.Settings) error {
	ctx := r.Context()
	st.RequireMFA = r.PostFormValue("require_mfa") == "on"
	st.OIDCIssuer = r.PostFormValue("oidc_issuer")
	if err := s.checkTarget(ctx, "The identity provider's issuer URL", st.OIDCIssuer); err != nil {
		return attest.FieldErrorf("oidc_issuer", "%s", attest.ErrorMessage(err))
	}
	st.OIDCClient = strings.TrimSpace(r.PostFormValue("oidc_client_id"))
	st.OIDCDomain = r.PostFormValue("oidc_domain")
	st.OIDCDefaultRole = r.PostFormValue("oidc_default_role")
	for _, name := range []string{"ack_share_percent", "ack_due_days"} {
		dst := &st.AckSharePercent
		if name == "ack_due_days" {
			dst = &st.AckDueDays
		}
		if v := strings.TrimSpace(r.PostFormValue(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return attest.FieldErrorf(name, "%s must be a whole number", strings.ReplaceAll(name, "_", " "))
			}
			*dst = n
		}
	}
	if secret := r.PostFormValue("oidc_client_secret"); secret != "" {
		sealed, err := s.box.Seal(secret, oidcPurpose(orgID(r)))
		if err != nil {
			return err
		}
		st.OIDCSecret = sealed
	}
	return nil
}

func oidcPurpose(orgID int64) string { return "oidc-secret:" + strconv.FormatInt(orgID, 10) }

// settingsUser changes a user's role, active flag, access expiry or grants.
func (s *Server) settingsUser(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	role := r.PostFormValue("role")
	active := r.PostFormValue("active") == "on"
	if id == p.UserID && (!active || role != p.Role) {
		return attest.Errorf(attest.EINVALID, "you cannot deactivate yourself or change your own role")
	}
	grants, expires, err := auditorAccess(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.UpdateUser(ctx, p.OrgID, id, attest.UserUpdate{Role: &role, Active: &active, AccessExpires: &expires}); err != nil {
		return err
	}
	if role == attest.RoleAuditor {
		if err := s.svc.SetAuditorGrants(ctx, p.OrgID, id, grants); err != nil {
			return err
		}
	}
	return redirect(w, r, "/settings", "User saved.")
}

// auditorAccess reads the engagements ticked and the access end date of a
// user's or an invitation's form.
func auditorAccess(r *http.Request) ([]int64, *time.Time, error) {
	var grants []int64
	for _, v := range r.PostForm["engagements"] {
		e, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, nil, attest.Errorf(attest.EINVALID, "unknown engagement %q", v)
		}
		grants = append(grants, e)
	}
	var expires *time.Time
	if v := strings.TrimSpace(r.PostFormValue("access_expires")); v != "" {
		d, err := attest.ParseDate(v)
		if err != nil {
			return nil, nil, formError("access expires", err)
		}
		t := d.Time()
		expires = &t
	}
	return grants, expires, nil
}

// invitationCreate makes an invitation link, shown once on the settings page.
func (s *Server) invitationCreate(w http.ResponseWriter, r *http.Request) error {
	inv := &attest.Invitation{OrgID: orgID(r), Email: r.PostFormValue("email"), Role: r.PostFormValue("role")}
	if v := strings.TrimSpace(r.PostFormValue("days")); v != "" {
		days, err := strconv.Atoi(v)
		if err != nil || days < 1 || days > 30 {
			return attest.Errorf(attest.EINVALID, "an invitation lasts 1 to 30 days")
		}
		inv.ExpiresAt = s.Now().Add(time.Duration(days) * 24 * time.Hour)
	}
	if inv.Role == attest.RoleAuditor {
		grants, expires, err := auditorAccess(r)
		if err != nil {
			return err
		}
		inv.Engagements, inv.AccessExpires = grants, expires
	}
	secret, err := s.svc.CreateInvitation(r.Context(), inv)
	if err != nil {
		return err
	}
	link := "/invite/" + secret
	what := "Invitation link for " + inv.Email + " (" + inv.Role + "), valid until " + inv.ExpiresAt.Format("2006-01-02 15:04 MST")
	if n := len(inv.Engagements); n > 0 {
		what += fmt.Sprintf("; grants %d engagement(s)", n)
	}
	if inv.AccessExpires != nil {
		what += "; access ends " + inv.AccessExpires.Format("2006-01-02")
	}
	return s.render(w, r, http.StatusOK, "secret", &view{Title: "Invitation link", Nav: "settings", Data: map[string]any{
		"What":   what,
		"Secret": link, "Link": true,
	}})
}

func (s *Server) invitationRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeInvitation(r.Context(), orgID(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/settings", "Invitation revoked.")
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	t := &attest.Token{OrgID: orgID(r), Name: r.PostFormValue("name"), Role: r.PostFormValue("role"), CreatedBy: principalFrom(r.Context()).UserID}
	secret, err := s.svc.CreateToken(r.Context(), t)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "secret", &view{Title: "API token", Nav: "settings", Data: map[string]any{
		"What": "API token " + t.Name + " (" + t.Role + ")", "Secret": secret,
	}})
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeToken(r.Context(), orgID(r), id); err != nil {
		return err
	}
	return redirect(w, r, "/settings", "Token revoked.")
}

// auditRow is an audit entry with the fields its change touched: the
// first shownChanges, and More behind a click. A creation shows the values
// set, a removal the values there were.
type auditRow struct {
	*attest.AuditEntry
	Changes, More    []attest.FieldChange
	Created, Removed bool
}

// shownChanges is how many changed fields an entry shows before "more".
const shownChanges = 6

// emptyJSON reports whether an entry's side holds nothing.
func emptyJSON(raw []byte) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// auditPage browses the audit log with filters, a hundred entries a page,
// each entry shown as the fields it changed.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := attest.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Limit: 100}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "before must be a number")
		}
		f.BeforeSeq = n
	}
	if p := principalFrom(r.Context()); p.Role == attest.RoleAuditor {
		// An auditor reads the entries about the engagements granted to
		// them and about the whole organization, a full page at a time.
		f.Scoped, f.Engagements = true, p.Engagements
	}
	entries, err := s.svc.FindAuditLog(r.Context(), orgID(r), f)
	if err != nil {
		return err
	}
	var next string
	if len(entries) == f.Limit {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		v.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		next = "/audit?" + v.Encode()
	}
	dir, err := s.directory(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	actors := map[string]actorView{} // people by name; the log keeps what it recorded
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		actors[e.Actor] = dir.actor(e.Actor)
		row := auditRow{AuditEntry: e, Changes: attest.AuditChanges(e.Before, e.After), Created: emptyJSON(e.Before), Removed: emptyJSON(e.After)}
		if len(row.Changes) > shownChanges {
			row.Changes, row.More = row.Changes[:shownChanges], row.Changes[shownChanges:]
		}
		rows[i] = row
	}
	return s.render(w, r, http.StatusOK, "audit", &view{Title: "Audit log", Nav: "audit", Data: map[string]any{"Entries": rows, "Filter": f, "Next": next,
		"Paged": q.Get("before") != "", "Actors": actors}})
}
