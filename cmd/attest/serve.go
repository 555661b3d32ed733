package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/demo"
	"github.com/attest-dev/attest/jobs"
	"github.com/attest-dev/attest/netguard"
	"github.com/attest-dev/attest/notify"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
	"github.com/attest-dev/attest/web"
)

// ServeCmd runs the server.
type ServeCmd struct {
	Addr    string `help:"Address to listen on." env:"ATTEST_ADDR" default:"127.0.0.1:8080"`
	Demo    bool   `help:"On first start, load a realistic demo organization and engagement."`
	OrgName string `name:"org-name" help:"Name of the organization created on first start (without --demo)." default:"My Organization"`
	// PublicURL is where users reach Attest, when that is not what the
	// server sees (a TLS-terminating proxy); SSO callbacks are built from it.
	PublicURL string `name:"public-url" help:"Base URL users reach Attest at, e.g. https://attest.example.com (for the SSO callback URL behind a proxy)." env:"ATTEST_PUBLIC_URL"`
	// AllowInternalTargets lets webhooks and identity providers be on the
	// server's own network.
	AllowInternalTargets bool `name:"allow-internal-targets" help:"Let webhooks, the SSO identity provider and integrations (HTTP APIs, PostgreSQL, MySQL, LDAP) be on loopback, private or link-local addresses (refused by default, against server-side request forgery)." env:"ATTEST_ALLOW_INTERNAL_TARGETS"`
	// TrustForwardedFor takes the client address from X-Forwarded-For.
	TrustForwardedFor bool `name:"trust-forwarded-for" help:"Take the client's address from the last X-Forwarded-For entry (only behind a proxy that sets it), for the sign-in limit per address." env:"ATTEST_TRUST_FORWARDED_FOR"`

	Mail         SMTPFlags `embed:"" prefix:"smtp-"`
	ReminderDays int       `name:"reminder-days" help:"Days before a due date or an evidence expiry that the first reminder goes out." env:"ATTEST_REMINDER_DAYS" default:"14"`
	Jobs         int       `help:"Background jobs this process works at once (0: none; other processes sharing the database do them)." env:"ATTEST_JOBS" default:"4"`
	UploadLimit  int64     `name:"upload-limit" help:"Largest evidence file accepted, in MB." env:"ATTEST_UPLOAD_LIMIT" default:"50"`
}

// SMTPFlags configure outgoing email; without a host, reminders go only to
// webhooks.
type SMTPFlags struct {
	Host     string `help:"SMTP server for email notifications." env:"ATTEST_SMTP_HOST"`
	Port     int    `help:"SMTP port (default by TLS mode: 587, 465 or 25)." env:"ATTEST_SMTP_PORT"`
	Username string `help:"SMTP user name." env:"ATTEST_SMTP_USERNAME"`
	Password string `help:"SMTP password (prefer the environment variable)." env:"ATTEST_SMTP_PASSWORD"`
	From     string `help:"Sender address of notifications." env:"ATTEST_SMTP_FROM" default:"attest@localhost"`
	TLS      string `name:"tls" help:"starttls, tls or none." env:"ATTEST_SMTP_TLS" enum:"starttls,tls,none" default:"starttls"`
}

// mailer returns the configured mailer, or nil when no host is set.
func (f SMTPFlags) mailer() (*notify.Mailer, error) {
	if f.Host == "" {
		return nil, nil
	}
	return notify.NewMailer(notify.SMTPConfig{Host: f.Host, Port: f.Port, Username: f.Username, Password: f.Password, From: f.From, TLS: f.TLS})
}

// InitCmd creates the database and first organization, then exits.
type InitCmd struct {
	Demo    bool   `help:"Load the demo organization and engagement."`
	OrgName string `name:"org-name" help:"Name of the organization to create (without --demo)." default:"My Organization"`
}

// Run initializes the workspace.
func (c *InitCmd) Run(a *App) error {
	db, err := a.DB()
	if err != nil {
		return err
	}
	a.describeDatabase(db)
	created, err := a.bootstrap(db, c.Demo, c.OrgName)
	if err != nil {
		return err
	}
	if !created {
		fmt.Fprintln(a.out, "The database already has an organization; nothing was created.")
	}
	return nil
}

