package attest

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Asset types, environments and data classifications.
var (
	AssetTypes       = []string{"application", "database", "cloud_account", "endpoint", "repository"}
	Environments     = []string{"production", "staging", "development", "corporate"}
	Classifications  = []string{"public", "internal", "confidential", "restricted"}
	AssetStatuses    = []string{"active", "retired"}
	assetSystemKinds = map[string]string{"application": "application", "database": "database", "cloud_account": "cloud", "endpoint": "endpoint", "repository": "other"}
)

// Asset is a system of the inventory (CC3.2, CC6.1): what it is, who owns
// it, where it runs, the data it holds and what observes it. An
// engagement's systems in scope are taken from here.
type Asset struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	Type           string  `json:"type"`
	Description    string  `json:"description"`
	OwnerID        int64   `json:"owner_id"`
	Owner          *Person `json:"owner"`
	Environment    string  `json:"environment"`
	Classification string  `json:"classification"`
	// Integrations name what observes the asset (an integration's name,
	// or a tool), comma separated.
	Integrations string `json:"integrations"`
	Status       string `json:"status"`
	ReviewedOn   Date   `json:"reviewed_on"`
	// Engagements are the engagements holding the asset in scope.
	Engagements []int64    `json:"engagements"`
	Controls    []string   `json:"controls"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ClosedAt    *time.Time `json:"closed_at"`
}

// SystemKind is the kind an engagement's system taken from the asset has.
func (a *Asset) SystemKind() string { return assetSystemKinds[a.Type] }

// Validate checks an asset; EINVALID names the field.
func (a *Asset) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	a.Type = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(a.Type, " ", "_")))
	if a.Status == "" {
		a.Status = "active"
	}
	switch {
	case a.Name == "":
		return FieldErrorf("name", "an asset needs a name")
	case len(a.Name) > 200:
		return FieldErrorf("name", "the name is longer than 200 characters")
	case len(a.Description) > 5000, len(a.Integrations) > 1000:
		return FieldErrorf("description", "the text is too long")
	case !slices.Contains(AssetTypes, a.Type):
		return FieldErrorf("type", "unknown type %q (%s)", a.Type, strings.Join(AssetTypes, ", "))
	case !slices.Contains(Environments, a.Environment):
		return FieldErrorf("environment", "unknown environment %q (%s)", a.Environment, strings.Join(Environments, ", "))
	case !slices.Contains(Classifications, a.Classification):
		return FieldErrorf("classification", "unknown classification %q (%s)", a.Classification, strings.Join(Classifications, ", "))
	case !slices.Contains(AssetStatuses, a.Status):
		return FieldErrorf("status", "unknown status %q (active or retired)", a.Status)
	case !a.ReviewedOn.Valid():
		return FieldErrorf("reviewed_on", "the review date must be YYYY-MM-DD")
	}
	return nil
}

// AssetService keeps the inventory of assets and systems.
type AssetService interface {
	FindAssets(ctx context.Context, orgID int64, f RegisterFilter, p Page) ([]*Asset, int, error)
	FindAssetByID(ctx context.Context, orgID, id int64) (*Asset, error)
	CreateAsset(ctx context.Context, orgID int64, a *Asset) error
	UpdateAsset(ctx context.Context, orgID int64, a *Asset) error
	ImportAssets(ctx context.Context, orgID int64, as []*Asset) error
	// ScopeAsset adds the asset to an engagement's systems in scope.
	ScopeAsset(ctx context.Context, orgID, engagementID, assetID int64) (*System, error)
}

// ObservedAsset is a resource an integration collected that belongs in
// the inventory: a repository, a cloud account, a database.
type ObservedAsset struct {
	Integration  string
	ResourceType string
	ResourceID   string
	Name         string
}

// InventoryTypes maps the collected resource types that are systems to
// the asset type and environment they start with in the inventory.
var InventoryTypes = map[string][2]string{
	"github.repository": {"repository", "development"},
	"aws.account":       {"cloud_account", "production"},
	"aws.rds_instance":  {"database", "production"},
}
