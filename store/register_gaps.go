package store

import (
	"context"
	"fmt"

	"github.com/attest-dev/attest"
)

// registerGapsLimit is the most gaps of one register that readiness lists;
// the register's own page, filtered by gap, shows them all.
const registerGapsLimit = 50

// registerGaps adds the registers' gaps to a readiness result, as the
// readiness refresh derives it: risks above the appetite without a
// treatment, critical and high vendors whose assurance report expired,
// resolved incidents without a signed-off post-incident review, and a
// risk assessment that is past due (or never held once risks exist).
func (s *DB) registerGaps(ctx context.Context, orgID int64, r *attest.Readiness, today attest.Date) error {
	page := attest.Page{Limit: registerGapsLimit}
	risks, _, err := s.FindRisks(ctx, orgID, attest.RegisterFilter{Gap: true}, page)
	if err != nil {
		return err
	}
	st, err := s.registerSettings(ctx, s.db, orgID)
	if err != nil {
		return err
	}
	for _, k := range risks {
		r.Gaps = append(r.Gaps, attest.GapItem{Kind: "risk", ID: fmt.Sprint(k.ID),
			Message: fmt.Sprintf("risk %q scores %d, above the appetite of %d, and has no treatment", k.Title, k.InherentScore(), st.RiskAppetite)})
	}
	vendors, _, err := s.FindVendors(ctx, orgID, attest.RegisterFilter{Gap: true}, attest.Page{Limit: registerGapsLimit})
	if err != nil {
		return err
	}
	for _, v := range vendors {
		msg := fmt.Sprintf("%s vendor %s has no assurance report on file", v.Tier, v.Name)
		if !v.ReportExpires.IsZero() {
			msg = fmt.Sprintf("the assurance report of %s vendor %s expired on %s", v.Tier, v.Name, v.ReportExpires)
		}
		r.Gaps = append(r.Gaps, attest.GapItem{Kind: "vendor", ID: fmt.Sprint(v.ID), Message: msg})
	}
	incidents, _, err := s.FindIncidents(ctx, orgID, attest.RegisterFilter{Gap: true}, attest.Page{Limit: registerGapsLimit})
	if err != nil {
		return err
	}
	for _, in := range incidents {
		r.Gaps = append(r.Gaps, attest.GapItem{Kind: "incident", ID: fmt.Sprint(in.ID),
			Message: fmt.Sprintf("incident %q is %s without a signed-off post-incident review", in.Title, in.Status)})
	}
	due, err := s.RiskAssessmentDue(ctx, orgID)
	if err != nil {
		return err
	}
	if !due.IsZero() && due.Before(today) {
		r.Gaps = append(r.Gaps, attest.GapItem{Kind: "risk_assessment", ID: string(due), Message: fmt.Sprintf("the risk assessment was due on %s", due)})
	}
	return nil
}

// RiskAssessmentDue is when the next risk assessment is due: the last
// one's next due date, or, before the first, the day the first risk was
// recorded plus a month; "" when there are no risks and no assessment.
func (s *DB) RiskAssessmentDue(ctx context.Context, orgID int64) (attest.Date, error) {
	last, err := s.LatestRecordEvent(ctx, orgID, attest.EventRiskAssessment)
	if err != nil {
		return "", err
	}
	if last != nil {
		return last.NextDue, nil
	}
	rows, err := queryAll(ctx, s.db, "find first risk", func(r rowScanner) (attest.Risk, error) {
		var k attest.Risk
		return k, r.Scan(&k.CreatedAt)
	}, s.q(`SELECT created_at FROM risks WHERE org_id = ? ORDER BY created_at LIMIT 1`), orgID)
	if err != nil || len(rows) == 0 {
		return "", err
	}
	return attest.DateOf(rows[0].CreatedAt).AddMonths(1), nil
}
