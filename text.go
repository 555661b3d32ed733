package attest

import (
	"strings"
	"unicode/utf8"
)

// ValidText checks a piece of text from outside (a form field, a query
// parameter, a JSON string, a path segment) before anything stores or
// looks it up: it must be valid UTF-8 without NUL bytes. PostgreSQL
// refuses both while SQLite stores them, so the domain refuses them for
// both, with EINVALID naming the field.
func ValidText(field, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return Errorf(EINVALID, "%s contains a NUL byte, which is not allowed in text", field)
	}
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s is not valid UTF-8 text", field)
	}
	return nil
}
