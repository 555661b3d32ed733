package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river/rivertype"
)

// TestEachJobRunsOnce works 200 jobs while the application keeps writing
// through the same handle: every job runs exactly once and no application
// write fails, which on SQLite shows River's polling neither starves nor
// deadlocks the store's writers.
func TestEachJobRunsOnce(t *testing.T) {
	t.Parallel()
	const jobs = 200
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := tg.dialect()
			q := startQueue(t, tg.db, d, testConfig(tg.db, d))

			stop := make(chan struct{})
			var wg sync.WaitGroup
			var writes int
			var writeErr error
			wg.Go(func() {
				for i := 1; writeErr == nil; i++ {
					select {
					case <-stop:
						return
					default:
					}
					tx, err := tg.db.BeginTx(ctx, nil)
					if err != nil {
						writeErr = err
						return
					}
					_, err = tx.Exec(rebind(d, `INSERT INTO app_writes (id, note) VALUES (?, ?)`), i, "write")
					if err == nil {
						_, err = tg.db.Exec(rebind(d, `SELECT note FROM app_writes WHERE id = ?`), i-1)
					}
					if err == nil {
						err = tx.Commit()
					} else {
						tx.Rollback()
					}
					writeErr = err
					writes++
					// A busy application, not one that holds SQLite's write
					// lock all the time: SQLite's busy waiting is not fair,
					// and a writer that never lets go starves every other.
					time.Sleep(2 * time.Millisecond)
				}
			})
			for range jobs {
				if err := q.Enqueue(ctx, countArgs{SleepMS: 1}, nil); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 60*time.Second, "all jobs to run", countAtLeast(tg.db, d, jobs, `SELECT count(*) FROM runs`))
			close(stop)
			wg.Wait()
			if writeErr != nil {
				t.Fatalf("application write %d failed while jobs ran: %v", writes, writeErr)
			}
			t.Logf("%d application writes while %d jobs ran", writes, jobs)
			if n, err := count(tg.db, d, `SELECT count(*) FROM runs WHERE n <> 1`); err != nil || n != 0 {
				t.Errorf("%d jobs ran more than once (%v)", n, err)
			}
			waitFor(t, 10*time.Second, "jobs to be marked completed", func() (bool, error) {
				for _, j := range jobStates(t, q, countArgs{}.Kind()) {
					if j.State != rivertype.JobStateCompleted {
						return false, nil
					}
				}
				return true, nil
			})
		})
	}
}

// TestRetries checks how each kind of failure ends.
func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     flakyArgs
		state    rivertype.JobState
		attempts int
		lastErr  string // as listed by Failed; empty when not failed
	}{
		{"recovers after two failures", flakyArgs{Fails: 2}, rivertype.JobStateCompleted, 3, ""},
		{"always fails", flakyArgs{Fails: 99}, rivertype.JobStateDiscarded, 4, "attempt 4 failed"},
		{"cancelled by the worker", flakyArgs{Mode: "cancel"}, rivertype.JobStateCancelled, 1, "attempt 1: bad input"},
		{"permanent by the classifier", flakyArgs{Mode: "permanent"}, rivertype.JobStateCancelled, 1, "attempt 1: permanent failure"},
	}
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := tg.dialect()
			q := startQueue(t, tg.db, d, testConfig(tg.db, d))
			for _, tt := range tests {
				if err := q.Enqueue(ctx, tt.args, nil); err != nil {
					t.Fatal(err)
				}
			}
			var rows []*rivertype.JobRow
			waitFor(t, 30*time.Second, "every job to finish", func() (bool, error) {
				rows = rows[:0]
				for _, j := range jobStates(t, q, flakyArgs{}.Kind()) {
					if j.FinalizedAt == nil {
						return false, nil
					}
					rows = append(rows, j)
				}
				return len(rows) == len(tests), nil
			})
			failed, err := q.Failed(ctx, flakyArgs{}.Kind(), 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var job *rivertype.JobRow
					for _, j := range rows {
						if argsOf(t, j.EncodedArgs) == tt.args {
							job = j
						}
					}
					if job == nil {
						t.Fatal("job not found")
					}
					if job.State != tt.state || job.Attempt != tt.attempts {
						t.Errorf("state %s after %d attempts, want %s after %d", job.State, job.Attempt, tt.state, tt.attempts)
					}
					// Each retry waits for the retry policy's backoff.
					for i := 1; i < len(job.Errors); i++ {
						if gap := job.Errors[i].At.Sub(job.Errors[i-1].At); gap < 20*time.Millisecond {
							t.Errorf("attempt %d failed %s after the one before, sooner than the backoff", i+1, gap)
						}
					}
					var listed *FailedJob
					for i := range failed {
						if failed[i].ID == job.ID {
							listed = &failed[i]
						}
					}
					switch {
					case tt.lastErr == "" && listed != nil:
						t.Errorf("listed as failed: %+v", listed)
					case tt.lastErr != "" && listed == nil:
						t.Errorf("not listed as failed")
					case listed != nil:
						if listed.LastError != tt.lastErr || listed.Attempts != tt.attempts || listed.MaxAttempts != 4 ||
							listed.State != string(tt.state) || listed.FailedAt.IsZero() || argsOf(t, listed.Args) != tt.args {
							t.Errorf("listed as %+v (args %s)", listed, listed.Args)
						}
					}
				})
			}
			if others, err := q.Failed(ctx, countArgs{}.Kind(), 10); err != nil || len(others) != 0 {
				t.Errorf("Failed for another kind = %v, %v; want none", others, err)
			}
		})
	}
}

