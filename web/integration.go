package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/jobs"
)

// Integrations: the list with an add form per kind (built from the kind's
// fields; secret fields are write-only: they are sealed when saved and
// never shown again), and a page per integration to test its connection,
// run it now, change its schedule and see its last runs.

// MonitorServices is what the integration and monitoring pages read and
// write.
type MonitorServices interface {
	attest.IntegrationService
	attest.MonitoringService
	FindChecksOfControl(ctx context.Context, orgID int64, controlID string) ([]*attest.MonitoredCheck, error)
	ResultsBetween(ctx context.Context, orgID int64, checkID string, from, to time.Time) ([]*attest.CheckResult, error)
	// CheckTimelines reads checks' timelines a day at a time (bounded by
	// the window, not by how many results the checks stored).
	CheckTimelines(ctx context.Context, orgID int64, checks []*attest.MonitoredCheck, from, to attest.Date) (map[string]*attest.Timeline, error)
	ResourceTypes(ctx context.Context, orgID int64) (map[string]int, error)
}

// Monitor wires continuous monitoring into the server.
type Monitor struct {
	// Kinds are the integrations this server can configure.
	Kinds []collect.Kind
	// Runner tests connections and stores agents' snapshots; without it
	// those are refused.
	Runner *jobs.Runner
	// RunNow queues a collection; without it "run now" runs in the request.
	RunNow func(ctx context.Context, orgID, integrationID int64, who string) (duplicate bool, err error)
}

func (s *Server) integrationRoutes() []route {
	return append(s.monitoringRoutes(), []route{
		{"GET", "/integrations", session, attest.ReadData, s.integrationsPage, false},
		{"POST", "/integrations", session, attest.EditReadiness, s.integrationCreate, false},
		{"GET", "/integrations/{id}", session, attest.ReadData, s.integrationPage, false},
		{"POST", "/integrations/{id}", session, attest.EditReadiness, s.integrationUpdate, false},
		{"POST", "/integrations/{id}/test", session, attest.EditReadiness, s.integrationTest, false},
		{"POST", "/integrations/{id}/run", session, attest.EditReadiness, s.integrationRun, false},
		{"POST", "/integrations/{id}/delete", session, attest.EditReadiness, s.integrationDelete, false},
		{"GET", "/api/v1/integrations", token, attest.ReadData, s.apiIntegrations, false},
		{"POST", "/api/v1/integrations", token, attest.EditReadiness, s.apiIntegrationCreate, false},
		{"POST", "/api/v1/integrations/{id}/run", token, attest.EditReadiness, s.integrationRun, false},
		{"POST", "/api/v1/integrations/{id}/test", token, attest.EditReadiness, s.integrationTest, false},
		{"POST", "/api/v1/agent/snapshots", public, "", s.agentSnapshot, false},
	}...)
}

func (s *Server) mon() MonitorServices { return s.svc.(MonitorServices) }

func (s *Server) kind(name string) (collect.Kind, bool) {
	for _, k := range s.Monitor.Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return collect.Kind{}, false
}

func (s *Server) integrationsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderIntegrations(w, r, http.StatusOK, newForm(r.URL.Query()))
}

func (s *Server) renderIntegrations(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ins, err := s.mon().FindIntegrations(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	kind, _ := s.kind(f.Get("kind"))
	return s.render(w, r, status, "integrations", &view{Title: "Integrations", Nav: "integrations", Data: map[string]any{
		"Integrations": ins, "Kinds": s.Monitor.Kinds, "Kind": kind, "Form": f, "Now": s.Now(),
	}})
}

// integrationFromForm reads the add or edit form: settings plain, secrets
// sealed for the integration (id 0 when new: they are sealed after the
// insert gives it an ID).
func (s *Server) integrationFromForm(r *http.Request, k collect.Kind) (settings, secrets map[string]string, every time.Duration, err error) {
	settings, secrets = map[string]string{}, map[string]string{}
	for _, fd := range k.Fields {
		v := strings.TrimSpace(r.PostFormValue(fd.Name))
		if fd.Secret {
			if v != "" {
				secrets[fd.Name] = v
			}
			continue
		}
		if v == "" && fd.Required {
			return nil, nil, 0, attest.FieldErrorf(fd.Name, "%s is required", fd.Label)
		}
		if v != "" {
			settings[fd.Name] = v
		}
	}
	every, err = parseEvery(r.PostFormValue("every"))
	return settings, secrets, every, err
}

// parseEvery reads a schedule: "hourly", "daily", "manual" or a Go
// duration such as 30m.
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
		return 0, attest.FieldErrorf("every", "the schedule must be hourly, daily, manual or a duration such as 30m")
	}
	return d, nil
}

