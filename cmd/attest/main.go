// Command attest is Attest's single binary: the server and a CLI that fits
// scripts and CI pipelines. Exit codes: 0 success, 1 a requested threshold
// failed, 2 bad input (usage, invalid values, unknown IDs, conflicts),
// 3 anything else (for example the database cannot be reached). Input over
// a size limit, such as an evidence file over 50 MiB, is bad input.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"syscall"

	"github.com/alecthomas/kong"
	"github.com/attest-dev/attest"
)

// Version is the release; builds may set it with -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

// Exit codes.
const (
	exitOK        = 0
	exitThreshold = 1
	exitBadInput  = 2
	exitFailure   = 3
)

// CLI is the command line: global flags and the commands.
type CLI struct {
	Data        string `help:"Data directory of the embedded database." env:"ATTEST_DATA" default:"./attest-data" placeholder:"DIR"`
	DatabaseURL string `name:"database-url" help:"PostgreSQL URL (postgres://…); the embedded SQLite database is used when empty." env:"ATTEST_DATABASE_URL" placeholder:"URL"`
	Org         int64  `help:"Organization ID (default: the first one)." env:"ATTEST_ORG" placeholder:"ID"`
	BlobStore   string `name:"blob-store" help:"Where evidence files are kept: a directory or an s3:// URL (default: blobs in the data directory)." env:"ATTEST_BLOB_STORE" placeholder:"URL"`

	Serve      ServeCmd      `cmd:"" help:"Run the Attest server."`
	Init       InitCmd       `cmd:"" help:"Create the database and the first organization without serving."`
	Catalog    CatalogCmd    `cmd:"" help:"List the SOC 2 criteria."`
	Controls   ControlsCmd   `cmd:"" help:"List controls."`
	Control    ControlCmd    `cmd:"" help:"Show, change, add and map controls."`
	Engagement EngagementCmd `cmd:"" help:"Create, show and scope engagements (audit projects)."`
	Readiness  ReadinessCmd  `cmd:"" help:"Readiness of an engagement: score, criteria, gaps."`
	Task       TaskCmd       `cmd:"" help:"Remediation tasks."`
	Records    RecordsCmds   `embed:""` // person, training, access-review, change, control-test: cmd/attest/records.go
	Policy     PolicyCmd     `cmd:"" help:"Policies and procedures."`
	Risk       RiskCmd       `cmd:"" help:"Risk register: list, import, export, and the library of common risks."`
	Vendor     VendorCmd     `cmd:"" help:"Vendor inventory: list, import, export."`
	Asset      AssetCmd      `cmd:"" help:"Assets and systems inventory: list, import, export."`
	Incident   IncidentCmd   `cmd:"" help:"Incident register: list, import, export (an observation window's population)."`
	Token      TokenCmd      `cmd:"" help:"API tokens."`
	User       UserCmd       `cmd:"" help:"Users: list, create, reset a password or MFA."`
	Orgs       OrgCmd        `cmd:"" name:"org" help:"Organizations on this server: create one with its admin, list them."`
	Domain     DomainCmd     `cmd:"" help:"Email domain claims that single sign-on needs on a server with several organizations: list, approve, revoke."`
	Evidence   EvidenceCmd   `cmd:"" help:"Evidence: add files and links, list items, show the request list."`
	Export     ExportCmd     `cmd:"" help:"Export the signed evidence package for the auditor."`
	SigningKey SigningKeyCmd `cmd:"" name:"signing-key" help:"Show the public key that signs evidence packages."`
	Audit      AuditCmd      `cmd:"" help:"Browse the audit log of changes."`
	Check      CheckCmd      `cmd:"" help:"Checks: list them, validate a folder of your own, run them over resources."`
	Verify     VerifyCmd     `cmd:"" help:"Check the audit log and stored evidence, or an evidence package offline; exit 1 on any problem."`
	Version    VersionCmd    `cmd:"" help:"Print the version."`
	IntegrationCmds
}

// jsonFlag is embedded by every command that reports.
type jsonFlag struct {
	JSON bool `name:"json" help:"Print JSON instead of text."`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, runs the command and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cli CLI
	exitCode := -1
	parser, err := kong.New(&cli,
		kong.Name("attest"),
		kong.Description("Attest: self-hosted SOC 2 readiness, evidence and audit."),
		kong.UsageOnError(),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exitCode = code }),
	)
	if err != nil {
		fmt.Fprintln(stderr, "attest:", err)
		return exitFailure
	}
	kctx, err := parser.Parse(args)
	if exitCode >= 0 { // --help and friends exit through kong
		return exitCode
	}
	if err != nil {
		fmt.Fprintln(stderr, "attest:", err)
		return exitBadInput
	}
	app := &App{ctx: attest.WithActor(ctx, cliActor()), cli: &cli, out: stdout, errOut: stderr}
	defer app.Close()
	err = kctx.Run(app)
	if err == nil {
		return exitOK
	}
	return app.report(err, wantsJSON(kctx))
}

// cliActor is who the audit log names for changes made from the command
// line: the operating system user.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// wantsJSON reports whether the command was given --json.
func wantsJSON(kctx *kong.Context) bool {
	for _, f := range kctx.Flags() {
		if f.Name == "json" {
			v, _ := kctx.FlagValue(f).(bool)
			return v
		}
	}
	return false
}

// thresholdError is returned when a requested threshold is not met.
type thresholdError struct{ msg string }

func (e *thresholdError) Error() string { return e.msg }

// report prints err and returns its exit code.
func (a *App) report(err error, asJSON bool) int {
	var th *thresholdError
	if errors.As(err, &th) {
		fmt.Fprintln(a.errOut, "attest:", th.msg)
		return exitThreshold
	}
	code := attest.ErrorCode(err)
	msg := attest.ErrorMessage(err)
	if code == attest.EINTERNAL {
		msg = err.Error() // the CLI user is the operator: show the cause
	}
	if asJSON {
		b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": msg}})
		fmt.Fprintln(a.errOut, string(b))
	} else {
		fmt.Fprintln(a.errOut, "attest:", msg)
	}
	switch code {
	case attest.EINVALID, attest.ENOTFOUND, attest.ECONFLICT, attest.ETOOLARGE:
		return exitBadInput
	}
	return exitFailure
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(a *App) error {
	_, err := fmt.Fprintln(a.out, "attest", Version)
	return err
}
