package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/netguard"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
)

// DefaultLease is how long a run holds its integration: a process killed
// midway blocks the next run for this long at most.
const DefaultLease = 15 * time.Minute

// IntegrationPurpose is the sealing purpose of an integration's secret,
// binding it to its organization, integration and field.
func IntegrationPurpose(orgID, integrationID int64, field string) string {
	return "integration-secret:" + strconv.FormatInt(orgID, 10) + ":" + strconv.FormatInt(integrationID, 10) + ":" + field
}

// Runner collects integrations, stores what they return, evaluates the
// checks over the stored resources and records the results.
type Runner struct {
	DB     *store.DB
	Box    *seal.Box
	Kinds  map[string]collect.Kind
	Checks *CheckSet
	// HTTP is the collectors' client; nil refuses the server's own network.
	HTTP *http.Client
	// Dialer connects the database and directory collectors; nil is one
	// that refuses the server's own network (netguard.Dialer), like HTTP.
	Dialer *net.Dialer
	// Owner names this process in leases.
	Owner string
	Lease time.Duration
	// Alert is told about each check with new failures (notifications and
	// remediation tasks, see alert.go); nil records them only.
	Alert func(ctx context.Context, orgID int64, c CheckInfo, failures []*attest.CheckResult) error
	// Changes records the merged pull requests a run collects as changes
	// (each once; see PullRequestControl), as the server does. The demo
	// leaves it off: its synthetic pull requests are there for the checks.
	Changes bool
	Log     *slog.Logger
}

// KindMap indexes kinds by name.
func KindMap(kinds []collect.Kind) map[string]collect.Kind {
	m := make(map[string]collect.Kind, len(kinds))
	for _, k := range kinds {
		m[k.Name] = k
	}
	return m
}

// Config builds a collector's configuration, opening the sealed secrets.
func (r *Runner) Config(orgID int64, in *attest.Integration) (collect.Config, error) {
	cfg := collect.Config{Settings: in.Settings, Secrets: map[string]string{}, HTTP: r.HTTP, Dialer: r.Dialer, Now: time.Now}
	if cfg.HTTP == nil {
		cfg.HTTP = netguard.Client(30*time.Second, false)
	}
	if cfg.Dialer == nil {
		cfg.Dialer = netguard.Dialer(10*time.Second, false)
	}
	for k, v := range in.Secrets {
		plain, err := r.Box.Open(v, IntegrationPurpose(orgID, in.ID, k))
		if err != nil {
			return cfg, attest.Errorf(attest.EINVALID, "the secret %q cannot be opened with this server's key: enter it again", k)
		}
		cfg.Secrets[k] = plain
	}
	return cfg, nil
}

// Test checks an integration's connection; the error is for people.
func (r *Runner) Test(ctx context.Context, orgID int64, in *attest.Integration) error {
	kind, ok := r.Kinds[in.Kind]
	if !ok || kind.New == nil {
		return attest.Errorf(attest.EINVALID, "this server cannot connect to %q integrations", in.Kind)
	}
	cfg, err := r.Config(orgID, in)
	if err != nil {
		return err
	}
	c, err := kind.New(cfg)
	if err != nil {
		return attest.Errorf(attest.EINVALID, "%s", scrub(err.Error(), cfg.Secrets))
	}
	t, ok := c.(collect.Tester)
	if !ok {
		return nil
	}
	if err := t.Test(ctx); err != nil {
		return attest.Errorf(attest.EINVALID, "%s", scrub(err.Error(), cfg.Secrets))
	}
	return nil
}

