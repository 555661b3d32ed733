package attest

import (
	"errors"
	"strings"
	"testing"
	"time"
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

func TestNextPolicyVersion(t *testing.T) {
	tests := []struct {
		current string
		major   bool
		want    string
		wantErr bool
	}{
		{"1.0", false, "1.1", false},
		{"1.9", false, "1.10", false},
		{"1.3", true, "2.0", false},
		{"2.0", true, "3.0", false},
		{"0.1", false, "0.2", false},
		{"1", false, "", true},
		{"1.x", false, "", true},
		{"-1.0", false, "", true},
		{"", true, "", true},
	}
	for _, tt := range tests {
		got, err := NextPolicyVersion(tt.current, tt.major)
		if tt.wantErr {
			if ErrorCode(err) != EINVALID {
				t.Errorf("NextPolicyVersion(%q, %v) error = %v, want EINVALID", tt.current, tt.major, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NextPolicyVersion(%q, %v) = %q, %v; want %q", tt.current, tt.major, got, err, tt.want)
		}
	}
}

func TestPolicyDecisionValidate(t *testing.T) {
	p := &Policy{Approvers: []int64{1, 2}}
	tests := []struct {
		name string
		d    PolicyDecision
		code string
	}{
		{"approver approves", PolicyDecision{ApproverID: 1, Approve: true}, ""},
		{"approver rejects with comment", PolicyDecision{ApproverID: 2, Comment: "add MFA"}, ""},
		{"reject without comment", PolicyDecision{ApproverID: 2, Comment: "  "}, EINVALID},
		{"not an approver", PolicyDecision{ApproverID: 3, Approve: true}, EFORBIDDEN},
		{"no user", PolicyDecision{Approve: true}, EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.d.Validate(p)); got != tt.code {
				t.Errorf("Validate() code = %q, want %q", got, tt.code)
			}
		})
	}
	if ErrorCode((&PolicyDecision{ApproverID: 1, Approve: true}).Validate(&Policy{})) != EFORBIDDEN {
		t.Error("a policy without approvers let someone approve")
	}
}

func TestCheckPublish(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	dec := func(user int64, version string, approve bool, minutes int) *PolicyDecision {
		return &PolicyDecision{ApproverID: user, Version: version, Approve: approve, At: t0.Add(time.Duration(minutes) * time.Minute)}
	}
	draft := &PolicyVersion{Number: "1.1", State: VersionApproved}
	tests := []struct {
		name      string
		approvers []int64
		v         *PolicyVersion
		decisions []*PolicyDecision
		wantState VersionState
		wantErr   bool
	}{
		{"all approved", []int64{1, 2}, draft, []*PolicyDecision{dec(1, "1.1", true, 0), dec(2, "1.1", true, 1)}, VersionApproved, false},
		{"one missing", []int64{1, 2}, draft, []*PolicyDecision{dec(1, "1.1", true, 0)}, VersionDraft, true},
		{"one rejected", []int64{1, 2}, draft, []*PolicyDecision{dec(1, "1.1", true, 0), dec(2, "1.1", false, 1)}, VersionRejected, true},
		{"rejection withdrawn", []int64{1, 2}, draft, []*PolicyDecision{dec(2, "1.1", false, 0), dec(1, "1.1", true, 1), dec(2, "1.1", true, 2)}, VersionApproved, false},
		{"approval withdrawn", []int64{1}, draft, []*PolicyDecision{dec(1, "1.1", true, 0), dec(1, "1.1", false, 1)}, VersionRejected, true},
		{"approval of another version", []int64{1}, draft, []*PolicyDecision{dec(1, "1.0", true, 0)}, VersionDraft, true},
		{"former approver does not count", []int64{1}, draft, []*PolicyDecision{dec(9, "1.1", false, 0), dec(1, "1.1", true, 1)}, VersionApproved, false},
		{"no approvers", nil, draft, []*PolicyDecision{dec(1, "1.1", true, 0)}, VersionDraft, true},
		{"not the current version", []int64{1}, &PolicyVersion{Number: "1.0", State: VersionApproved}, []*PolicyDecision{dec(1, "1.0", true, 0)}, VersionApproved, true},
		{"already published", []int64{1}, &PolicyVersion{Number: "1.1", State: VersionPublished}, []*PolicyDecision{dec(1, "1.1", true, 0)}, VersionApproved, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DecidedState(tt.approvers, tt.v.Number, tt.decisions); got != tt.wantState {
				t.Errorf("DecidedState() = %q, want %q", got, tt.wantState)
			}
			p := &Policy{Approvers: tt.approvers, CurrentVersion: "1.1"}
			err := CheckPublish(p, tt.v, tt.decisions)
			if tt.wantErr && ErrorCode(err) != EINVALID || !tt.wantErr && err != nil {
				t.Errorf("CheckPublish() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestCheckAcknowledge(t *testing.T) {
	for state, want := range map[VersionState]string{
		VersionPublished:  "",
		VersionSuperseded: EINVALID,
		VersionDraft:      EINVALID,
		VersionApproved:   EINVALID,
		VersionRejected:   EINVALID,
	} {
		if got := ErrorCode(CheckAcknowledge(&PolicyVersion{Number: "1.0", State: state})); got != want {
			t.Errorf("CheckAcknowledge(%s) code = %q, want %q", state, got, want)
		}
	}
}

func TestPolicyReviewOverdue(t *testing.T) {
	tests := []struct {
		p    Policy
		want bool
	}{
		{Policy{PublishedVersion: "1.0", NextReview: "2026-01-01"}, true},
		{Policy{PublishedVersion: "1.0", NextReview: "2026-03-01"}, false},
		{Policy{PublishedVersion: "1.0", NextReview: "2026-02-01"}, false},
		{Policy{NextReview: "2026-01-01"}, false},
	}
	for _, tt := range tests {
		if got := tt.p.ReviewOverdue("2026-02-01"); got != tt.want {
			t.Errorf("ReviewOverdue(%+v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
