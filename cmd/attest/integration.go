package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/all"
	"github.com/attest-dev/attest/jobs"
	"github.com/attest-dev/attest/netguard"
	"github.com/attest-dev/attest/web"
)

// integrationKinds are the integrations this binary can configure: host
// agents, and every collector of the registry (collect/all).
func integrationKinds() []collect.Kind {
	return append([]collect.Kind{jobs.AgentKind()}, all.Kinds()...)
}

// runner builds the collection runner of the CLI and the server.
func (a *App) runner(allowInternal bool) (*jobs.Runner, error) {
	db, err := a.DB()
	if err != nil {
		return nil, err
	}
	box, err := a.secretBox()
	if err != nil {
		return nil, err
	}
	checks, err := check.Builtin()
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	r := &jobs.Runner{DB: db, Box: box, Kinds: jobs.KindMap(integrationKinds()), Checks: jobs.FromChecks(checks),
		HTTP: netguard.Client(30*time.Second, allowInternal), Dialer: netguard.Dialer(10*time.Second, allowInternal), Owner: fmt.Sprintf("%s:%d", host, os.Getpid()), Changes: true}
	r.Alert = (&jobs.Alerter{DB: db}).Alert
	return r, nil
}

// IntegrationCmd groups the integration commands.
type IntegrationCmd struct {
	Add  IntegrationAddCmd  `cmd:"" help:"Add an integration: a kind, a name, settings and secrets."`
	List IntegrationListCmd `cmd:"" help:"List integrations with their last run."`
	Test IntegrationTestCmd `cmd:"" help:"Test an integration's connection."`
	Run  IntegrationRunCmd  `cmd:"" help:"Collect one integration now and evaluate the checks."`
}

// IntegrationAddCmd adds an integration.
type IntegrationAddCmd struct {
	jsonFlag
	Kind  string            `arg:"" help:"Kind of integration (see attest integration add --help for the kinds)."`
	Name  string            `arg:"" help:"A name unique in the organization (lower case, digits, dots, dashes)."`
	Set   map[string]string `help:"A setting, NAME=VALUE (repeatable)." placeholder:"NAME=VALUE"`
	Every string            `help:"Schedule: hourly, daily, manual or a duration such as 30m." default:"hourly"`
}

