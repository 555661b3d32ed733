package attest

import (
	"fmt"
	"strings"
)

// Policy document types.
const (
	PolicyTypePolicy    = "policy"
	PolicyTypeProcedure = "procedure"
)

// PolicyTypes lists every valid PolicyTemplate.Type.
var PolicyTypes = []string{PolicyTypePolicy, PolicyTypeProcedure}

// PolicyPlaceholders are the names a policy body may use as {{name}}. They
// are filled from the organization's settings when a template is adopted;
// any other {{…}} in a body is an error, so a typo never reaches an
// employee's screen.
var PolicyPlaceholders = []string{
	"organization",
	"owner",
	"approver",
	"effective_date",
	"review_cycle",
	"security_contact",
	"privacy_contact",
}

// PolicyTemplate is a built-in policy or procedure an organization starts
// from: Markdown with placeholders, the controls it supports (and through
// them the criteria) and how often it is reviewed. Templates are embedded
// content, loaded once and never changed at run time.
type PolicyTemplate struct {
	// ID is kebab-case and unique, such as "access-control".
	ID    string `json:"id"`
	Title string `json:"title"`
	// Type is one of PolicyTypes; a procedure is the same kind of document
	// as a policy, describing steps rather than rules.
	Type    string `json:"type"`
	Version string `json:"version"`
	// OwnerRole is one of OwnerRoles: the function that maintains the
	// document by default.
	OwnerRole         string `json:"owner_role"`
	ReviewCycleMonths int    `json:"review_cycle_months"`
	// Controls are the IDs of the library controls the document supports.
	Controls []string `json:"controls"`
	Summary  string   `json:"summary"`
	// Body is the Markdown text, with {{name}} placeholders from
	// PolicyPlaceholders.
	Body string `json:"body"`
}

// PlaceholderError locates an unknown or unclosed placeholder in a body. It
// unwraps to an EINVALID *Error, so ErrorCode and ErrorMessage work on it;
// loaders use Line to point at the line of the file the body came from.
type PlaceholderError struct {
	Line   int    // 1-based line within the body
	Reason string // such as "unknown placeholder {{ceo}}"
}

func (e *PlaceholderError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Unwrap returns the EINVALID domain error with the same message.
func (e *PlaceholderError) Unwrap() error {
	return Errorf(EINVALID, "line %d: %s", e.Line, e.Reason)
}

// FillPlaceholders replaces each {{name}} of body whose name has a value
// and leaves known placeholders without a value as they are (an editor may
// fill them later). It returns a *PlaceholderError (EINVALID) naming the
// line of the first unknown or unclosed placeholder, and EINVALID if values
// names a placeholder that does not exist. Values are inserted literally:
// a value containing {{ is not expanded again.
func FillPlaceholders(body string, values map[string]string) (string, error) {
	for name := range values {
		if !knownPlaceholder(name) {
			return "", Errorf(EINVALID, "unknown placeholder name %q (known: %s)", name, strings.Join(PolicyPlaceholders, ", "))
		}
	}
	var out strings.Builder
	out.Grow(len(body))
	line, rest := 1, body
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			out.WriteString(rest)
			return out.String(), nil
		}
		out.WriteString(rest[:i])
		line += strings.Count(rest[:i], "\n")
		rest = rest[i:]
		end := strings.Index(rest, "}}")
		if nl := strings.IndexByte(rest, '\n'); end < 0 || (nl >= 0 && nl < end) {
			return "", &PlaceholderError{Line: line, Reason: fmt.Sprintf("unclosed placeholder %s", clip(firstLine(rest), 40))}
		}
		name := rest[2:end]
		if !knownPlaceholder(name) {
			return "", &PlaceholderError{Line: line, Reason: fmt.Sprintf("unknown placeholder {{%s}} (known: %s)", clip(name, 40), strings.Join(PolicyPlaceholders, ", "))}
		}
		if v, ok := values[name]; ok {
			out.WriteString(v)
		} else {
			out.WriteString(rest[:end+2])
		}
		rest = rest[end+2:]
	}
}

func knownPlaceholder(name string) bool {
	for _, p := range PolicyPlaceholders {
		if p == name {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimRight(s[:i], "\r")
	}
	return s
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