func (s *Server) integrationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	f := newForm(cloneValues(r.PostForm))
	for _, fd := range s.kindFields(f.Get("kind")) {
		if fd.Secret {
			f.Values.Del(fd.Name) // write-only: never echoed back
		}
	}
	k, ok := s.kind(r.PostFormValue("kind"))
	if !ok {
		f.refuse(attest.FieldErrorf("kind", "choose a kind of integration this server knows"))
		return s.renderIntegrations(w, r, refusedStatus, f)
	}
	settings, secrets, every, err := s.integrationFromForm(r, k)
	in := &attest.Integration{Kind: k.Name, Name: r.PostFormValue("name"), Settings: settings, Every: every}
	if err == nil {
		err = s.createIntegration(r.Context(), orgID(r), in, k, secrets)
	}
	if f.refuse(err) {
		return s.renderIntegrations(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/integrations/%d", in.ID), "Integration added. Test its connection, then run it.")
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, xs := range v {
		out[k] = append([]string(nil), xs...)
	}
	return out
}

func (s *Server) kindFields(name string) []collect.Field {
	k, _ := s.kind(name)
	return k.Fields
}

// createIntegration stores the integration, then seals its secrets under
// its ID and stores them.
func (s *Server) createIntegration(ctx context.Context, org int64, in *attest.Integration, k collect.Kind, secrets map[string]string) error {
	fields := map[string]bool{}
	for _, fd := range k.Fields {
		fields[fd.Name] = true
	}
	in.Secrets = map[string]string{}
	if err := in.Validate(fields); err != nil {
		return err
	}
	if err := s.mon().CreateIntegration(ctx, org, in); err != nil {
		return err
	}
	if len(secrets) == 0 {
		return nil
	}
	sealed, err := s.sealSecrets(org, in.ID, secrets)
	if err != nil {
		return err
	}
	out, err := s.mon().UpdateIntegration(ctx, org, in.ID, attest.IntegrationUpdate{Secrets: sealed})
	if err == nil {
		*in = *out
	}
	return err
}

func (s *Server) sealSecrets(org, id int64, secrets map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range secrets {
		sv, err := s.box.Seal(v, jobs.IntegrationPurpose(org, id, k))
		if err != nil {
			return nil, err
		}
		out[k] = sv
	}
	return out, nil
}

func (s *Server) integrationByPath(r *http.Request) (*attest.Integration, error) {
	return s.mon().FindIntegration(r.Context(), orgID(r), r.PathValue("id"))
}

func (s *Server) integrationPage(w http.ResponseWriter, r *http.Request) error {
	in, err := s.integrationByPath(r)
	if err != nil {
		return err
	}
	return s.renderIntegration(w, r, http.StatusOK, in, newForm(nil), "")
}

func (s *Server) renderIntegration(w http.ResponseWriter, r *http.Request, status int, in *attest.Integration, f *form, testResult string) error {
	runs, err := s.mon().FindRuns(r.Context(), orgID(r), in.ID, 20)
	if err != nil {
		return err
	}
	k, _ := s.kind(in.Kind)
	return s.render(w, r, status, "integration", &view{Title: in.Name, Nav: "integrations", Data: map[string]any{
		"Integration": in, "Kind": k, "Runs": runs, "Form": f, "Test": testResult, "Now": s.Now(), "Every": everyText(in.Every),
	}})
}

// everyText says a schedule in words.
func everyText(d time.Duration) string {
	switch d {
	case 0:
		return "manual"
	case time.Hour:
		return "hourly"
	case 24 * time.Hour:
		return "daily"
	}
	return d.String()
}

func (s *Server) integrationUpdate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.integrationByPath(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	k, _ := s.kind(in.Kind)
	f := newForm(cloneValues(r.PostForm))
	for _, fd := range k.Fields {
		if fd.Secret {
			f.Values.Del(fd.Name)
		}
	}
	settings, secrets, every, err := s.integrationFromForm(r, k)
	var sealed map[string]string
	if err == nil {
		sealed, err = s.sealSecrets(orgID(r), in.ID, secrets)
	}
	if err == nil {
		_, err = s.mon().UpdateIntegration(r.Context(), orgID(r), in.ID, attest.IntegrationUpdate{Settings: settings, Secrets: sealed, Every: &every})
	}
	if f.refuse(err) {
		return s.renderIntegration(w, r, refusedStatus, in, f, "")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/integrations/%d", in.ID), "Integration saved.")
}

func (s *Server) integrationTest(w http.ResponseWriter, r *http.Request) error {
	in, err := s.integrationByPath(r)
	if err != nil {
		return err
	}
	if s.Monitor.Runner == nil {
		return attest.Errorf(attest.EINVALID, "this server does not collect integrations")
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	msg := "Connection works."
	if err := s.Monitor.Runner.Test(ctx, orgID(r), in); err != nil {
		msg = "Connection failed: " + attest.ErrorMessage(err)
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusOK, map[string]any{"ok": err == nil, "message": msg})
	}
	return redirect(w, r, fmt.Sprintf("/integrations/%d", in.ID), msg)
}

func (s *Server) integrationRun(w http.ResponseWriter, r *http.Request) error {
	in, err := s.integrationByPath(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	who := p.Actor
	msg := "Collection queued; its run appears below when it starts."
	switch {
	case s.Monitor.RunNow != nil:
		dup, err := s.Monitor.RunNow(r.Context(), p.OrgID, in.ID, who)
		if err != nil {
			return err
		}
		if dup {
			msg = "A collection of this integration is already queued or running."
		}
	case s.Monitor.Runner != nil:
		run, err := s.Monitor.Runner.Run(r.Context(), p.OrgID, fmt.Sprint(in.ID), who, nil)
		if err != nil {
			return err
		}
		msg = fmt.Sprintf("Run %s: %d resources.", run.Status, run.Resources)
		if run.Error != "" {
			msg += " " + run.Error
		}
	default:
		return attest.Errorf(attest.EINVALID, "this server does not collect integrations")
	}
	if wantsJSON(r) {
		return writeJSON(w, http.StatusAccepted, map[string]string{"message": msg})
	}
	return redirect(w, r, fmt.Sprintf("/integrations/%d", in.ID), msg)
}

func (s *Server) integrationDelete(w http.ResponseWriter, r *http.Request) error {
	in, err := s.integrationByPath(r)
	if err != nil {
		return err
	}
	if err := s.mon().DeleteIntegration(r.Context(), orgID(r), in.ID); err != nil {
		return err
	}
	return redirect(w, r, "/integrations", "Integration "+in.Name+" removed; its check history stays.")
}

// apiIntegrations lists the integrations with their last runs (?name=
// selects one); secrets appear only as the names of those set.
func (s *Server) apiIntegrations(w http.ResponseWriter, r *http.Request) error {
	ins, err := s.mon().FindIntegrations(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	if name := r.URL.Query().Get("name"); name != "" {
		var one []*attest.Integration
		for _, in := range ins {
			if in.Name == name {
				one = append(one, in)
			}
		}
		ins = one
	}
	return writePage(w, ins, len(ins))
}

// apiIntegrationCreate adds an integration from JSON: kind, name,
// settings, secrets (sealed at once, answered only by name) and every
// ("hourly", "daily", "manual" or a duration).
func (s *Server) apiIntegrationCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Kind     string            `json:"kind"`
		Name     string            `json:"name"`
		Settings map[string]string `json:"settings"`
		Secrets  map[string]string `json:"secrets"`
		Every    string            `json:"every"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	k, ok := s.kind(body.Kind)
	if !ok {
		return attest.FieldErrorf("kind", "unknown kind %q", body.Kind)
	}
	every, err := parseEvery(body.Every)
	if err != nil {
		return err
	}
	for _, fd := range k.Fields {
		if fd.Secret && fd.Required && body.Secrets[fd.Name] == "" {
			return attest.FieldErrorf(fd.Name, "%s is required", fd.Label)
		}
		if !fd.Secret && fd.Required && body.Settings[fd.Name] == "" {
			return attest.FieldErrorf(fd.Name, "%s is required", fd.Label)
		}
	}
	in := &attest.Integration{Kind: k.Name, Name: body.Name, Settings: body.Settings, Every: every}
	if err := s.createIntegration(r.Context(), orgID(r), in, k, body.Secrets); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, in)
}
