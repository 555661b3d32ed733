package attest_test

import (
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// TestWithPopulations: a library control copied before needs named their
// populations gets them from the library, unless the need was reworded or
// the control is the organization's own; the stored controls are left
// untouched. BuildRequests carries the population to the request.
func TestWithPopulations(t *testing.T) {
	fw := catalog.MustSOC2()
	stored := []*attest.Control{
		{ID: "HR-08", Evidence: []attest.EvidenceNeed{{What: "List of leavers with HR termination dates and matching IT offboarding tickets", Frequency: attest.PerEvent}}},
		{ID: "HR-01", Evidence: []attest.EvidenceNeed{{What: "Our own wording", Frequency: attest.PerEvent}}},
		{ID: "ACME-01", Custom: true, Evidence: []attest.EvidenceNeed{{What: "List of leavers with HR termination dates and matching IT offboarding tickets", Frequency: attest.PerEvent}}},
	}
	got := attest.WithPopulations(fw, stored)
	if got[0].Evidence[0].Population != "leavers" || got[1].Evidence[0].Population != "" || got[2].Evidence[0].Population != "" {
		t.Errorf("populations: %q %q %q", got[0].Evidence[0].Population, got[1].Evidence[0].Population, got[2].Evidence[0].Population)
	}
	if stored[0].Evidence[0].Population != "" || got[1] != stored[1] {
		t.Error("WithPopulations changed the stored controls or copied an unchanged one")
	}
	e := &attest.Engagement{ID: 1, ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
	reqs := attest.BuildRequests(e, got[:1], nil, nil, "2026-07-01")
	if len(reqs) != 1 || reqs[0].PopulationKind != "leavers" || !reqs[0].Population || len(reqs[0].Slots) != 1 {
		t.Errorf("requests: %+v", reqs)
	}
	if i := attest.NeedFor(&attest.Control{Evidence: []attest.EvidenceNeed{{Frequency: attest.Quarterly}, {Frequency: attest.Quarterly, Population: "changes"}}}, "changes"); i != 1 {
		t.Errorf("NeedFor changes = %d, want 1", i)
	}
	bad := &attest.Control{ID: "ACME-02", Name: "x", Criteria: []string{"CC1.1"}, Frequency: attest.Annually,
		Evidence: []attest.EvidenceNeed{{What: "x", Frequency: attest.PerEvent, Population: "visitors"}}}
	if err := bad.Validate(fw); attest.ErrorCode(err) != attest.EINVALID {
		t.Errorf("an unknown population: %v", err)
	}
}
