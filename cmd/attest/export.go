package main

import (
	"crypto/ed25519"
	"io"
	"path/filepath"

	"github.com/attest-dev/attest/auditpack"
)

// ExportCmd groups the exports.
type ExportCmd struct {
	Package ExportPackageCmd `cmd:"" help:"Write an engagement's signed evidence package (a zip) for the auditor."`
}

// ExportPackageCmd writes the auditor's evidence package.
type ExportPackageCmd struct {
	jsonFlag
	Engagement int64  `help:"Engagement ID (default: the newest)." placeholder:"ID"`
	Out        string `required:"" type:"path" help:"The zip file to write." placeholder:"FILE.zip"`
}

// exportResult is what export package reports.
type exportResult struct {
	Path string `json:"path"`
	*auditpack.Summary
	CoveragePercent float64 `json:"coverage_percent"`
	PublicKey       string  `json:"public_key"`
}

// Run writes the package to a temporary file next to --out and renames it
// into place at the end: an interrupted or failed export leaves no file
// that could be mistaken for a package.
func (c *ExportPackageCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e, err := a.engagementOrCurrent(orgID, c.Engagement)
	if err != nil {
		return err
	}
	box, err := a.secretBox()
	if err != nil {
		return err
	}
	key, err := auditpack.SigningKey(a.ctx, a.db, box, orgID)
	if err != nil {
		return err
	}
	blobs, err := a.Blobs()
	if err != nil {
		return err
	}
	var sum *auditpack.Summary
	err = writeFileAtomic(c.Out, func(w io.Writer) error {
		sum, err = auditpack.WriteWith(a.ctx, w, a.db, blobs, key, orgID, e.ID, auditpack.Options{Generator: "attest " + Version})
		return err
	})
	if err != nil {
		return err
	}
	res := exportResult{Path: c.Out, Summary: sum, CoveragePercent: sum.Coverage.Percent(),
		PublicKey: auditpack.EncodePublicKey(key.Public().(ed25519.PublicKey))}
	if c.JSON {
		return a.printJSON(res)
	}
	fprintf(a.out, "Wrote %s for engagement %d (%s): %s, %s", c.Out, e.ID, e.Name, plural(int64(sum.Files), "file", "files"), plural(sum.Bytes, "byte", "bytes"))
	if sum.Superseded > 0 {
		fprintf(a.out, ", %d superseded", sum.Superseded)
	}
	fprintf(a.out, ".\nEvidence coverage: %d of %d periods due (%.1f%%).\n", sum.Coverage.Covered, sum.Coverage.Due, sum.Coverage.Percent())
	fprintf(a.out, "Also in the package: %s as PDF with their approval and acknowledgement records, the scope and today's readiness.\n",
		plural(int64(sum.Policies), "published policy", "published policies"))
	fprintf(a.out, "Signed by key %s.\nThe auditor checks it with: attest verify %s --key %s\n", sum.Signer, filepath.Base(c.Out), sum.Signer)
	return nil
}
