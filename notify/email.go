package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTP connection security, the values of SMTPConfig.TLS.
const (
	// TLSNone sends in clear text. Allowed with a password only when the
	// server is on loopback, such as a local relay.
	TLSNone = "none"
	// TLSStartTLS upgrades the connection with STARTTLS and fails when the
	// server does not offer it, so that an attacker cannot downgrade it.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit = "tls"
)

// DefaultSMTPTimeout bounds connecting and each SMTP exchange when
// SMTPConfig.Timeout is zero.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig says how to reach the mail server. String and LogValue leave
// out the password, so the config can be printed and logged as it is.
type SMTPConfig struct {
	Host string
	// Port defaults to 25 for TLSNone, 587 for TLSStartTLS, 465 for
	// TLSImplicit.
	Port     int
	Username string
	Password string
	// From is the sender address, as "notify@example.com" or
	// "Attest <notify@example.com>".
	From string
	// TLS is TLSNone, TLSStartTLS (the default when empty) or TLSImplicit.
	TLS     string
	Timeout time.Duration
	// RootCAs verifies the server's certificate instead of the system
	// roots, for relays with a private CA. Verification is never skipped.
	RootCAs *x509.CertPool
}

// String describes the config without the password.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = " password=[redacted]"
	}
	return fmt.Sprintf("smtp://%s@%s tls=%s from=%q%s", c.Username, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.TLS, c.From, pw)
}

// GoString keeps %#v from printing the password too.
func (c SMTPConfig) GoString() string { return "notify.SMTPConfig{" + c.String() + "}" }

// LogValue lets slog log the config without the password.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.StringValue(c.String())
}

// Mailer sends notifications through one SMTP server. It is safe for
// concurrent use: every Send opens its own connection.
type Mailer struct {
	cfg SMTPConfig
}

// NewMailer checks cfg and fills in defaults. It returns EINVALID for a
// missing host, a bad port, TLS mode or From address, a negative timeout,
// and a password that would travel in clear text to a remote server.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" || strings.ContainsAny(cfg.Host, "/: ") && net.ParseIP(cfg.Host) == nil {
		return nil, attest.Errorf(attest.EINVALID, "SMTP host must be a host name or IP address.")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	defaultPort := map[string]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[cfg.TLS]
	if defaultPort == 0 {
		return nil, attest.Errorf(attest.EINVALID, "SMTP TLS must be %q, %q or %q.", TLSNone, TLSStartTLS, TLSImplicit)
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, attest.Errorf(attest.EINVALID, "SMTP port must be between 1 and 65535.")
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		return nil, attest.Errorf(attest.EINVALID, "SMTP sender %q is not a valid email address.", cfg.From)
	}
	if cfg.Timeout < 0 {
		return nil, attest.Errorf(attest.EINVALID, "SMTP timeout must not be negative.")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if cfg.TLS == TLSNone && cfg.Password != "" && !isLoopback(cfg.Host) {
		return nil, attest.Errorf(attest.EINVALID, "SMTP with a password needs TLS unless the server is on this machine.")
	}
	return &Mailer{cfg: cfg}, nil
}

// isLoopback matches the hosts go-mail allows PLAIN authentication to
// without TLS.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Send delivers msg to the recipients in one message, as a plain-text body
// with an HTML alternative. All recipients are in To and see each other;
// send once per recipient when that matters (it also makes a retry exact,
// as one rejected recipient fails the whole message).
//
// Invalid recipients or message are EINVALID. Server replies of 5xx
// (unknown mailbox, rejected credentials) are Permanent; 4xx replies,
// timeouts and connection errors are not. ctx bounds connecting; each
// exchange after that is bounded by the config's Timeout or ctx's deadline,
// whichever is sooner.
func (m *Mailer) Send(ctx context.Context, to []string, msg Message) error {
	if len(to) == 0 {
		return attest.Errorf(attest.EINVALID, "Email needs at least one recipient.")
	}
	for _, addr := range to {
		if _, err := netmail.ParseAddress(addr); err != nil {
			return attest.Errorf(attest.EINVALID, "%q is not a valid email address.", addr)
		}
	}
	if err := msg.Validate(); err != nil {
		return err
	}
	mm, err := m.compose(to, msg)
	if err != nil {
		return err
	}

	timeout := m.cfg.Timeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	if timeout <= 0 {
		return fmt.Errorf("send mail: %w", context.DeadlineExceeded)
	}
	client, err := mail.NewClient(m.cfg.Host, m.options(timeout)...)
	if err != nil {
		// NewMailer checked the config, so this is a bug or a bad config.
		return markPermanent(fmt.Errorf("smtp client: %w", err))
	}
	addr := net.JoinHostPort(m.cfg.Host, strconv.Itoa(m.cfg.Port))
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return classifySMTP(fmt.Errorf("connect to SMTP server %s: %w", addr, err))
	}
	err = client.SendWithSMTPClient(conn, mm)
	// A failed QUIT after the server accepted the message is ignored: a
	// retry would deliver it twice.
	_ = client.CloseWithSMTPClient(conn)
	if err != nil {
		return classifySMTP(fmt.Errorf("send mail via %s: %w", addr, err))
	}
	return nil
}

// options translates the config into go-mail client options.
func (m *Mailer) options(timeout time.Duration) []mail.Option {
	opts := []mail.Option{mail.WithPort(m.cfg.Port), mail.WithTimeout(timeout)}
	tlsConfig := &tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: m.cfg.RootCAs}
	switch m.cfg.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tlsConfig))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tlsConfig))
	}
	if m.cfg.Username != "" {
		// Over TLS the strongest mechanism the server offers is chosen.
		// Without TLS go-mail's discovery rules out PLAIN and LOGIN, so name
		// PLAIN, which go-mail then allows only to loopback.
		auth := mail.SMTPAuthAutoDiscover
		if m.cfg.TLS == TLSNone {
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(m.cfg.Username), mail.WithPassword(m.cfg.Password))
	}
	return opts
}

// configErrors are go-mail's answers to a server and config that do not
// fit together (no common authentication mechanism, or clear text refused);
// they stay until someone changes one of them.
var configErrors = []error{
	mail.ErrNoSupportedAuthDiscovered, mail.ErrPlainAuthNotSupported, mail.ErrLoginAuthNotSupported,
	mail.ErrCramMD5AuthNotSupported, mail.ErrSCRAMSHA1AuthNotSupported, mail.ErrSCRAMSHA256AuthNotSupported,
	mail.ErrSCRAMSHA1PLUSAuthNotSupported, mail.ErrSCRAMSHA256PLUSAuthNotSupported, mail.ErrNTLMAuthNotSupported,
	mail.ErrXOauth2AuthNotSupported, smtp.ErrUnencrypted, smtp.ErrWrongHostname,
}

// classifySMTP marks err permanent for a 5xx reply (RFC 5321 "permanent
// negative completion") or a config mismatch, and leaves it retryable
// otherwise.
func classifySMTP(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return markPermanent(err)
	}
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return markPermanent(err)
	}
	for _, target := range configErrors {
		if errors.Is(err, target) {
			return markPermanent(err)
		}
	}
	return err
}
