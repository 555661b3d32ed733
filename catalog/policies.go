package catalog

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/attest-dev/attest"
	"github.com/goccy/go-yaml"
)

//go:embed policies
var policyContent embed.FS

// policyFront is the front matter of a policy template, between the two
// --- lines at the top of its Markdown file.
type policyFront struct {
	ID                string   `yaml:"id"`
	Title             string   `yaml:"title"`
	Type              string   `yaml:"type"`
	Version           string   `yaml:"version"`
	OwnerRole         string   `yaml:"owner_role"`
	ReviewCycleMonths int      `yaml:"review_cycle_months"`
	Controls          []string `yaml:"controls"`
	Summary           string   `yaml:"summary"`
}

var (
	policiesOnce sync.Once
	policies     []*attest.PolicyTemplate
	policiesErr  error
)

// PolicyTemplates returns the built-in policy and procedure templates,
// sorted by title and checked against the SOC 2 control library. The slice
// is shared: callers must not modify it or its templates. The content is
// embedded and validated by tests, so an error means a broken build.
func PolicyTemplates() ([]*attest.PolicyTemplate, error) {
	policiesOnce.Do(func() {
		fw, err := SOC2()
		if err != nil {
			policiesErr = err
			return
		}
		policies, policiesErr = LoadPolicies(policyContent, "policies", fw)
	})
	return policies, policiesErr
}

var (
	policyIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	versionPattern  = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	// yamlPosition matches a [line:column] that goccy/go-yaml puts in some
	// messages.
	yamlPosition = regexp.MustCompile(`\[([0-9]+):[0-9]+\]`)
)

// PolicyTemplate returns the built-in template with the id, or ENOTFOUND.
func PolicyTemplate(id string) (*attest.PolicyTemplate, error) {
	templates, err := PolicyTemplates()
	if err != nil {
		return nil, err
	}
	for _, t := range templates {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, attest.Errorf(attest.ENOTFOUND, "no policy template %q (see 'attest policy templates')", id)
}

// LoadPolicies reads every dir/*.md of fsys as a policy template: YAML
// front matter between --- lines, then a Markdown body. Front matter is
// decoded strictly (unknown and duplicate keys are errors) and checked: the
// id equals the file name, ids are unique, the type is one of
// attest.PolicyTypes, the owner role one of attest.OwnerRoles, the review
// cycle 1–36 months, every control exists in fw.Controls, the body is not
// empty and uses only attest.PolicyPlaceholders. Content errors are
// EINVALID and name the file and, where there is one, the line, as in
// "access-control.md:14: unknown placeholder {{ceo}}". The result is sorted
// by title.
func LoadPolicies(fsys fs.FS, dir string, fw *attest.Framework) ([]*attest.PolicyTemplate, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	controls := make(map[string]bool, len(fw.Controls))
	for _, c := range fw.Controls {
		controls[c.ID] = true
	}
	var out []*attest.PolicyTemplate
	seen := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("load policies: %w", err)
		}
		p, err := parsePolicy(e.Name(), data, controls, seen)
		if err != nil {
			return nil, err
		}
		seen[p.ID] = e.Name()
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, attest.Errorf(attest.EINVALID, "%s: no policy templates (*.md)", dir)
	}
	slices.SortFunc(out, func(a, b *attest.PolicyTemplate) int {
		return strings.Compare(a.Title, b.Title)
	})
	return out, nil
}

