// Package mailpittest runs mailpit, a real SMTP server with an HTTP API,
// on loopback for tests: mail sent by Attest is read back and checked.
package mailpittest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// mailpitModule is the SMTP test server, built from source by the Go
// toolchain (it is a Go application) so the tests need nothing installed.
const mailpitModule = "github.com/axllent/mailpit@v1.27.11"

var mailpit struct {
	once sync.Once
	path string
	err  error
}

// mailpitBinary returns the mailpit executable, building it once into the
// user's cache (about half a minute the first time, with the downloads;
// instant after). Without it the test is skipped, or fails when
// ATTEST_REQUIRE_TOOLS=1, as in CI.
func binary(t testing.TB) string {
	t.Helper()
	mailpit.once.Do(func() { mailpit.path, mailpit.err = buildMailpit() })
	if mailpit.err != nil {
		if os.Getenv("ATTEST_REQUIRE_TOOLS") == "1" {
			t.Fatalf("mailpit: %v", mailpit.err)
		}
		t.Skipf("mailpit unavailable (set ATTEST_REQUIRE_TOOLS=1 to fail instead): %v", mailpit.err)
	}
	return mailpit.path
}

func buildMailpit() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "attest-test", "mailpit-v1.27.11")
	bin := filepath.Join(dir, "mailpit")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	// Install into a fresh directory and rename, so that two test
	// processes building at once never run a half-written binary.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "install", mailpitModule)
	cmd.Dir = tmp // outside our module, whose go.mod must not change
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-buildvcs=false", "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s: %v\n%s", mailpitModule, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "mailpit"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// Server is one running mailpit with its own ports and database.
type Server struct {
	// SMTPPort is the port of the SMTP server on 127.0.0.1.
	SMTPPort int
	// API is the base URL of mailpit's HTTP API.
	API string
}

// Start runs a private mailpit on loopback with extra flags, waits
// until both its SMTP and HTTP ports answer, and kills it at test end.
func Start(t testing.TB, flags ...string) *Server {
	t.Helper()
	bin := binary(t)
	var lastErr error
	// A free port can be taken between choosing and binding; try again.
	for range 3 {
		srv, err := tryMailpit(t, bin, flags)
		if err == nil {
			return srv
		}
		lastErr = err
	}
	t.Fatalf("start mailpit: %v", lastErr)
	return nil
}

func tryMailpit(t testing.TB, bin string, flags []string) (*Server, error) {
	smtpPort, httpPort := FreePort(t), FreePort(t)
	args := append([]string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns", "--quiet",
	}, flags...)
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() { _ = cmd.Process.Kill(); <-exited }

	srv := &Server{SMTPPort: smtpPort, API: "http://127.0.0.1:" + strconv.Itoa(httpPort)}
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for !srv.ready() {
		select {
		case <-exited:
			return nil, fmt.Errorf("mailpit exited: %s", out.String())
		case <-deadline:
			stop()
			return nil, fmt.Errorf("mailpit not ready after 20s: %s", out.String())
		case <-tick.C:
		}
	}
	t.Cleanup(stop)
	return srv, nil
}

func (s *Server) ready() bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.SMTPPort), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	resp, err := http.Get(s.API + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// FreePort returns a loopback port nothing listens on (at the moment).
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Address is an address as mailpit's API reports it.
type Address struct{ Name, Address string }

// Message is the part of GET /api/v1/message/{ID} that tests check.
type Message struct {
	ID      string
	From    Address
	To      []Address
	Subject string
	Text    string
	HTML    string
}

// OnlyMessage returns the one message the server holds, failing otherwise.
func (s *Server) OnlyMessage(t testing.TB) Message {
	t.Helper()
	var list struct {
		Messages []struct{ ID string }
	}
	s.GetJSON(t, "/api/v1/messages", &list)
	if len(list.Messages) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", len(list.Messages))
	}
	var m Message
	s.GetJSON(t, "/api/v1/message/"+list.Messages[0].ID, &m)
	return m
}

// GetJSON decodes the API's answer at path into v.
func (s *Server) GetJSON(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// Count returns how many messages the server holds.
func (s *Server) Count(t testing.TB) int {
	t.Helper()
	var list struct{ Total int }
	s.GetJSON(t, "/api/v1/messages", &list)
	return list.Total
}
