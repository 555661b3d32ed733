package attest

import (
	"strings"
	"unicode/utf8"
)

// CheckPolicyBody checks a policy's Markdown before it is stored: it must
// not be empty, must be valid UTF-8 without NUL or other control bytes
// (tabs, line and carriage returns aside), and its placeholders must be
// known and closed. It returns a *PlaceholderError (EINVALID) naming the
// 1-based line of the first problem, or EINVALID for an empty body.
func CheckPolicyBody(body string) error {
	if strings.TrimSpace(body) == "" {
		return Errorf(EINVALID, "a policy needs a body")
	}
	line := 1
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return &PlaceholderError{Line: line, Reason: "the text is not valid UTF-8"}
		case r == '\n':
			line++
		case r == 0:
			return &PlaceholderError{Line: line, Reason: "the text holds a NUL byte"}
		case r < 0x20 && r != '\t' && r != '\r', r == 0x7f:
			return &PlaceholderError{Line: line, Reason: "the text holds a control character"}
		}
		i += size
	}
	_, err := FillPlaceholders(body, nil)
	return err
}

// DraftChange is one new draft of a policy: its text, written from
// BaseVersion (which must still be the policy's current version).
type DraftChange struct {
	PolicyID    int64
	BaseVersion string
	Body        string
	Major       bool
}
