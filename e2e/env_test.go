package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/demo"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
	"github.com/attest-dev/attest/web"
)

// password is what every seeded user signs in with.
const password = "correct horse battery staple"

// passwordHash is the argon2id hash of password, computed once: hashing is
// slow on purpose.
var passwordHash = sync.OnceValues(func() (string, error) { return attest.HashPassword(password) })

// shotDir is where screenshots go: testoutput/screenshots/ at the
// repository root (git-ignored).
var shotDir string

func TestMain(m *testing.M) {
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(2)
	}
	shotDir = filepath.Join(root, "testoutput", "screenshots")
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(2)
	}
	code := m.Run()
	fmt.Printf("e2e: screenshots are in %s\n", shotDir)
	os.Exit(code)
}

// repoRoot is the nearest directory above the working directory that holds
// go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// env is one flow's world: a database, an Attest server over it, and a
// browser tab pointed at the server.
type env struct {
	t  *testing.T
	db *store.DB
	// box seals the server's secrets and blobs holds its evidence files.
	box   *seal.Box
	blobs *blob.FS
	base  string // the server's URL, without a trailing slash
	// shots says whether to save screenshots: on SQLite only, as the
	// pages look the same on PostgreSQL.
	shots bool
	// ctx is the browser tab.
	ctx context.Context
	// problems are the console errors the pages logged.
	mu       sync.Mutex
	problems []string
}

// forEachDB runs fn as a subtest per database target, each with a fresh
// database, server and browser. The subtests run one after another: on a
// two-core machine two Chromiums at once made the package slower (181 s
// against 107 s on both databases), not faster.
func forEachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, target := range testdb.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			fn(t, newEnv(t, target))
		})
	}
}

func newEnv(t *testing.T, target testdb.Target) *env {
	t.Helper()
	requireChromium(t)
	db, err := store.Open(context.Background(), store.Config{DataDir: target.DataDir, DatabaseURL: target.DatabaseURL}, catalog.MustSOC2())
	if err != nil {
		t.Fatalf("open %s database: %v", target.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	handler, err := web.NewServer(db, box, nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	handler.Blobs = blobs
	// The identity provider of the SSO test listens on loopback, which the
	// server refuses by default (against request forgery): the operator's
	// opt-in, as --allow-internal-targets gives it.
	handler.AllowInternalTargets = true
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, box: box, blobs: blobs, base: srv.URL, shots: target.Name == "sqlite"}
	os.Remove(e.shotFile(failedShot))
	// Registered after the server, so the browser closes first.
	startBrowser(e)
	return e
}

// org creates an organization.
func (e *env) org(name string) *attest.Organization {
	e.t.Helper()
	o := &attest.Organization{Name: name}
	if err := e.db.CreateOrganization(context.Background(), o); err != nil {
		e.t.Fatalf("create organization: %v", err)
	}
	return o
}

// user creates an active user of the organization who signs in with
// password.
func (e *env) user(orgID int64, email, name, role string) *attest.User {
	e.t.Helper()
	hash, err := passwordHash()
	if err != nil {
		e.t.Fatal(err)
	}
	u := &attest.User{OrgID: orgID, Email: email, Name: name, Role: role, PasswordHash: hash}
	if err := e.db.CreateUser(context.Background(), u); err != nil {
		e.t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// demo loads the demo organization (an engagement about halfway through
// readiness) and creates its admin.
func (e *env) demo() (*demo.Result, *attest.User) {
	e.t.Helper()
	res, err := demo.Load(context.Background(), e.db, time.Now())
	if err != nil {
		e.t.Fatalf("load demo: %v", err)
	}
	hash, err := passwordHash()
	if err != nil {
		e.t.Fatal(err)
	}
	admin := res.Admin
	if err := e.db.SetPassword(context.Background(), admin.OrgID, admin.ID, hash); err != nil {
		e.t.Fatal(err)
	}
	return res, admin
}
