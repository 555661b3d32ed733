// Package linuxhost collects the security posture of a Linux machine from
// its files: the OS and kernel, pending security updates (apt), disk
// encryption (dm-crypt), the firewall (ufw, nftables, iptables), SSH
// daemon settings, passwordless sudo, time synchronisation and automatic
// updates. Everything is read through an fs.FS rooted at the machine's
// "/", so tests point it at a fixture tree; `attest agent` calls Host on
// the real root and posts the result.
package linuxhost

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
)

// Kind is the "linux" integration: the machine Attest runs on (or, with
// the root setting, a mounted filesystem of another).
var Kind = collect.Kind{
	Name:  "linux",
	Title: "Linux host",
	Fields: []collect.Field{
		{Name: "root", Label: "Filesystem root", Default: "/",
			Help: "Where the host's filesystem is mounted; / for the machine Attest runs on."},
	},
	ResourceTypes: []string{"linux.host"},
	New:           newCollector,
}

type collector struct {
	root string
	now  func() time.Time
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	root := cfg.Settings["root"]
	if root == "" {
		root = "/"
	}
	if !path.IsAbs(root) {
		return nil, fmt.Errorf("root: want an absolute path, got %q", root)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("root: %q is not a readable directory", root)
	}
	return &collector{root: root, now: cfg.Clock()}, nil
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	r, err := Host(ctx, os.DirFS(c.root), c.root == "/", c.now())
	if err != nil {
		return err
	}
	return emit(r)
}

// Test reads the OS release, the cheapest sign the root is a Linux host.
func (c *collector) Test(ctx context.Context) error {
	if _, err := fs.ReadFile(os.DirFS(c.root), "etc/os-release"); err != nil {
		return fmt.Errorf("linux: no etc/os-release under %s: %w", c.root, collect.ErrUnreachable)
	}
	return nil
}

// Host reads the machine whose root filesystem is fsys. live says fsys is
// the running machine's own "/", which allows asking the kernel directly
// (the clock's synchronisation state). It returns one linux.host resource
// whose ID is the machine ID (else the hostname).
func Host(ctx context.Context, fsys fs.FS, live bool, now time.Time) (collect.Resource, error) {
	if err := ctx.Err(); err != nil {
		return collect.Resource{}, fmt.Errorf("linux: %w", err)
	}
	osr := keyValues(readFile(fsys, "etc/os-release"))
	if len(osr) == 0 {
		return collect.Resource{}, fmt.Errorf("linux: etc/os-release is missing or empty: %w", collect.ErrMalformed)
	}
	hostname := firstLine(fsys, "proc/sys/kernel/hostname", "etc/hostname")
	id := firstLine(fsys, "etc/machine-id", "var/lib/dbus/machine-id")
	if id == "" {
		id = hostname
	}
	if id == "" {
		return collect.Resource{}, fmt.Errorf("linux: neither a machine ID nor a hostname: %w", collect.ErrMalformed)
	}
	ssh := readSSHD(fsys)
	pending, updatesSource := pendingSecurityUpdates(ctx, fsys)
	if err := ctx.Err(); err != nil {
		return collect.Resource{}, fmt.Errorf("linux: %w", err)
	}
	fw := firewall(fsys)
	synced, syncSource := timeSync(fsys, live)
	encrypted, devices := diskEncryption(fsys)
	attrs := map[string]any{
		"hostname":                    hostname,
		"os":                          firstNonEmpty(osr["PRETTY_NAME"], osr["NAME"]),
		"os_id":                       osr["ID"],
		"os_version":                  osr["VERSION_ID"],
		"kernel":                      firstLine(fsys, "proc/sys/kernel/osrelease"),
		"pending_security_updates":    pending,
		"pending_updates_source":      updatesSource,
		"disk_encrypted":              encrypted,
		"encrypted_devices":           collect.Strings(devices),
		"firewall_enabled":            fw != "",
		"firewall":                    fw,
		"ssh_installed":               ssh.installed,
		"ssh_permit_root_login":       ssh.permitRootLogin,
		"ssh_password_authentication": ssh.passwordAuth,
		"time_synced":                 synced,
		"time_sync_source":            syncSource,
		"auto_updates":                autoUpdates(fsys),
		"sudoers_nopasswd":            collect.Strings(sudoNopasswd(fsys)),
	}
	return collect.Resource{Type: "linux.host", ID: id, Name: firstNonEmpty(hostname, id), Attributes: attrs, CollectedAt: now}, nil
}

func readFile(fsys fs.FS, name string) string {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return ""
	}
	return string(b)
}

func firstLine(fsys fs.FS, names ...string) string {
	for _, n := range names {
		if s, _, _ := strings.Cut(readFile(fsys, n), "\n"); strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, e := range s {
		if e != "" {
			return e
		}
	}
	return ""
}

// keyValues parses KEY=value lines (os-release, ufw.conf), unquoting.
func keyValues(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		m[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return m
}

// Local reads the machine this process runs on; `attest agent` posts
// what it returns.
func Local(ctx context.Context, now time.Time) (collect.Resource, error) {
	return Host(ctx, os.DirFS("/"), true, now)
}
