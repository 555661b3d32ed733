package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/seal"
	"github.com/riverqueue/river"
)

// fakeSystem is what the fake collector reads: its hosts, or a failure.
type fakeSystem struct {
	hosts []collect.Resource
	err   error
}

const fakePassword = "hunter2-very-secret"

func (f *fakeSystem) kind() collect.Kind {
	return collect.Kind{Name: "fake", Title: "Fake hosts", ResourceTypes: []string{"fake.host"},
		Fields: []collect.Field{{Name: "host", Label: "Host", Required: true}, {Name: "password", Label: "Password", Secret: true}},
		New: func(cfg collect.Config) (collect.Collector, error) {
			if cfg.Secrets["password"] != fakePassword {
				return nil, fmt.Errorf("wrong password %q for %s", cfg.Secrets["password"], cfg.Settings["host"])
			}
			return f, nil
		}}
}

func (f *fakeSystem) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	for _, h := range f.hosts {
		if err := emit(h); err != nil {
			return err
		}
	}
	if f.err != nil {
		return fmt.Errorf("%w (password %s)", f.err, fakePassword)
	}
	return nil
}

// rootLoginChecks is a one-check set evaluated by hand: a host fails when
// root may log in over SSH.
func rootLoginChecks() *CheckSet {
	return &CheckSet{
		Checks: []CheckInfo{{ID: "host-root-login", Title: "SSH refuses root", Severity: "high", Controls: []string{"CC6.1-01"}, Window: 72 * time.Hour, ResourceTypes: []string{"fake.host"}}},
		Eval: func(ctx context.Context, ids []string, res ResourceFunc, emit func(check.Result) error) error {
			return res(ctx, "fake.host", func(r collect.Resource) error {
				st, reason := check.Pass, ""
				if r.Attributes["root_login"] == true {
					st, reason = check.Fail, "PermitRootLogin is yes"
				}
				return emit(check.Result{CheckID: "host-root-login", ResourceType: r.Type, ResourceID: r.ID, ResourceName: r.Name, Status: st, Reason: reason})
			})
		},
	}
}

func host(id string, root bool) collect.Resource {
	return collect.Resource{Type: "fake.host", ID: id, Name: id, Attributes: map[string]any{"root_login": root}}
}

func TestCollectRun(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			db, o := openOrg(t, tg)
			olga := &attest.User{OrgID: o.ID, Email: "olga@acme.example", Name: "Olga", Role: attest.RoleControlOwner, Active: true}
			if err := db.CreateUser(ctx, olga); err != nil {
				t.Fatal(err)
			}
			ctls, err := db.FindControls(ctx, o.ID, attest.ControlFilter{})
			if err != nil || len(ctls) == 0 {
				t.Fatal(err)
			}
			ctl := ctls[0].ID
			if _, err := db.UpdateControl(ctx, o.ID, ctl, attest.ControlUpdate{OwnerID: &olga.ID}); err != nil {
				t.Fatal(err)
			}
			box, _ := seal.New(make([]byte, 32))
			sys := &fakeSystem{}
			checks := rootLoginChecks()
			checks.Checks[0].Controls = []string{ctl}
			var sent []DeliverArgs
			alerter := &Alerter{DB: db, Enqueue: func(_ context.Context, a river.JobArgs) error { sent = append(sent, a.(DeliverArgs)); return nil }}
			r := &Runner{DB: db, Box: box, Kinds: KindMap([]collect.Kind{sys.kind()}), Checks: checks, Owner: "test", Alert: alerter.Alert}
			in := &attest.Integration{Kind: "fake", Name: "hosts", Settings: map[string]string{"host": "h"}, Every: time.Hour}
			if err := db.CreateIntegration(ctx, o.ID, in); err != nil {
				t.Fatal(err)
			}
			sealed, _ := box.Seal(fakePassword, IntegrationPurpose(o.ID, in.ID, "password"))
			if _, err := db.UpdateIntegration(ctx, o.ID, in.ID, attest.IntegrationUpdate{Secrets: map[string]string{"password": sealed}}); err != nil {
				t.Fatal(err)
			}
			openFails := func() int {
				_, n, err := db.FindResults(ctx, o.ID, attest.ResultFilter{CheckID: "host-root-login", OpenOnly: true, Status: "fail"})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			steps := []struct {
				name      string
				hosts     []collect.Resource
				err       error
				status    string
				resources int // stored after the run
				fails     int // open failures after the run
				errText   string
			}{
				{"good run", []collect.Resource{host("a", false), host("b", true)}, nil, attest.RunSucceeded, 2, 1, ""},
				{"malformed data keeps the last good state", []collect.Resource{host("a", true), {Type: "fake.host"}}, nil, attest.RunFailed, 2, 1, "malformed data"},
				{"an error keeps the last good state and hides the secret", []collect.Resource{host("a", true)}, errors.New("connection reset"), attest.RunFailed, 2, 1, "connection reset"},
				{"fixed", []collect.Resource{host("a", false), host("b", false), host("c", false)}, nil, attest.RunSucceeded, 3, 0, ""},
			}
			for _, st := range steps {
				sys.hosts, sys.err = st.hosts, st.err
				run, err := r.Run(ctx, o.ID, "hosts", "test", nil)
				if err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if run.Status != st.status || !strings.Contains(run.Error, st.errText) || strings.Contains(run.Error, fakePassword) {
					t.Errorf("%s: run %s %q; want %s with %q and no secret", st.name, run.Status, run.Error, st.status, st.errText)
				}
				types, _ := db.ResourceTypes(ctx, o.ID)
				if types["fake.host"] != st.resources || openFails() != st.fails {
					t.Errorf("%s: %d resources, %d failing; want %d, %d", st.name, types["fake.host"], openFails(), st.resources, st.fails)
				}
			}
			c, err := db.FindCheck(ctx, o.ID, "host-root-login")
			if err != nil || c.TaskID == 0 {
				t.Fatalf("check %+v, %v: want a remediation task", c, err)
			}
			task, err := db.FindTaskByID(ctx, o.ID, c.TaskID)
			if err != nil || task.OwnerID != olga.ID || task.ControlID != ctl || !strings.Contains(task.Description, "fake.host b") {
				t.Errorf("task %+v, %v", task, err)
			}
			if len(sent) != 1 || sent[0].To != olga.Email || sent[0].Message.Event != EventCheckFailed {
				t.Errorf("notifications %+v, want one email to Olga", sent)
			}
			if in, err = db.FindIntegration(ctx, o.ID, "hosts"); err != nil {
				t.Fatal(err)
			}
			if err := r.Test(ctx, o.ID, in); err != nil {
				t.Errorf("test connection: %v", err)
			}
			wrong, _ := box.Seal("nope", IntegrationPurpose(o.ID, in.ID, "password"))
			in.Secrets["password"] = wrong
			if err := r.Test(ctx, o.ID, in); err == nil || !strings.Contains(err.Error(), "wrong password") || strings.Contains(err.Error(), "nope") {
				t.Errorf("test with a wrong password: %v", err)
			}
		})
	}
}

