package evpack

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/attest-dev/attest"
)

// maxSegment is the longest path segment, in bytes, most file systems
// accept; a longer name would fail when the auditor extracts the zip.
const maxSegment = 255

// reserved are the names the package writes itself, kept from Add so that
// the index and the manifest can always be written.
var reserved = map[string]bool{
	ManifestName:  true,
	SignatureName: true,
	IndexHTMLName: true,
	IndexCSVName:  true,
}

// checkName returns an EINVALID error unless name is a slash-separated
// relative path that extracts to the same place on every operating system:
// no absolute path or drive letter, no "." or ".." segment (zip slip), no
// backslash (a separator on Windows), no control character, valid UTF-8.
func checkName(name string) error {
	bad := func(why string) error {
		return attest.Errorf(attest.EINVALID, "evidence name %q %s", name, why)
	}
	switch {
	case name == "":
		return attest.Errorf(attest.EINVALID, "evidence name is empty")
	case !utf8.ValidString(name):
		return bad("is not valid UTF-8")
	case strings.HasPrefix(name, "/"):
		return bad("is an absolute path")
	case strings.Contains(name, `\`):
		return bad("contains a backslash; use / between folders")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return bad("contains a control character")
	}
	for i, seg := range strings.Split(name, "/") {
		switch {
		case seg == "":
			return bad("has an empty path segment")
		case seg == "." || seg == "..":
			return bad(`has a "." or ".." segment`)
		case len(seg) > maxSegment:
			return bad("has a path segment longer than 255 bytes")
		case i == 0 && len(seg) == 2 && seg[1] == ':':
			return bad("starts with a drive letter")
		}
	}
	return nil
}

// names tracks the names in a package and the folders they imply, so that
// two names that would land on the same path when extracted are refused
// before anything is written.
type names struct {
	files map[string]bool // folded file names
	dirs  map[string]bool // folded folder names implied by the files
}

func newNames() *names {
	return &names{files: map[string]bool{}, dirs: map[string]bool{}}
}

// claim records name, or returns an EINVALID error if it is taken. Names are
// compared without case because macOS and Windows extract "A.pdf" and
// "a.pdf" to one file, and a file "a" cannot coexist with a folder "a/".
func (n *names) claim(name string) error {
	key := strings.ToLower(name)
	if n.files[key] {
		return attest.Errorf(attest.EINVALID, "evidence name %q is already in the package", name)
	}
	if n.dirs[key] {
		return attest.Errorf(attest.EINVALID, "evidence name %q is already a folder in the package", name)
	}
	for i := range len(key) {
		if key[i] == '/' && n.files[key[:i]] {
			return attest.Errorf(attest.EINVALID, "evidence name %q puts a folder where the file %q is", name, name[:i])
		}
	}
	n.files[key] = true
	for i := range len(key) {
		if key[i] == '/' {
			n.dirs[key[:i]] = true
		}
	}
	return nil
}
