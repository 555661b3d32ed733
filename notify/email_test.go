package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"github.com/attest-dev/attest/internal/mailpittest"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

func TestEmailBodies(t *testing.T) {
	t.Parallel()
	golden(t, "email.txt", []byte(plainBody(sample())))
	m := sample()
	data := htmlData{Event: m.Event, Subject: m.Subject, Text: m.Text, URL: m.URL}
	for _, k := range m.sortedFields() {
		data.Fields = append(data.Fields, htmlField{Name: k, Value: m.Fields[k]})
	}
	var html bytes.Buffer
	if err := htmlBody.Execute(&html, data); err != nil {
		t.Fatal(err)
	}
	golden(t, "email.html", html.Bytes())
}

func TestMailerDeliversToMailpit(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t)
	m := newMailer(t, SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, From: "Attest <notify@attest.test>", TLS: TLSNone})
	to := []string{"alice@attest.test", "Bob <bob@attest.test>"}
	if err := m.Send(t.Context(), to, sample()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := mp.OnlyMessage(t)
	if got.From.Address != "notify@attest.test" {
		t.Errorf("from = %+v", got.From)
	}
	var rcpts []string
	for _, a := range got.To {
		rcpts = append(rcpts, a.Address)
	}
	if s := strings.Join(rcpts, ","); s != "alice@attest.test,bob@attest.test" {
		t.Errorf("to = %s", s)
	}
	if got.Subject != sample().Subject {
		t.Errorf("subject = %q, want %q", got.Subject, sample().Subject)
	}
	for _, want := range []string{`The check "MFA enforced" failed`, "<b>now</b>", "owner: Alice <alice@example.com>", "Open in Attest: " + sample().URL} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, got.Text)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;now&lt;/b&gt;", "Alice &lt;alice@example.com&gt;", `href="https://attest.example.com/controls/CC6.1?tab=checks&amp;x=1"`} {
		if !strings.Contains(got.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, got.HTML)
		}
	}
	for _, bad := range []string{"<script>", "<b>now"} {
		if strings.Contains(got.HTML, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	var headers map[string][]string
	mp.GetJSON(t, "/api/v1/message/"+got.ID+"/headers", &headers)
	if h := headers["X-Attest-Event"]; len(h) != 1 || h[0] != "control.failed" {
		t.Errorf("X-Attest-Event = %v", h)
	}
	if h := headers["Auto-Submitted"]; len(h) != 1 || h[0] != "auto-generated" {
		t.Errorf("Auto-Submitted = %v", h)
	}
}

func TestMailerAuth(t *testing.T) {
	t.Parallel()
	passwords := filepath.Join(t.TempDir(), "smtp-users")
	if err := os.WriteFile(passwords, []byte("alice:correct-horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mp := mailpittest.Start(t, "--smtp-auth-file", passwords, "--smtp-auth-allow-insecure")
	cfg := SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, From: "notify@attest.test", TLS: TLSNone, Username: "alice"}

	cfg.Password = "wrong-battery-staple"
	err := newMailer(t, cfg).Send(t.Context(), []string{"bob@attest.test"}, sample())
	if err == nil || !Permanent(err) {
		t.Fatalf("Send with a wrong password = %v, want a permanent error", err)
	}
	if strings.Contains(err.Error(), cfg.Password) || strings.Contains(fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg), cfg.Password) {
		t.Errorf("password leaked: %v / %v", err, cfg)
	}

	cfg.Password = "correct-horse"
	if err := newMailer(t, cfg).Send(t.Context(), []string{"bob@attest.test"}, sample()); err != nil {
		t.Fatalf("Send with the right password: %v", err)
	}
	if got := mp.OnlyMessage(t); got.Subject != sample().Subject {
		t.Errorf("subject = %q", got.Subject)
	}
}

func TestMailerTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	passwords := filepath.Join(t.TempDir(), "smtp-users")
	if err := os.WriteFile(passwords, []byte("alice:correct-horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode string
		flag string
	}{
		{TLSStartTLS, "--smtp-require-starttls"},
		{TLSImplicit, "--smtp-require-tls"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			mp := mailpittest.Start(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, tt.flag, "--smtp-auth-file", passwords)
			cfg := SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, From: "notify@attest.test", TLS: tt.mode,
				Username: "alice", Password: "correct-horse", Timeout: 5 * time.Second}

			// The system roots do not know the test CA: refused, never skipped.
			if err := newMailer(t, cfg).Send(t.Context(), []string{"bob@attest.test"}, sample()); err == nil {
				t.Fatal("Send trusted an unknown certificate")
			}
			cfg.RootCAs = pool
			if err := newMailer(t, cfg).Send(t.Context(), []string{"bob@attest.test"}, sample()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := mp.OnlyMessage(t); got.To[0].Address != "bob@attest.test" {
				t.Errorf("to = %+v", got.To)
			}
		})
	}
}

