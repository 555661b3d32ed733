package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/goccy/go-yaml"
)

// policyFile is the front matter of a policy in a Git-friendly folder: one
// Markdown file per policy, holding its current version.
type policyFile struct {
	ID                string   `yaml:"id"`
	Title             string   `yaml:"title"`
	Type              string   `yaml:"type"`
	Version           string   `yaml:"version"`
	Status            string   `yaml:"status"`
	Owner             string   `yaml:"owner,omitempty"`
	OwnerRole         string   `yaml:"owner_role"`
	ReviewCycleMonths int      `yaml:"review_cycle_months"`
	Controls          []string `yaml:"controls"`
}

// policySlug names a policy in the folder: its template's ID, or policy-N.
func policySlug(p *attest.Policy) string {
	if p.TemplateID != "" {
		return p.TemplateID
	}
	return fmt.Sprintf("policy-%d", p.ID)
}

// PolicyExportCmd writes every policy to a folder.
type PolicyExportCmd struct {
	Dir string `required:"" help:"Folder to write the Markdown files to (created if missing)."`
}

// Run writes one file per policy with its current version.
func (c *PolicyExportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	policies, err := a.db.FindPolicies(a.ctx, orgID)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return attest.Errorf(attest.EINVALID, "cannot create %s: %v", c.Dir, err)
	}
	for _, p := range policies {
		v, err := a.currentVersion(orgID, p)
		if err != nil {
			return err
		}
		front, err := yaml.Marshal(policyFile{ID: policySlug(p), Title: p.Title, Type: p.Type, Version: p.CurrentVersion, Status: string(p.Status),
			Owner: p.OwnerName(), OwnerRole: p.OwnerRole, ReviewCycleMonths: p.ReviewCycleMonths, Controls: p.Controls})
		if err != nil {
			return err
		}
		var b bytes.Buffer
		b.WriteString("---\n")
		b.Write(front)
		b.WriteString("---\n")
		b.WriteString(v.Body)
		if err := os.WriteFile(filepath.Join(c.Dir, policySlug(p)+".md"), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write policy: %w", err)
		}
	}
	fprintf(a.out, "Wrote %s to %s.\n", plural(int64(len(policies)), "policy", "policies"), c.Dir)
	return nil
}

func (a *App) currentVersion(orgID int64, p *attest.Policy) (*attest.PolicyVersion, error) {
	versions, err := a.db.FindPolicyVersions(a.ctx, orgID, p.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		if v.Number == p.CurrentVersion {
			return v, nil
		}
	}
	return nil, fmt.Errorf("policy %d has no version %s", p.ID, p.CurrentVersion)
}

// PolicyImportCmd reads a folder written by export back.
type PolicyImportCmd struct {
	Dir string `required:"" help:"Folder of Markdown files written by 'attest policy export'."`
}

// Run checks every file first; then each changed body becomes a new minor
// version of its policy. Unchanged files change nothing, so an export
// followed by an import is a no-op.
func (c *PolicyImportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	policies, err := a.db.FindPolicies(a.ctx, orgID)
	if err != nil {
		return err
	}
	bySlug := map[string]*attest.Policy{}
	for _, p := range policies {
		bySlug[policySlug(p)] = p
	}
	names, err := filepath.Glob(filepath.Join(c.Dir, "*.md"))
	if err != nil || len(names) == 0 {
		return attest.Errorf(attest.EINVALID, "%s holds no .md files", c.Dir)
	}
	sort.Strings(names)
	type change struct {
		p    *attest.Policy
		base string
		body string
	}
	var changes []change
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "cannot read %s: %v", name, err)
		}
		base := filepath.Base(name)
		f, body, err := parsePolicyFile(base, data)
		if err != nil {
			return err
		}
		p := bySlug[f.ID]
		if p == nil || f.ID+".md" != base {
			return attest.Errorf(attest.EINVALID, "%s: no policy %q in this organization (the file name must be its id)", base, f.ID)
		}
		v, err := a.currentVersion(orgID, p)
		if err != nil {
			return err
		}
		if f.Version != p.CurrentVersion {
			return attest.Errorf(attest.ECONFLICT, "%s: written from version %s, but the policy is at %s now: export again and redo the change", base, f.Version, p.CurrentVersion)
		}
		if f.Title != p.Title || f.Type != p.Type || strings.Join(f.Controls, ",") != strings.Join(p.Controls, ",") {
			return attest.Errorf(attest.EINVALID, "%s: only the text can change through the folder (title, type and controls are changed in Attest)", base)
		}
		if body != v.Body {
			changes = append(changes, change{p, f.Version, body})
		}
	}
	// Every file was checked: the changes are saved together or not at all.
	drafts := make([]attest.DraftChange, len(changes))
	for i, ch := range changes {
		drafts[i] = attest.DraftChange{PolicyID: ch.p.ID, BaseVersion: ch.base, Body: ch.body}
	}
	if len(drafts) > 0 {
		if _, err := a.db.SaveDrafts(a.ctx, orgID, drafts); err != nil {
			return fmt.Errorf("import %s (nothing was saved): %w", c.Dir, err)
		}
	}
	fprintf(a.out, "Read %d files: %d changed (a new draft version each), %d unchanged.\n", len(names), len(changes), len(names)-len(changes))
	return nil
}

// checkFrontMatter refuses front matter that is not valid UTF-8 or holds a
// NUL or control byte, naming its line in the file (the front matter starts
// on line 2).
func checkFrontMatter(front []byte) error {
	for i, line := range strings.Split(string(front), "\n") {
		if !utf8.ValidString(line) {
			return fmt.Errorf("line %d: the front matter is not valid UTF-8", i+2)
		}
		if strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\r' || r == 0x7f }) {
			return fmt.Errorf("line %d: the front matter holds a NUL or control character", i+2)
		}
	}
	return nil
}

// parsePolicyFile splits one file of a policy folder into its front matter
// and body and checks both; every error names the file (base) and, where
// there is one, the line.
func parsePolicyFile(base string, data []byte) (*policyFile, string, error) {
	front, body, bodyLine, err := catalog.SplitFrontMatter(data)
	if err != nil {
		return nil, "", attest.Errorf(attest.EINVALID, "%s: %v", base, err)
	}
	if err := checkFrontMatter(front); err != nil {
		return nil, "", attest.Errorf(attest.EINVALID, "%s: %v", base, err)
	}
	if err := attest.CheckPolicyBody(body); err != nil {
		var pe *attest.PlaceholderError
		if errors.As(err, &pe) {
			return nil, "", attest.Errorf(attest.EINVALID, "%s line %d: %s", base, bodyLine+pe.Line-1, pe.Reason)
		}
		return nil, "", attest.Errorf(attest.EINVALID, "%s: %s", base, attest.ErrorMessage(err))
	}
	f := &policyFile{}
	if err := yaml.UnmarshalWithOptions(front, f, yaml.Strict()); err != nil {
		return nil, "", attest.Errorf(attest.EINVALID, "%s: front matter: %s", base, yaml.FormatError(err, false, true))
	}
	return f, body, nil
}
