package attest

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Vendor tiers by criticality: what a failure of the vendor would cost.
const (
	TierCritical = "critical"
	TierHigh     = "high"
	TierMedium   = "medium"
	TierLow      = "low"
)

// VendorTiers lists the tiers, most critical first.
var VendorTiers = []string{TierCritical, TierHigh, TierMedium, TierLow}

// VendorStatuses lists a vendor's statuses.
var VendorStatuses = []string{"active", "offboarded"}

// ReviewMonths is how often a vendor of a tier is reviewed.
func ReviewMonths(tier string) int {
	switch tier {
	case TierCritical:
		return 12
	case TierHigh:
		return 12
	case TierMedium:
		return 24
	}
	return 36
}

// Vendor is a third party the company relies on (CC9.2).
type Vendor struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Service string `json:"service"`
	// DataShared describes the company's data the vendor receives.
	DataShared    string  `json:"data_shared"`
	Tier          string  `json:"tier"`
	OwnerID       int64   `json:"owner_id"`
	Owner         *Person `json:"owner"`
	ContractStart Date    `json:"contract_start"`
	ContractEnd   Date    `json:"contract_end"`
	// Subservice marks a subservice organization: the system description
	// names it with the complementary controls the company relies on.
	Subservice            bool   `json:"subservice"`
	ComplementaryControls string `json:"complementary_controls"`
	Status                string `json:"status"`
	// LastReview and NextReview come from the vendor's review records.
	LastReview Date `json:"last_review"`
	NextReview Date `json:"next_review"`
	// ReportExpires is when the latest assurance report stops being valid.
	ReportExpires Date       `json:"report_expires"`
	Controls      []string   `json:"controls"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ClosedAt      *time.Time `json:"closed_at"`
}

// ReportExpired reports whether the vendor's assurance has lapsed on day:
// an active critical or high vendor without a valid report.
func (v *Vendor) ReportExpired(day Date) bool {
	if v.Status != "active" || (v.Tier != TierCritical && v.Tier != TierHigh) {
		return false
	}
	return v.ReportExpires.IsZero() || v.ReportExpires.Before(day)
}

// Validate checks a vendor; EINVALID names the field.
func (v *Vendor) Validate() error {
	v.Name = strings.TrimSpace(v.Name)
	v.Tier = strings.ToLower(strings.TrimSpace(v.Tier))
	if v.Status == "" {
		v.Status = "active"
	}
	switch {
	case v.Name == "":
		return FieldErrorf("name", "a vendor needs a name")
	case len(v.Name) > 200:
		return FieldErrorf("name", "the name is longer than 200 characters")
	case len(v.Service) > 2000, len(v.DataShared) > 2000, len(v.ComplementaryControls) > 10000:
		return FieldErrorf("service", "the text is too long")
	case !slices.Contains(VendorTiers, v.Tier):
		return FieldErrorf("tier", "unknown tier %q (critical, high, medium or low)", v.Tier)
	case !slices.Contains(VendorStatuses, v.Status):
		return FieldErrorf("status", "unknown status %q (active or offboarded)", v.Status)
	case !v.ContractStart.Valid():
		return FieldErrorf("contract_start", "the contract start must be YYYY-MM-DD")
	case !v.ContractEnd.Valid():
		return FieldErrorf("contract_end", "the contract end must be YYYY-MM-DD")
	case !v.ContractEnd.IsZero() && v.ContractEnd.Before(v.ContractStart):
		return FieldErrorf("contract_end", "the contract ends before it starts")
	case v.Subservice && strings.TrimSpace(v.ComplementaryControls) == "":
		return FieldErrorf("complementary_controls", "a subservice organization needs the complementary controls the company relies on")
	}
	return nil
}

// Assurance report kinds.
var ReportKinds = []string{"soc2_type2", "soc2_type1", "iso27001", "bridge_letter", "other"}

// VendorReport is a vendor's own assurance (a SOC 2 report, an ISO
// certificate, a bridge letter), stored as an evidence item.
type VendorReport struct {
	ID          int64     `json:"id"`
	VendorID    int64     `json:"vendor_id"`
	Kind        string    `json:"kind"`
	EvidenceID  int64     `json:"evidence_id"`
	Title       string    `json:"title"`
	PeriodStart Date      `json:"period_start"`
	PeriodEnd   Date      `json:"period_end"`
	Expires     Date      `json:"expires"`
	CreatedAt   time.Time `json:"created_at"`
}

// Validate checks a report's fields.
func (r *VendorReport) Validate() error {
	switch {
	case !slices.Contains(ReportKinds, r.Kind):
		return FieldErrorf("kind", "unknown report kind %q (%s)", r.Kind, strings.Join(ReportKinds, ", "))
	case r.EvidenceID <= 0:
		return FieldErrorf("evidence_id", "name the evidence item holding the report")
	case !r.Expires.Valid() || r.Expires.IsZero():
		return FieldErrorf("expires", "the report needs the day it stops being valid")
	}
	return nil
}

// VendorService keeps the vendor inventory.
type VendorService interface {
	FindVendors(ctx context.Context, orgID int64, f RegisterFilter, p Page) ([]*Vendor, int, error)
	FindVendorByID(ctx context.Context, orgID, id int64) (*Vendor, error)
	CreateVendor(ctx context.Context, orgID int64, v *Vendor) error
	UpdateVendor(ctx context.Context, orgID int64, v *Vendor) error
	ImportVendors(ctx context.Context, orgID int64, vs []*Vendor) error
	// AddVendorReport records an assurance report held as evidence; the
	// period comes from the item.
	AddVendorReport(ctx context.Context, orgID int64, r *VendorReport) error
	FindVendorReports(ctx context.Context, orgID, vendorID int64) ([]*VendorReport, error)
}
