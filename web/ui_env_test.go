package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
)

// The page tests sign real users in through the sign-in form and drive the
// pages with a cookie-jar client, over the same seeded databases as the API
// tests, with a clock the test moves instead of sleeping.

// uiPassword is every fixture user's password.
const uiPassword = "correct horse battery staple"

// Keys of the fixture's users: one per role in organization A, and an admin
// and a viewer in organization B.
const (
	uAdmin   = attest.RoleAdmin
	uManager = attest.RoleComplianceManager
	uOwner   = attest.RoleControlOwner
	uEmploye = attest.RoleEmployee
	uAuditor = attest.RoleAuditor
	uViewer  = attest.RoleViewer
	uAdminB  = "admin_b"
	uViewerB = "viewer_b"
)

// clock is a time source that only moves when the test says so.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// uiEnv is env with users of every role, a second engagement in A that is
// not granted to A's auditor, and a few objects in B.
type uiEnv struct {
	*env
	target testdb.Target
	clock  *clock
	users  map[string]*attest.User
	engA2  int64
	// ids fills placeholders per organization: {owned} (a control A's
	// control owner owns), {unowned}, {control} (a custom control),
	// {ownedBy}, {eng}, {eng2}, {system}, {task} (owned by A's control
	// owner), {task2} (not), {user} (a viewer), {orgName}, {invite},
	// {evidence} (a file item serving {owned} in {eng}'s period),
	// {evidence2} (in A, an item of December 2026 only, outside the period
	// of the engagement granted to A's auditor), {slot} (the start of
	// {owned}'s first slot in {eng}).
	ids map[int64]map[string]string
}

// forEachUI runs fn as a parallel subtest per database with a fresh uiEnv.
func forEachUI(t *testing.T, fn func(t *testing.T, u *uiEnv)) {
	t.Helper()
	for _, target := range testdb.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, newUIEnv(t, target))
		})
	}
}

func newUIEnv(t *testing.T, target testdb.Target) *uiEnv {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, target)
	u := &uiEnv{env: e, target: target, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}, users: map[string]*attest.User{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed UI fixture: %v", err)
		}
	}
	// Restart the server so that no request can be in flight while the
	// clocks are replaced.
	e.srv.Close()
	e.db.Now, e.server.Now = u.clock.Now, u.clock.Now
	e.srv = httptest.NewServer(e.server)
	t.Cleanup(e.srv.Close)

	hash, err := attest.HashPassword(uiPassword)
	must(err)
	for _, c := range []struct {
		key, email, name, role string
		org                    int64
	}{
		{uAdmin, "ada@a.example", "Ada Admin", attest.RoleAdmin, e.orgA},
		{uManager, "max@a.example", "Max Manager", attest.RoleComplianceManager, e.orgA},
		{uOwner, ownerA, "Alice Owner", attest.RoleControlOwner, e.orgA},
		{uEmploye, "eve@a.example", "Eve Employee", attest.RoleEmployee, e.orgA},
		{uAuditor, "aud@audit.example", "Art Auditor", attest.RoleAuditor, e.orgA},
		{uViewer, "vic@a.example", "Vic Viewer", attest.RoleViewer, e.orgA},
		{uAdminB, "bob@b.example", "Bob Admin", attest.RoleAdmin, e.orgB},
		{uViewerB, "val@b.example", "Val Viewer", attest.RoleViewer, e.orgB},
	} {
		usr := &attest.User{OrgID: c.org, Email: c.email, Name: c.name, Role: c.role, PasswordHash: hash, Active: true}
		if c.email == ownerA { // the env's Alice, who owns things already
			usr = e.alice
			must(e.db.SetPassword(ctx, usr.OrgID, usr.ID, hash))
			usr.PasswordHash = hash
		} else {
			must(e.db.CreateUser(ctx, usr))
		}
		u.users[c.key] = usr
	}
	must(e.db.SetAuditorGrants(ctx, e.orgA, u.users[uAuditor].ID, []int64{e.engA}))
	eng2 := &attest.Engagement{Name: "A second audit", ReportType: attest.TypeI, AsOfDate: "2026-12-31"}
	must(e.db.CreateEngagement(ctx, e.orgA, eng2))
	u.engA2 = eng2.ID
	task2 := &attest.Task{Title: "Unowned task", ControlID: "GOV-02"}
	must(e.db.CreateTask(ctx, e.orgA, task2))
	invA, err := e.db.CreateInvitation(ctx, &attest.Invitation{OrgID: e.orgA, Email: "later@a.example", Role: attest.RoleViewer})
	must(err)

	must(e.db.CreateControl(ctx, e.orgB, &attest.Control{ID: "BETA-01", Name: "B control", Criteria: []string{"CC1.1"}, Frequency: attest.Monthly}))
	taskB := &attest.Task{Title: "B task", ControlID: "GOV-01"}
	must(e.db.CreateTask(ctx, e.orgB, taskB))
	sysB := &attest.System{Name: "B system", Kind: "database"}
	must(e.db.AddSystem(ctx, e.orgB, e.engB, sysB))
	invB, err := e.db.CreateInvitation(ctx, &attest.Invitation{OrgID: e.orgB, Email: "later@b.example", Role: attest.RoleViewer})
	must(err)

	polA, polB := u.seedPolicy(t, e.orgA), u.seedPolicy(t, e.orgB)
	evA, evB := u.seedEvidence(t, e.orgA, "2026-01-01", "2026-01-31"), u.seedEvidence(t, e.orgB, "2026-03-01", "2026-03-31")
	evA2 := u.seedEvidence(t, e.orgA, "2026-12-01", "2026-12-31")

	id := func(n int64) string { return fmt.Sprint(n) }
	u.ids = map[int64]map[string]string{
		e.orgA: {"{owned}": "GOV-01", "{unowned}": "GOV-02", "{control}": customA, "{ownedBy}": ownerA,
			"{eng}": id(e.engA), "{eng2}": id(eng2.ID), "{system}": id(e.sysA), "{task}": id(e.taskA), "{task2}": id(task2.ID),
			"{user}": id(u.users[uViewer].ID), "{orgName}": "Org A", "{invite}": invA, "{policy}": id(polA),
			"{evidence}": id(evA), "{evidence2}": id(evA2), "{slot}": "2026-01-01"},
		e.orgB: {"{owned}": "GOV-01", "{unowned}": "GOV-02", "{control}": "BETA-01", "{ownedBy}": "",
			"{eng}": id(e.engB), "{eng2}": id(e.engB), "{system}": id(sysB.ID), "{task}": id(taskB.ID), "{task2}": id(taskB.ID),
			"{user}": id(u.users[uViewerB].ID), "{orgName}": "Org B", "{invite}": invB, "{policy}": id(polB),
			"{evidence}": id(evB), "{evidence2}": id(evB), "{slot}": "2026-03-31"},
	}
	u.seedRegisters(t)
	u.seedRecords(t) // people, training, access reviews, changes, control tests
	u.seedMonitoring(t)
	return u
}

