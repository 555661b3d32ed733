package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/attest-dev/attest/internal/testdb"
)

// runEnv runs the binary with extra environment variables.
func (c *cli) runEnv(env []string, args ...string) (string, string, int) {
	c.t.Helper()
	cmd := exec.Command(binary, append(args, c.args...)...)
	cmd.Env = append(append(os.Environ(), "ATTEST_DATA=", "ATTEST_DATABASE_URL="), env...)
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

// TestAgentCLI: an agent integration added from the CLI (its key from the
// environment, never shown again), a signed snapshot posted by `attest
// agent` to a running server, the run listed, and `attest check run` over
// the stored resources.
func TestAgentCLI(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t, tg)
			c.ok(nil, "init")
			const key = "agent-key-for-the-cli-test-0123"
			if _, errOut, code := c.runEnv(nil, "integration", "add", "agent", "web-1"); code != 2 || !strings.Contains(errOut, "ATTEST_INTEGRATION_SECRET_KEY") {
				t.Fatalf("add without the key: exit %d %s", code, errOut)
			}
			out, errOut, code := c.runEnv([]string{"ATTEST_INTEGRATION_SECRET_KEY=" + key}, "integration", "add", "agent", "web-1", "--set", "host=web-1", "--json")
			if code != 0 || strings.Contains(out, key) {
				t.Fatalf("add: exit %d %s %s", code, out, errOut)
			}
			var in struct {
				ID      int64    `json:"id"`
				Secrets []string `json:"secrets_set"`
			}
			if err := json.Unmarshal([]byte(out), &in); err != nil || in.ID == 0 || strings.Join(in.Secrets, ",") != "key" {
				t.Fatalf("add printed %s (%v)", out, err)
			}
			serve := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
			serve.Env = append(os.Environ(), "ATTEST_DATA=", "ATTEST_DATABASE_URL=")
			stdout, _ := serve.StdoutPipe()
			serve.Stderr = io.Discard
			if err := serve.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { serve.Process.Signal(syscall.SIGTERM); serve.Wait() }()
			base := ""
			lines := bufio.NewScanner(stdout)
			for base == "" && lines.Scan() {
				if _, after, ok := strings.Cut(lines.Text(), " listening on "); ok {
					base = after
				}
			}
			go io.Copy(io.Discard, stdout)
			agent := "1:" + jsonNumber(float64(in.ID))
			if _, errOut, code := c.runEnv([]string{"ATTEST_AGENT_KEY=wrong-key"}, "agent", "--server", base, "--agent", agent); code == 0 || !strings.Contains(errOut, "signature") {
				t.Errorf("agent with a wrong key: exit %d %s", code, errOut)
			}
			if out, errOut, code := c.runEnv([]string{"ATTEST_AGENT_KEY=" + key}, "agent", "--server", base, "--agent", agent); code != 0 || !strings.Contains(out, "stored") {
				t.Fatalf("agent: exit %d %s %s", code, out, errOut)
			}
			var ins []struct {
				Name    string `json:"name"`
				LastRun struct {
					Status    string `json:"status"`
					Resources int    `json:"resources"`
				} `json:"last_run"`
			}
			listed := c.ok(&ins, "integration", "list", "--json")
			if len(ins) != 1 || ins[0].LastRun.Status != "succeeded" || ins[0].LastRun.Resources != 1 || strings.Contains(listed, key) {
				t.Fatalf("list: %s", listed)
			}
			var rows []struct {
				Check, Status string
			}
			c.ok(&rows, "check", "run", "--json")
			linux := 0
			for _, r := range rows {
				if strings.HasPrefix(r.Check, "linux-") {
					linux++
				}
			}
			if linux == 0 {
				t.Errorf("check run over the stored snapshot gave no linux rows: %+v", rows)
			}
			// Nothing to collect from the server's side: agents post.
			if out := c.ok(nil, "collect"); out != "" {
				t.Errorf("collect with only agents: %q", out)
			}
		})
	}
}
