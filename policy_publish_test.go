package attest

import (
	"slices"
	"strings"
	"testing"
)

func TestFillForPublication(t *testing.T) {
	p := &Policy{ReviewCycleMonths: 12, Owner: &Person{ID: 1, Name: "Ann"}}
	body := "| Approved by | {{approver}} |\n| Effective date | {{effective_date}} |\nReviewed {{review_cycle}} by {{owner}} at {{organization}}; ask {{security_contact}} or {{privacy_contact}}, {{security_contact}}."
	_, err := FillForPublication(body, PublishFill("Acme", p, []string{"Bob", "Cy"}, "2026-01-05"))
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "{{security_contact}}, {{privacy_contact}};") {
		t.Fatalf("refusal = %v; want both contacts named once", err)
	}
	if got := PlaceholdersToFill(body, p); !slices.Equal(got, []string{"security_contact", "privacy_contact"}) {
		t.Errorf("PlaceholdersToFill = %q", got)
	}
	if got := PlaceholdersToFill(body, &Policy{}); !slices.Contains(got, "owner") || slices.Contains(got, "approver") {
		t.Errorf("without an owner, PlaceholdersToFill = %q", got)
	}
	filled, err := FillForPublication(strings.NewReplacer("{{security_contact}}", "s@x", "{{privacy_contact}}", "p@x").Replace(body),
		PublishFill("Acme", p, []string{"Bob", "Cy"}, "2026-01-05"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| Approved by | Bob and Cy |", "| Effective date | 2026-01-05 |", "Reviewed every 12 months by Ann at Acme"} {
		if !strings.Contains(filled, want) {
			t.Errorf("filled text lacks %q:\n%s", want, filled)
		}
	}
	if _, err := FillForPublication(body, PublishFill("Acme", p, nil, "2026-01-05")); ErrorCode(err) != EINVALID {
		t.Errorf("publication without an approval: %v", err)
	}
}

func TestShownBody(t *testing.T) {
	draft := &PolicyVersion{State: VersionApproved, Body: "By {{approver}} from {{effective_date}} for {{owner}}"}
	if got := draft.ShownBody(); got != "By set when published from set when published for {{owner}}" {
		t.Errorf("draft shows %q", got)
	}
	pub := &PolicyVersion{State: VersionPublished, Body: "By Bob"}
	if got := pub.ShownBody(); got != "By Bob" {
		t.Errorf("published shows %q", got)
	}
}

func TestJoinNames(t *testing.T) {
	for want, in := range map[string][]string{"": nil, "A": {"A"}, "A and B": {"A", "B"}, "A, B and C": {"A", "B", "C"}} {
		if got := JoinNames(in); got != want {
			t.Errorf("JoinNames(%q) = %q, want %q", in, got, want)
		}
	}
}
