package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
)

// loadReviewSchedule opens the last quarter's review of Okta from the okta
// integration's accounts, which loadMonitoring collected, and schedules the
// next ones: the next review opens by itself when the current quarter ends.
func loadReviewSchedule(ctx context.Context, db *store.DB, orgID int64, today time.Time) error {
	in, err := db.FindIntegration(ctx, orgID, "okta")
	if err != nil {
		return fmt.Errorf("demo review schedule: %w", err)
	}
	last, _ := attest.QuarterOf(attest.DateOf(today))
	rv := &attest.AccessReview{System: "Identity provider", ControlID: "ACC-05"}
	rv.PeriodStart, rv.PeriodEnd = attest.QuarterOf(last.AddDays(-1))
	rv.DueDate = attest.DateOf(today).AddDays(21) // opened late: three weeks from today
	if _, err := db.StartAccessReviewFrom(ctx, orgID, rv, in.ID); err != nil {
		return fmt.Errorf("demo review from okta: %w", err)
	}
	sc := &attest.AccessReviewSchedule{System: "Identity provider", IntegrationID: in.ID, ControlID: "ACC-05"}
	sc.NextStart, _ = attest.QuarterOf(attest.DateOf(today))
	if err := db.SaveAccessReviewSchedule(ctx, orgID, sc); err != nil {
		return fmt.Errorf("demo review schedule: %w", err)
	}
	return nil
}
