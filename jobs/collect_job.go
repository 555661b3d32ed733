package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/attest-dev/attest"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// CollectArgs collects one integration. It is unique per integration while
// waiting or running, so two processes sharing a database never run the
// same collection at once (the run's lease on the integration row backs
// this up for runs started outside the queue, such as the CLI's).
type CollectArgs struct {
	OrgID         int64  `json:"org_id" river:"unique"`
	IntegrationID int64  `json:"integration_id" river:"unique"`
	StartedBy     string `json:"started_by"`
}

// Kind names the job.
func (CollectArgs) Kind() string { return "integration_collect" }

// InsertOpts makes the job unique per integration among unfinished jobs.
// A process killed midway leaves the job running until River rescues it;
// the next attempt finds the run's lease expired and recovers.
func (CollectArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateScheduled, rivertype.JobStateRetryable,
	}}}
}

// CollectScanArgs enqueues a CollectArgs job for every integration whose
// schedule is due.
type CollectScanArgs struct{}

// Kind names the job.
func (CollectScanArgs) Kind() string { return "integration_schedule" }

// collectScanEvery is how often due integrations are looked for: an
// hourly integration runs within five minutes of its hour.
const collectScanEvery = 5 * time.Minute

type collectWorker struct {
	river.WorkerDefaults[CollectArgs]
	r *Runner
}

// Timeout lets a collection run as long as its lease.
func (w *collectWorker) Timeout(*river.Job[CollectArgs]) time.Duration { return w.r.lease() }

// Work runs the collection. A failed collection is recorded in its run
// and is not retried (the schedule runs it again); another process
// holding the integration cancels this job.
func (w *collectWorker) Work(ctx context.Context, job *river.Job[CollectArgs]) error {
	by := job.Args.StartedBy
	if by == "" {
		by = "schedule"
	}
	_, err := w.r.Run(ctx, job.Args.OrgID, fmt.Sprint(job.Args.IntegrationID), by, nil)
	switch attest.ErrorCode(err) {
	case "":
		return nil
	case attest.ECONFLICT, attest.ENOTFOUND, attest.EINVALID:
		return river.JobCancel(err)
	}
	return err
}

type collectScanWorker struct {
	river.WorkerDefaults[CollectScanArgs]
	r *Runner
}

func (w *collectScanWorker) Work(ctx context.Context, _ *river.Job[CollectScanArgs]) error {
	due, err := w.r.DB.DueIntegrations(ctx, time.Now().UTC())
	if err != nil {
		return err
	}
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return err
	}
	for _, d := range due {
		if _, err := client.Insert(ctx, CollectArgs{OrgID: d.OrgID, IntegrationID: d.ID}, nil); err != nil {
			return fmt.Errorf("enqueue collection: %w", err)
		}
	}
	return nil
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return DefaultLease
}

// AddCollection registers the collection workers and returns their
// schedule: a scan for due integrations every five minutes.
func AddCollection(w *river.Workers, r *Runner) []Periodic {
	river.AddWorker(w, &collectWorker{r: r})
	river.AddWorker(w, &collectScanWorker{r: r})
	return []Periodic{{Name: "integration_schedule", Every: collectScanEvery, Args: CollectScanArgs{}}}
}

// RunNow enqueues a collection of one integration started by who.
func (q *Queue) RunNow(ctx context.Context, orgID, integrationID int64, who string) (duplicate bool, err error) {
	res, err := q.client.Insert(ctx, CollectArgs{OrgID: orgID, IntegrationID: integrationID, StartedBy: who}, nil)
	if err != nil {
		return false, wrap("enqueue integration_collect", err)
	}
	return res.UniqueSkippedAsDuplicate, nil
}
