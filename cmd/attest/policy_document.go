package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/tempfile"
	"github.com/attest-dev/attest/policydoc"
)

// PolicyDocumentCmd writes policies as a document for readers and
// auditors: a title page, the controls each satisfies and its revision
// history.
type PolicyDocumentCmd struct {
	ID      int64  `arg:"" optional:"" help:"Policy ID (default: every published policy)."`
	Version string `help:"Version to write (default: the published one)."`
	Out     string `help:"File to write; .pdf or .html decides the format." required:"" placeholder:"FILE"`
}

// Run writes the document, to a temporary file renamed into place so that a
// failure leaves no half-written file.
func (c *PolicyDocumentCmd) Run(a *App) error {
	ext := strings.ToLower(filepath.Ext(c.Out))
	if ext != ".pdf" && ext != ".html" {
		return attest.Errorf(attest.EINVALID, "--out must end in .pdf or .html")
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	var docs []*policydoc.Document
	if c.ID != 0 {
		p, err := a.db.FindPolicyByID(a.ctx, orgID, c.ID)
		if err != nil {
			return err
		}
		d, err := policydoc.Gather(a.ctx, a.db, orgID, p, c.Version)
		if err != nil {
			return err
		}
		docs = []*policydoc.Document{d}
	} else {
		if c.Version != "" {
			return attest.Errorf(attest.EINVALID, "--version needs a policy ID")
		}
		if docs, err = policydoc.GatherPublished(a.ctx, a.db, orgID); err != nil {
			return err
		}
	}
	write := policydoc.WritePDF
	if ext == ".html" {
		write = policydoc.WriteHTML
	}
	if err := writeFileAtomic(c.Out, func(w io.Writer) error { return write(w, docs...) }); err != nil {
		return err
	}
	fprintf(a.out, "Wrote %s to %s.\n", plural(int64(len(docs)), "policy", "policies"), c.Out)
	return nil
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, synced and renamed over the target only when fill succeeded:
// an interrupted or failed write leaves nothing that could be mistaken for
// the file.
//
// The hidden temporary files that killed runs left beside path are removed
// first; one that another run is still writing is locked and stays.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	dir, prefix := filepath.Dir(path), "."+filepath.Base(path)+"."
	if _, err := tempfile.Sweep(dir, prefix); err != nil {
		return fmt.Errorf("remove leftovers of an earlier run: %w", err)
	}
	f, err := tempfile.Create(dir, prefix+"*")
	if err != nil {
		return attest.Errorf(attest.EINVALID, "cannot write %s: %v", path, err)
	}
	defer os.Remove(f.Name())
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(f.Name(), path)
}
