package attest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// AuditEntry is one change, appended to an organization's audit log. Entries
// form a hash chain: each entry's hash covers its own fields and the hash of
// the entry before it, so altering, removing or reordering any entry breaks
// every hash after it.
type AuditEntry struct {
	// Seq numbers an organization's entries 1, 2, 3, … with no gaps.
	Seq      int64           `json:"seq"`
	OrgID    int64           `json:"org_id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// ComputeHash returns the hex SHA-256 over the entry's fields and PrevHash,
// each length-prefixed so no two entries can encode alike. At is taken in UTC
// with nanoseconds.
func (e *AuditEntry) ComputeHash() string {
	h := sha256.New()
	for _, f := range []string{
		"attest-audit-v1",
		strconv.FormatInt(e.Seq, 10),
		strconv.FormatInt(e.OrgID, 10),
		e.At.UTC().Format(time.RFC3339Nano),
		e.Actor, e.Action, e.Entity, e.EntityID,
		string(e.Before), string(e.After),
		e.PrevHash,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Actor    string
	Action   string
	Entity   string
	EntityID string
	Since    time.Time
	Until    time.Time
	// Limit caps the number returned, newest first; 0 means 100.
	Limit int
	// BeforeSeq pages backwards: only entries with Seq below it.
	BeforeSeq int64
	// Scoped leaves out the entries about engagements other than
	// Engagements (an auditor's grants); entries about the whole
	// organization stay.
	Scoped      bool
	Engagements []int64
}

// AuditProblem is something wrong with a stored audit chain.
type AuditProblem struct {
	OrgID int64 `json:"org_id"`
	Seq   int64 `json:"seq"`
	// Kind is "altered" (the entry's hash does not match its content),
	// "broken_link" (its prev_hash is not the hash of the entry before:
	// reordered or inserted) or "missing" (a gap in the sequence, or entries
	// cut from the end).
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

type actorKey struct{}

// WithActor returns a context that attributes changes to actor, such as
// "user:ana@example.com", "token:ci" or "cli:root".
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor of the context, or "system".
func ActorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}
