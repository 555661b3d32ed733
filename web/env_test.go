package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
)

// The API tests run real HTTP requests against a server over a real
// database: SQLite always, PostgreSQL too when ATTEST_TEST_POSTGRES names a
// server. Every test gets databases of its own, seeded by newEnv.

// Token keys of the fixture; a case names one of these, or "" for none.
const (
	adminA  = "adminA"
	viewerA = "viewerA"
	adminB  = "adminB"
)

// Markers of organization A's data: none may ever reach organization B.
const (
	ownerA   = "alice@a.example"
	customA  = "ACME-01"
	secretA  = "A secret"
	engNameA = "A audit"
	engNameB = "B audit"
)

// env is a running server over a seeded database. Organization A has a
// library control with an owner (GOV-01), a custom control, a Type II
// engagement over security with one system, and a task; organization B has
// a Type I engagement.
type env struct {
	db     *store.DB
	server *Server
	// blobs is the server's blob store, in blobDir.
	blobs       *blob.FS
	blobDir     string
	srv         *httptest.Server
	tokens      map[string]string
	orgA, orgB  int64
	engA, engB  int64
	sysA, taskA int64
	// alice is organization A's control owner (email ownerA), who owns
	// GOV-01 and the task; she has no password until a UI test gives her
	// one.
	alice *attest.User
	// subst fills {eng}, {engB}, {system} and {task} into paths and bodies.
	subst *strings.Replacer
	pairs []string // what subst replaces
}

// forEachDB runs fn as a parallel subtest per database target, each with a
// fresh seeded env.
func forEachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, target := range testdb.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, newEnv(t, target))
		})
	}
}

func newEnv(t testing.TB, target testdb.Target) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: target.DataDir, DatabaseURL: target.DatabaseURL}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, tokens: map[string]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", target.Name, err)
		}
	}
	a, b := &attest.Organization{Name: "Org A"}, &attest.Organization{Name: "Org B"}
	must(db.CreateOrganization(ctx, a))
	must(db.CreateOrganization(ctx, b))
	e.orgA, e.orgB = a.ID, b.ID
	for _, tk := range []struct {
		key, role string
		org       int64
	}{{adminA, attest.RoleAdmin, a.ID}, {viewerA, attest.RoleViewer, a.ID}, {adminB, attest.RoleAdmin, b.ID}} {
		tok := &attest.Token{OrgID: tk.org, Name: tk.key, Role: tk.role}
		secret, err := db.CreateToken(ctx, tok)
		must(err)
		e.tokens[tk.key] = secret
	}
	e.alice = &attest.User{OrgID: a.ID, Email: ownerA, Name: "Alice Owner", Role: attest.RoleControlOwner, Active: true}
	must(db.CreateUser(ctx, e.alice))
	inProgress := attest.InProgress
	_, err = db.UpdateControl(ctx, a.ID, "GOV-01", attest.ControlUpdate{OwnerID: &e.alice.ID, Status: &inProgress})
	must(err)
	must(db.CreateControl(ctx, a.ID, &attest.Control{ID: customA, Name: secretA + " control", Criteria: []string{"CC1.1"}, Frequency: attest.Monthly}))
	engA := &attest.Engagement{Name: engNameA, ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30",
		Systems: []*attest.System{{Name: secretA + " database", Kind: "database", OwnerID: e.alice.ID}}}
	must(db.CreateEngagement(ctx, a.ID, engA))
	e.engA, e.sysA = engA.ID, engA.Systems[0].ID
	task := &attest.Task{Title: secretA + " task", OwnerID: e.alice.ID, ControlID: "GOV-01", EngagementID: engA.ID}
	must(db.CreateTask(ctx, a.ID, task))
	e.taskA = task.ID
	engB := &attest.Engagement{Name: engNameB, ReportType: attest.TypeI, AsOfDate: "2026-03-31"}
	must(db.CreateEngagement(ctx, b.ID, engB))
	e.engB = engB.ID
	e.pairs = []string{"{eng}", fmt.Sprint(e.engA), "{engB}", fmt.Sprint(e.engB),
		"{system}", fmt.Sprint(e.sysA), "{task}", fmt.Sprint(e.taskA), "{aliceID}", fmt.Sprint(e.alice.ID)}
	e.subst = strings.NewReplacer(e.pairs...)
	server, err := NewServer(db, testBox(t), nil)
	must(err)
	server.Resolver = testResolver{} // no DNS in tests
	server.DNS = txtRecords{}
	e.blobDir = t.TempDir()
	e.blobs, err = blob.NewFS(e.blobDir)
	must(err)
	server.Blobs = e.blobs
	e.server = server
	e.srv = httptest.NewServer(e.server)
	t.Cleanup(e.srv.Close)
	return e
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the token of key (a fixture key, "" for none, or
// a literal secret) after filling in the fixture's IDs. Any error response
// must have the API's error shape.
func (e *env) do(t *testing.T, method, path, key, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+e.subst.Replace(path), strings.NewReader(e.subst.Replace(body)))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		secret, ok := e.tokens[key]
		if !ok {
			secret = key
		}
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(t, req)
}

