package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	_ "modernc.org/sqlite"
)

// The CLI is tested end to end through the built binary.

var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // the fuzz targets call functions, not the binary
	}
	dir, err := os.MkdirTemp("", "attest-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "attest")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the binary against one database.
type cli struct {
	t    *testing.T
	args []string
}

func newCLI(t *testing.T, tg testdb.Target) *cli {
	if tg.DatabaseURL != "" {
		// The data directory still holds the key for secrets at rest.
		return &cli{t, []string{"--database-url", tg.DatabaseURL, "--data", t.TempDir()}}
	}
	return &cli{t, []string{"--data", tg.DataDir}}
}

// run runs the command and returns stdout, stderr and the exit code.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	cmd := exec.Command(binary, append(args, c.args...)...)
	cmd.Env = append(os.Environ(), "ATTEST_DATA=", "ATTEST_DATABASE_URL=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// ok runs a command that must succeed and decodes its JSON output into v.
func (c *cli) ok(v any, args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("attest %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			c.t.Fatalf("attest %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return out
}

// fails runs a command that must exit with code and leave a message.
func (c *cli) fails(code int, wantMsg string, args ...string) {
	c.t.Helper()
	out, errOut, got := c.run(args...)
	if got != code || !strings.Contains(errOut, wantMsg) {
		c.t.Fatalf("attest %s: exit %d, stderr %q (stdout %q); want exit %d mentioning %q", strings.Join(args, " "), got, errOut, out, code, wantMsg)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type readiness struct {
	Score      float64 `json:"score"`
	Categories []struct {
		ID string `json:"id"`
	} `json:"categories"`
	Criteria []struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		Controls []any  `json:"controls"`
	} `json:"criteria"`
	Gaps []struct {
		Kind string `json:"kind"`
	} `json:"gaps"`
}

func TestCLI(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t, tg)
			c.fails(2, "no organization", "readiness")

			out := c.ok(nil, "init", "--demo")
			for _, want := range []string{"Northwind", "Admin sign-in", "API token", "attest_"} {
				if !strings.Contains(out, want) {
					t.Errorf("init --demo output lacks %q:\n%s", want, out)
				}
			}
			if out := c.ok(nil, "init"); !strings.Contains(out, "nothing was created") {
				t.Errorf("second init: %s", out)
			}

			var crit []map[string]any
			c.ok(&crit, "catalog", "--json")
			if len(crit) != 61 || strings.Join(keys(crit[0]), ",") != "category,id,series,title" {
				t.Fatalf("catalog --json: %d rows, keys %v", len(crit), keys(crit[0]))
			}

			var controls []map[string]any
			c.ok(&controls, "controls", "--json")
			if len(controls) < 120 {
				t.Fatalf("controls --json: %d controls", len(controls))
			}
			for _, k := range []string{"id", "name", "criteria", "frequency", "owner", "status"} {
				if _, ok := controls[0][k]; !ok {
					t.Errorf("controls --json lacks %q", k)
				}
			}

			var before readiness
			c.ok(&before, "readiness", "--json")
			if len(before.Criteria) != 61 || len(before.Categories) != 5 || before.Score <= 0 || before.Score >= 100 {
				t.Fatalf("demo readiness: %d criteria, %d categories, score %v", len(before.Criteria), len(before.Categories), before.Score)
			}
			c.fails(1, "under the threshold", "readiness", "--fail-under", "100")
			c.ok(nil, "readiness", "--fail-under", "0")
			c.fails(2, "between 0 and 100", "readiness", "--fail-under", "101")

			// Implementing a not-started control raises the score, unless a
			// policy template names it: then it waits for the policy.
			var notStarted []map[string]any
			c.ok(&notStarted, "controls", "--json", "--status", "not_started")
			needsPolicy := map[string]bool{}
			templates, err := catalog.PolicyTemplates()
			if err != nil {
				t.Fatal(err)
			}
			for _, tm := range templates {
				for _, id := range tm.Controls {
					needsPolicy[id] = true
				}
			}
			var id string
			for _, c := range notStarted {
				if id == "" && !needsPolicy[c["id"].(string)] {
					id = c["id"].(string)
				}
			}
			// Owners are members, named by email; anyone else is refused.
			c.fails(2, "not a member", "control", "set", id, "--status", "implemented", "--owner", "Alex")
			c.ok(nil, "control", "set", id, "--status", "implemented", "--owner", "marcus@northwind.example")
			var after readiness
			c.ok(&after, "readiness", "--json")
			if after.Score <= before.Score {
				t.Errorf("score after implementing %s: %v, before %v", id, after.Score, before.Score)
			}

			// Bad input: exit 2, nothing changed.
			c.fails(2, "justification", "control", "set", id, "--status", "not_applicable")
			var ctl map[string]any
			c.ok(&ctl, "control", "show", id, "--json")
			if ctl["status"] != "implemented" {
				t.Errorf("a refused change altered %s: %v", id, ctl["status"])
			}
			c.fails(2, "no control", "control", "set", "NOPE-99", "--status", "implemented")
			c.fails(2, "unknown criterion", "control", "add", "--id", "CUS-01", "--name", "Custom", "--criteria", "CC9.9")
			c.ok(nil, "control", "add", "--id", "CUS-01", "--name", "Custom", "--criteria", "cc6.1,A1.2", "--frequency", "monthly")
			var found []map[string]any
			c.ok(&found, "controls", "--json", "--criterion", "cc6.1", "--search", "cus-")
			if len(found) != 1 || found[0]["id"] != "CUS-01" {
				t.Errorf("controls --criterion cc6.1 --search cus- = %v, want CUS-01 (criterion IDs in any case)", found)
			}
			c.fails(2, "already exists", "control", "add", "--id", "CUS-01", "--name", "Again", "--criteria", "CC6.1")
			c.fails(2, "unknown category", "controls", "--category", "nonsense")
			c.fails(2, "unexpected argument", "frobnicate")

			// Engagements and scope.
			c.fails(2, "before it starts", "engagement", "create", "--name", "Bad", "--type", "type2", "--window-start", "2027-06-01", "--window-end", "2027-01-01")
			c.fails(2, "longer than 12 months", "engagement", "create", "--name", "Bad", "--type", "type2", "--window-start", "2027-01-01", "--window-end", "2028-03-01")
			c.fails(2, "unknown category", "engagement", "create", "--name", "Bad", "--type", "type1", "--as-of", "2027-01-01", "--categories", "security,nonsense")
			var e map[string]any
			c.ok(&e, "engagement", "create", "--json", "--name", "Type I for Contoso", "--type", "type1", "--as-of", "2027-03-31", "--customer", "Contoso")
			eid := jsonNumber(e["id"])
			// A second engagement does not take over; use and archive
			// switch explicitly.
			current := func() string {
				t.Helper()
				var cur map[string]any
				c.ok(&cur, "engagement", "show", "--json")
				return jsonNumber(cur["id"])
			}
			demoEng := current()
			if demoEng == eid || e["current"] != false {
				t.Errorf("creating engagement %s made it current (%v)", eid, e["current"])
			}
			c.ok(nil, "engagement", "use", eid)
			if current() != eid {
				t.Errorf("engagement use %s: current is %s", eid, current())
			}
			c.ok(nil, "engagement", "archive", eid)
			if cur := current(); cur == eid || cur == "null" {
				t.Errorf("archiving the current engagement %s left %s current", eid, cur)
			}
			c.fails(2, "archived", "engagement", "use", eid)
			c.ok(nil, "engagement", "use", demoEng)
			c.ok(nil, "engagement", "archive", eid, "--restore")
			if current() != demoEng {
				t.Errorf("restoring %s took over from %s", eid, demoEng)
			}
			var scope struct {
				Criteria []string `json:"criteria"`
			}
			c.ok(&scope, "engagement", "scope", eid, "--json")
			if len(scope.Criteria) != 33 {
				t.Errorf("security-only scope has %d criteria, want 33", len(scope.Criteria))
			}
			c.ok(&scope, "engagement", "scope", eid, "--json", "--categories", "security,availability,confidentiality")
			if len(scope.Criteria) != 38 {
				t.Errorf("scope with A and C has %d criteria, want 38", len(scope.Criteria))
			}
			c.ok(nil, "engagement", "add-system", eid, "--name", "API", "--kind", "application", "--owner", "sofia@northwind.example")
			c.fails(2, "not a member", "engagement", "add-system", eid, "--name", "Fax", "--owner", "Front desk")
			var fax map[string]any
			c.ok(&fax, "engagement", "add-system", eid, "--name", "Fax", "--json")
			if out := c.ok(nil, "engagement", "system-owner", eid, jsonNumber(fax["id"]), "--owner", "sofia@northwind.example"); !strings.Contains(out, "owned by Sofia Alvarez <sofia@northwind.example>") {
				t.Errorf("system-owner: %s", out)
			}
			c.fails(2, "not a member", "engagement", "system-owner", eid, jsonNumber(fax["id"]), "--owner", "Front desk")
			if out := c.ok(nil, "engagement", "show", eid); !strings.Contains(out, "API (application, owner Sofia Alvarez <sofia@northwind.example>)") {
				t.Errorf("engagement show does not name the system's owner:\n%s", out)
			}
			var r readiness
			c.ok(&r, "readiness", "--json", "--engagement", eid)
			if len(r.Criteria) != 38 {
				t.Errorf("readiness of engagement %s covers %d criteria", eid, len(r.Criteria))
			}

			// Tasks.
			var task map[string]any
			c.ok(&task, "task", "add", "--json", "--title", "Overdue thing", "--due", "2020-01-01", "--control", id)
			c.fails(2, "unknown control", "task", "add", "--title", "x", "--control", "NOPE-01")
			c.fails(2, "not a date", "task", "add", "--title", "x", "--due", "tomorrow")
			c.ok(&r, "readiness", "--json", "--engagement", eid)
			if !hasGap(r, "overdue_task") {
				t.Error("an overdue task is not among the gaps")
			}
			c.ok(&task, "task", "close", "--json", jsonNumber(task["id"]))
			if task["status"] != "done" || task["closed_at"] == nil {
				t.Errorf("closed task: %v", task)
			}
			var open []map[string]any
			c.ok(&open, "task", "list", "--json", "--open")
			for _, o := range open {
				if o["status"] == "done" {
					t.Errorf("task list --open returned a done task")
				}
			}
		})
	}
}