// TestEnqueueTx checks that a job enqueued in a transaction exists only if
// the transaction commits.
func TestEnqueueTx(t *testing.T) {
	t.Parallel()
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := tg.dialect()
			q := startQueue(t, tg.db, d, testConfig(tg.db, d))
			for _, commit := range []bool{false, true} {
				tx, err := tg.db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(rebind(d, `INSERT INTO app_writes (id, note) VALUES (?, ?)`), 1, "with job"); err != nil {
					t.Fatal(err)
				}
				if err := q.EnqueueTx(ctx, tx, tickArgs{}, nil); err != nil {
					t.Fatal(err)
				}
				if commit {
					err = tx.Commit()
				} else {
					err = tx.Rollback()
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 10*time.Second, "the committed job to run", countAtLeast(tg.db, d, 1, `SELECT count(*) FROM runs`))
			if n := len(jobStates(t, q, tickArgs{}.Kind())); n != 1 {
				t.Errorf("%d jobs exist, want only the committed one", n)
			}
		})
	}
}

// TestPeriodic checks that periodic jobs are enqueued on start and then
// every period.
func TestPeriodic(t *testing.T) {
	t.Parallel()
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			d := tg.dialect()
			cfg := testConfig(tg.db, d)
			cfg.Periodic = []Periodic{{Name: "tick", Every: time.Second, Args: tickArgs{}}}
			startQueue(t, tg.db, d, cfg)
			waitFor(t, 15*time.Second, "three periodic runs", countAtLeast(tg.db, d, 3, `SELECT count(*) FROM runs WHERE kind = ?`, "test_tick"))
		})
	}
}

// TestStopCancelsJobsWhenContextEnds checks that Stop does not wait
// forever for a job when its context ends: the job is cancelled, returns,
// and River hands it back at once rather than leaving it running until
// another process rescues it.
func TestStopCancelsJobsWhenContextEnds(t *testing.T) {
	t.Parallel()
	db := openStore(t, store.Config{DataDir: t.TempDir()})
	cfg := testConfig(db, "sqlite")
	q := newQueue(t, db, "sqlite", cfg)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(context.Background(), longArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the job to start", countAtLeast(db, "sqlite", 1, `SELECT count(*) FROM started`))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := q.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop = %v, want the context's deadline", err)
	}
	for _, j := range jobStates(t, q, longArgs{}.Kind()) {
		if j.State != rivertype.JobStateAvailable {
			t.Errorf("job is %s, want available to the next process", j.State)
		}
	}
}

// argsOf decodes a job's arguments; the databases store JSON in their own
// formatting, so tests compare decoded values.
func argsOf(t *testing.T, raw []byte) flakyArgs {
	t.Helper()
	var a flakyArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return a
}
