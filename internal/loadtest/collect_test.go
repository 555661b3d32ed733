package loadtest

import (
	"context"
	"crypto/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/internal/synth"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/jobs"
	"github.com/attest-dev/attest/seal"
)

// collectSize is the collection stored again and again while pages load.
const collectSize = 100_000

// replay is a collector that returns a recorded snapshot.
type replay []collect.Resource

func (r replay) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	for _, x := range r {
		if err := emit(x); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkPagesCollecting loads the dashboard of the large organization
// (see BenchmarkPages) with 32 concurrent clients, first alone (the
// baseline) and then while a collection of 100,000 synthetic resources is
// stored over and over: each run replaces the integration's resources,
// evaluates every built-in check over them and records the results as
// state changes (alternating between two states of the organization, so
// each run changes thousands of results):
//
//	go test ./internal/loadtest -run '^$' -bench PagesCollecting -benchtime 3000x
//
// It reports p50 and p99 in milliseconds, requests per second and, for
// the collecting variant, the runs finished and resources stored a second.
func BenchmarkPagesCollecting(b *testing.B) {
	checks, err := check.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	states := []replay{synth.Resources(collectSize, 1), synth.Resources(collectSize, 2)}
	for _, tg := range testdb.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			s, client, org := serve(b, tg)
			var state atomic.Int64
			kind := collect.Kind{Name: "replay", Title: "Recorded snapshot", New: func(collect.Config) (collect.Collector, error) {
				return states[state.Add(1)%2], nil
			}}
			key := make([]byte, seal.KeySize)
			rand.Read(key)
			box, _ := seal.New(key)
			runner := &jobs.Runner{DB: s.db, Box: box, Kinds: jobs.KindMap([]collect.Kind{kind}), Checks: jobs.FromChecks(checks), Owner: "bench", Lease: time.Hour}
			in := &attest.Integration{Kind: "replay", Name: "synthetic"}
			if err := s.db.CreateIntegration(context.Background(), org, in); err != nil {
				b.Fatal(err)
			}
			b.Run("dashboard", func(b *testing.B) { load(b, client, s.url+"/") })
			b.Run("dashboard-collecting", func(b *testing.B) {
				done := make(chan struct{})
				var runs, stored atomic.Int64
				var wg sync.WaitGroup
				start := time.Now()
				wg.Go(func() {
					for {
						select {
						case <-done:
							return
						default:
						}
						run, err := runner.Run(context.Background(), org, in.Name, "bench", nil)
						if err != nil || run.Status != attest.RunSucceeded {
							b.Errorf("collection: %+v %v", run, err)
							return
						}
						runs.Add(1)
						stored.Add(int64(run.Resources))
					}
				})
				// The first run stores everything from nothing: measure once
				// the collection is under way.
				for stored.Load() == 0 && time.Since(start) < 5*time.Minute {
					load(b, client, s.url+"/")
				}
				load(b, client, s.url+"/")
				close(done)
				wg.Wait()
				b.ReportMetric(float64(runs.Load()), "runs")
				b.ReportMetric(float64(stored.Load())/time.Since(start).Seconds(), "resources/s")
			})
		})
	}
}