// TestCollectJobUnique: a collection waiting or running is not queued a
// second time, by this process or another sharing the database.
func TestCollectJobUnique(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			a, b := newQueue(t, tg.db, tg.dialect(), Config{}), newQueue(t, tg.db, tg.dialect(), Config{})
			dup, err := a.RunNow(ctx, 1, 7, "user:1")
			if err != nil || dup {
				t.Fatalf("first: %v %v", dup, err)
			}
			if dup, err := b.RunNow(ctx, 1, 7, "user:2"); err != nil || !dup {
				t.Fatalf("second process: duplicate %v, %v", dup, err)
			}
			if dup, err := b.RunNow(ctx, 1, 8, "user:2"); err != nil || dup {
				t.Fatalf("another integration: duplicate %v, %v", dup, err)
			}
		})
	}
}

// TestCollectRoster: a run of an HR roster integration fills the
// organization's roster (people who may never sign in), managers resolved
// by email; a later run updates them rather than adding them again.
func TestCollectRoster(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			db, o := openOrg(t, tg)
			person := func(email, name, manager, end string) collect.Resource {
				return collect.Resource{Type: attest.ResourcePersonType, ID: email, Name: name, Attributes: map[string]any{
					"email": email, "name": name, "department": "Engineering", "manager": manager, "start_date": "2025-01-06", "end_date": end}}
			}
			sys := &rosterSystem{}
			r := &Runner{DB: db, Box: nil, Kinds: KindMap([]collect.Kind{sys.kind()}), Checks: &CheckSet{}, Owner: "test"}
			in := &attest.Integration{Kind: "roster", Name: "hr", Settings: map[string]string{}, Every: time.Hour}
			if err := db.CreateIntegration(ctx, o.ID, in); err != nil {
				t.Fatal(err)
			}
			sys.people = []collect.Resource{person("ana@acme.example", "Ana", "", ""), person("bo@acme.example", "Bo", "ana@acme.example", "")}
			if run, err := r.Run(ctx, o.ID, "hr", "test", nil); err != nil || run.Status != attest.RunSucceeded {
				t.Fatalf("first run: %+v %v", run, err)
			}
			sys.people[1] = person("bo@acme.example", "Bo", "ana@acme.example", "2026-11-30")
			if run, err := r.Run(ctx, o.ID, "hr", "test", nil); err != nil || run.Status != attest.RunSucceeded {
				t.Fatalf("second run: %+v %v", run, err)
			}
			people, n, err := db.FindRosterPage(ctx, o.ID, attest.RosterFilter{}, attest.Page{Limit: 10})
			if err != nil || n != 2 {
				t.Fatalf("roster after two runs: %d people, %v; want 2", n, err)
			}
			byEmail := map[string]*attest.RosterPerson{}
			for _, p := range people {
				byEmail[p.Email] = p
			}
			ana, bo := byEmail["ana@acme.example"], byEmail["bo@acme.example"]
			if ana == nil || bo == nil || bo.ManagerID != ana.ID || bo.EndDate != "2026-11-30" {
				t.Fatalf("roster: ana %+v, bo %+v; want Bo managed by Ana, leaving 2026-11-30", ana, bo)
			}
			// A person without an email fails the run and keeps the roster.
			sys.people = append(sys.people, collect.Resource{Type: attest.ResourcePersonType, ID: "x", Name: "No Email", Attributes: map[string]any{"name": "No Email"}})
			if run, err := r.Run(ctx, o.ID, "hr", "test", nil); err != nil || run.Status != attest.RunFailed {
				t.Fatalf("run with a bad person: %+v %v; want a failed run", run, err)
			}
			if _, n, _ := db.FindRosterPage(ctx, o.ID, attest.RosterFilter{}, attest.Page{Limit: 10}); n != 2 {
				t.Errorf("after a failed run the roster holds %d people, want 2", n)
			}
		})
	}
}

