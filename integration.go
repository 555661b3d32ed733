package attest

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Integration is a configured connection to a system Attest collects from:
// its kind (postgres, github, agent, …), a name unique in the
// organization, plain settings and sealed credentials. Secrets holds the
// sealed values by field name; it never leaves the store but to the runner,
// which opens them, and is never shown, exported or written to the audit
// log (SecretNames says which are set).
type Integration struct {
	ID          int64             `json:"id"`
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	Settings    map[string]string `json:"settings"`
	Secrets     map[string]string `json:"-"`
	SecretNames []string          `json:"secrets_set"`
	// Every is how often the integration runs on its own; 0 is only when
	// asked (run now, the CLI).
	Every     time.Duration   `json:"every_seconds"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	LastRun   *IntegrationRun `json:"last_run,omitempty"`
}

// DefaultEvery is how often a new integration runs: hourly.
const DefaultEvery = time.Hour

// Run statuses.
const (
	RunRunning     = "running"
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
)

// IntegrationRun is one collection: when, how long, how many resources,
// how many check results changed, and the error of a failed run (the
// stored resources of a failed run are those of the last good one).
type IntegrationRun struct {
	ID            int64      `json:"id"`
	IntegrationID int64      `json:"integration_id"`
	Trigger       string     `json:"trigger"`
	Status        string     `json:"status"`
	StartedAt     time.Time  `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	Resources     int        `json:"resources"`
	Changes       int        `json:"changes"`
	Error         string     `json:"error,omitempty"`
}

// Duration is how long the run took (so far, while it runs).
func (r *IntegrationRun) Duration(now time.Time) time.Duration {
	if r.FinishedAt != nil {
		return r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond)
	}
	return now.Sub(r.StartedAt).Round(time.Second)
}

var integrationName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate checks an integration's name, kind and settings; fields are the
// names its kind accepts (nil skips that check). It returns EINVALID with
// the field in question.
func (in *Integration) Validate(fields map[string]bool) error {
	in.Name = strings.TrimSpace(in.Name)
	if !integrationName.MatchString(in.Name) {
		return FieldErrorf("name", "the name %q must be 1 to 63 lower-case letters, digits, dots, dashes or underscores", in.Name)
	}
	if in.Kind == "" {
		return FieldErrorf("kind", "choose the kind of integration")
	}
	if in.Every != 0 && (in.Every < 5*time.Minute || in.Every > 7*24*time.Hour) {
		return FieldErrorf("every", "the schedule must be between 5 minutes and 7 days, or manual")
	}
	for k, v := range in.Settings {
		if fields != nil && !fields[k] {
			return FieldErrorf(k, "%s has no setting %q", in.Kind, k)
		}
		if err := ValidText(k, v); err != nil {
			return FieldErrorf(k, "%s", ErrorMessage(err))
		}
		if len(v) > 4000 {
			return FieldErrorf(k, "%s is longer than 4,000 characters", k)
		}
	}
	for k, v := range in.Secrets {
		if fields != nil && !fields[k] {
			return FieldErrorf(k, "%s has no setting %q", in.Kind, k)
		}
		if len(v) > 20000 {
			return FieldErrorf(k, "%s is too long", k)
		}
	}
	return nil
}

// IntegrationUpdate changes an integration; nil fields stay. Secrets
// replaces only the secrets it names (sealed); an empty value removes one.
type IntegrationUpdate struct {
	Settings map[string]string
	Secrets  map[string]string
	Every    *time.Duration
}

// IntegrationService stores integrations and their runs.
type IntegrationService interface {
	// CreateIntegration stores a new integration; its secrets must be
	// sealed. EINVALID on the name field when the name is taken.
	CreateIntegration(ctx context.Context, orgID int64, in *Integration) error
	// FindIntegrations returns the organization's integrations with their
	// last run, by name.
	FindIntegrations(ctx context.Context, orgID int64) ([]*Integration, error)
	// FindIntegration returns one integration by ID or name; ENOTFOUND.
	FindIntegration(ctx context.Context, orgID int64, idOrName string) (*Integration, error)
	// UpdateIntegration changes settings, secrets or the schedule.
	UpdateIntegration(ctx context.Context, orgID, id int64, u IntegrationUpdate) (*Integration, error)
	// DeleteIntegration removes an integration, its runs and resources.
	DeleteIntegration(ctx context.Context, orgID, id int64) error
	// FindRuns returns an integration's latest runs, newest first.
	FindRuns(ctx context.Context, orgID, integrationID int64, limit int) ([]*IntegrationRun, error)
}
