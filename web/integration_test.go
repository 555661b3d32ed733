package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	checkpkg "github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/jobs"
	"github.com/attest-dev/attest/store"
)

var _ MonitorServices = (*store.DB)(nil)

func init() {
	for k, v := range map[string][]mcase{
		"GET /integrations":  {{path: "/integrations"}, {path: "/integrations?kind=fake"}},
		"POST /integrations": {{path: "/integrations", form: "kind=nope&name=matrix", invalid: refusedStatus}},
		"GET /integrations/{id}": {
			{path: "/integrations/{integration}"},
			{scope: scopeOther, path: "/integrations/{integration}"},
		},
		"POST /integrations/{id}": {
			{path: "/integrations/{integration}", form: "host=db.example&every=hourly", loc: "/integrations/{integration}"},
			{scope: scopeOther, path: "/integrations/{integration}", form: "host=x&every=hourly"},
		},
		"POST /integrations/{id}/test": {
			{path: "/integrations/{integration}/test", loc: "/integrations/{integration}"},
			{scope: scopeOther, path: "/integrations/{integration}/test"},
		},
		"POST /integrations/{id}/run": {
			{path: "/integrations/{integration}/run", loc: "/integrations/{integration}"},
			{scope: scopeOther, path: "/integrations/{integration}/run"},
		},
		"POST /integrations/{id}/delete": {
			{path: "/integrations/{fresh}/delete", fresh: "integration", loc: "/integrations"},
			{scope: scopeOther, path: "/integrations/{fresh}/delete", fresh: "integration"},
		},
		"POST /api/v1/agent/snapshots": {{path: "/api/v1/agent/snapshots", status: 401, anon: 401}},
		"GET /monitoring": {
			{path: "/monitoring"},
			{path: "/monitoring?severity=high&status=fail&integration=matrix-hosts&control=GOV-01&q=root"},
		},
		"GET /monitoring.csv": {{path: "/monitoring.csv?severity=high"}},
		"GET /monitoring/checks/{id}": {
			{path: "/monitoring/checks/{check}"},
			{path: "/monitoring/checks/{check}?history=1"},
			{scope: scopeOther, path: "/monitoring/checks/{check}"},
		},
		"POST /monitoring/checks/{id}/exceptions": {
			{path: "/monitoring/checks/{check}/exceptions", form: "resource=web-1&reason=&expires=2099-01-01", invalid: refusedStatus},
			{scope: scopeOther, path: "/monitoring/checks/{check}/exceptions", form: "resource=web-1&reason=x&expires=2099-01-01"},
		},
	} {
		matrix[k] = v
	}
	// Organization B's admin, with A's integration and check names.
	for k, v := range map[string][]isoCase{
		"GET /api/v1/checks":                  {{path: "/api/v1/checks?integration=matrix-hosts", status: 200, want: []string{`[]`}}},
		"GET /api/v1/checks/{id}/results":     {{path: "/api/v1/checks/matrix-check/results?history=1", status: 200, want: []string{`[]`}}},
		"GET /api/v1/integrations":            {{path: "/api/v1/integrations", status: 200, want: []string{`[]`}}},
		"POST /api/v1/integrations":           {{path: "/api/v1/integrations", body: `{"kind":"agent","name":"b-agent","secrets":{"key":"k"}}`, status: 400}},
		"POST /api/v1/integrations/{id}/run":  {{path: "/api/v1/integrations/1/run", status: 404}},
		"POST /api/v1/integrations/{id}/test": {{path: "/api/v1/integrations/1/test", status: 404}},
	} {
		isolationCases[k] = v
	}
}

// fakeHosts is the test kind: hosts whose root login is on or off.
type fakeHosts struct{ root atomic.Bool }

const fakeSecret = "s3cr3t-collector-password"

