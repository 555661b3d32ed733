package jobs

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river/rivertype"
)

// The environment of a child process started by startChild.
const (
	envHelper      = "ATTEST_JOBS_HELPER"
	envDataDir     = "ATTEST_JOBS_DATA_DIR"
	envDatabaseURL = "ATTEST_JOBS_DATABASE_URL"
)

// TestHelperProcess is not a test: it is the worker process the
// multi-process tests start from the test binary. It works jobs until its
// standard input closes.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(envHelper) != "1" {
		t.Skip("runs only as a child of the multi-process tests")
	}
	tg := target{cfg: store.Config{DataDir: os.Getenv(envDataDir), DatabaseURL: os.Getenv(envDatabaseURL)}}
	tg.db = openStore(t, tg.cfg)
	d := tg.dialect()
	cfg := testConfig(tg.db, d)
	cfg.RescueAfter = time.Minute
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	q := newQueue(t, tg.db, d, cfg)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.db.Exec(rebind(d, `INSERT INTO ready (pid) VALUES (?)`), os.Getpid()); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// child is a worker process running TestHelperProcess.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *syncBuffer
	// exited is closed when the process has ended, with err its result.
	exited chan struct{}
	err    error
}

// startChild starts a worker process on tg's database and waits until its
// queue has started. The test's end stops it if the test has not.
func startChild(t *testing.T, tg target) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelper+"=1", envDataDir+"="+tg.cfg.DataDir, envDatabaseURL+"="+tg.cfg.DatabaseURL)
	c := &child{cmd: cmd, out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.stdin.Close()
		select {
		case <-c.exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("output of worker process %d:\n%s", cmd.Process.Pid, c.out)
		}
	})
	d := tg.dialect()
	waitFor(t, 30*time.Second, "the worker process to start", func() (bool, error) {
		select {
		case <-c.exited:
			t.Fatalf("worker process exited early (%v):\n%s", c.err, c.out)
		default:
		}
		n, err := count(tg.db, d, `SELECT count(*) FROM ready WHERE pid = ?`, cmd.Process.Pid)
		return n == 1, err
	})
	return c
}

// stop asks the worker process to finish and waits for it.
func (c *child) stop(t *testing.T) {
	t.Helper()
	c.stdin.Close()
	<-c.exited
	if c.err != nil {
		t.Errorf("worker process: %v\n%s", c.err, c.out)
	}
}

// kill ends the worker process with SIGKILL, as a crash or the OOM killer
// would, giving it no chance to release its jobs.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-c.exited
}

// TestTwoProcessesShareWork runs two worker processes on one database:
// both work, and no job runs twice.
func TestTwoProcessesShareWork(t *testing.T) {
	t.Parallel()
	const jobs = 500
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := tg.dialect()
			a, b := startChild(t, tg), startChild(t, tg)
			q := newQueue(t, tg.db, d, Config{}) // enqueues only
			for range jobs {
				if err := q.Enqueue(ctx, countArgs{SleepMS: 5}, nil); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, 60*time.Second, "all jobs to run", countAtLeast(tg.db, d, jobs, `SELECT count(*) FROM runs`))
			a.stop(t)
			b.stop(t)
			if n, err := count(tg.db, d, `SELECT count(*) FROM runs WHERE n <> 1`); err != nil || n != 0 {
				t.Errorf("%d jobs ran more than once (%v)", n, err)
			}
			for _, c := range []*child{a, b} {
				n, err := count(tg.db, d, `SELECT count(*) FROM runs WHERE pid = ?`, c.cmd.Process.Pid)
				if err != nil || n == 0 {
					t.Errorf("process %d ran no jobs (%v)", c.cmd.Process.Pid, err)
				}
				t.Logf("process %d ran %d jobs", c.cmd.Process.Pid, n)
			}
		})
	}
}

// TestKilledWorkerJobIsRescued kills a worker process in the middle of a
// job; another process runs the job again once RescueAfter has passed.
func TestKilledWorkerJobIsRescued(t *testing.T) {
	t.Parallel()
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			d := tg.dialect()
			c := startChild(t, tg)
			q := newQueue(t, tg.db, d, Config{})
			if err := q.Enqueue(ctx, longArgs{}, nil); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 30*time.Second, "the job to start", countAtLeast(tg.db, d, 1, `SELECT count(*) FROM started WHERE pid = ?`, c.cmd.Process.Pid))
			c.kill(t)
			for _, j := range jobStates(t, q, longArgs{}.Kind()) {
				if j.State != rivertype.JobStateRunning {
					t.Fatalf("after the kill the job is %s, want running", j.State)
				}
			}

			cfg := testConfig(tg.db, d)
			cfg.RescueAfter = 2 * time.Second
			startQueue(t, tg.db, d, cfg)
			// The dead process led the cluster; its lease (about 15 s) must
			// run out before this one leads and rescues.
			waitFor(t, 60*time.Second, "the job to run again", countAtLeast(tg.db, d, 1, `SELECT count(*) FROM runs WHERE kind = ? AND pid = ?`, longArgs{}.Kind(), os.Getpid()))
			waitFor(t, 10*time.Second, "the job to complete on its second attempt", func() (bool, error) {
				for _, j := range jobStates(t, q, longArgs{}.Kind()) {
					if j.State != rivertype.JobStateCompleted || j.Attempt != 2 {
						return false, nil
					}
				}
				return true, nil
			})
		})
	}
}

// syncBuffer is a bytes.Buffer that a child's stdout and stderr may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
