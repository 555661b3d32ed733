package attest

import (
	"errors"
	"strings"
	"testing"
)

func TestFillPlaceholders(t *testing.T) {
	all := map[string]string{}
	for _, name := range PolicyPlaceholders {
		all[name] = strings.ToUpper(name)
	}
	tests := []struct {
		name     string
		body     string
		values   map[string]string
		want     string
		wantLine int    // for a *PlaceholderError
		wantErr  string // part of the message; "" means no error
	}{
		{"no placeholders", "# Title\n\nText.\n", all, "# Title\n\nText.\n", 0, ""},
		{"every placeholder", "{{organization}} {{owner}} {{approver}} {{effective_date}} {{review_cycle}} {{security_contact}} {{privacy_contact}}", all,
			"ORGANIZATION OWNER APPROVER EFFECTIVE_DATE REVIEW_CYCLE SECURITY_CONTACT PRIVACY_CONTACT", 0, ""},
		{"repeated and adjacent", "{{owner}}{{owner}}\n{{owner}}", map[string]string{"owner": "Ann"}, "AnnAnn\nAnn", 0, ""},
		{"known without value is kept", "{{organization}} by {{owner}}", map[string]string{"organization": "Acme"}, "Acme by {{owner}}", 0, ""},
		{"nil values only validates", "a {{approver}} b", nil, "a {{approver}} b", 0, ""},
		{"values are not expanded again", "{{organization}}", map[string]string{"organization": "{{owner}} {{ceo"}, "{{owner}} {{ceo", 0, ""},
		{"empty value", "[{{owner}}]", map[string]string{"owner": ""}, "[]", 0, ""},
		{"stray closing braces are text", "a }} b {{owner}}", map[string]string{"owner": "x"}, "a }} b x", 0, ""},
		{"unicode around", "Société {{organization}} ✓", map[string]string{"organization": "Ünï"}, "Société Ünï ✓", 0, ""},
		{"unknown placeholder", "line one\nline two {{ceo}} here\n", all, "", 2, "line 2: unknown placeholder {{ceo}}"},
		{"spaces are not trimmed", "\n\n{{ owner }}", all, "", 3, "unknown placeholder {{ owner }}"},
		{"empty name", "{{}}", all, "", 1, "unknown placeholder {{}}"},
		{"unknown after known", "{{owner}}\n{{owner}} {{cto}}", all, "", 2, "line 2: unknown placeholder {{cto}}"},
		{"unclosed", "ok\n\n\nthen {{organization and more\n", all, "", 4, "line 4: unclosed placeholder {{organization and more"},
		{"closed on a later line", "{{owner\n}}", all, "", 1, "line 1: unclosed placeholder {{owner"},
		{"unclosed at end", "text {{", all, "", 1, "unclosed placeholder {{"},
		{"unknown value name", "{{owner}}", map[string]string{"ceo": "x"}, "", 0, `unknown placeholder name "ceo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FillPlaceholders(tt.body, tt.values)
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("FillPlaceholders() = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(ErrorMessage(err), tt.wantErr) {
				t.Fatalf("FillPlaceholders() error = %v, want one containing %q", err, tt.wantErr)
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("error code = %q, want %q", ErrorCode(err), EINVALID)
			}
			var perr *PlaceholderError
			if errors.As(err, &perr) != (tt.wantLine > 0) || (perr != nil && perr.Line != tt.wantLine) {
				t.Errorf("error = %#v, want a *PlaceholderError at line %d", err, tt.wantLine)
			}
		})
	}
}
