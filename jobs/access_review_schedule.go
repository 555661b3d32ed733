package jobs

import (
	"context"
	"time"

	"github.com/attest-dev/attest"
	"github.com/riverqueue/river"
)

// AccessReviewScanArgs opens the access reviews whose schedule is due
// (store.StartDueAccessReviews). Only the leader enqueues it, once per
// period; if two processes work it anyway (a rescued job, a second
// enqueue), each schedule is moved on in the transaction that opens its
// review, so a review is never opened twice.
type AccessReviewScanArgs struct{}

// Kind names the job.
func (AccessReviewScanArgs) Kind() string { return "access_review_schedule" }

// accessReviewScanEvery is how often due schedules are looked for: a
// review opens within six hours of its period's end.
const accessReviewScanEvery = 6 * time.Hour

type accessReviewScanWorker struct {
	river.WorkerDefaults[AccessReviewScanArgs]
	d Deps
}

// Work opens the due reviews. A schedule that cannot open (its
// integration has collected no accounts) stays due for the next run and
// is logged; retrying within the hour would not give it accounts.
func (w *accessReviewScanWorker) Work(ctx context.Context, _ *river.Job[AccessReviewScanArgs]) error {
	n, err := w.d.DB.StartDueAccessReviews(ctx, attest.DateOf(w.d.Now()))
	if n > 0 {
		w.d.Log.Info("access reviews opened on schedule", "reviews", n)
	}
	if err != nil && ctx.Err() == nil {
		w.d.Log.Warn("scheduled access reviews not opened", "error", err)
		return nil
	}
	return err
}

// addAccessReviews registers the worker and returns its schedule.
func addAccessReviews(w *river.Workers, d Deps) []Periodic {
	river.AddWorker(w, &accessReviewScanWorker{d: d})
	return []Periodic{{Name: "access_review_schedule", Every: accessReviewScanEvery, Args: AccessReviewScanArgs{}}}
}
