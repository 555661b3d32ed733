package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// mscope says whose object a matrix case names, relative to the principal.
type mscope int

const (
	// scopeOwn: an object of the principal's organization.
	scopeOwn mscope = iota
	// scopeUnowned: an object of the organization that A's control owner does
	// not own.
	scopeUnowned
	// scopeUngranted: an engagement of the organization not granted to A's
	// auditor.
	scopeUngranted
	// scopeOther: an object of another organization.
	scopeOther
)

// mcase is one request of the authorization matrix. Paths and forms hold
// placeholders filled from the organization the scope names (see uiEnv.ids),
// plus {sealed} (an enrolment form value for the principal), {self} (the
// principal's email), and {fresh} (an object made for this request).
type mcase struct {
	scope      mscope
	path, form string
	// fresh names the kind of object {fresh} is: "system", "invitation" or
	// "token", made anew before each request because the request uses it up.
	fresh string
	// status and anon are what signed-in and anonymous callers get from a
	// public route.
	status, anon int
	// deny is the status of another organization's object for a role that
	// may act on its own (404 when 0); ownerFirst says the handler checks a
	// control owner's ownership before it looks the object up (so they get
	// 403 instead).
	deny       int
	ownerFirst bool
	// alone runs the case on a session of its own (it ends the session).
	alone bool
	// loc is where an allowed redirect must go; any place but sign-in when "".
	loc string
	// invalid is what an allowed caller gets when the case's form is one
	// the handler refuses (0: the request succeeds).
	invalid int
}

const engagementForm = "name=Matrix+audit&report_type=type1&as_of_date=2026-09-30"

