package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/jobs"
)

// AgentCmd posts a signed snapshot of this host to the server, as the
// resources of an agent integration (kind "agent", whose key it shares).
type AgentCmd struct {
	Server string `required:"" help:"The Attest server's URL." env:"ATTEST_SERVER" placeholder:"URL"`
	Agent  string `required:"" help:"The agent integration, as ORGANIZATION:INTEGRATION (IDs, shown on the integration's page)." env:"ATTEST_AGENT" placeholder:"ORG:ID"`
	Root   string `help:"Read the host's files under this folder (tests)." hidden:"" default:"/"`
	DryRun bool   `name:"dry-run" help:"Print the snapshot instead of posting it."`
}

// Run collects and posts; the key comes from ATTEST_AGENT_KEY only, never
// from a flag.
func (c *AgentCmd) Run(a *App) error {
	key := os.Getenv("ATTEST_AGENT_KEY")
	if key == "" && !c.DryRun {
		return attest.Errorf(attest.EINVALID, "set ATTEST_AGENT_KEY to the agent integration's key")
	}
	rs, err := hostSnapshot(a.ctx, c.Root)
	if err != nil {
		return err
	}
	body, err := json.Marshal(jobs.AgentSnapshot{Resources: rs})
	if err != nil {
		return err
	}
	if c.DryRun {
		_, err := a.out.Write(append(body, '\n'))
		return err
	}
	now := time.Now()
	req, err := http.NewRequestWithContext(a.ctx, "POST", strings.TrimRight(c.Server, "/")+"/api/v1/agent/snapshots", bytes.NewReader(body))
	if err != nil {
		return attest.Errorf(attest.EINVALID, "--server: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Attest-Agent", c.Agent)
	req.Header.Set("X-Attest-Time", fmt.Sprint(now.Unix()))
	req.Header.Set("X-Attest-Signature", jobs.SignAgent(key, c.Agent, now, body))
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("post snapshot: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusAccepted {
		return fmt.Errorf("the server refused the snapshot (%s): %s", res.Status, bytes.TrimSpace(answer))
	}
	fprintf(a.out, "snapshot of %d resource(s) stored: %s\n", len(rs), bytes.TrimSpace(answer))
	return nil
}

// hostSnapshot reads this host: with a Linux host collector when this
// binary has one, else the few facts read here from root's files.
func hostSnapshot(ctx context.Context, root string) ([]collect.Resource, error) {
	for _, k := range integrationKinds() {
		if k.Name != jobs.AgentKindName && k.New != nil && slices.Contains(k.ResourceTypes, "linux.host") {
			c, err := k.New(collect.Config{Settings: map[string]string{}, Secrets: map[string]string{}, Now: time.Now})
			if err != nil {
				return nil, err
			}
			var out []collect.Resource
			err = c.Collect(ctx, func(r collect.Resource) error { out = append(out, r); return nil })
			return out, err
		}
	}
	read := func(p string) string {
		b, _ := os.ReadFile(strings.TrimRight(root, "/") + p)
		return string(b)
	}
	host, _ := os.Hostname()
	id := strings.TrimSpace(read("/etc/machine-id"))
	if id == "" {
		id = host
	}
	attrs := map[string]any{
		"os":                          osRelease(read("/etc/os-release")),
		"kernel":                      strings.TrimSpace(read("/proc/sys/kernel/osrelease")),
		"ssh_permit_root_login":       sshdSetting(read("/etc/ssh/sshd_config"), "permitrootlogin", "prohibit-password"),
		"ssh_password_authentication": sshdSetting(read("/etc/ssh/sshd_config"), "passwordauthentication", "yes") == "yes",
		"auto_updates":                strings.Contains(read("/etc/apt/apt.conf.d/20auto-upgrades"), `Unattended-Upgrade "1"`),
		"time_synced":                 fileExists(root, "/run/systemd/timesync/synchronized"),
	}
	return []collect.Resource{{Type: "linux.host", ID: id, Name: host, Attributes: attrs, CollectedAt: time.Now().UTC()}}, nil
}

func osRelease(s string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "Linux"
}

// sshdSetting is the first value of a keyword in sshd_config (the first
// one wins in sshd), or def.
func sshdSetting(conf, keyword, def string) string {
	sc := bufio.NewScanner(strings.NewReader(conf))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && strings.ToLower(f[0]) == keyword {
			return strings.ToLower(f[1])
		}
	}
	return def
}

func fileExists(root, p string) bool {
	_, err := os.Stat(strings.TrimRight(root, "/") + p)
	return err == nil
}