func (f *fakeHosts) kind() collect.Kind {
	return collect.Kind{Name: "fake", Title: "Fake hosts", ResourceTypes: []string{"fake.host"},
		Fields: []collect.Field{{Name: "host", Label: "Host", Required: true}, {Name: "password", Label: "Password", Secret: true}},
		New: func(cfg collect.Config) (collect.Collector, error) {
			if cfg.Secrets["password"] != fakeSecret {
				return nil, fmt.Errorf("the password was refused by %s", cfg.Settings["host"])
			}
			return f, nil
		}}
}

func (f *fakeHosts) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	for _, id := range []string{"web-1", "web-2"} {
		if err := emit(collect.Resource{Type: "fake.host", ID: id, Name: id, Attributes: map[string]any{"root": id == "web-2" && f.root.Load()}}); err != nil {
			return err
		}
	}
	return nil
}

// testChecks is one check over fake hosts, evaluated by hand.
func testChecks(checkID string) *jobs.CheckSet {
	return &jobs.CheckSet{
		Checks: []jobs.CheckInfo{{ID: checkID, Title: "SSH refuses root", Severity: "high", Controls: []string{"GOV-01"}, Window: 72 * time.Hour, ResourceTypes: []string{"fake.host"}}},
		Eval: func(ctx context.Context, ids []string, res jobs.ResourceFunc, emit func(checkpkg.Result) error) error {
			return res(ctx, "fake.host", func(r collect.Resource) error {
				st, why := checkpkg.Pass, ""
				if r.Attributes["root"] == true {
					st, why = checkpkg.Fail, "=HYPERLINK(\"x\") root may log in"
				}
				return emit(checkpkg.Result{CheckID: checkID, ResourceType: r.Type, ResourceID: r.ID, ResourceName: r.Name, Status: st, Reason: why})
			})
		},
	}
}

// seedMonitoring gives each organization an integration ({integration})
// that has run once with a failing host, so a check ({check}: its own per
// organization) has results.
func (u *uiEnv) seedMonitoring(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	hosts := &fakeHosts{}
	hosts.root.Store(true)
	runner := &jobs.Runner{DB: u.db, Box: u.server.box, Kinds: jobs.KindMap([]collect.Kind{hosts.kind(), jobs.AgentKind()}), Owner: "web-test"}
	u.server.Monitor = Monitor{Kinds: []collect.Kind{hosts.kind(), jobs.AgentKind()}, Runner: runner}
	for org, checkID := range map[int64]string{u.orgA: "matrix-check", u.orgB: "matrix-check-b"} {
		runner.Checks = testChecks(checkID)
		in := &attest.Integration{Kind: "fake", Name: "matrix-hosts", Settings: map[string]string{"host": "h"}, Every: time.Hour}
		if err := u.server.createIntegration(ctx, org, in, hosts.kind(), map[string]string{"password": fakeSecret}); err != nil {
			t.Fatal(err)
		}
		if run, err := runner.Run(ctx, org, in.Name, "test", nil); err != nil || run.Status != attest.RunSucceeded {
			t.Fatalf("seed run: %+v %v", run, err)
		}
		u.ids[org]["{integration}"] = fmt.Sprint(in.ID)
		u.ids[org]["{check}"] = checkID
	}
	runner.Checks = &jobs.CheckSet{Checks: append(testChecks("matrix-check").Checks, testChecks("matrix-check-b").Checks...),
		Eval: func(ctx context.Context, ids []string, res jobs.ResourceFunc, emit func(checkpkg.Result) error) error {
			for _, id := range ids {
				if err := testChecks(id).Eval(ctx, ids, res, emit); err != nil {
					return err
				}
			}
			return nil
		}}
}

var freshIntegrations atomic.Int64

// freshIntegration makes an integration for a request that removes it.
func (u *uiEnv) freshIntegration(t *testing.T, org int64) int64 {
	t.Helper()
	in := &attest.Integration{Kind: "fake", Name: fmt.Sprintf("fresh-%d", freshIntegrations.Add(1)), Settings: map[string]string{"host": "h"}}
	if err := u.db.CreateIntegration(context.Background(), org, in); err != nil {
		t.Fatal(err)
	}
	return in.ID
}