// Run collects one integration now. A failed collection (an error, a
// malformed or invalid resource, a cancelled context) is recorded in the
// run and keeps the last good resources and results; the returned error
// is then nil and the run says what failed. progress, when set, is called
// with the count of resources so far. ECONFLICT when another process is
// running the integration.
func (r *Runner) Run(ctx context.Context, orgID int64, idOrName, startedBy string, progress func(int)) (*attest.IntegrationRun, error) {
	in, err := r.DB.FindIntegration(ctx, orgID, idOrName)
	if err != nil {
		return nil, err
	}
	kind, ok := r.Kinds[in.Kind]
	if !ok || kind.New == nil {
		return nil, attest.Errorf(attest.EINVALID, "this server cannot collect %q integrations", in.Kind)
	}
	lease := r.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	run, err := r.DB.StartRun(ctx, orgID, in.ID, startedBy, r.Owner, lease)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithTimeout(ctx, lease-time.Second)
	defer cancel()
	cfg, err := r.Config(orgID, in)
	var rs []collect.Resource
	if err == nil {
		rs, err = gather(runCtx, kind, cfg, progress)
	}
	if err != nil {
		msg := scrub(attest.ErrorMessage(err), cfg.Secrets)
		if attest.ErrorCode(err) == attest.EINTERNAL {
			msg = scrub(err.Error(), cfg.Secrets)
		}
		run.Resources = len(rs)
		return run, r.DB.FinishRun(context.WithoutCancel(ctx), orgID, run, attest.RunFailed, msg)
	}
	return run, r.store(ctx, orgID, in, run, kind.ResourceTypes, rs)
}

// Ingest stores resources that arrived rather than were collected (an
// agent's snapshot) as an integration's run.
func (r *Runner) Ingest(ctx context.Context, orgID int64, in *attest.Integration, startedBy string, rs []collect.Resource) (*attest.IntegrationRun, error) {
	for _, res := range rs {
		if err := validResource(res); err != nil {
			return nil, err
		}
	}
	run, err := r.DB.StartRun(ctx, orgID, in.ID, startedBy, r.Owner, time.Minute)
	if err != nil {
		return nil, err
	}
	var types []string
	for _, res := range rs {
		types = append(types, res.Type)
	}
	return run, r.store(ctx, orgID, in, run, types, rs)
}

// store replaces the integration's resources, evaluates the checks that
// read its types and records the results, then closes the run.
func (r *Runner) store(ctx context.Context, orgID int64, in *attest.Integration, run *attest.IntegrationRun, types []string, rs []collect.Resource) error {
	run.Resources = len(rs)
	fail := func(err error) error {
		ferr := r.DB.FinishRun(context.WithoutCancel(ctx), orgID, run, attest.RunFailed, attest.ErrorMessage(err))
		return errors.Join(err, ferr)
	}
	// People of an HR roster join the organization's roster; they are
	// read before anything is stored, so a bad one keeps the last state.
	var people []collect.Resource
	for _, res := range rs {
		if res.Type == attest.ResourcePersonType {
			people = append(people, res)
		}
	}
	if len(people) > 0 {
		if _, _, err := attest.RosterFromResources(people); err != nil {
			// Malformed data, like a collector's: the run says so.
			return r.DB.FinishRun(context.WithoutCancel(ctx), orgID, run, attest.RunFailed, "malformed data: "+attest.ErrorMessage(err))
		}
	}
	if err := r.DB.ReplaceResources(ctx, orgID, in.ID, run.ID, rs); err != nil {
		return fail(err)
	}
	out, err := r.Evaluate(ctx, orgID, run, types)
	if err != nil {
		return fail(err)
	}
	if len(people) > 0 {
		if _, _, err := r.DB.ImportRosterResources(ctx, orgID, people); err != nil {
			return fail(err)
		}
	}
	if r.Changes {
		var prs []collect.Resource
		for _, res := range rs {
			if res.Type == attest.ResourcePullRequestType {
				prs = append(prs, res)
			}
		}
		if len(prs) > 0 {
			if err := r.recordPullRequests(ctx, orgID, in, prs); err != nil {
				return fail(err)
			}
		}
	}
	run.Changes = out.Changes
	return r.DB.FinishRun(ctx, orgID, run, attest.RunSucceeded, "")
}

// PullRequestControl is the control whose evidence the changes from
// collected pull requests are, when the organization has it: the
// catalog's control over changes being authorized, tested and approved.
const PullRequestControl = "CHG-02"

// recordPullRequests records the merged pull requests of a run as changes
// (each once), as `attest change pull-requests` does by hand, attached to
// PullRequestControl when the organization has it.
func (r *Runner) recordPullRequests(ctx context.Context, orgID int64, in *attest.Integration, prs []collect.Resource) error {
	control := PullRequestControl
	if _, err := r.DB.FindControlByID(ctx, orgID, control); attest.ErrorCode(err) == attest.ENOTFOUND {
		control = ""
	} else if err != nil {
		return err
	}
	added, merged, err := r.DB.RecordPullRequests(ctx, orgID, prs, control)
	if err != nil {
		return fmt.Errorf("record merged pull requests as changes: %w", err)
	}
	if r.Log != nil && added > 0 {
		r.Log.Info("changes recorded from merged pull requests", "org", orgID, "integration", in.Name, "added", added, "merged", merged)
	}
	return nil
}

