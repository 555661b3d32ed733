package auditpack

import (
	"context"
	"io"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// Names of the registers a package holds.
const (
	RisksName           = "registers/risks.csv"
	VendorsName         = "registers/vendors.csv"
	AssetsName          = "registers/assets.csv"
	IncidentsName       = "registers/incidents.csv"
	RegisterEventsName  = "registers/events.json"
	registerPageRecords = attest.MaxPageSize
)

// RegisterSource is what the registers are read from; *store.DB is one.
// A source without registers writes none.
type RegisterSource interface {
	FindRisks(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Risk, int, error)
	FindVendors(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Vendor, int, error)
	FindAssets(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Asset, int, error)
	FindIncidents(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Incident, int, error)
	FindRecordEvents(ctx context.Context, orgID int64, kind string, recordID int64) ([]*attest.RecordEvent, error)
	FindRegisterSettings(ctx context.Context, orgID int64) (attest.RegisterSettings, error)
}

// all reads every page of a register.
func all[T any](find func(p attest.Page) ([]T, int, error)) ([]T, error) {
	p := attest.Page{Limit: registerPageRecords}
	var out []T
	for {
		items, total, err := find(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		p.Offset += p.Limit
		if len(items) < p.Limit || p.Offset >= total {
			return out, nil
		}
	}
}

// registers adds the risk register, the vendor and asset inventories,
// the incidents reported within the engagement's period (the population
// the auditor samples) and the register events (risk assessments,
// tabletop exercises, vendor reviews) as formula-safe CSV and JSON.
func (r *records) registers(src RegisterSource, e *attest.Engagement) error {
	ctx, org := r.ctx, r.org
	st, err := src.FindRegisterSettings(ctx, org)
	if err != nil {
		return err
	}
	// The standing registers as the engagement's auditor sees them: what
	// concerns its scope and the whole organization (attest.RecordScope).
	scope := attest.RegisterFilter{Scope: attest.RecordScope{Scoped: true, Engagements: []int64{e.ID}}}
	risks, err := all(func(p attest.Page) ([]*attest.Risk, int, error) {
		return src.FindRisks(ctx, org, scope, p)
	})
	if err != nil {
		return err
	}
	if err := r.add(RisksName, "Risk register: inherent and residual scores, treatment, mitigating controls", func(w io.Writer) error {
		return regcsv.Write(w, regcsv.RiskCodec(st.RiskScale), risks)
	}); err != nil {
		return err
	}
	vendors, err := all(func(p attest.Page) ([]*attest.Vendor, int, error) {
		return src.FindVendors(ctx, org, scope, p)
	})
	if err != nil {
		return err
	}
	if err := r.add(VendorsName, "Vendor inventory: tiers, reviews, assurance reports, subservice organizations", func(w io.Writer) error {
		return regcsv.Write(w, regcsv.Vendors, vendors)
	}); err != nil {
		return err
	}
	assets, err := all(func(p attest.Page) ([]*attest.Asset, int, error) {
		return src.FindAssets(ctx, org, scope, p)
	})
	if err != nil {
		return err
	}
	if err := r.add(AssetsName, "Inventory of assets and systems", func(w io.Writer) error {
		return regcsv.Write(w, regcsv.Assets, assets)
	}); err != nil {
		return err
	}
	start, end := attest.EngagementPeriod(e)
	window := attest.RegisterFilter{From: start, To: end}
	incidents, err := all(func(p attest.Page) ([]*attest.Incident, int, error) { return src.FindIncidents(ctx, org, window, p) })
	if err != nil {
		return err
	}
	if err := r.add(IncidentsName, "Incidents reported from "+string(start)+" to "+string(end)+": the population to sample", func(w io.Writer) error {
		return regcsv.Write(w, regcsv.Incidents, incidents)
	}); err != nil {
		return err
	}
	events := map[string][]*attest.RecordEvent{}
	for _, kind := range []string{attest.EventRiskAssessment, attest.EventTabletop, attest.EventVendorReview} {
		if events[kind], err = src.FindRecordEvents(ctx, org, kind, 0); err != nil {
			return err
		}
	}
	return r.add(RegisterEventsName, "Risk assessments, tabletop exercises and vendor reviews", func(w io.Writer) error { return writeJSON(w, events) })
}