func TestIntegrationPages(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		admin := u.signIn(t, uAdmin)
		// A refused form keeps what was typed, never the secret, and says
		// what is wrong beside the field.
		p := admin.post(t, "/integrations", url.Values{"kind": {"fake"}, "name": {"Bad Name"}, "host": {"db.example"}, "password": {"typed-secret-1"}})
		if p.status != refusedStatus || !strings.Contains(p.body, "lower-case letters") || !strings.Contains(p.body, `value="db.example"`) || strings.Contains(p.body, "typed-secret-1") {
			t.Errorf("refused add = %d: %.300s", p.status, p.body)
		}
		p = admin.post(t, "/integrations", url.Values{"kind": {"fake"}, "name": {"prod-hosts"}, "host": {"db.example"}, "password": {fakeSecret}, "every": {"daily"}})
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/integrations/") {
			t.Fatalf("add = %d %s: %.300s", p.status, p.location(), p.body)
		}
		detail := p.location()
		for _, path := range []string{detail + "/test", detail + "/run"} {
			if p := admin.post(t, path, nil); p.status != http.StatusSeeOther {
				t.Errorf("POST %s = %d", path, p.status)
			}
		}
		page := admin.get(t, detail)
		if page.status != 200 || !strings.Contains(page.body, "succeeded") || !strings.Contains(page.body, "password") {
			t.Errorf("detail: %d %s", page.status, page.body[strings.Index(page.body, "<main"):])
		}
		mon := admin.get(t, "/monitoring?status=fail")
		if d := mon.doc(t); d.Find("table.checks tbody tr").Length() == 0 || !strings.Contains(d.Find("table.checks").Text(), "SSH refuses root") {
			t.Errorf("monitoring: %.800s", mon.body)
		}
		csv := admin.get(t, "/monitoring.csv")
		if !strings.Contains(csv.body, "matrix-check") {
			t.Errorf("csv: %s", csv.body)
		}
		// The exception form: the approver must be someone else.
		self := fmt.Sprint(u.users[uAdmin].ID)
		ex := admin.post(t, "/monitoring/checks/matrix-check/exceptions", url.Values{"resource": {"web-2"}, "reason": {"retiring"}, "approver": {self}, "expires": {string(attest.DateOf(time.Now()).AddDays(30))}})
		if ex.status != refusedStatus || !strings.Contains(ex.body, "someone other than") || !strings.Contains(ex.body, "retiring") {
			t.Errorf("self-approved exception = %d: %.300s", ex.status, ex.body)
		}
		ex = admin.post(t, "/monitoring/checks/matrix-check/exceptions", url.Values{"resource": {"web-2"}, "reason": {"retiring"}, "approver": {fmt.Sprint(u.users[uManager].ID)}, "expires": {string(attest.DateOf(time.Now()).AddDays(30))}})
		if ex.status != http.StatusSeeOther {
			t.Fatalf("exception = %d: %.300s", ex.status, ex.body)
		}
		cp := admin.get(t, "/monitoring/checks/matrix-check")
		if !strings.Contains(cp.body, "excepted") || !strings.Contains(cp.body, "Max Manager") {
			t.Errorf("check page: %.800s", cp.body)
		}
		ctl := admin.get(t, "/controls/GOV-01")
		if d := ctl.doc(t); d.Find("#check-timelines svg.timeline rect").Length() == 0 {
			t.Errorf("control page has no timeline: %.300s", ctl.body)
		}
		dash := admin.get(t, "/")
		if !strings.Contains(dash.body, `id="failing-checks"`) {
			t.Errorf("dashboard has no failing checks card")
		}
		created := u.do(t, "POST", "/api/v1/integrations", adminA, `{"kind":"fake","name":"api-hosts","settings":{"host":"h"},"secrets":{"password":"`+fakeSecret+`"},"every":"manual"}`)
		if created.status != http.StatusCreated || !strings.Contains(string(created.body), `"secrets_set": [`) {
			t.Errorf("API create = %d %s", created.status, created.body)
		}
		if bad := u.do(t, "POST", "/api/v1/integrations", adminA, `{"kind":"fake","name":"api-hosts-2","settings":{}}`); bad.status != http.StatusBadRequest {
			t.Errorf("API create without the host = %d %s", bad.status, bad.body)
		}
		// The secret is nowhere: pages, API, audit log.
		api := u.do(t, "GET", "/api/v1/integrations", adminA, "")
		var listed []map[string]any
		if err := json.Unmarshal(api.body, &listed); err != nil || len(listed) != 3 || api.header.Get("X-Total-Count") != "3" {
			t.Errorf("API list: %v %s", err, api.body)
		}
		log, err := u.db.FindAuditLog(context.Background(), u.orgA, attest.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var audit strings.Builder
		for _, e := range log {
			audit.WriteString(string(e.Before) + string(e.After))
		}
		for what, text := range map[string]string{"detail page": page.body, "API": string(api.body), "API create": string(created.body), "audit log": audit.String(), "csv": csv.body} {
			if strings.Contains(text, fakeSecret) || strings.Contains(text, "v1:") {
				t.Errorf("the %s shows the secret or its sealed form", what)
			}
		}
		if strings.Contains(csv.body, "\n=HYPERLINK") || strings.Contains(csv.body, ",=HYPERLINK") {
			t.Errorf("CSV cell starts with a formula: %s", csv.body)
		}
	})
}

