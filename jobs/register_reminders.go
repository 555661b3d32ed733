package jobs

import (
	"context"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
)

// registerReminders adds the register dates due today to their owners'
// reminders: a vendor's review and assurance report, an accepted risk's
// review, and the risk assessment (to the assessment owner), on the
// days RemindToday picks.
func registerReminders(ctx context.Context, db *store.DB, orgID int64, today attest.Date, lead int, add func(userID int64, line string)) error {
	due, err := db.DueRecords(ctx, orgID, today.AddDays(lead))
	if err != nil {
		return err
	}
	for _, d := range due {
		if d.OwnerID != 0 && attest.RemindToday(d.Due, today, lead) {
			add(d.OwnerID, d.Line())
		}
	}
	return nil
}