// Run stores the integration; secret fields are read from the environment
// (ATTEST_INTEGRATION_SECRET_<FIELD>), never from flags, which show in process lists.
func (c *IntegrationAddCmd) Run(a *App) error {
	var kind collect.Kind
	var names []string
	for _, k := range integrationKinds() {
		names = append(names, k.Name)
		if k.Name == c.Kind {
			kind = k
		}
	}
	if kind.Name == "" {
		return attest.Errorf(attest.EINVALID, "unknown kind %q (known: %s)", c.Kind, strings.Join(names, ", "))
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	r, err := a.runner(false)
	if err != nil {
		return err
	}
	every, err := parseEvery(c.Every)
	if err != nil {
		return err
	}
	in := &attest.Integration{Kind: kind.Name, Name: c.Name, Settings: map[string]string{}, Every: every}
	secrets := map[string]string{}
	fields := map[string]bool{}
	for _, f := range kind.Fields {
		fields[f.Name] = true
		if f.Secret {
			if v := os.Getenv("ATTEST_INTEGRATION_SECRET_" + strings.ToUpper(f.Name)); v != "" {
				secrets[f.Name] = v
			} else if f.Required {
				return attest.Errorf(attest.EINVALID, "%s needs the secret %s: set ATTEST_INTEGRATION_SECRET_%s", kind.Name, f.Name, strings.ToUpper(f.Name))
			}
			continue
		}
		if v, ok := c.Set[f.Name]; ok {
			in.Settings[f.Name] = v
		} else if f.Required {
			return attest.Errorf(attest.EINVALID, "%s needs --set %s=…", kind.Name, f.Name)
		}
	}
	if err := in.Validate(fields); err != nil {
		return err
	}
	if err := r.DB.CreateIntegration(a.ctx, orgID, in); err != nil {
		return err
	}
	if len(secrets) > 0 {
		sealed := map[string]string{}
		for k, v := range secrets {
			if sealed[k], err = r.Box.Seal(v, jobs.IntegrationPurpose(orgID, in.ID, k)); err != nil {
				return err
			}
		}
		if in, err = r.DB.UpdateIntegration(a.ctx, orgID, in.ID, attest.IntegrationUpdate{Secrets: sealed}); err != nil {
			return err
		}
	}
	if c.JSON {
		return a.printJSON(in)
	}
	fprintf(a.out, "Integration %d %s (%s) added; secrets set: %s\n", in.ID, in.Name, in.Kind, dash(strings.Join(in.SecretNames, ", ")))
	return nil
}

// parseEvery reads a schedule.
func parseEvery(v string) (time.Duration, error) {
	switch v {
	case "", "hourly":
		return attest.DefaultEvery, nil
	case "daily":
		return 24 * time.Hour, nil
	case "manual":
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, attest.Errorf(attest.EINVALID, "--every must be hourly, daily, manual or a duration such as 30m, not %q", v)
	}
	return d, nil
}

// IntegrationListCmd lists integrations.
type IntegrationListCmd struct{ jsonFlag }

// Run prints the integrations.
func (c *IntegrationListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	ins, err := a.db.FindIntegrations(a.ctx, orgID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(ins)
	}
	tw := a.table()
	fprintf(tw, "ID\tNAME\tKIND\tEVERY\tLAST RUN\tSTATUS\tRESOURCES\n")
	for _, in := range ins {
		last, status, n := "never", "-", "-"
		if r := in.LastRun; r != nil {
			last, status, n = r.StartedAt.Format(time.RFC3339), r.Status, fmt.Sprint(r.Resources)
		}
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", in.ID, in.Name, in.Kind, in.Every, last, status, n)
	}
	return tw.Flush()
}

// IntegrationTestCmd tests a connection.
type IntegrationTestCmd struct {
	internalFlag
	Name string `arg:"" help:"Integration name or ID."`
}

// internalFlag lets a command's collections reach the server's own network,
// as `attest serve --allow-internal-targets` does.
type internalFlag struct {
	AllowInternalTargets bool `name:"allow-internal-targets" help:"Let integrations reach loopback, private or link-local addresses (refused by default)." env:"ATTEST_ALLOW_INTERNAL_TARGETS"`
}

// Run tests the connection; a failure exits 1 with its message.
func (c *IntegrationTestCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	r, err := a.runner(c.AllowInternalTargets)
	if err != nil {
		return err
	}
	in, err := r.DB.FindIntegration(a.ctx, orgID, c.Name)
	if err != nil {
		return err
	}
	if err := r.Test(a.ctx, orgID, in); err != nil {
		return &thresholdError{fmt.Sprintf("%s: connection failed: %s", in.Name, attest.ErrorMessage(err))}
	}
	fprintf(a.out, "%s: connection works\n", in.Name)
	return nil
}

// IntegrationRunCmd collects one integration.
type IntegrationRunCmd struct {
	jsonFlag
	internalFlag
	Name string `arg:"" help:"Integration name or ID."`
}

// Run collects it now; a failed run exits 1.
func (c *IntegrationRunCmd) Run(a *App) error {
	return collectNamed(a, []string{c.Name}, c.JSON, c.AllowInternalTargets)
}

// CollectCmd collects every integration, or one.
type CollectCmd struct {
	jsonFlag
	internalFlag
	Integration string `help:"Collect only this integration (name or ID)." placeholder:"NAME"`
}

// Run collects, showing progress on a terminal; any failed run exits 1.
func (c *CollectCmd) Run(a *App) error {
	var names []string
	if c.Integration != "" {
		names = []string{c.Integration}
	} else {
		db, err := a.DB()
		if err != nil {
			return err
		}
		orgID, err := a.OrgID()
		if err != nil {
			return err
		}
		ins, err := db.FindIntegrations(a.ctx, orgID)
		if err != nil {
			return err
		}
		for _, in := range ins {
			if in.Kind != jobs.AgentKindName { // agents post their own snapshots
				names = append(names, in.Name)
			}
		}
	}
	return collectNamed(a, names, c.JSON, c.AllowInternalTargets)
}

// collectNamed runs the integrations one after the other.
func collectNamed(a *App, names []string, asJSON, allowInternal bool) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	r, err := a.runner(allowInternal)
	if err != nil {
		return err
	}
	tty := false
	if f, ok := a.errOut.(*os.File); ok && !asJSON {
		st, err := f.Stat()
		tty = err == nil && st.Mode()&os.ModeCharDevice != 0
	}
	var runs []*attest.IntegrationRun
	failed := 0
	for _, name := range names {
		var progress func(int)
		if tty {
			progress = func(n int) {
				if n%100 == 0 {
					fmt.Fprintf(a.errOut, "\r%s: %d resources…", name, n)
				}
			}
		}
		run, err := r.Run(a.ctx, orgID, name, "cli", progress)
		if tty {
			fmt.Fprint(a.errOut, "\r\033[K")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		runs = append(runs, run)
		if run.Status != attest.RunSucceeded {
			failed++
		}
		if !asJSON {
			fprintf(a.out, "%s: %s, %d resources, %d results changed, %s%s\n", name, run.Status, run.Resources, run.Changes, run.Duration(time.Now()), errSuffix(run.Error))
		}
	}
	if asJSON {
		if err := a.printJSON(runs); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &thresholdError{fmt.Sprintf("%d of %d runs failed", failed, len(runs))}
	}
	return nil
}

func errSuffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

// IntegrationCmds are the monitoring commands, embedded in the command
// table.
type IntegrationCmds struct {
	Integration IntegrationCmd `cmd:"" help:"Integrations: add, list, test and run the connections Attest collects from."`
	Collect     CollectCmd     `cmd:"" help:"Collect every integration (or one) now and evaluate the checks; progress on a terminal, exit 1 if a run fails."`
	Agent       AgentCmd       `cmd:"" help:"Post a signed snapshot of this host to an Attest server (an agent integration)."`
}

// monitor wires the collection runner into the server. Alerts go
// through the job queue once it exists (queued, see monitorQueue).
func (c *ServeCmd) monitor(a *App, handler *web.Server) (*jobs.Runner, error) {
	r, err := a.runner(c.AllowInternalTargets)
	if err != nil {
		return nil, err
	}
	handler.Monitor = web.Monitor{Kinds: integrationKinds(), Runner: r}
	r.Alert = (&jobs.Alerter{DB: r.DB, BaseURL: handler.PublicURL, Enqueue: func(ctx context.Context, args river.JobArgs) error {
		q := servingQueue.Load()
		if q == nil {
			return fmt.Errorf("no job queue to send the alert through")
		}
		return q.Enqueue(ctx, args, nil)
	}}).Alert
	return r, nil
}

// servingQueue is the job queue of `attest serve`, once started.
var servingQueue atomic.Pointer[jobs.Queue]

// monitorQueue sends "run now" and alerts through the job queue.
func (c *ServeCmd) monitorQueue(handler *web.Server, r *jobs.Runner, q *jobs.Queue) {
	handler.Monitor.RunNow = q.RunNow
	servingQueue.Store(q)
}