// matrix holds the cases of every page and public route of the route table.
// A route without an entry fails TestAuthorizationMatrix.
var matrix = map[string][]mcase{
	"GET /signin":           {{path: "/signin", status: 303, anon: 200}},
	"POST /signin":          {{path: "/signin", status: 400, anon: 400}},
	"GET /signin/mfa":       {{path: "/signin/mfa", status: 303, anon: 303}},
	"POST /signin/mfa":      {{path: "/signin/mfa", status: 303, anon: 303}},
	"GET /sso":              {{path: "/sso", status: 400, anon: 400}},
	"GET /sso/callback":     {{path: "/sso/callback?state=x&code=y", status: 403, anon: 403}},
	"GET /invite/{secret}":  {{path: "/invite/{invite}", status: 200, anon: 200}},
	"POST /invite/{secret}": {{path: "/invite/{invite}", form: "name=X&password=aaaaaaaaaaaaaa&password2=bbbbbbbbbbbbbb", status: 400, anon: 400}},
	"GET /healthz":          {{path: "/healthz", status: 200, anon: 200}},
	"GET /static/{file}":    {{path: "{asset}", status: 200, anon: 200}},

	"POST /signout":             {{path: "/signout", alone: true, loc: "/signin"}},
	"GET /account/mfa":          {{path: "/account/mfa"}},
	"POST /account/mfa":         {{path: "/account/mfa", form: "sealed={sealed}&code=000000x", loc: "/account/mfa"}},
	"POST /account/mfa/disable": {{path: "/account/mfa/disable", form: "code=123456", loc: "/account/mfa"}},
	"GET /{$}":                  {{path: "/"}},
	"GET /setup":                {{path: "/setup"}},
	"POST /setup":               {{path: "/setup", form: engagementForm, loc: "/engagements"}},
	"GET /criteria":             {{path: "/criteria"}},
	"GET /criteria/{id}":        {{path: "/criteria/CC1.1"}},
	"GET /controls":             {{path: "/controls"}},
	"GET /controls.csv":         {{path: "/controls.csv"}},
	"GET /tasks.csv":            {{path: "/tasks.csv"}},
	"GET /controls/{id}":        {{path: "/controls/{owned}"}, {scope: scopeOther, path: "/controls/{control}"}},
	"POST /controls/bulk": {
		{path: "/controls/bulk", form: "id={unowned}&status=in_progress&query=status%3Dimplemented", loc: "/controls?status=implemented"},
	},
	"POST /controls/{id}": {
		{path: "/controls/{owned}", form: "status=in_progress&owner={ownedBy}", loc: "/controls/GOV-01"},
		{scope: scopeUnowned, path: "/controls/{unowned}", form: "status=in_progress"},
		{scope: scopeOther, path: "/controls/{control}", form: "status=in_progress"},
	},
	"GET /evidence": {
		{path: "/evidence"},
		{path: "/evidence?mine=1&state=missing"},
		{scope: scopeUngranted, path: "/evidence?engagement={eng2}"},
		{scope: scopeOther, path: "/evidence?engagement={eng}"},
	},
	"GET /evidence.csv": {
		{path: "/evidence.csv?state=missing"},
		{scope: scopeUngranted, path: "/evidence.csv?engagement={eng2}"},
		{scope: scopeOther, path: "/evidence.csv?engagement={eng}"},
	},
	"POST /evidence": {
		{path: "/evidence", form: matrixEvidenceForm("{owned}"), loc: "/controls/GOV-01"},
		{scope: scopeUnowned, path: "/evidence", form: matrixEvidenceForm("{unowned}")},
		{scope: scopeOther, path: "/evidence", form: matrixEvidenceForm("{control}")},
	},
	"POST /evidence/slots": {
		{path: "/evidence/slots", form: matrixSlotForm("{owned}"), loc: "/controls/GOV-01"},
		{scope: scopeUnowned, path: "/evidence/slots", form: matrixSlotForm("{unowned}")},
		{scope: scopeOther, path: "/evidence/slots", form: matrixSlotForm("{owned}")},
	},
	"GET /evidence/{id}": {
		{path: "/evidence/{evidence}"},
		{scope: scopeUngranted, path: "/evidence/{evidence2}"},
		{scope: scopeOther, path: "/evidence/{evidence}"},
	},
	"GET /evidence/{id}/download": {
		{path: "/evidence/{evidence}/download"},
		{scope: scopeUngranted, path: "/evidence/{evidence2}/download"},
		{scope: scopeOther, path: "/evidence/{evidence}/download"},
	},
	"GET /tasks": {{path: "/tasks"}},
	"POST /tasks": {
		{path: "/tasks", form: "title=Matrix+task&control_id={owned}&owner={ownedBy}", loc: "/controls/GOV-01"},
		// Assigning oneself a task does not make another's control one's own.
		{scope: scopeUnowned, path: "/tasks", form: "title=Matrix+task&control_id={unowned}&owner={self}"},
		{scope: scopeOther, path: "/tasks", form: "title=Matrix+task&control_id={control}", deny: 400, ownerFirst: true},
	},
	"GET /tasks/{id}": {{path: "/tasks/{task}"}, {scope: scopeOther, path: "/tasks/{task}"}},
	"POST /tasks/{id}/edit": {
		{path: "/tasks/{task}/edit", form: "title=Matrix+edit&control_id={owned}&owner={ownedBy}", loc: "/tasks/{task}"},
		{scope: scopeUnowned, path: "/tasks/{task2}/edit", form: "title=Matrix+edit"},
		{scope: scopeOther, path: "/tasks/{task}/edit", form: "title=Matrix+edit"},
	},
	"POST /tasks/{id}": {
		{path: "/tasks/{task}", form: "status=in_progress&back=/tasks", loc: "/tasks"},
		{scope: scopeUnowned, path: "/tasks/{task2}", form: "status=in_progress"},
		{scope: scopeOther, path: "/tasks/{task}", form: "status=in_progress"},
	},
	"GET /engagements":     {{path: "/engagements"}},
	"GET /engagements/new": {{path: "/engagements/new"}},
	"POST /engagements":    {{path: "/engagements", form: engagementForm}},
	"POST /engagements/current": {
		{path: "/engagements/current", form: "engagement_id={eng}&back=/engagements", loc: "/engagements"},
		{scope: scopeOther, path: "/engagements/current", form: "engagement_id={eng}"},
	},
	"POST /engagements/{id}/archive": {
		{path: "/engagements/{eng2}/archive", form: "archived=0", loc: "/engagements"},
		{scope: scopeOther, path: "/engagements/{eng}/archive", form: "archived=1"},
	},
	"GET /engagements/{id}": {
		{path: "/engagements/{eng}"},
		{scope: scopeUngranted, path: "/engagements/{eng2}"},
		{scope: scopeOther, path: "/engagements/{eng}"},
	},
	"POST /engagements/{id}": {
		{path: "/engagements/{eng2}", form: engagementForm, loc: "/engagements/{eng2}"},
		{scope: scopeOther, path: "/engagements/{eng}", form: engagementForm},
	},
	"POST /engagements/{id}/systems": {
		{path: "/engagements/{eng}/systems", form: "name=Matrix+system", loc: "/engagements/{eng}"},
		{scope: scopeOther, path: "/engagements/{eng}/systems", form: "name=Matrix+system"},
	},
	"POST /engagements/{id}/systems/{system}/owner": {
		{path: "/engagements/{eng}/systems/{fresh}/owner", fresh: "system", form: "owner=", loc: "/engagements/{eng}"},
		{scope: scopeOther, path: "/engagements/{eng}/systems/{system}/owner", form: "owner="},
	},
	"POST /engagements/{id}/systems/{system}/delete": {
		{path: "/engagements/{eng}/systems/{fresh}/delete", fresh: "system", loc: "/engagements/{eng}"},
		{scope: scopeOther, path: "/engagements/{eng}/systems/{system}/delete"},
	},
	"GET /settings":               {{path: "/settings"}},
	"POST /settings/organization": {{path: "/settings/organization", form: "name={orgName}", loc: "/settings"}},
	"POST /settings/security":     {{path: "/settings/security", form: "oidc_default_role=employee", loc: "/settings"}},
	"POST /settings/domains":      {{path: "/settings/domains", form: "domain=matrix.example", loc: "/settings#domains"}},
	"POST /settings/domains/{domain}/verify": {
		// No TXT record is published in tests: an allowed caller is told so.
		{path: "/settings/domains/{fresh}/verify", fresh: "domain", invalid: 422},
		{scope: scopeOther, path: "/settings/domains/{fresh}/verify", fresh: "domain"},
	},
	"POST /settings/domains/{domain}/delete": {
		{path: "/settings/domains/{fresh}/delete", fresh: "domain", loc: "/settings#domains"},
		{scope: scopeOther, path: "/settings/domains/{fresh}/delete", fresh: "domain"},
	},
	"POST /settings/users/{id}": {
		{path: "/settings/users/{user}", form: "role=viewer&active=on", loc: "/settings"},
		{scope: scopeOther, path: "/settings/users/{user}", form: "role=viewer&active=on"},
	},
	"POST /settings/invitations": {{path: "/settings/invitations", form: "email=new@matrix.example&role=viewer&days=7"}},
	"POST /settings/invitations/{id}/revoke": {
		{path: "/settings/invitations/{fresh}/revoke", fresh: "invitation", loc: "/settings"},
		{scope: scopeOther, path: "/settings/invitations/{fresh}/revoke", fresh: "invitation"},
	},
	"POST /settings/tokens": {{path: "/settings/tokens", form: "name=matrix&role=viewer"}},
	"POST /settings/tokens/{id}/revoke": {
		{path: "/settings/tokens/{fresh}/revoke", fresh: "token", loc: "/settings"},
		{scope: scopeOther, path: "/settings/tokens/{fresh}/revoke", fresh: "token"},
	},
	"GET /audit": {{path: "/audit"}},

	"POST /account/notifications": {{path: "/account/notifications", form: "event=evidence.due", loc: "/account/mfa"}},
	// A change would end the principal's other sessions; a wrong current
	// password shows that the route admits every signed-in person.
	"POST /account/password":  {{path: "/account/password", form: "current=wrong&password=matrix-password-1&password2=matrix-password-1", invalid: 400}},
	"POST /settings/webhooks": {{path: "/settings/webhooks", form: "url=https%3A%2F%2Fhooks.example%2Fx&format=json", loc: "/settings"}},
	"POST /settings/webhooks/{id}/delete": {
		{path: "/settings/webhooks/{fresh}/delete", fresh: "webhook", loc: "/settings"},
		{scope: scopeOther, path: "/settings/webhooks/{fresh}/delete", fresh: "webhook"},
	},
	"GET /engagements/{id}/package": {
		{path: "/engagements/{eng}/package"},
		{scope: scopeUngranted, path: "/engagements/{eng2}/package"},
		{scope: scopeOther, path: "/engagements/{eng}/package"},
	},

	"GET /policies":                      {{path: "/policies"}},
	"POST /policies":                     {{path: "/policies", form: "template=backup&owner={self}"}},
	"GET /policies/acknowledgements.csv": {{path: "/policies/acknowledgements.csv"}},
	"GET /policies/export":               {{path: "/policies/export?format=html"}},
	"GET /policies/{id}": {
		{path: "/policies/{policy}"},
		{scope: scopeOther, path: "/policies/{policy}"},
	},
	"GET /policies/{id}/edit": {
		{path: "/policies/{policy}/edit"},
		{scope: scopeOther, path: "/policies/{policy}/edit"},
	},
	"POST /policies/{id}/edit": {
		{path: "/policies/{policy}/edit", form: "base_version=1.1&body=%23+Draft&action=preview"},
		{scope: scopeOther, path: "/policies/{policy}/edit", form: "base_version=1.1&body=%23+Draft"},
	},
	"POST /policies/{id}/preview": {
		{path: "/policies/{policy}/preview", form: "body=%23+Hello"},
		{scope: scopeOther, path: "/policies/{policy}/preview", form: "body=%23+Hello"},
	},
	"GET /policies/{id}/diff": {
		{path: "/policies/{policy}/diff"},
		{scope: scopeOther, path: "/policies/{policy}/diff"},
	},
	"POST /policies/{id}/approvers": {
		{path: "/policies/{fresh}/approvers", fresh: "draft-policy", form: "approver={user}", loc: "/policies/{fresh}"},
		{scope: scopeOther, path: "/policies/{policy}/approvers", form: "approver={user}"},
	},
	"POST /policies/{id}/decide": {
		{path: "/policies/{fresh}/decide", fresh: "sent-policy", form: "version=1.0&decision=approve", loc: "/policies/{fresh}"},
		{scope: scopeOther, path: "/policies/{policy}/decide", form: "version=1.1&decision=approve"},
	},
	"POST /policies/{id}/submit": {
		{path: "/policies/{fresh}/submit", fresh: "draft-policy", loc: "/policies/{fresh}"},
		{scope: scopeOther, path: "/policies/{policy}/submit"},
	},
	"POST /policies/{id}/owner": {
		{path: "/policies/{policy}/owner", form: "owner={self}", loc: "/policies/{policy}"},
		{scope: scopeOther, path: "/policies/{policy}/owner", form: "owner="},
	},
	"POST /policies/{id}/publish": {
		{path: "/policies/{fresh}/publish", fresh: "approved-policy", form: "version=1.0", loc: "/policies/{fresh}"},
		{scope: scopeOther, path: "/policies/{policy}/publish", form: "version=1.1"},
	},
	"POST /policies/{id}/review": {
		{path: "/policies/{policy}/review", form: "note=fine", loc: "/policies/{policy}"},
		{scope: scopeOther, path: "/policies/{policy}/review", form: "note=fine"},
	},
	"POST /policies/{id}/acknowledge": {
		{path: "/policies/{policy}/acknowledge", form: "version=1.0&back=/policies", loc: "/policies"},
		{scope: scopeOther, path: "/policies/{policy}/acknowledge", form: "version=1.0"},
	},
	"GET /policies/{id}/acknowledgements.csv": {
		{path: "/policies/{policy}/acknowledgements.csv"},
		{scope: scopeOther, path: "/policies/{policy}/acknowledgements.csv"},
	},
	"GET /policies/{id}/export": {
		{path: "/policies/{policy}/export?format=html"},
		{scope: scopeOther, path: "/policies/{policy}/export?format=html"},
	},
}

