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
// picks before and after each due date, and the follow-up of a failed
// internal test to the control's owner.
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
	return deficiencyReminders(ctx, db, orgID, today, lead, byID, add)
}

// deficiencyReminders tells a control's owner of the follow-up task a
// failed internal test opened for them, on the task's reminder days.
func deficiencyReminders(ctx context.Context, db *store.DB, orgID int64, today attest.Date, lead int, byID map[int64]*attest.User, add func(*attest.User, string, string)) error {
	for _, result := range []string{attest.ResultDeficiency, attest.ResultException} {
		tests, _, err := db.FindControlTestPage(ctx, orgID, attest.ControlTestFilter{Result: result}, attest.Page{Limit: attest.MaxPageSize})
		if err != nil {
			return err
		}
		for _, t := range tests {
			if t.FollowUpTaskID == 0 {
				continue
			}
			task, err := db.FindTaskByID(ctx, orgID, t.FollowUpTaskID)
			if err != nil {
				return err
			}
			if task.Status != attest.TaskDone && task.OwnerID != 0 && attest.RemindToday(task.DueDate, today, lead) {
				add(byID[task.OwnerID], attest.EventRecordsDue, fmt.Sprintf("the %s found testing %s (%s): follow-up task %q, %s", t.Result, t.ControlID, t.Period, task.Title, dueText(task.DueDate, today)))
			}
		}
	}
	return nil
}
