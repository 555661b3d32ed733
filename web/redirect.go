package web

import (
	"net/url"
	"path"
	"strings"
)

// safeNext returns a redirect target taken from the request (a "next" or
// "back" value) as it will be sent: a path on this site, or "/" when the
// value could lead anywhere else. It is the one check for such values;
// every handler that redirects to one passes it through here.
//
// The value is judged after the same path cleaning http.Redirect applies,
// because "/a/../\evil.example/" cleans to "/\evil.example/", which
// browsers read as "//evil.example/", another origin. Backslashes and
// control characters (browsers drop tabs and newlines from URLs) are
// refused outright in the path.
func safeNext(next string) string {
	if next == "" || next[0] != '/' {
		return "/"
	}
	p, query, hasQuery := strings.Cut(next, "?")
	if strings.ContainsRune(p, '\\') || hasControl(next) {
		return "/"
	}
	// http.Redirect cleans the part before "?" and keeps a trailing slash.
	cleaned := path.Clean(p)
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(cleaned, "/") {
		cleaned += "/"
	}
	if hasQuery {
		cleaned += "?" + query
	}
	if strings.HasPrefix(cleaned, "//") {
		return "/"
	}
	u, err := url.Parse(cleaned)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	// Percent-encoding must not smuggle what the raw checks refuse.
	if strings.ContainsRune(u.Path, '\\') || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return cleaned
}

// hasControl reports whether s holds an ASCII control character.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
