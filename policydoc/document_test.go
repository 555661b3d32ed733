package policydoc

import (
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// testBody returns the built-in information security policy with its
// placeholders filled, the body every export test renders: real content
// finds layout problems a toy body would not.
func testBody(t *testing.T) string {
	t.Helper()
	tmpl, err := catalog.PolicyTemplate("information-security")
	if err != nil {
		t.Fatal(err)
	}
	body, err := attest.FillPlaceholders(tmpl.Body, map[string]string{
		"organization":     "Acme Café Ltd",
		"owner":            "Zoë Quinn",
		"approver":         "Renée Dubois",
		"effective_date":   "2025-03-01",
		"review_cycle":     "12 months",
		"security_contact": "security@acme.example",
		"privacy_contact":  "privacy@acme.example",
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// testDocument returns version 1.1 of the information security policy,
// approved by two people, with a two-version history.
func testDocument(t *testing.T) *Document {
	t.Helper()
	tmpl, err := catalog.PolicyTemplate("information-security")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.Parse(attest.DateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(14 * time.Hour)
	}
	body := testBody(t)
	history := []*attest.PolicyVersion{
		{PolicyID: 7, Number: "1.0", Body: body, Major: true, Author: "Zoë Quinn", State: attest.VersionSuperseded, CreatedAt: day("2024-02-10")},
		{PolicyID: 7, Number: "1.1", Body: body, Author: "Marc Lévy", State: attest.VersionPublished, CreatedAt: day("2025-02-20")},
	}
	return &Document{
		Organization: "Acme Café Ltd",
		Policy: &attest.Policy{
			ID: 7, TemplateID: tmpl.ID, Title: tmpl.Title, Type: tmpl.Type, OwnerRole: tmpl.OwnerRole,
			OwnerID: 3, Owner: &attest.Person{ID: 3, Name: "Zoë Quinn", Email: "zoe@acme.example"}, ReviewCycleMonths: tmpl.ReviewCycleMonths, Controls: tmpl.Controls,
			Status: attest.PolicyPublished, CurrentVersion: "1.1", PublishedVersion: "1.1",
			NextReview: "2026-03-01", LastReviewed: "2025-03-01",
		},
		Version: history[1],
		History: history,
		Approvals: []Approval{
			{Name: "Renée Dubois", At: day("2025-02-27")},
			{Name: "Sam O’Neil", At: day("2025-03-01")},
		},
		Controls: controlRefs(t, tmpl.Controls),
	}
}

// controlRefs looks the IDs up in the SOC 2 control library, as the web
// handler does.
func controlRefs(t *testing.T, ids []string) []ControlRef {
	t.Helper()
	fw, err := catalog.SOC2()
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]*attest.Control, len(fw.Controls))
	for _, c := range fw.Controls {
		byID[c.ID] = c
	}
	out := make([]ControlRef, len(ids))
	for i, id := range ids {
		c, ok := byID[id]
		if !ok {
			t.Fatalf("no control %s in the library", id)
		}
		out[i] = ControlRef{ID: c.ID, Title: c.Name, Criteria: c.Criteria}
	}
	return out
}

// procedureDocument returns a short draft procedure without approvals or
// looked-up controls, the other shape an export must handle.
func procedureDocument() *Document {
	v := &attest.PolicyVersion{Number: "0.3", State: attest.VersionDraft, Author: "Ana",
		Body: "# Offboarding\n\n1. Disable the account.\n2. Collect the laptop.\n"}
	return &Document{
		Organization: "Acme Café Ltd",
		Policy: &attest.Policy{Title: "Offboarding Procedure", Type: attest.PolicyTypeProcedure,
			OwnerRole: "hr", ReviewCycleMonths: 6, Controls: []string{"HR-05"}},
		Version: v,
		History: []*attest.PolicyVersion{v},
	}
}
