package jobs

import (
	"context"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
)

// recordReminders adds the registers' reminders: training a member has to
// complete (matched to the roster person by email) and access review
// accounts waiting for their reviewer's decision, on the days RemindToday
// picks before and after each due date.
func recordReminders(ctx context.Context, db *store.DB, orgID int64, today attest.Date, lead int, byID map[int64]*attest.User, add func(*attest.User, string, string)) error {
	byEmail := map[string]*attest.User{}
	for _, u := range byID {
		byEmail[strings.ToLower(u.Email)] = u
	}
	campaigns, _, err := db.FindTrainingPage(ctx, orgID, attest.TrainingFilter{}, attest.Page{Limit: attest.MaxPageSize})
	if err != nil {
		return err
	}
	for _, c := range campaigns {
		if c.Completed == c.Assigned || !attest.RemindToday(c.DueDate, today, lead) {
			continue
		}
		as, err := db.FindTrainingAssignments(ctx, orgID, c.ID)
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.CompletedOn.IsZero() {
				add(byEmail[strings.ToLower(a.Email)], attest.EventRecordsDue, fmt.Sprintf("training %q, %s", c.Title, dueText(c.DueDate, today)))
			}
		}
	}
	reviews, _, err := db.FindAccessReviewPage(ctx, orgID, attest.AccessReviewFilter{Status: attest.ReviewOpen}, attest.Page{Limit: attest.MaxPageSize})
	if err != nil {
		return err
	}
	for _, r := range reviews {
		if r.Undecided == 0 || !attest.RemindToday(r.DueDate, today, lead) {
			continue
		}
		accounts, err := db.FindAccessAccounts(ctx, orgID, r.ID)
		if err != nil {
			return err
		}
		waiting := map[int64]int{}
		for _, a := range accounts {
			if a.Decision == "" && a.ReviewerID != 0 {
				waiting[a.ReviewerID]++
			}
		}
		for uid, n := range waiting {
			add(byID[uid], attest.EventRecordsDue, fmt.Sprintf("%d accounts of the %s access review to decide, %s", n, r.System, dueText(r.DueDate, today)))
		}
	}
	return nil
}
