package jobs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// Agents: `attest agent` on another host posts a snapshot of it to the
// server, signed with HMAC-SHA256 under a key the agent and its "agent"
// integration share (the integration keeps it sealed). The signature
// covers the agent's name, the time and the body, and a snapshot more
// than AgentSkew away from the server's clock is refused, so a captured
// request cannot be replayed later or for another agent.

// AgentKindName is the kind of agent integrations.
const AgentKindName = "agent"

// AgentSkew is how far an agent's clock may be from the server's.
const AgentSkew = 5 * time.Minute

// AgentKind is the integration kind of hosts that post their own
// snapshots: it has a key and nothing to collect from the server's side.
func AgentKind() collect.Kind {
	return collect.Kind{Name: AgentKindName, Title: "Host agent (attest agent)", ResourceTypes: []string{"linux.host"},
		Fields: []collect.Field{
			{Name: "host", Label: "Host", Help: "The host the agent runs on, for people."},
			{Name: "key", Label: "Agent key", Secret: true, Required: true, Help: "A long random key the agent signs its snapshots with (for example: openssl rand -hex 32); give the same key to attest agent."},
		}}
}

// AgentSnapshot is the body an agent posts.
type AgentSnapshot struct {
	Resources []collect.Resource `json:"resources"`
}

// SignAgent returns the signature of an agent's request.
func SignAgent(key, agent string, at time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("attest-agent-v1\n" + agent + "\n" + strconv.FormatInt(at.Unix(), 10) + "\n"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyAgent checks an agent's signature and time; now is the server's
// clock. The error says nothing of the key.
func VerifyAgent(key, agent, unix, signature string, body []byte, now time.Time) error {
	sec, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return attest.Errorf(attest.EUNAUTHORIZED, "the snapshot's time is missing or malformed")
	}
	at := time.Unix(sec, 0)
	if at.Before(now.Add(-AgentSkew)) || at.After(now.Add(AgentSkew)) {
		return attest.Errorf(attest.EUNAUTHORIZED, "the snapshot's time is more than %s from the server's clock", AgentSkew)
	}
	want := SignAgent(key, agent, at, body)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return attest.Errorf(attest.EUNAUTHORIZED, "the snapshot's signature does not match the agent's key")
	}
	return nil
}