// matrixEvidenceForm is a statement for the first need of control.
func matrixEvidenceForm(control string) string {
	return "kind=statement&title=Matrix+statement&control_id=" + control + "&need=0&period_start={slot}&period_end={slot}&statement=Nothing+changed"
}

// matrixSlotForm marks the first slot of control's first need not applicable.
func matrixSlotForm(control string) string {
	return "engagement_id={eng}&control_id=" + control + "&need=0&period_start={slot}&statement=Nothing+to+prove"
}

// expect returns the status a principal of role ("" for nobody) gets from
// the case: allowed is any 2xx or 3xx, returned as 0.
func matrixExpect(role string, rt route, c mcase) int {
	switch {
	case rt.auth == public && role == "":
		return c.anon
	case rt.auth == public:
		return c.status
	case role == "" && rt.method == "GET":
		return http.StatusSeeOther // to sign-in
	case role == "":
		return http.StatusUnauthorized
	case rt.action != "" && !attest.Can(role, rt.action):
		return http.StatusForbidden
	}
	// Control owners may act only on what they own.
	limited := rt.action == attest.EditOwnControl && !attest.Can(role, attest.EditReadiness)
	switch {
	case c.scope == scopeOther && limited && c.ownerFirst:
		return http.StatusForbidden
	case c.scope == scopeOther && c.deny != 0:
		return c.deny
	case c.scope == scopeOther:
		return http.StatusNotFound
	case c.scope == scopeUnowned && limited:
		return http.StatusForbidden
	case c.scope == scopeUngranted && role == attest.RoleAuditor:
		return http.StatusNotFound
	case rt.pattern == "/policies/{id}/decide" && role == attest.RoleAuditor:
		return http.StatusForbidden // auditors are never approvers
	}
	return c.invalid
}

