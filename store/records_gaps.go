package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// Record gap kinds: what the registers of people, training, access
// reviews, changes and internal tests add to the readiness gaps.
const (
	GapLateOffboarding   = "late_offboarding"
	GapOverdueTraining   = "overdue_training"
	GapUnsignedReview    = "unsigned_access_review"
	GapUnapprovedChange  = "unapproved_change"
	GapDeficiencyNoFixup = "deficiency_without_follow_up"
)

// recordGaps lists the registers' gaps as of today. It runs in the
// readiness refresh (never on a page load); each query reads one index
// range of its register.
func (s *DB) recordGaps(ctx context.Context, orgID int64, today attest.Date) ([]attest.GapItem, error) {
	var gaps []attest.GapItem
	late, err := s.lateOffboardings(ctx, orgID, today)
	if err != nil {
		return nil, err
	}
	for _, c := range late {
		var titles []string
		for _, it := range c.Late(today, attest.ItemAccount) {
			titles = append(titles, it.Title)
		}
		gaps = append(gaps, attest.GapItem{Kind: GapLateOffboarding, ID: fmt.Sprint(c.PersonID),
			Message: fmt.Sprintf("%s left and access was not revoked by %s: %s", c.Person, c.DueDate, strings.Join(titles, "; "))})
	}
	over, err := s.OverdueTraining(ctx, orgID, today)
	if err != nil {
		return nil, err
	}
	perCampaign := map[int64][]string{}
	var order []*attest.TrainingAssignment
	for _, a := range over {
		if perCampaign[a.CampaignID] == nil {
			order = append(order, a)
		}
		perCampaign[a.CampaignID] = append(perCampaign[a.CampaignID], a.Person)
	}
	for _, a := range order {
		names := perCampaign[a.CampaignID]
		gaps = append(gaps, attest.GapItem{Kind: GapOverdueTraining, ID: fmt.Sprint(a.CampaignID),
			Message: fmt.Sprintf("%d people have not completed %q, due %s: %s", len(names), a.Campaign, a.DueDate, strings.Join(firstN(names, 5), ", "))})
	}
	reviews, _, err := s.FindAccessReviewPage(ctx, orgID, attest.AccessReviewFilter{Overdue: true, Today: today}, attest.Page{Limit: attest.MaxPageSize})
	if err != nil {
		return nil, err
	}
	for _, r := range reviews {
		gaps = append(gaps, attest.GapItem{Kind: GapUnsignedReview, ID: fmt.Sprint(r.ID),
			Message: fmt.Sprintf("the access review of %s for %s to %s was due %s and is not signed off", r.System, r.PeriodStart, r.PeriodEnd, r.DueDate)})
	}
	changes, total, err := s.FindChangePage(ctx, orgID, attest.ChangeFilter{Unapproved: true}, attest.Page{Sort: "implemented_on", Desc: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		gaps = append(gaps, attest.GapItem{Kind: GapUnapprovedChange, ID: fmt.Sprint(c.ID),
			Message: fmt.Sprintf("change %q of %s has no approval independent of its requester", c.Title, c.ImplementedOn)})
	}
	if total > len(changes) {
		gaps = append(gaps, attest.GapItem{Kind: GapUnapprovedChange, ID: "more", Message: fmt.Sprintf("%d more changes without an independent approval", total-len(changes))})
	}
	tests, _, err := s.FindControlTestPage(ctx, orgID, attest.ControlTestFilter{NoFollowUp: true}, attest.Page{Limit: attest.MaxPageSize})
	if err != nil {
		return nil, err
	}
	for _, t := range tests {
		gaps = append(gaps, attest.GapItem{Kind: GapDeficiencyNoFixup, ID: fmt.Sprint(t.ID),
			Message: fmt.Sprintf("the %s found testing %s (%s) has no follow-up task", t.Result, t.ControlID, t.Period)})
	}
	return gaps, nil
}

func firstN(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
	}
	return xs
}

// appendRecordGaps adds the registers' gaps to an engagement's readiness.
func (s *DB) appendRecordGaps(ctx context.Context, orgID int64, gaps []attest.GapItem, today attest.Date) ([]attest.GapItem, error) {
	more, err := s.recordGaps(ctx, orgID, today)
	return append(gaps, more...), err
}
