package catalog

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/attest-dev/attest"
)

//go:embed risks
var riskContent embed.FS

// riskLibrary is the shape of risks/library.yaml.
type riskLibrary struct {
	Risks []attest.LibraryRisk `yaml:"risks"`
}

var (
	risksOnce sync.Once
	risks     []attest.LibraryRisk
	risksErr  error
)

// RiskLibrary returns the built-in library of common SaaS risks, each
// with the controls of the SOC 2 library that mitigate it. The content is
// embedded and validated by tests, so an error means a broken build.
func RiskLibrary() ([]attest.LibraryRisk, error) {
	risksOnce.Do(func() {
		fw, err := SOC2()
		if err != nil {
			risksErr = err
			return
		}
		risks, risksErr = LoadRiskLibrary(riskContent, "risks/library.yaml", fw)
	})
	return risks, risksErr
}

// LoadRiskLibrary reads a risk library strictly (unknown keys refused):
// every risk needs a unique ID, a title, a known category, a likelihood
// and impact from 1 to 5, and at least one control the framework has.
func LoadRiskLibrary(fsys fs.FS, name string, fw *attest.Framework) ([]attest.LibraryRisk, error) {
	var lib riskLibrary
	if err := decode(fsys, name, &lib); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, c := range fw.Controls {
		known[c.ID] = true
	}
	seen := map[string]bool{}
	for i, r := range lib.Risks {
		where := fmt.Sprintf("%s: risk %d (%s)", name, i+1, r.ID)
		switch {
		case r.ID == "" || seen[r.ID]:
			return nil, fmt.Errorf("%s: missing or repeated ID", where)
		case r.Title == "" || r.Description == "":
			return nil, fmt.Errorf("%s: a risk needs a title and a description", where)
		case !slices.Contains(attest.RiskCategories, r.Category):
			return nil, fmt.Errorf("%s: unknown category %q", where, r.Category)
		case r.Likelihood < 1 || r.Likelihood > 5 || r.Impact < 1 || r.Impact > 5:
			return nil, fmt.Errorf("%s: likelihood and impact run from 1 to 5", where)
		case len(r.Controls) == 0:
			return nil, fmt.Errorf("%s: suggest at least one mitigating control", where)
		}
		seen[r.ID] = true
		for _, c := range r.Controls {
			if !known[c] {
				return nil, fmt.Errorf("%s: unknown control %q", where, c)
			}
		}
	}
	return lib.Risks, nil
}

// LibraryRisk returns one risk of the built-in library, or ENOTFOUND.
func LibraryRisk(id string) (*attest.LibraryRisk, error) {
	lib, err := RiskLibrary()
	if err != nil {
		return nil, err
	}
	for i := range lib {
		if lib[i].ID == id {
			return &lib[i], nil
		}
	}
	return nil, attest.Errorf(attest.ENOTFOUND, "the risk library has no risk %q", id)
}
