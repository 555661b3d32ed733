package catalog

import (
	"embed"
	"io/fs"
)

//go:embed checks/*.yaml
var checkContent embed.FS

// CheckFiles returns the built-in check files (one YAML file per check,
// at the top of the returned file system). The check package parses and
// runs them; they live here beside the controls they test so that all of
// Attest's content is in one place.
func CheckFiles() fs.FS {
	sub, err := fs.Sub(checkContent, "checks")
	if err != nil {
		panic(err) // a constant path inside an embedded tree
	}
	return sub
}
