package linuxhost_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/linuxhost"
	"github.com/pierrec/lz4/v4"
)

func TestConformance(t *testing.T) {
	conformance.RunService(t, conformance.Service{
		Kind: linuxhost.Kind,
		Good: collect.Config{Settings: map[string]string{"root": abs(t, "testdata/hardened")}},
		Want: 1,
	})
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		root string
		id   string
		want map[string]any
	}{
		{"testdata/hardened", "4c3b1a9e0f7d4e2a8b6c5d4e3f2a1b0c", map[string]any{
			"hostname": "web-1", "os": "Debian GNU/Linux 12 (bookworm)", "os_id": "debian", "os_version": "12",
			"kernel": "6.1.0-28-amd64", "pending_security_updates": 0.0, "pending_updates_source": "apt",
			"disk_encrypted": true, "encrypted_devices": []any{"cryptroot"},
			"firewall_enabled": true, "firewall": "ufw", "ssh_installed": true,
			"ssh_permit_root_login": "no", "ssh_password_authentication": false,
			"time_synced": true, "time_sync_source": "systemd-timesyncd", "auto_updates": true,
			"sudoers_nopasswd": []any{},
		}},
		{"testdata/lax", "build-box", map[string]any{
			"hostname": "build-box", "os": "Ubuntu 22.04.4 LTS", "os_id": "ubuntu", "os_version": "22.04",
			"kernel": "5.15.0-105-generic", "pending_security_updates": 5.0, "pending_updates_source": "update-notifier",
			"disk_encrypted": false, "encrypted_devices": []any{},
			"firewall_enabled": false, "firewall": "", "ssh_installed": true,
			"ssh_permit_root_login": "yes", "ssh_password_authentication": true,
			"time_synced": false, "time_sync_source": "", "auto_updates": false,
			"sudoers_nopasswd": []any{"%admin", "ci"},
		}},
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			c, err := linuxhost.Kind.New(collect.Config{Settings: map[string]string{"root": abs(t, tt.root)}, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			var got []collect.Resource
			if err := c.Collect(t.Context(), func(r collect.Resource) error { got = append(got, r); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].ID != tt.id || got[0].Type != "linux.host" {
				t.Fatalf("got %+v, want one linux.host %s", got, tt.id)
			}
			for k, want := range tt.want {
				if g := got[0].Attributes[k]; !reflect.DeepEqual(g, want) {
					t.Errorf("%s = %#v, want %#v", k, g, want)
				}
			}
			if len(got[0].Attributes) != len(tt.want) {
				t.Errorf("%d attributes, the test knows %d: %v", len(got[0].Attributes), len(tt.want), got[0].Attributes)
			}
		})
	}
}

// TestPendingFromCompressedLists: apt keeps its lists lz4-compressed on
// Debian; versions compare as dpkg does (~ sorts first, epochs win).
func TestPendingFromCompressedLists(t *testing.T) {
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	w.Write([]byte("Package: openssl\nVersion: 3.0.15-1~deb12u1\n\nPackage: sudo\nVersion: 1:1.9.13p3-1\n\nPackage: zlib1g\nVersion: 1:1.2.13.dfsg-1\n"))
	w.Close()
	fsys := fstest.MapFS{
		"etc/os-release": {Data: []byte("ID=debian\n")},
		"etc/hostname":   {Data: []byte("h\n")},
		"var/lib/dpkg/status": {Data: []byte("Package: openssl\nStatus: install ok installed\nVersion: 3.0.15-1~deb12u1~pre\n\n" +
			"Package: sudo\nStatus: install ok installed\nVersion: 1.9.99-1\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n")},
		"var/lib/apt/lists/x_debian-security_dists_bookworm-security_main_binary-amd64_Packages.lz4": {Data: buf.Bytes()},
	}
	r, err := linuxhost.Host(t.Context(), fsys, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Attributes["pending_security_updates"]; got != 2.0 {
		t.Fatalf("pending = %v, want 2 (openssl ~pre is older, sudo has an epoch)", got)
	}
}

func TestBadRoot(t *testing.T) {
	for _, root := range []string{"relative/path", "/no/such/dir"} {
		_, err := linuxhost.Kind.New(collect.Config{Settings: map[string]string{"root": root}})
		if err == nil {
			t.Errorf("%s: accepted", root)
		}
	}
	if _, err := linuxhost.Host(t.Context(), fstest.MapFS{}, false, time.Now()); err == nil {
		t.Error("a root without etc/os-release was accepted")
	}
}

// TestThisMachine runs the collector on the machine the tests run on.
func TestThisMachine(t *testing.T) {
	c, err := linuxhost.Kind.New(collect.Config{Settings: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	var got []collect.Resource
	if err := c.Collect(t.Context(), func(r collect.Resource) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Attributes["os"] == "" || got[0].Attributes["kernel"] == "" {
		t.Fatalf("got %+v", got)
	}
	conformance.CheckResources(t, linuxhost.Kind, got, got[0].CollectedAt)
	out, _ := json.MarshalIndent(got[0].Attributes, "", "  ")
	t.Logf("this machine: %s", out)
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