// parsePolicy parses and validates one template file; name is its base
// name, used in errors and compared with the id; seen maps the ids loaded
// so far to their files.
func parsePolicy(name string, data []byte, controls map[string]bool, seen map[string]string) (*attest.PolicyTemplate, error) {
	bad := func(line int, format string, args ...any) error {
		return attest.Errorf(attest.EINVALID, "%s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	front, body, bodyLine, err := SplitFrontMatter(data)
	if err != nil {
		return nil, bad(1, "%s", err)
	}
	var f policyFront
	if err := yaml.UnmarshalWithOptions(front, &f, yaml.Strict()); err != nil {
		// The front matter starts on the file's second line.
		line, msg := 1, err.Error()
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			// Positions inside the message count from the front matter's
			// first line too.
			msg = yamlPosition.ReplaceAllStringFunc(yerr.GetMessage(), func(m string) string {
				n, _ := strconv.Atoi(yamlPosition.FindStringSubmatch(m)[1])
				return fmt.Sprintf("line %d", n+1)
			})
			if tk := yerr.GetToken(); tk != nil && tk.Position != nil {
				line = tk.Position.Line + 1
			}
		}
		return nil, bad(line, "front matter: %s", msg)
	}
	// Front matter errors below point at the key's line.
	keyLine := func(key string) int {
		line, _ := frontKey(front, key)
		return line
	}
	_, rawVersion := frontKey(front, "version")
	id := strings.TrimSuffix(name, ".md")
	switch {
	case !policyIDPattern.MatchString(f.ID):
		return nil, bad(keyLine("id"), "id %q must be kebab-case (lower-case letters, digits and dashes)", f.ID)
	case seen[f.ID] != "":
		// Checked before the file name so that a copied file says which
		// one it duplicates.
		return nil, bad(keyLine("id"), "duplicate id %q (also in %s)", f.ID, seen[f.ID])
	case f.ID != id:
		return nil, bad(keyLine("id"), "id %q does not match the file name (want %q)", f.ID, id)
	case strings.TrimSpace(f.Title) == "":
		return nil, bad(keyLine("title"), "title is required")
	case !slices.Contains(attest.PolicyTypes, f.Type):
		return nil, bad(keyLine("type"), "type %q must be one of %s", f.Type, strings.Join(attest.PolicyTypes, ", "))
	case strings.TrimSpace(f.Version) == "":
		return nil, bad(keyLine("version"), "version is required")
	case !versionPattern.MatchString(f.Version) || rawVersion != "" && !strings.ContainsAny(rawVersion[:1], `"'`):
		// Unquoted, YAML reads 1.10 as the number 1.1. (A key in flow
		// style has no raw text here and is not checked for quotes.)
		return nil, bad(keyLine("version"), `version must be quoted major.minor, such as version: "1.0"`)
	case !slices.Contains(attest.OwnerRoles, f.OwnerRole):
		return nil, bad(keyLine("owner_role"), "unknown owner role %q (known: %s)", f.OwnerRole, strings.Join(attest.OwnerRoles, ", "))
	case f.ReviewCycleMonths < 1 || f.ReviewCycleMonths > 36:
		return nil, bad(keyLine("review_cycle_months"), "review_cycle_months is %d, want 1 to 36", f.ReviewCycleMonths)
	case len(f.Controls) == 0:
		return nil, bad(keyLine("controls"), "controls: name at least one control the document supports")
	case strings.TrimSpace(f.Summary) == "":
		return nil, bad(keyLine("summary"), "summary is required")
	case strings.Contains(f.Title, "{{"):
		return nil, bad(keyLine("title"), "placeholders belong in the body, not in the title")
	case strings.Contains(f.Summary, "{{"):
		return nil, bad(keyLine("summary"), "placeholders belong in the body, not in the summary")
	}
	for i, c := range f.Controls {
		if !controls[c] {
			return nil, bad(keyLine("controls"), "unknown control %q", c)
		}
		if slices.Contains(f.Controls[:i], c) {
			return nil, bad(keyLine("controls"), "control %s is listed twice", c)
		}
	}
	if strings.TrimSpace(body) == "" {
		return nil, bad(bodyLine, "the body is empty")
	}
	if err := attest.CheckPolicyBody(body); err != nil {
		var perr *attest.PlaceholderError
		if errors.As(err, &perr) {
			return nil, bad(bodyLine+perr.Line-1, "%s", perr.Reason)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &attest.PolicyTemplate{
		ID: f.ID, Title: f.Title, Type: f.Type, Version: f.Version, OwnerRole: f.OwnerRole,
		ReviewCycleMonths: f.ReviewCycleMonths, Controls: f.Controls, Summary: strings.TrimSpace(f.Summary),
		Body: strings.TrimSpace(body) + "\n",
	}, nil
}

// frontKey returns the file line of a top-level key of the front matter (1
// if it is absent) and the raw text of its value.
func frontKey(front []byte, key string) (line int, raw string) {
	for i, l := range strings.Split(string(front), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			return i + 2, strings.TrimSpace(v)
		}
	}
	return 1, ""
}

// SplitFrontMatter splits a Markdown file into its front matter (without
// the fences) and its body, and returns the body's first line number in the
// file. Line endings may be \n or \r\n; the results use \n.
func SplitFrontMatter(data []byte) (front []byte, body string, bodyLine int, err error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.SplitAfter(text, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], " \t\n") != "---" {
		return nil, "", 0, errors.New("the file must start with a --- line opening the front matter")
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t\n") == "---" {
			return []byte(strings.Join(lines[1:i], "")), strings.Join(lines[i+1:], ""), i + 2, nil
		}
	}
	return nil, "", 0, errors.New("the front matter opened on this line is not closed by a --- line")
}