func TestAgentSnapshot(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		in := &attest.Integration{Kind: jobs.AgentKindName, Name: "agent-web-3", Settings: map[string]string{"host": "web-3"}}
		if err := u.server.createIntegration(ctx, u.orgA, in, jobs.AgentKind(), map[string]string{"key": "agent-key-0123456789"}); err != nil {
			t.Fatal(err)
		}
		agent := fmt.Sprintf("%d:%d", u.orgA, in.ID)
		body, _ := json.Marshal(jobs.AgentSnapshot{Resources: []collect.Resource{{Type: "linux.host", ID: "web-3", Name: "web-3", Attributes: map[string]any{"kernel": "6.1"}}}})
		now := time.Now()
		cases := []struct {
			name, key, agent string
			at               time.Time
			body             []byte
			status           int
		}{
			{"signed", "agent-key-0123456789", agent, now, body, http.StatusAccepted},
			{"wrong key", "another-key", agent, now, body, http.StatusUnauthorized},
			{"another agent's name", "agent-key-0123456789", fmt.Sprintf("%d:%d", u.orgB, in.ID), now, body, http.StatusUnauthorized},
			{"replayed an hour later", "agent-key-0123456789", agent, now.Add(-time.Hour), body, http.StatusUnauthorized},
			{"malformed", "agent-key-0123456789", agent, now, []byte(`{"resources":[{"type":"linux.host"}]}`), http.StatusBadRequest},
		}
		for _, c := range cases {
			req, _ := http.NewRequest("POST", u.srv.URL+"/api/v1/agent/snapshots", strings.NewReader(string(c.body)))
			req.Header.Set("X-Attest-Agent", c.agent)
			req.Header.Set("X-Attest-Time", fmt.Sprint(c.at.Unix()))
			req.Header.Set("X-Attest-Signature", jobs.SignAgent(c.key, c.agent, c.at, c.body))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != c.status {
				t.Errorf("%s = %d, want %d", c.name, res.StatusCode, c.status)
			}
		}
		types, err := u.db.ResourceTypes(ctx, u.orgA)
		if err != nil || types["linux.host"] != 1 {
			t.Errorf("stored %v, %v: want the one signed snapshot", types, err)
		}
	})
}