// Run serves until the context ends (SIGINT or SIGTERM).
func (c *ServeCmd) Run(a *App) error {
	db, err := a.DB()
	if err != nil {
		return err
	}
	a.describeDatabase(db)
	created, err := a.bootstrap(db, c.Demo, c.OrgName)
	if err != nil {
		return err
	}
	if !created && c.Demo {
		fmt.Fprintln(a.out, "The database already has data, so the demo was not loaded again.")
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return attest.Errorf(attest.EINVALID, "cannot listen on %s: %v", c.Addr, err)
	}
	log := slog.New(slog.NewTextHandler(a.errOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	box, err := a.secretBox()
	if err != nil {
		return err
	}
	handler, err := web.NewServer(db, box, log)
	if err != nil {
		return err
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return attest.Errorf(attest.EINVALID, "--public-url must be an http:// or https:// URL, not %q", c.PublicURL)
		}
		handler.PublicURL = strings.TrimRight(c.PublicURL, "/")
	}
	handler.TrustForwardedFor = c.TrustForwardedFor
	handler.AllowInternalTargets = c.AllowInternalTargets
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(a.out, "Attest %s listening on http://%s\n", Version, ln.Addr())
	if c.UploadLimit <= 0 {
		return attest.Errorf(attest.EINVALID, "--upload-limit must be at least 1 (MB)")
	}
	handler.UploadLimit = c.UploadLimit << 20
	if handler.Blobs, err = a.Blobs(); err != nil {
		return err
	}
	runner, err := c.monitor(a, handler)
	if err != nil {
		return err
	}
	q, stopJobs, err := c.startJobs(a, db, box, handler.PublicURL, log, runner)
	if err != nil {
		return err
	}
	defer stopJobs()
	handler.Jobs = q
	c.monitorQueue(handler, runner, q)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-a.ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	fmt.Fprintln(a.out, "Attest stopped.")
	return nil
}

func (a *App) describeDatabase(db *store.DB) {
	if db.Dialect() == "sqlite" {
		fmt.Fprintf(a.out, "Database: embedded SQLite at %s\n", store.SQLitePath(a.cli.Data))
		return
	}
	fmt.Fprintln(a.out, "Database: PostgreSQL")
}

// bootstrap creates the first organization, its admin and an API token when
// the database has none, printing the one-time credentials. It reports
// whether it created anything.
func (a *App) bootstrap(db *store.DB, withDemo bool, orgName string) (bool, error) {
	orgs, err := db.FindOrganizations(a.ctx)
	if err != nil || len(orgs) > 0 {
		return false, err
	}
	var org *attest.Organization
	var admin *attest.User
	var demoAccounts []demo.Account
	email, name := "admin@localhost", "Administrator"
	if withDemo {
		res, err := demo.Load(a.ctx, db, time.Now())
		if err != nil {
			return false, err
		}
		blobs, err := a.Blobs()
		if err != nil {
			return false, err
		}
		if err := demo.AttachFiles(a.ctx, db, blobs, res); err != nil {
			return false, err
		}
		org, email, name, admin, demoAccounts = res.Organization, res.AdminEmail, res.AdminName, res.Admin, res.Accounts
		fmt.Fprintf(a.out, "Created the demo organization %q (id %d) with the engagement %q (id %d).\n", org.Name, org.ID, res.Engagement.Name, res.Engagement.ID)
	} else {
		org = &attest.Organization{Name: orgName}
		if err := db.CreateOrganization(a.ctx, org); err != nil {
			return false, err
		}
		fmt.Fprintf(a.out, "Created the organization %q (id %d).\n", org.Name, org.ID)
	}
	password, hash, err := attest.NewPassword()
	if err != nil {
		return false, err
	}
	if admin != nil { // the demo's admin owns things already: give them a password
		if err := db.SetPassword(a.ctx, org.ID, admin.ID, hash); err != nil {
			return false, err
		}
	} else if err := db.CreateUser(a.ctx, &attest.User{OrgID: org.ID, Email: email, Name: name, Role: attest.RoleAdmin, PasswordHash: hash}); err != nil {
		return false, err
	}
	tok := &attest.Token{OrgID: org.ID, Name: "first-start", Role: attest.RoleAdmin}
	secret, err := db.CreateToken(a.ctx, tok)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(a.out, "Admin sign-in (shown only now): %s  password: %s\n", email, password)
	fmt.Fprintf(a.out, "API token (shown only now):     %s\n", secret)
	if demoAccounts != nil {
		return true, a.demoSignIns(db, org.ID, demoAccounts)
	}
	return true, nil
}

// demoSignIns gives each demo person a random password and prints them
// once: the roles are what a demo shows, and these accounts exist only in
// the demo organization.
func (a *App) demoSignIns(db *store.DB, orgID int64, accounts []demo.Account) error {
	fmt.Fprintln(a.out, "Demo people, to see Attest as each role sees it (passwords shown only now):")
	tw := a.table()
	fmt.Fprintln(tw, "  EMAIL\tROLE\tNAME\tPASSWORD")
	for _, acc := range accounts {
		password, hash, err := attest.NewPassword()
		if err != nil {
			return err
		}
		if err := db.SetPassword(a.ctx, orgID, acc.UserID, hash); err != nil {
			return fmt.Errorf("demo sign-in for %s: %w", acc.Email, err)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", acc.Email, acc.Role, acc.Name, password)
	}
	return tw.Flush()
}

// startJobs starts the background work: readiness snapshots, reminder
// scans and notification delivery, shared with every other process on the
// same database. It returns a function that stops it.
func (c *ServeCmd) startJobs(a *App, db *store.DB, box *seal.Box, publicURL string, log *slog.Logger, runner *jobs.Runner) (*jobs.Queue, func(), error) {
	mailer, err := c.Mail.mailer()
	if err != nil {
		return nil, nil, err
	}
	workers, periodic := jobs.Background(jobs.Deps{DB: db, Box: box, Mailer: mailer, HTTP: netguard.Client(30*time.Second, c.AllowInternalTargets),
		BaseURL: publicURL, LeadDays: c.ReminderDays, Log: log, Runner: runner})
	cfg := jobs.Config{Concurrency: c.Jobs, Logger: slog.New(slog.NewTextHandler(a.errOut, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if c.Jobs > 0 {
		// Periodic jobs run where workers do; a --jobs 0 process only
		// enqueues, and the processes that work jobs schedule them.
		cfg.Workers, cfg.Periodic = workers, periodic
	}
	q, err := jobs.New(a.ctx, db.SQL(), db.Dialect(), cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("job queue: %w", err)
	}
	// Readiness is derived by jobs shortly after each change, by whichever
	// process works them; pages read the stored figures.
	jobs.Derive(db, q, 0)
	if c.Jobs == 0 {
		return q, db.FlushRequests, nil
	}
	if err := q.Start(a.ctx); err != nil {
		return nil, nil, fmt.Errorf("job queue: %w", err)
	}
	return q, func() {
		db.FlushRequests() // queue the recomputations this process's last changes asked for
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			log.Error("stop job queue", "err", err)
		}
	}, nil
}
