package store

import (
	"context"
	"strings"
	"sync"

	"github.com/attest-dev/attest"
)

// latestChangeColumns read attest.Versions with the session (FindSessionUser):
// one probe of the audit log's (org_id, entity, seq) index for each kind.
var latestChangeColumns = func() string {
	parts := make([]string, len(versionEntities))
	for i, e := range versionEntities {
		parts[i] = `COALESCE((SELECT MAX(seq) FROM audit_log a WHERE a.org_id = s.org_id AND a.entity = '` + e + `'), 0)`
	}
	return strings.Join(parts, ", ")
}()

// versionEntities are the audit log's entities behind each field of
// attest.Versions, in order.
var versionEntities = []string{"policy", "user", "settings", "engagement", "task"}

// readKey identifies what a cached read was made from: the latest change
// to each kind of record it depends on (see attest.Versions).
type readKey [3]int64

// readCache keeps one read per organization (or per organization and
// member) under the key it was made from. A read is served while the
// request's key is the same; a new key replaces it. It holds at most
// maxCachedReads reads and starts over when full, so it cannot grow with
// the number of members or organizations.
type readCache[V any] struct {
	mu sync.Mutex
	m  map[[2]int64]readEntry[V]
}

type readEntry[V any] struct {
	key readKey
	v   V
}

const maxCachedReads = 10_000

func (c *readCache[V]) get(org, user int64, key readKey) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[[2]int64{org, user}]
	c.mu.Unlock()
	if !ok || e.key != key {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *readCache[V]) put(org, user int64, key readKey, v V) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedReads {
		c.m = map[[2]int64]readEntry[V]{}
	}
	c.m[[2]int64{org, user}] = readEntry[V]{key, v}
	c.mu.Unlock()
}

// cachedRead returns what read gives, from c when ctx carries the
// organization's versions and key (made from them) matches the cached
// read; without versions (a token, the CLI, a request that changes
// something) it reads.
func cachedRead[V any](ctx context.Context, c *readCache[V], org, user int64, key func(*attest.Versions) readKey, read func() (V, error)) (V, error) {
	v := attest.VersionsFrom(ctx, org)
	if v == nil {
		return read()
	}
	k := key(v)
	if got, ok := c.get(org, user, k); ok {
		return got, nil
	}
	got, err := read()
	if err == nil {
		c.put(org, user, k, got)
	}
	return got, err
}

// readCaches are the reads kept under versions.
type readCaches struct {
	approvals   readCache[[]*attest.ApprovalRequest] // by organization and approver
	engagements readCache[[]*attest.Engagement]      // by organization
	owners      readCache[[]*attest.Person]          // by organization
	ownTasks    readCache[[]*attest.Task]            // by organization and owner
}
