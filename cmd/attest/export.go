package main

import (
	"crypto/ed25519"
	"os"
	"path/filepath"

	"github.com/attest-dev/attest"
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
	tmp, err := os.CreateTemp(filepath.Dir(c.Out), ".attest-export-*.tmp")
	if err != nil {
		return attest.Errorf(attest.EINVALID, "--out: cannot write in %s: %v", filepath.Dir(c.Out), err)
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum, err := auditpack.WriteWith(a.ctx, tmp, a.db, blobs, key, orgID, e.ID, auditpack.Options{Generator: "attest " + Version})
	if err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), c.Out); err != nil {
		return err
	}
	renamed = true
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
	fprintf(a.out, "Signed by key %s.\nThe auditor checks it with: attest verify %s --key %s\n", sum.Signer, filepath.Base(c.Out), sum.Signer)
	return nil
}
