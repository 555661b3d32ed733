package ldap_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const slapdBin = "/usr/sbin/slapd"

// startSlapd runs OpenLDAP's slapd on a free loopback port with the
// directory in testdata (plus extra LDIF), stopping it when the test
// ends. It installs Debian's slapd when missing and running as root, and
// otherwise skips with the command to run.
func startSlapd(t *testing.T, extra string) string {
	t.Helper()
	if _, err := os.Stat(slapdBin); err != nil {
		if os.Getuid() == 0 {
			if _, err := exec.LookPath("apt-get"); err == nil {
				cmd := exec.Command("apt-get", "install", "-y", "-qq", "slapd", "ldap-utils")
				cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Logf("apt-get install slapd: %v\n%s", err, out)
				}
			}
		}
		if _, err := os.Stat(slapdBin); err != nil {
			if os.Getenv("ATTEST_REQUIRE_SLAPD") == "1" {
				t.Fatal("slapd is missing (Debian: apt-get install slapd ldap-utils)")
			}
			t.Skip("slapd is missing, so the LDAP tests are skipped (Debian: apt-get install slapd ldap-utils)")
		}
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile("testdata/slapd.conf.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "slapd.conf")
	os.WriteFile(conf, bytes.ReplaceAll(tmpl, []byte("{{DIR}}"), []byte(dir)), 0o600)
	ldif, _ := os.ReadFile("testdata/directory.ldif")
	data := filepath.Join(dir, "data.ldif")
	os.WriteFile(data, append(append(ldif, '\n'), extra...), 0o600)
	if out, err := exec.Command("/usr/sbin/slapadd", "-f", conf, "-l", data).CombinedOutput(); err != nil {
		t.Fatalf("slapadd: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	cmd := exec.Command(slapdBin, "-f", conf, "-h", "ldap://"+addr+"/", "-d", "0")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	// Wait until it accepts connections (or dies).
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "ldap://" + addr
		}
		select {
		case err := <-exited:
			t.Fatalf("slapd exited: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("slapd did not listen on %s: %s", addr, strings.TrimSpace(logs.String()))
		}
	}
}

// people returns LDIF for n more users, to make the searches page.
func people(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "dn: uid=user%02d,ou=people,dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: user%02d\ncn: User %02d\nsn: %02d\nmail: user%02d@example.com\n\n", i, i, i, i, i)
	}
	return b.String()
}