// TestAuthorizationMatrix walks the route table: every page and public
// route, for nobody and for every role, on the principal's own organization
// and on another's, gets what the role's permissions and the ownership rules
// say. Unsafe requests carry the session's CSRF token, so a refusal is the
// permission's doing.
func TestAuthorizationMatrix(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		seen := map[string]bool{}
		principals := []string{"", uAdmin, uManager, uOwner, uEmploye, uAuditor, uViewer, uAdminB}
		browsers := map[string]*uiClient{"": u.client(t)}
		for _, key := range principals[1:] {
			browsers[key] = u.signIn(t, key)
		}
		for _, rt := range u.server.routes {
			if rt.auth == token {
				continue // the API: see TestRouteAccess
			}
			name := rt.method + " " + rt.pattern
			cases, ok := matrix[name]
			if !ok {
				t.Errorf("route %s has no entry in the authorization matrix", name)
				continue
			}
			seen[name] = true
			for _, key := range principals {
				for _, c := range cases {
					if key == "" && c.scope != scopeOwn {
						continue
					}
					u.runMatrixCase(t, rt, key, browsers[key], c)
				}
			}
		}
		for name := range matrix {
			if !seen[name] {
				t.Errorf("matrix entry %s names no route of the table", name)
			}
		}
		// No case may have ended a principal's session: every refusal above
		// was a refusal, not a missing session.
		for _, key := range principals[1:] {
			if p := browsers[key].get(t, "/account/mfa"); p.status != http.StatusOK {
				t.Errorf("%s's session ended during the matrix: GET /account/mfa = %d", key, p.status)
			}
		}
	})
}

