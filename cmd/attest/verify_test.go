package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/attest-dev/attest/internal/testdb"
)

type auditEntry struct {
	Seq      int64          `json:"seq"`
	Actor    string         `json:"actor"`
	Action   string         `json:"action"`
	Entity   string         `json:"entity"`
	EntityID string         `json:"entity_id"`
	Before   map[string]any `json:"before"`
	After    map[string]any `json:"after"`
}

type verifyReport struct {
	Intact        bool  `json:"intact"`
	Entries       int64 `json:"entries"`
	Organizations int64 `json:"organizations"`
	Problems      []struct {
		Seq     int64  `json:"seq"`
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"problems"`
}

// TestVerify changes data from the CLI and the API, browses the audit log,
// then tampers with the database directly: verify exits 0 before and 1
// after, naming the damage.
func TestVerify(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t, tg)
			c.ok(nil, "init", "--demo")
			if out := c.ok(nil, "verify"); !regexp.MustCompile(`^audit log: \d+ entries in 1 organization, intact\nevidence files: 4 files, intact\n$`).MatchString(out) {
				t.Errorf("verify on a fresh database: %q", out)
			}

			// A change from the CLI is attributed to the operating system user.
			c.ok(nil, "control", "set", "GOV-01", "--owner", "tom@northwind.example")
			var log []auditEntry
			c.ok(&log, "audit", "--json", "--action", "control.update", "--limit", "1")
			if len(log) != 1 || log[0].EntityID != "GOV-01" || !strings.HasPrefix(log[0].Actor, "cli") || fmt.Sprint(log[0].After["owner"]) == fmt.Sprint(log[0].Before["owner"]) || !strings.Contains(fmt.Sprint(log[0].After["owner"]), "Tom Becker") {
				t.Fatalf("audit of control set: %+v", log)
			}
			cliSeq := log[0].Seq

			// A change through the API is attributed to the token.
			var tok struct {
				Secret string `json:"secret"`
			}
			c.ok(&tok, "token", "create", "--json", "--name", "ci-bot")
			apiPatch(t, c, tok.Secret, "/api/v1/controls/GOV-02", `{"owner":"sofia@northwind.example"}`)
			c.ok(&log, "audit", "--json", "--entity", "control", "--entity-id", "GOV-02", "--limit", "1")
			if len(log) != 1 || log[0].Actor != "token:ci-bot" || log[0].Action != "control.update" || !strings.Contains(fmt.Sprint(log[0].After["owner"]), "Sofia Alvarez") {
				t.Fatalf("audit of an API change: %+v", log)
			}
			c.ok(&log, "audit", "--json", "--action", "token.create")
			if len(log) < 1 || strings.Contains(fmt.Sprint(log[0].After), tok.Secret) {
				t.Errorf("token.create entry: %+v", log)
			}
			c.ok(&log, "audit", "--json", "--actor", "token:ci-bot")
			if len(log) != 1 {
				t.Errorf("--actor token:ci-bot: %d entries", len(log))
			}
			if out := c.ok(nil, "audit", "--limit", "2"); !strings.Contains(out, "SEQ") || !strings.Contains(out, "token:ci-bot") || strings.Count(out, "\n") != 3 {
				t.Errorf("audit table:\n%s", out)
			}
			c.fails(2, "--limit", "audit", "--limit", "0")

			var rep verifyReport
			c.ok(&rep, "verify", "--json")
			if !rep.Intact || rep.Entries < 100 || rep.Organizations != 1 || len(rep.Problems) != 0 {
				t.Fatalf("verify --json before tampering: %+v", rep)
			}

			// Someone edits the CLI's entry behind Attest's back.
			tamper(t, tg, fmt.Sprintf(`UPDATE audit_log SET after = '{"owner":"Mallory"}' WHERE seq = %d`, cliSeq))
			out, errOut, code := c.run("verify")
			if code != 1 || !strings.Contains(out, fmt.Sprintf("altered: organization 1: entry %d ", cliSeq)) || !strings.Contains(errOut, "1 problem found") {
				t.Fatalf("verify after altering entry %d: exit %d\n%s%s", cliSeq, code, out, errOut)
			}
			out, _, code = c.run("verify", "--json")
			if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.Intact || len(rep.Problems) != 1 || rep.Problems[0].Kind != "altered" || rep.Problems[0].Seq != cliSeq {
				t.Fatalf("verify --json after tampering: exit %d, %v\n%s", code, err, out)
			}

			// Someone cuts the newest entry.
			tamper(t, tg, `DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)`)
			out, _, code = c.run("verify")
			if code != 1 || !strings.Contains(out, "cut from the end of the log") {
				t.Fatalf("verify after cutting the last entry: exit %d\n%s", code, out)
			}
		})
	}
}

// tamper runs a statement on the database directly, not through Attest.
func tamper(t *testing.T, tg testdb.Target, stmt string) {
	t.Helper()
	driver, dsn := "pgx", tg.DatabaseURL
	if tg.DatabaseURL == "" {
		driver, dsn = "sqlite", filepath.Join(tg.DataDir, "attest.db")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s changed %d rows, want 1", stmt, n)
	}
}

// apiPatch starts the server, sends one PATCH with the token and stops it.
func apiPatch(t *testing.T, c *cli, token, path, body string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var base string
	lines := bufio.NewScanner(stdout)
	for base == "" && lines.Scan() {
		_, base, _ = strings.Cut(lines.Text(), " listening on ")
	}
	if base == "" {
		t.Fatal("serve printed no address")
	}
	go io.Copy(io.Discard, stdout)
	req, _ := http.NewRequest("PATCH", base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PATCH %s: %d %s", path, resp.StatusCode, b)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
}