func hasGap(r readiness, kind string) bool {
	for _, g := range r.Gaps {
		if g.Kind == kind {
			return true
		}
	}
	return false
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestServe starts the server, calls the API with the printed token, and
// stops it with SIGTERM; also with --jobs 0, which the README documents
// for web-only processes.
func TestServe(t *testing.T) {
	for _, extra := range [][]string{nil, {"--jobs", "0"}} {
		for _, tg := range testdb.Targets(t) { // a fresh database each
			t.Run(strings.TrimSpace(tg.Name+" "+strings.Join(extra, " ")), func(t *testing.T) {
				t.Parallel()
				testServe(t, tg, extra)
			})
		}
	}
}

func testServe(t *testing.T, tg testdb.Target, extra []string) {
	{
		{
			c := newCLI(t, tg)
			cmd := exec.Command(binary, append(append([]string{"serve", "--demo", "--addr", "127.0.0.1:0"}, extra...), c.args...)...)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = io.Discard
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			var token, base string
			lines := bufio.NewScanner(stdout)
			for base == "" && lines.Scan() {
				line := lines.Text()
				if m := regexp.MustCompile(`attest_[A-Za-z0-9_-]+`).FindString(line); m != "" && strings.Contains(line, "API token") {
					token = m
				}
				if _, after, ok := strings.Cut(line, " listening on "); ok {
					base = after
				}
			}
			if token == "" || base == "" {
				t.Fatalf("serve printed no token or address (token %q, base %q)", token, base)
			}
			go io.Copy(io.Discard, stdout)
			req, _ := http.NewRequest("GET", base+"/api/v1/readiness", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var r readiness
			err = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || len(r.Criteria) != 61 {
				t.Fatalf("GET /api/v1/readiness: %d, %v, %d criteria", resp.StatusCode, err, len(r.Criteria))
			}
			resp, err = http.Get(base + "/api/v1/readiness")
			if err != nil || resp.StatusCode != 401 {
				t.Fatalf("without a token: %v %v", resp.StatusCode, err)
			}
			resp.Body.Close()
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve exited with %v after SIGTERM", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop after SIGTERM")
			}
		}
	}
}

// TestRefusesNewerSchema: a database migrated by a newer Attest is refused
// with a clear message and left alone.
func TestRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t, []string{"--data", dir}}
	c.ok(nil, "init")
	db, err := sql.Open("sqlite", filepath.Join(dir, "attest.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c.fails(3, "newer than this attest binary", "readiness")
	c.fails(3, "newer than this attest binary", "serve", "--addr", "127.0.0.1:0")
}