// runMatrixCase sends one case as the principal key and checks the outcome.
func (u *uiEnv) runMatrixCase(t *testing.T, rt route, key string, b *uiClient, c mcase) {
	t.Helper()
	role, org := "", u.orgA
	if usr := u.users[key]; usr != nil {
		role, org = usr.Role, usr.OrgID
	}
	target := org
	if c.scope == scopeOther {
		target = map[int64]int64{u.orgA: u.orgB, u.orgB: u.orgA}[org]
	}
	extra := []string{"{asset}", u.server.ui.assetURLs["app.css"], "{fresh}", u.makeFresh(t, c.fresh, target)}
	if usr := u.users[key]; usr != nil {
		sealed, err := u.server.box.Seal("JBSWY3DPEHPK3PXP", enrolPurpose(usr.ID))
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, "{self}", usr.Email, "{sealed}", url.QueryEscape(sealed))
	}
	fill := func(s string) string { return u.fill(target, strings.NewReplacer(extra...).Replace(s)) }
	path := fill(c.path)
	if c.alone && key != "" {
		b = u.signIn(t, key)
	}
	var p *uiPage
	if rt.method == "GET" {
		p = b.get(t, path)
	} else {
		form, err := url.ParseQuery(fill(c.form))
		if err != nil {
			t.Fatalf("%s: form: %v", rt.pattern, err)
		}
		p = b.post(t, path, form)
	}
	what := fmt.Sprintf("%s %s as %q", rt.method, path, key)
	checkPageHeaders(t, what, p)
	want := matrixExpect(role, rt, c)
	switch {
	case want != 0 && p.status != want:
		t.Errorf("%s = %d, want %d: %.200s", what, p.status, want, p.body)
	case want == http.StatusSeeOther && rt.auth == session && !strings.HasPrefix(p.location(), "/signin?next="):
		t.Errorf("%s went to %q, want sign-in", what, p.location())
	case want == 0 && (p.status < 200 || p.status >= 400):
		t.Errorf("%s = %d, want it allowed: %.300s", what, p.status, p.body)
	case want == 0 && p.status >= 300 && c.loc != "" && p.location() != fill(c.loc):
		t.Errorf("%s went to %q, want %q", what, p.location(), fill(c.loc))
	case want == 0 && p.status >= 300 && c.loc == "" && strings.HasPrefix(p.location(), "/signin"):
		t.Errorf("%s went to sign-in: the session did not count", what)
	}
}

