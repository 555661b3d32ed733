// Package auditpack writes an engagement's auditor package: the evidence
// files that serve the engagement's request list, an index from criteria to
// controls to periods, and a signed manifest (see package evpack for the
// format and the offline verifier).
//
// Layout of the zip:
//
//	evidence/<control>/need-<n>/<period start>_<item id>_<file name>
//	superseded/<control>/need-<n>/<period start>_<item id>_<file name>
//	policies/<id>-<title>-v<version>.pdf   each published policy
//	policies/approvals.csv, policies/acknowledgements.csv
//	populations/population-<kind>-<from>-<to>.csv   each population of
//	                                      the window (to the day of export),
//	                                      its first line the filter
//	scope.json, readiness.json
//	index.html, index.csv, manifest.json, manifest.sig
//
// index.html opens with what an auditor asks for first: readiness and
// coverage at export time, the scope (systems, not-applicable
// justifications, controls) and the published policies with their
// approvers and acknowledgements, each linked to its file. Every file is
// listed in the signed manifest, so `attest verify` checks the records as
// it checks the evidence.
//
// Each file item is stored once, under the first control need it serves
// in the request list (n is the need's index, as in `attest evidence add
// --need`), and every slot it covers points at that one copy. Identical
// content is stored once too: a second item with the same SHA-256 points at
// the first copy. Only items that cover a slot are included, plus the file
// items they replaced, under superseded/, so the auditor sees what changed;
// replaced items do not appear in the index because they cover nothing.
// Link items appear in the index as links and statement items as text.
//
// Files are streamed from the blob store into the zip, so memory does not
// grow with their size. Writing stops at the first file that cannot be read
// or whose content no longer matches its SHA-256, and then the output is
// never signed: a half-written package fails verification.
package auditpack

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/evpack"
)

// Source is what a package is made from; *store.DB is one.
type Source interface {
	FindOrganization(ctx context.Context, id int64) (*attest.Organization, error)
	FindEngagementByID(ctx context.Context, orgID, id int64) (*attest.Engagement, error)
	Readiness(ctx context.Context, orgID, engagementID int64) (*attest.Readiness, error)
	Requests(ctx context.Context, orgID, engagementID int64) ([]*attest.EvidenceRequest, error)
	FindEvidence(ctx context.Context, orgID int64, controlID string) ([]*attest.Evidence, error)
	RecordSource
}

// Summary describes a written package.
type Summary struct {
	// Files and Bytes count the evidence files in the package, superseded
	// ones included, each stored copy once.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// Superseded counts the replaced files kept under superseded/, and
	// Deduplicated the items whose content another item already stored.
	Superseded   int `json:"superseded"`
	Deduplicated int `json:"deduplicated"`
	// Coverage is the request list's slots: due so far and covered.
	Coverage attest.Coverage `json:"coverage"`
	// Signer is the evpack.Fingerprint of the signing key.
	Signer string `json:"signer"`
	// Policies counts the published policies included as PDF.
	Policies int `json:"policies"`
}

// Options tune WriteWith.
type Options struct {
	// Generator names the program in the manifest, such as "attest 1.4";
	// empty means "attest" and the module version of the build.
	Generator string
	// CreatedAt is the package's time; zero means now.
	CreatedAt time.Time
}

// ErrMissingBlob is wrapped by Write's error when an item's file is not in
// the blob store: lost evidence, an operator's problem.
var ErrMissingBlob = errors.New("the file is missing from the blob store")

// Write writes the auditor package of an engagement to w, signed with key;
// see WriteWith.
func Write(ctx context.Context, w io.Writer, src Source, blobs blob.Store, key ed25519.PrivateKey, orgID, engagementID int64) (*Summary, error) {
	return WriteWith(ctx, w, src, blobs, key, orgID, engagementID, Options{})
}

// WriteWith writes the auditor package of an engagement to w, signed with
// key. It returns ENOTFOUND for an unknown engagement. When a file cannot
// be read, or no longer matches its SHA-256, the error names the item and
// what was written to w is not a valid package.
func WriteWith(ctx context.Context, w io.Writer, src Source, blobs blob.Store, key ed25519.PrivateKey, orgID, engagementID int64, opts Options) (*Summary, error) {
	org, err := src.FindOrganization(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	e, err := src.FindEngagementByID(ctx, orgID, engagementID)
	if err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	rd, err := src.Readiness(ctx, orgID, engagementID)
	if err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	reqs, err := src.Requests(ctx, orgID, engagementID)
	if err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	items, err := src.FindEvidence(ctx, orgID, "")
	if err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	if opts.Generator == "" {
		opts.Generator = "attest " + moduleVersion()
	}
	if opts.CreatedAt.IsZero() {
		opts.CreatedAt = time.Now()
	}
	start, end := attest.EngagementPeriod(e)
	periodText := string(start) + " to " + string(end)
	if start == end {
		periodText = string(start)
	}
	pw := evpack.NewWriter(w, key, evpack.Meta{
		Organization: org.Name, Engagement: e.Name, Period: periodText, CreatedAt: opts.CreatedAt, Generator: opts.Generator,
	})
	p := newPacker(ctx, pw, blobs, items)
	if err := p.addFiles(reqs); err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	summary, popFiles, err := writeRecords(ctx, pw, src, orgID, e, rd, reqs, opts.CreatedAt.UTC().Truncate(time.Second))
	if err != nil {
		return nil, fmt.Errorf("write package records: %w", err)
	}
	p.popFiles = popFiles
	ix := p.index(rd, reqs)
	ix.Summary = summary
	if err := pw.AddIndex(ix); err != nil {
		return nil, fmt.Errorf("write package index: %w", err)
	}
	if err := pw.Close(); err != nil {
		return nil, fmt.Errorf("write package: %w", err)
	}
	sum := p.summary
	for _, c := range attest.CoverageByControl(reqs) {
		sum.Coverage.Due += c.Due
		sum.Coverage.Covered += c.Covered
		sum.Coverage.Total += c.Total
	}
	sum.Signer = evpack.Fingerprint(key.Public().(ed25519.PublicKey))
	sum.Policies = len(summary.Policies)
	return &sum, nil
}

// moduleVersion is the build's module version, "(devel)" for a local build.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