// send sends req and reads the response; any error response of the API must
// have the API's error shape.
func (e *env) send(t *testing.T, req *http.Request) response {
	t.Helper()
	what := req.Method + " " + req.URL.Path
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: read body: %v", what, err)
	}
	// The API answers compact JSON; tests read it indented, as a person
	// reading `| jq` does, so they can name "key": value pairs.
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		var out bytes.Buffer
		if json.Indent(&out, b, "", "  ") == nil {
			b = out.Bytes()
		}
	}
	r := response{status: res.StatusCode, header: res.Header, body: b}
	if r.status >= 400 && strings.HasPrefix(req.URL.Path, "/api/") {
		checkErrorShape(t, what, r)
	}
	return r
}

// get reads path with A's admin token and fails unless it is 200.
func (e *env) get(t *testing.T, path string) []byte {
	t.Helper()
	r := e.do(t, "GET", path, adminA, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200: %s", path, r.status, r.body)
	}
	return r.body
}

// checkErrorShape asserts that an error response is JSON of exactly the form
// {"error":{"code","message"}} with a non-empty code and message.
func checkErrorShape(t *testing.T, what string, r response) {
	t.Helper()
	if ct, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); ct != "application/json" {
		t.Errorf("%s: error Content-Type = %q, want application/json", what, r.header.Get("Content-Type"))
	}
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &outer); err != nil || len(outer) != 1 || outer["error"] == nil {
		t.Errorf("%s: error body %s is not {\"error\": …}", what, r.body)
		return
	}
	var inner map[string]any
	if err := json.Unmarshal(outer["error"], &inner); err != nil || len(inner) != 2 {
		t.Errorf("%s: error %s does not have exactly code and message", what, outer["error"])
		return
	}
	for _, k := range []string{"code", "message"} {
		if s, ok := inner[k].(string); !ok || s == "" {
			t.Errorf("%s: error %s: %s is not a non-empty string", what, outer["error"], k)
		}
	}
}

// errorCode returns the code of an error body, or "".
func errorCode(body []byte) string {
	var v struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(body, &v)
	return v.Error.Code
}

// stateA lists reads that together show organization A's data; tests that
// must change nothing compare them before and after.
var stateA = []string{
	"/api/v1/controls",
	"/api/v1/controls/" + customA,
	"/api/v1/engagements",
	"/api/v1/engagements/{eng}",
	"/api/v1/engagements/{eng}/scope",
	"/api/v1/engagements/{eng}/snapshots",
	"/api/v1/tasks",
}

// readState returns A's data as A's admin reads it.
func (e *env) readState(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range stateA {
		out[p] = string(e.get(t, p))
	}
	return out
}

// sameState fails for each read of A's data that differs from before.
func (e *env) sameState(t *testing.T, before map[string]string) {
	t.Helper()
	for p, b := range e.readState(t) {
		if b != before[p] {
			t.Errorf("%s changed:\nbefore %s\nafter %s", p, before[p], b)
		}
	}
}

// concrete fills a route pattern with organization A's IDs: GOV-01 for a
// control, CC1.1 for a criterion, A's engagement, system and task.
func concrete(t *testing.T, pattern string) string {
	t.Helper()
	p := strings.NewReplacer(
		"/controls/{id}", "/controls/GOV-01",
		"/criteria/{id}", "/criteria/CC1.1",
		"{criterion}", "CC1.1",
		"/engagements/{id}", "/engagements/{eng}",
		"/tasks/{id}", "/tasks/{task}",
		"/integrations/{id}", "/integrations/1", "/checks/{id}", "/checks/no-such-check",
		// One seeded record of each register and record kind (seedRecordsAPI).
		"/risks/{id}", "/risks/{risk}", "/vendors/{id}", "/vendors/{vendor}", "/assets/{id}", "/assets/{inv}",
		"/incidents/{id}", "/incidents/{incident}", "/people/{id}", "/people/{person}", "/training/{id}", "/training/{training}",
		"/access-reviews/{id}", "/access-reviews/{review}", "/changes/{id}", "/changes/{change}", "/control-tests/{id}", "/control-tests/{ctest}",
		"/{$}", "/",
	).Replace(pattern)
	if strings.ContainsAny(strings.NewReplacer(append([]string{"{eng}", "", "{system}", "", "{task}", ""}, recordsAPIHoles...)...).Replace(p), "{}") {
		t.Errorf("concrete does not know how to fill %s", pattern)
	}
	return p
}

// testBox returns a sealing box with a random key.
func testBox(t testing.TB) *seal.Box {
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	b, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
