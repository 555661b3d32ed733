// Package collect defines what every integration's collector returns and
// how the runner drives it. Each integration lives in its own subpackage
// (collect/postgres, collect/github, …); a collector reads a system and
// returns typed resources, and never touches Attest's storage: the runner
// in jobs/ persists what it emits, so a failed or cancelled run leaves the
// last good state in place.
package collect

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Resource is one thing a collector observed: a user account, a
// repository, a database role, a host. Type is dotted and namespaced by
// the integration kind ("github.repository", "postgres.role",
// "linux.host"); ID is stable across runs for the same thing, so the
// runner can tell a changed resource from a new one. Attributes hold only
// JSON values (string, float64, bool, nil, []any, map[string]any), which
// is what checks read.
type Resource struct {
	Type        string         `json:"type"`
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Attributes  map[string]any `json:"attributes"`
	CollectedAt time.Time      `json:"collected_at"`
}

// Collector gathers the resources of one configured integration.
//
// Collect calls emit once per resource and returns nil only when it saw
// everything it was asked to see: the runner replaces the integration's
// stored resources with a run's output only when Collect returned nil. A
// malformed answer, an authentication failure or a cancelled context is an
// error. Errors must never contain a credential.
type Collector interface {
	Collect(ctx context.Context, emit func(Resource) error) error
}

// Tester is implemented by collectors that can check their connection
// cheaply ("test connection" in the browser and `attest integration
// test`). The error's message is shown to the user as is, so it says what
// is wrong in plain words (wrong credentials, host unreachable) and holds
// no secret.
type Tester interface {
	Test(ctx context.Context) error
}

// Field describes one setting of an integration kind, for forms, the CLI
// and validation. Secret fields are sealed at rest and never shown again.
type Field struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Help     string `json:"help,omitempty"`
	Required bool   `json:"required,omitempty"`
	Secret   bool   `json:"secret,omitempty"`
	Default  string `json:"default,omitempty"`
}

// Config is what a collector is built from: the integration's settings and
// opened secrets, an HTTP client that only reaches addresses the operator
// allowed, and the clock.
type Config struct {
	Settings map[string]string
	Secrets  map[string]string
	HTTP     *http.Client
	// Dialer connects collectors that speak their own protocol (databases,
	// directories); like HTTP it reaches only addresses the operator
	// allowed (netguard.Dialer). Nil is a plain dialer, for tests.
	Dialer *net.Dialer
	Now    func() time.Time
	// Sleep waits for d or until ctx is done (then it returns ctx.Err()).
	// Nil means a real timer; tests set it to record backoff and
	// Retry-After waits without spending the time.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Kind is one type of integration: its name ("postgres"), a title for
// people, its settings, the resource types it emits, and how to build a
// collector from a configuration. New validates the configuration and
// returns an error naming the bad setting.
type Kind struct {
	Name          string
	Title         string
	Fields        []Field
	ResourceTypes []string
	New           func(Config) (Collector, error)
}