// fill replaces the placeholders of org in s.
func (u *uiEnv) fill(org int64, s string) string {
	var pairs []string
	for k, v := range u.ids[org] {
		pairs = append(pairs, k, v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// uiClient is a browser with a cookie jar that does not follow redirects, and
// the CSRF token of its session once it has one.
type uiClient struct {
	base string
	c    *http.Client
	csrf string
}

// uiPage is a response as a browser got it.
type uiPage struct {
	status int
	header http.Header
	body   string
}

// location is the redirect target, or "".
func (p *uiPage) location() string { return p.header.Get("Location") }

// doc parses the body as HTML.
func (p *uiPage) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(p.body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return d
}

// newUIClient returns a browser client for srv (plain or TLS).
func newUIClient(t *testing.T, srv *httptest.Server) *uiClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &uiClient{base: srv.URL, c: &c}
}

// client returns a browser for the fixture's server, signed in as nobody.
func (u *uiEnv) client(t *testing.T) *uiClient { return newUIClient(t, u.srv) }

// do sends req and reads the whole response.
func (b *uiClient) do(t *testing.T, req *http.Request) *uiPage {
	t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return &uiPage{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *uiClient) get(t *testing.T, path string) *uiPage {
	t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.do(t, req)
}

// post submits a form, with the session's CSRF token unless the form sets
// its own csrf field.
func (b *uiClient) post(t *testing.T, path string, form url.Values) *uiPage {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	return b.do(t, formRequest(t, b.base+path, form))
}

func formRequest(t *testing.T, target string, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// readCSRF reads the session's CSRF token from the form fields of a page.
func (b *uiClient) readCSRF(t *testing.T, path string) {
	t.Helper()
	p := b.get(t, path)
	if p.status != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200 (to read the CSRF token): %s", path, p.status, p.body)
	}
	token, ok := p.doc(t).Find(`input[name="csrf"]`).First().Attr("value")
	if !ok || token == "" {
		t.Fatalf("GET %s has no CSRF token", path)
	}
	b.csrf = token
}

// sessionCookie returns the browser's session ID, or "".
func (b *uiClient) sessionCookie(t *testing.T) string {
	t.Helper()
	base, err := url.Parse(b.base)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.c.Jar.Cookies(base) {
		if c.Name == sessionCookie || c.Name == sessionCookieTLS {
			return c.Value
		}
	}
	return ""
}

// signInAs posts the sign-in form as a fixture user and fails unless it is
// redirected to to.
func (b *uiClient) signInAs(t *testing.T, email, to string) {
	t.Helper()
	p := b.post(t, "/signin", url.Values{"email": {email}, "password": {uiPassword}})
	if p.status != http.StatusSeeOther || p.location() != to {
		t.Fatalf("sign in as %s = %d to %q, want 303 to %q: %s", email, p.status, p.location(), to, p.body)
	}
}

// signIn returns a browser signed in as the fixture user key, with its
// session's CSRF token read from the account page.
func (u *uiEnv) signIn(t *testing.T, key string) *uiClient {
	t.Helper()
	b := u.client(t)
	b.signInAs(t, u.users[key].Email, "/")
	b.readCSRF(t, "/account/mfa")
	return b
}

// wantStatus fails unless the page has the status (and, for a redirect,
// goes to location when it is not "").
func wantStatus(t *testing.T, what string, p *uiPage, status int, location string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s = %d, want %d: %.300s", what, p.status, status, p.body)
	}
	if location != "" && p.location() != location {
		t.Fatalf("%s went to %q, want %q", what, p.location(), location)
	}
}

// formValues returns what a browser submits for the form: its named inputs
// (checkboxes and radios only when checked), textareas and selected options.
func formValues(form *goquery.Selection) url.Values {
	v := url.Values{}
	form.Find("input[name], textarea[name], select[name]").Each(func(_ int, f *goquery.Selection) {
		name, _ := f.Attr("name")
		_, disabled := f.Attr("disabled")
		typ, _ := f.Attr("type")
		_, checked := f.Attr("checked")
		switch {
		case disabled, (typ == "checkbox" || typ == "radio") && !checked:
		case goquery.NodeName(f) == "textarea":
			v.Add(name, f.Text())
		case goquery.NodeName(f) == "select":
			opt := f.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = f.Find("option").First()
			}
			val, ok := opt.Attr("value")
			if !ok {
				val = opt.Text()
			}
			v.Add(name, val)
		case typ == "checkbox" && f.AttrOr("value", "") == "":
			v.Add(name, "on")
		default:
			v.Add(name, f.AttrOr("value", ""))
		}
	})
	return v
}

// seedPolicy adopts, approves and publishes the access control policy in
// org, then saves a draft 1.1: a policy with a published version, history
// and a draft. Every user of the organization is an approver.
func (u *uiEnv) seedPolicy(t *testing.T, org int64) int64 {
	t.Helper()
	p := u.policyWith(t, org, true)
	ctx := context.Background()
	if _, err := u.db.Publish(ctx, org, p.ID, "1.0"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.db.SaveDraft(ctx, org, p.ID, "1.0", "# Access control\n\nA second version.\n", false); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// policyWith adopts a policy draft in org with every member but auditors as approver,
// approved by all of them when approved is set.
func (u *uiEnv) policyWith(t *testing.T, org int64, approved bool) *attest.Policy {
	t.Helper()
	ctx := context.Background()
	tmpl, err := catalog.PolicyTemplate("access-control")
	if err != nil {
		t.Fatal(err)
	}
	p, err := u.db.AdoptTemplate(ctx, org, tmpl, map[string]string{"organization": "Org", "owner": "Security lead", "security_contact": "security@org.example"})
	if err != nil {
		t.Fatal(err)
	}
	users, err := u.db.FindUsers(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, usr := range users {
		if attest.MayOwn(usr) { // auditors are never approvers
			ids = append(ids, usr.ID)
		}
	}
	if _, err := u.db.SetApprovers(ctx, org, p.ID, ids); err != nil {
		t.Fatal(err)
	}
	if approved {
		if _, err := u.db.SubmitForApproval(ctx, org, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		if approved {
			if _, err := u.db.Decide(ctx, org, p.ID, "1.0", id, true, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	return p
}

// seedEvidence stores a small file item in org serving GOV-01's first need
// over the period, and returns its ID.
func (u *uiEnv) seedEvidence(t *testing.T, org int64, start, end attest.Date) int64 {
	t.Helper()
	ctx := attest.WithActor(context.Background(), "user:fixture@example.com")
	info, err := u.blobs.Put(ctx, strings.NewReader(fmt.Sprintf("Fixture evidence of organization %d for %s", org, start)), 0)
	if err != nil {
		t.Fatal(err)
	}
	e := &attest.Evidence{Kind: attest.EvidenceFile, Title: "Fixture export " + string(start), SHA256: info.SHA256, Size: info.Size,
		ContentType: "text/plain; charset=utf-8", FileName: "export.txt", PeriodStart: start, PeriodEnd: end,
		Links: []attest.EvidenceLinkRef{{ControlID: "GOV-01", Need: 0}}}
	if err := u.db.CreateEvidence(ctx, org, e); err != nil {
		t.Fatal(err)
	}
	return e.ID
}
