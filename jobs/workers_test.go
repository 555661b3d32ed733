package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/riverqueue/river"
)

// The test job kinds. Every worker records its job in the runs table, so
// tests see from the database what ran, where and how often.

// countArgs is a job that takes SleepMS milliseconds and records its run.
type countArgs struct {
	SleepMS int `json:"sleep_ms"`
}

func (countArgs) Kind() string { return "test_count" }

// flakyArgs is a job that fails its first Fails attempts; Mode "cancel"
// returns river.JobCancel and "permanent" an error the Config.Permanent
// classifier recognizes.
type flakyArgs struct {
	Fails int    `json:"fails"`
	Mode  string `json:"mode,omitempty"`
}

func (flakyArgs) Kind() string { return "test_flaky" }

// InsertOpts sets the kind's own attempt limit, as notifications do.
func (flakyArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 4} }

// longArgs is a job whose first attempt announces itself in the started
// table and then hangs until its context ends; later attempts finish.
type longArgs struct{}

func (longArgs) Kind() string { return "test_long" }

// tickArgs is the periodic test job.
type tickArgs struct{}

func (tickArgs) Kind() string { return "test_tick" }

var errPermanent = errors.New("permanent failure")

// testWorkers registers the test kinds' workers, which write through db.
func testWorkers(db *sql.DB, dialect string) *river.Workers {
	record := func(ctx context.Context, id int64, kind string) error {
		_, err := db.ExecContext(ctx, rebind(dialect,
			`INSERT INTO runs (job_id, kind, pid, n) VALUES (?, ?, ?, 1)
			 ON CONFLICT (job_id) DO UPDATE SET n = runs.n + 1`), id, kind, os.Getpid())
		return err
	}
	w := river.NewWorkers()
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[countArgs]) error {
		time.Sleep(time.Duration(job.Args.SleepMS) * time.Millisecond)
		return record(ctx, job.ID, job.Kind)
	}))
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[flakyArgs]) error {
		switch {
		case job.Args.Mode == "cancel":
			return river.JobCancel(fmt.Errorf("attempt %d: bad input", job.Attempt))
		case job.Args.Mode == "permanent":
			return fmt.Errorf("attempt %d: %w", job.Attempt, errPermanent)
		case job.Attempt <= job.Args.Fails:
			return fmt.Errorf("attempt %d failed", job.Attempt)
		}
		return record(ctx, job.ID, job.Kind)
	}))
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[longArgs]) error {
		if job.Attempt > 1 {
			return record(ctx, job.ID, job.Kind)
		}
		if _, err := db.ExecContext(ctx, rebind(dialect, `INSERT INTO started (job_id, pid) VALUES (?, ?)`), job.ID, os.Getpid()); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}))
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, job *river.Job[tickArgs]) error {
		return record(ctx, job.ID, job.Kind)
	}))
	return w
}
