package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/jobs"
)

// agentSnapshot stores a snapshot posted by `attest agent` as the
// resources of its agent integration. The agent names itself
// "ORG:INTEGRATION" in X-Attest-Agent and signs the request
// (X-Attest-Time, X-Attest-Signature; see jobs.SignAgent); an unknown
// agent and a bad signature get the same answer.
func (s *Server) agentSnapshot(w http.ResponseWriter, r *http.Request) error {
	denied := attest.Errorf(attest.EUNAUTHORIZED, "the snapshot's signature does not match the agent's key")
	if s.Monitor.Runner == nil {
		return attest.Errorf(attest.ENOTFOUND, "this server does not take agent snapshots")
	}
	agent := r.Header.Get("X-Attest-Agent")
	orgText, idText, ok := strings.Cut(agent, ":")
	org, err1 := strconv.ParseInt(orgText, 10, 64)
	id, err2 := strconv.ParseInt(idText, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return attest.Errorf(attest.EUNAUTHORIZED, "X-Attest-Agent must be ORGANIZATION:INTEGRATION (numbers)")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in, err := s.mon().FindIntegration(ctx, org, strconv.FormatInt(id, 10))
	if err != nil || in.Kind != jobs.AgentKindName || in.Secrets["key"] == "" {
		return denied
	}
	key, err := s.box.Open(in.Secrets["key"], jobs.IntegrationPurpose(org, in.ID, "key"))
	if err != nil {
		return denied
	}
	if err := jobs.VerifyAgent(key, agent, r.Header.Get("X-Attest-Time"), r.Header.Get("X-Attest-Signature"), body, s.Now()); err != nil {
		return err
	}
	var snap jobs.AgentSnapshot
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return attest.Errorf(attest.EINVALID, "malformed snapshot: %s", err.Error())
	}
	ctx = attest.WithActor(ctx, "agent:"+in.Name)
	run, err := s.Monitor.Runner.Ingest(ctx, org, in, "agent", snap.Resources)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"run": run.ID, "status": run.Status, "resources": run.Resources})
}