// rosterSystem is a fake HR system.
type rosterSystem struct{ people []collect.Resource }

func (f *rosterSystem) kind() collect.Kind {
	return collect.Kind{Name: "roster", Title: "Fake roster", ResourceTypes: []string{attest.ResourcePersonType},
		New: func(collect.Config) (collect.Collector, error) { return f, nil }}
}

func (f *rosterSystem) Collect(_ context.Context, emit func(collect.Resource) error) error {
	for _, p := range f.people {
		if err := emit(p); err != nil {
			return err
		}
	}
	return nil
}

// TestCollectPullRequests: a run that collects merged pull requests
// records each as a change once, attached to the change control, with the
// approver a member found by their login; an unmerged one waits.
func TestCollectPullRequests(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			db, o := openOrg(t, tg)
			ana := &attest.User{OrgID: o.ID, Email: "ana@acme.example", Name: "Ana", Role: attest.RoleControlOwner, Active: true}
			if err := db.CreateUser(ctx, ana); err != nil {
				t.Fatal(err)
			}
			pr := func(id, merged string) collect.Resource {
				return collect.Resource{Type: attest.ResourcePullRequestType, ID: id, Name: "Fix " + id, Attributes: map[string]any{
					"title": "Fix " + id, "repository": "acme/api", "url": "https://github.example/acme/api/pull/" + id,
					"author": "bo-gh", "approvers": []any{"ana-gh"}, "merged_at": merged}}
			}
			sys := &rosterSystem{people: []collect.Resource{
				{Type: "github.member", ID: "1", Name: "ana-gh", Attributes: map[string]any{"login": "ana-gh", "email": "ana@acme.example"}},
				pr("1", "2026-11-02T10:00:00Z"), pr("2", ""),
			}}
			k := sys.kind()
			k.Name, k.ResourceTypes = "code", []string{"github.member", attest.ResourcePullRequestType}
			r := &Runner{DB: db, Kinds: KindMap([]collect.Kind{k}), Checks: &CheckSet{}, Owner: "test", Changes: true}
			in := &attest.Integration{Kind: "code", Name: "code-host", Settings: map[string]string{}, Every: time.Hour}
			if err := db.CreateIntegration(ctx, o.ID, in); err != nil {
				t.Fatal(err)
			}
			changes := func() []*attest.ChangeRecord {
				t.Helper()
				list, _, err := db.FindChangePage(ctx, o.ID, attest.ChangeFilter{}, attest.Page{Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				return list
			}
			if run, err := r.Run(ctx, o.ID, "code-host", "test", nil); err != nil || run.Status != attest.RunSucceeded {
				t.Fatalf("first run: %+v %v", run, err)
			}
			got := changes()
			if len(got) != 1 || got[0].ExternalID != "1" || got[0].ApproverID != ana.ID || got[0].ImplementedOn != "2026-11-02" {
				t.Fatalf("changes after the first run: %+v; want pull request 1, approved by Ana", got)
			}
			if got[0].ControlID != PullRequestControl || got[0].EvidenceID == 0 {
				t.Errorf("the change serves control %q with evidence %d, want %s with its approval as evidence", got[0].ControlID, got[0].EvidenceID, PullRequestControl)
			}
			// Pull request 2 merges; 1 is collected again and kept once.
			sys.people[2] = pr("2", "2026-11-20T08:00:00Z")
			if run, err := r.Run(ctx, o.ID, "code-host", "test", nil); err != nil || run.Status != attest.RunSucceeded {
				t.Fatalf("second run: %+v %v", run, err)
			}
			if got := changes(); len(got) != 2 {
				t.Errorf("after the second run %d changes, want 2", len(got))
			}
		})
	}
}
