// Package catalog holds Attest's built-in framework content (criteria,
// series, categories and the control library) as data files embedded in the
// binary, and the one loader every framework goes through.
package catalog

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sync"

	"github.com/attest-dev/attest"
	"github.com/goccy/go-yaml"
)

//go:embed soc2
var content embed.FS

// frameworkFile is the shape of a framework's framework.yaml.
type frameworkFile struct {
	ID         string            `yaml:"id"`
	Name       string            `yaml:"name"`
	Title      string            `yaml:"title"`
	Version    string            `yaml:"version"`
	Categories []attest.Category `yaml:"categories"`
	Series     []attest.Series   `yaml:"series"`
	Criteria   []struct {
		ID            string   `yaml:"id"`
		Series        string   `yaml:"series"`
		Title         string   `yaml:"title"`
		Guidance      string   `yaml:"guidance"`
		PointsOfFocus []string `yaml:"points_of_focus"`
	} `yaml:"criteria"`
}

// controlsFile is the shape of a framework's controls.yaml.
type controlsFile struct {
	Controls []struct {
		ID          string                `yaml:"id"`
		Name        string                `yaml:"name"`
		Description string                `yaml:"description"`
		Criteria    []string              `yaml:"criteria"`
		OwnerRole   string                `yaml:"owner_role"`
		Frequency   attest.Frequency      `yaml:"frequency"`
		Automatable bool                  `yaml:"automatable"`
		Evidence    []attest.EvidenceNeed `yaml:"evidence"`
	} `yaml:"controls"`
}

var (
	soc2Once sync.Once
	soc2     *attest.Framework
	soc2Err  error
)

// SOC2 returns the built-in SOC 2 framework with its control library. The
// content is embedded and validated by tests, so an error here means a
// broken build.
func SOC2() (*attest.Framework, error) {
	soc2Once.Do(func() { soc2, soc2Err = Load(content, "soc2") })
	return soc2, soc2Err
}

// MustSOC2 is SOC2 for callers that cannot go on without it.
func MustSOC2() *attest.Framework {
	fw, err := SOC2()
	if err != nil {
		panic(err)
	}
	return fw
}

var criterionIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9.\-]*$`)

// Load reads dir/framework.yaml and, if present, dir/controls.yaml from
// fsys, checks that they agree with each other, and returns the framework.
// Unknown keys, duplicate IDs, dangling references and empty titles are
// errors that name the file and the item.
func Load(fsys fs.FS, dir string) (*attest.Framework, error) {
	var ff frameworkFile
	if err := decode(fsys, path.Join(dir, "framework.yaml"), &ff); err != nil {
		return nil, err
	}
	fw := &attest.Framework{ID: ff.ID, Name: ff.Name, Title: ff.Title, Version: ff.Version, Categories: ff.Categories, Series: ff.Series}
	where := path.Join(dir, "framework.yaml")
	if fw.ID == "" || fw.Name == "" {
		return nil, fmt.Errorf("%s: id and name are required", where)
	}
	cats := map[string]bool{}
	for _, c := range fw.Categories {
		if c.ID == "" || c.Name == "" || cats[c.ID] {
			return nil, fmt.Errorf("%s: category %q: missing name or duplicate id", where, c.ID)
		}
		cats[c.ID] = true
	}
	seriesCat := map[string]string{}
	for _, s := range fw.Series {
		if s.ID == "" || s.Title == "" || seriesCat[s.ID] != "" {
			return nil, fmt.Errorf("%s: series %q: missing title or duplicate id", where, s.ID)
		}
		if !cats[s.Category] {
			return nil, fmt.Errorf("%s: series %s: unknown category %q", where, s.ID, s.Category)
		}
		seriesCat[s.ID] = s.Category
	}
	seen := map[string]bool{}
	for _, c := range ff.Criteria {
		switch {
		case !criterionIDPattern.MatchString(c.ID):
			return nil, fmt.Errorf("%s: criterion %q: malformed id", where, c.ID)
		case seen[c.ID]:
			return nil, fmt.Errorf("%s: criterion %s: duplicate id", where, c.ID)
		case seriesCat[c.Series] == "":
			return nil, fmt.Errorf("%s: criterion %s: unknown series %q", where, c.ID, c.Series)
		case c.Title == "":
			return nil, fmt.Errorf("%s: criterion %s: missing title", where, c.ID)
		}
		seen[c.ID] = true
		fw.Criteria = append(fw.Criteria, attest.Criterion{ID: c.ID, Series: c.Series, Category: seriesCat[c.Series],
			Title: c.Title, Guidance: c.Guidance, PointsOfFocus: c.PointsOfFocus})
	}
	fw.Index()

	var cf controlsFile
	err := decode(fsys, path.Join(dir, "controls.yaml"), &cf)
	if errors.Is(err, fs.ErrNotExist) {
		return fw, nil
	}
	if err != nil {
		return nil, err
	}
	where = path.Join(dir, "controls.yaml")
	ids := map[string]bool{}
	for _, c := range cf.Controls {
		ctl := &attest.Control{ID: c.ID, Name: c.Name, Description: c.Description, Criteria: c.Criteria,
			OwnerRole: c.OwnerRole, Frequency: c.Frequency, Automatable: c.Automatable, Evidence: c.Evidence}
		if ids[c.ID] {
			return nil, fmt.Errorf("%s: control %s: duplicate id", where, c.ID)
		}
		ids[c.ID] = true
		if len(c.Criteria) == 0 {
			return nil, fmt.Errorf("%s: control %s: maps to no criterion", where, c.ID)
		}
		if err := ctl.Validate(fw); err != nil {
			return nil, fmt.Errorf("%s: %s", where, attest.ErrorMessage(err))
		}
		fw.Controls = append(fw.Controls, ctl)
	}
	return fw, nil
}

func decode(fsys fs.FS, name string, v any) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if err := yaml.UnmarshalWithOptions(data, v, yaml.Strict()); err != nil {
		return fmt.Errorf("%s: %s", name, yaml.FormatError(err, false, true))
	}
	return nil
}
