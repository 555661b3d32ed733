package attest

import "testing"

// TestRiskValidate checks a risk against scales of 3 and 5: each bad risk
// is refused naming its field, scores follow the ratings, and only an
// untreated open risk above the appetite is a gap.
func TestRiskValidate(t *testing.T) {
	ok := func() *Risk { return &Risk{Title: "T", Category: "data", Likelihood: 3, Impact: 3} }
	for _, c := range []struct {
		name  string
		scale int
		edit  func(*Risk)
		field string
	}{
		{"valid on 5", 5, func(*Risk) {}, ""},
		{"valid on 3", 3, func(*Risk) {}, ""},
		{"off a 3 scale", 3, func(r *Risk) { r.Impact = 4 }, "impact"},
		{"zero likelihood", 5, func(r *Risk) { r.Likelihood = 0 }, "likelihood"},
		{"no title", 5, func(r *Risk) { r.Title = "  " }, "title"},
		{"residual half", 5, func(r *Risk) { r.ResidualImpact = 2 }, "residual_impact"},
		{"residual off scale", 3, func(r *Risk) { r.ResidualLikelihood, r.ResidualImpact = 4, 1 }, "residual_likelihood"},
		{"unknown treatment", 5, func(r *Risk) { r.Treatment = "ignore" }, "treatment"},
		{"accepted without approval", 5, func(r *Risk) { r.Status = RiskAccepted }, "status"},
		{"accept by oneself", 5, func(r *Risk) {
			r.Treatment, r.ApproverID, r.RequestedByID, r.AcceptanceReview = TreatAccept, 4, 4, "2027-01-01"
		}, "approver"},
		{"accept needs review date", 5, func(r *Risk) { r.Treatment, r.ApproverID = TreatAccept, 4 }, "acceptance_review"},
		{"bad review date", 5, func(r *Risk) { r.ReviewedOn = "2026-13-01" }, "reviewed_on"},
	} {
		r := ok()
		c.edit(r)
		err := r.Validate(c.scale)
		if got := ErrorField(err); (err == nil) != (c.field == "") || got != c.field {
			t.Errorf("%s: err = %v (field %q), want field %q", c.name, err, got, c.field)
		}
	}
	r := ok()
	r.Likelihood, r.Impact = 4, 3
	if r.InherentScore() != 12 || r.ResidualScore() != 12 || !r.AboveAppetite(8) {
		t.Errorf("scores %d/%d, above appetite %v", r.InherentScore(), r.ResidualScore(), r.AboveAppetite(8))
	}
	r.ResidualLikelihood, r.ResidualImpact, r.Treatment = 1, 2, TreatMitigate
	if r.ResidualScore() != 2 || r.AboveAppetite(8) {
		t.Errorf("treated: residual %d, above appetite %v", r.ResidualScore(), r.AboveAppetite(8))
	}
}

// TestVendorAndIncidentRules: the report gap concerns active critical and
// high vendors only; an incident needs a review only once resolved.
func TestVendorAndIncidentRules(t *testing.T) {
	for _, c := range []struct {
		v    Vendor
		want bool
	}{
		{Vendor{Tier: TierCritical, Status: "active"}, true},
		{Vendor{Tier: TierHigh, Status: "active", ReportExpires: "2026-01-01"}, true},
		{Vendor{Tier: TierHigh, Status: "active", ReportExpires: "2026-06-01"}, false},
		{Vendor{Tier: TierMedium, Status: "active"}, false},
		{Vendor{Tier: TierCritical, Status: "offboarded"}, false},
	} {
		if got := c.v.ReportExpired("2026-03-01"); got != c.want {
			t.Errorf("%+v: expired %v, want %v", c.v, got, c.want)
		}
	}
	for status, want := range map[string]bool{"open": false, "contained": false, "resolved": true, "closed": true} {
		if got := (&Incident{Status: status}).NeedsReview(); got != want {
			t.Errorf("%s incident needs review = %v", status, got)
		}
	}
	if ReviewMonths(TierCritical) != 12 || ReviewMonths(TierMedium) != 24 || ReviewMonths(TierLow) != 36 {
		t.Error("review cadence by tier")
	}
}