// gather runs the collector and checks every resource it emits.
func gather(ctx context.Context, kind collect.Kind, cfg collect.Config, progress func(int)) ([]collect.Resource, error) {
	c, err := kind.New(cfg)
	if err != nil {
		return nil, attest.Errorf(attest.EINVALID, "%s", err.Error())
	}
	var rs []collect.Resource
	err = c.Collect(ctx, func(res collect.Resource) error {
		if err := validResource(res); err != nil {
			return err
		}
		if res.CollectedAt.IsZero() {
			res.CollectedAt = time.Now().UTC()
		}
		rs = append(rs, res)
		if progress != nil {
			progress(len(rs))
		}
		return nil
	})
	if err != nil {
		return rs, attest.Errorf(attest.EINVALID, "collection failed: %s", err.Error())
	}
	return rs, nil
}

// validResource refuses a resource no check could key on.
func validResource(res collect.Resource) error {
	switch {
	case res.Type == "" || res.ID == "":
		return attest.Errorf(attest.EINVALID, "malformed data: a resource without a type or an ID")
	case len(res.ID) > 1000 || len(res.Name) > 1000:
		return attest.Errorf(attest.EINVALID, "malformed data: resource %s has an ID or name over 1,000 characters", res.Type)
	}
	for _, s := range []string{res.Type, res.ID, res.Name} {
		if err := attest.ValidText("resource", s); err != nil {
			return attest.Errorf(attest.EINVALID, "malformed data: %s", attest.ErrorMessage(err))
		}
	}
	return nil
}

// scrub removes secret values from a message meant for people.
func scrub(msg string, secrets map[string]string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "[secret]")
		}
	}
	return msg
}

// Evaluate runs the checks that read any of types (all for nil) over the
// organization's stored resources and records their results; run is the
// integration run behind it, or nil.
func (r *Runner) Evaluate(ctx context.Context, orgID int64, run *attest.IntegrationRun, types []string) (*store.RecordOutcome, error) {
	checks := r.Checks.reading(types)
	if len(checks) == 0 {
		return &store.RecordOutcome{}, nil
	}
	ins, err := r.DB.FindIntegrations(ctx, orgID)
	if err != nil {
		return nil, err
	}
	cr := &store.CheckRun{Run: run, Integrations: map[int64]string{}}
	for _, in := range ins {
		cr.Integrations[in.ID] = in.Name
	}
	ids := make([]string, len(checks))
	byID := map[string]CheckInfo{}
	for i, c := range checks {
		ids[i] = c.ID
		byID[c.ID] = c
		cr.Checks = append(cr.Checks, c.monitored())
	}
	// The engine reads types and emits rows from several goroutines.
	var mu sync.Mutex
	origin := map[[2]string]int64{} // type and ID → integration
	src := func(ctx context.Context, typ string, fn func(collect.Resource) error) error {
		return r.DB.BackgroundResources(ctx, orgID, typ, func(integ int64, res collect.Resource) error {
			mu.Lock()
			origin[[2]string{typ, res.ID}] = integ
			mu.Unlock()
			return fn(res)
		})
	}
	err = r.Checks.Eval(ctx, ids, src, func(res check.Result) error {
		mu.Lock()
		defer mu.Unlock()
		cr.Results = append(cr.Results, &attest.CheckResult{CheckID: res.CheckID, ResourceType: res.ResourceType, ResourceID: res.ResourceID,
			ResourceName: res.ResourceName, Status: attest.CheckStatus(res.Status), Reason: res.Reason, IntegrationID: origin[[2]string{res.ResourceType, res.ResourceID}]})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evaluate checks: %w", err)
	}
	out, err := r.DB.RecordResults(ctx, orgID, cr)
	if err != nil {
		return nil, err
	}
	if r.Alert != nil {
		for id, fs := range out.NewFailures {
			if err := r.Alert(ctx, orgID, byID[id], fs); err != nil && r.Log != nil {
				r.Log.Error("alert on new failures", "check", id, "err", err)
			}
		}
	}
	return out, nil
}