// makeFresh makes an object of the kind in org and returns its ID, or "".
func (u *uiEnv) makeFresh(t *testing.T, kind string, org int64) string {
	t.Helper()
	ctx := context.Background()
	var id int64
	var err error
	switch kind {
	case "":
		return ""
	case "system":
		eng := map[int64]int64{u.orgA: u.engA, u.orgB: u.engB}[org]
		sys := &attest.System{Name: "Fresh system"}
		err = u.db.AddSystem(ctx, org, eng, sys)
		id = sys.ID
	case "invitation":
		inv := &attest.Invitation{OrgID: org, Email: "fresh@fresh.example", Role: attest.RoleViewer}
		_, err = u.db.CreateInvitation(ctx, inv)
		id = inv.ID
	case "webhook":
		h := &attest.Webhook{URL: "https://hooks.example/fresh"}
		err = u.db.CreateWebhook(ctx, org, h)
		id = h.ID
	case "draft-policy", "approved-policy":
		id = u.policyWith(t, org, kind == "approved-policy").ID
	case "sent-policy": // sent to its approvers, awaiting their decisions
		id = u.policyWith(t, org, false).ID
		_, err = u.db.SubmitForApproval(ctx, org, id)
	case "integration":
		id = u.freshIntegration(t, org)
	case "schedule":
		in := u.freshIntegration(t, org)
		sc := &attest.AccessReviewSchedule{System: fmt.Sprintf("Fresh %d", in), IntegrationID: in}
		err = u.db.SaveAccessReviewSchedule(ctx, org, sc)
		id = sc.ID
	case "domain":
		c, err := u.db.ClaimDomain(ctx, org, fmt.Sprintf("fresh-%d.example", time.Now().UnixNano()))
		if err != nil {
			t.Fatalf("make fresh domain: %v", err)
		}
		return strings.ToLower(c.Domain)
	case "token":
		tok := &attest.Token{OrgID: org, Name: "fresh", Role: attest.RoleViewer}
		_, err = u.db.CreateToken(ctx, tok)
		id = tok.ID
	default:
		t.Fatalf("unknown fresh kind %q", kind)
	}
	if err != nil {
		t.Fatalf("make fresh %s: %v", kind, err)
	}
	return fmt.Sprint(id)
}

// checkPageHeaders fails unless the response has the security headers every
// response must carry.
func checkPageHeaders(t *testing.T, what string, p *uiPage) {
	t.Helper()
	csp := map[string]string{}
	for _, d := range strings.Split(p.header.Get("Content-Security-Policy"), ";") {
		if f := strings.Fields(d); len(f) > 0 {
			csp[f[0]] = strings.Join(f[1:], " ")
		}
	}
	script, ok := csp["script-src"]
	if !ok {
		script, ok = csp["default-src"]
	}
	switch {
	case !ok || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*"):
		t.Errorf("%s: script-src %q allows inline or foreign scripts", what, script)
	case csp["frame-ancestors"] != "'none'":
		t.Errorf("%s: frame-ancestors %q, want 'none'", what, csp["frame-ancestors"])
	case p.header.Get("X-Content-Type-Options") != "nosniff":
		t.Errorf("%s: X-Content-Type-Options %q", what, p.header.Get("X-Content-Type-Options"))
	case p.header.Get("Referrer-Policy") != "no-referrer":
		t.Errorf("%s: Referrer-Policy %q", what, p.header.Get("Referrer-Policy"))
	}
}