func TestMailerRejectedRecipientIsPermanent(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t, "--smtp-allowed-recipients", `@attest\.test$`)
	m := newMailer(t, SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, From: "notify@attest.test", TLS: TLSNone})
	err := m.Send(t.Context(), []string{"alice@attest.test", "eve@elsewhere.test"}, sample())
	if err == nil || !Permanent(err) {
		t.Fatalf("Send = %v, want a permanent error", err)
	}
}

func TestMailerUnreachableIsRetryable(t *testing.T) {
	t.Parallel()
	refused := mailpittest.FreePort(t) // closed again: nothing listens
	stalled, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stalled.Close() })
	go func() { // accepts and never greets, like an overloaded server
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := stalled.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	for name, port := range map[string]int{"refused": refused, "stalled": stalled.Addr().(*net.TCPAddr).Port} {
		m := newMailer(t, SMTPConfig{Host: "127.0.0.1", Port: port, From: "notify@attest.test", TLS: TLSNone, Timeout: 300 * time.Millisecond})
		start := time.Now()
		err := m.Send(t.Context(), []string{"alice@attest.test"}, sample())
		if err == nil || Permanent(err) {
			t.Errorf("%s: Send = %v, want a retryable error", name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: Send took %v despite a 300ms timeout", name, d)
		}
	}
}

func TestMailerRefusesInvalidInput(t *testing.T) {
	t.Parallel()
	m := newMailer(t, SMTPConfig{Host: "127.0.0.1", Port: 1, From: "notify@attest.test", TLS: TLSNone})
	for _, to := range [][]string{nil, {}, {"not-an-address"}, {"alice@attest.test", "bob"}, {"a@b.test\r\nBcc: eve@evil.test"}} {
		err := m.Send(t.Context(), to, sample())
		if attest.ErrorCode(err) != attest.EINVALID || !Permanent(err) {
			t.Errorf("Send(%q) = %v, want permanent EINVALID", to, err)
		}
	}
	if err := m.Send(t.Context(), []string{"alice@attest.test"}, Message{Event: "x"}); attest.ErrorCode(err) != attest.EINVALID {
		t.Errorf("Send(no subject) = %v, want EINVALID", err)
	}
}

func TestNewMailer(t *testing.T) {
	t.Parallel()
	ok := SMTPConfig{Host: "smtp.example.com", From: "notify@example.com", Username: "u", Password: "p"}
	tests := []struct {
		name string
		edit func(*SMTPConfig)
		port int // expected port; 0 for EINVALID
	}{
		{"defaults to starttls on 587", func(*SMTPConfig) {}, 587},
		{"implicit tls on 465", func(c *SMTPConfig) { c.TLS = TLSImplicit }, 465},
		{"explicit port", func(c *SMTPConfig) { c.Port = 2525 }, 2525},
		{"no tls without password", func(c *SMTPConfig) { c.TLS, c.Password = TLSNone, "" }, 25},
		{"no tls, password, loopback", func(c *SMTPConfig) { c.TLS, c.Host = TLSNone, "127.0.0.1" }, 25},
		{"no tls, password, remote", func(c *SMTPConfig) { c.TLS = TLSNone }, 0},
		{"no host", func(c *SMTPConfig) { c.Host = "" }, 0},
		{"url as host", func(c *SMTPConfig) { c.Host = "smtp://smtp.example.com" }, 0},
		{"bad tls", func(c *SMTPConfig) { c.TLS = "ssl" }, 0},
		{"bad port", func(c *SMTPConfig) { c.Port = 70000 }, 0},
		{"bad from", func(c *SMTPConfig) { c.From = "notify" }, 0},
		{"negative timeout", func(c *SMTPConfig) { c.Timeout = -time.Second }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tt.edit(&cfg)
			m, err := NewMailer(cfg)
			if tt.port == 0 {
				if attest.ErrorCode(err) != attest.EINVALID {
					t.Fatalf("NewMailer = %v, want EINVALID", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewMailer: %v", err)
			}
			if m.cfg.Port != tt.port {
				t.Errorf("port = %d, want %d", m.cfg.Port, tt.port)
			}
		})
	}
}

func newMailer(t *testing.T, cfg SMTPConfig) *Mailer {
	t.Helper()
	m, err := NewMailer(cfg)
	if err != nil {
		t.Fatalf("NewMailer: %v", err)
	}
	return m
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "attest test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
