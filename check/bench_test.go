package check

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/attest-dev/attest/internal/synth"
)

// Benchmarks over a synthetic organization: `go test ./check -run '^$'
// -bench Checks -benchtime 1x` evaluates every built-in check over
// ATTEST_BENCH_RESOURCES resources (default 1,000,000), and in the same
// run two checks by the engine and by hand-written Go (the floor), and
// twelve checks by the engine and by `opa eval` (bench_opa_test.go).
// Each reports resources/s, rows and the peak live heap during the run;
// peak-RSS-MB is the process's high-water mark so far (the organization
// itself included).

var (
	benchOnce sync.Once
	benchSrc  *MemorySource
	benchN    = envInt("ATTEST_BENCH_RESOURCES", 1_000_000)
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func benchOrg(b *testing.B) *MemorySource {
	benchOnce.Do(func() { benchSrc = NewMemorySource(synth.Resources(benchN, 1)) })
	return benchSrc
}

func pick(b *testing.B, ids ...string) []*Check {
	all, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	var out []*Check
	for _, id := range ids {
		i := slices.IndexFunc(all, func(c *Check) bool { return c.ID == id })
		if i < 0 {
			b.Fatalf("no check %s", id)
		}
		out = append(out, all[i])
	}
	return out
}

// heapPeak samples the live heap until stopped and returns its peak.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// cpuTime is the CPU time (user and system) the process has used: under
// a shared machine's load, wall time measures the neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's resident high-water mark in MiB (Linux).
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// measure runs fn b.N times over the organization and reports figures.
func measure(b *testing.B, src *MemorySource, resources int, fn func(emit func(Result) error) error) map[Status]int {
	counts := map[Status]int{}
	var rows int
	runtime.GC()
	stop := heapPeak()
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		clear(counts)
		rows = 0
		if err := fn(func(r Result) error { counts[r.Status]++; rows++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	peak := stop()
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(resources)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
	return counts
}

// resourcesOf counts the resources the checks select (lookups included).
func resourcesOf(src *MemorySource, checks []*Check) int {
	seen := map[string]bool{}
	n := 0
	for _, c := range checks {
		types := slices.Clone(c.ResourceTypes)
		for _, l := range c.Lookups {
			types = append(types, l.ResourceType)
		}
		for _, t := range types {
			if !seen[t] {
				seen[t] = true
				n += len(src.byType[t])
			}
		}
	}
	return n
}

// BenchmarkChecks is the engine against the floor; BenchmarkChecksOPA
// adds opa eval. Each pair is measured twice: engine and floor on their
// own, one run each (the figures of measure), and then side by side in
// turns by comparePair (engine-vs-go-floor-…), whose medians and ratios
// are the steadier comparison.
func BenchmarkChecks(b *testing.B) {
	src := benchOrg(b)
	ctx := context.Background()
	all, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("engine-all-builtin", func(b *testing.B) {
		counts := measure(b, src, src.Len(), func(emit func(Result) error) error {
			return RunAt(ctx, synth.Now, all, src, emit)
		})
		if counts[Error] > 0 {
			b.Errorf("%d error rows over the synthetic organization", counts[Error])
		}
		b.ReportMetric(float64(len(all)), "checks")
	})
	pairs := []struct {
		name  string
		ids   []string
		floor func(emit func(Result) error) error
	}{
		{"simple", []string{"aws-iam-console-mfa", "linux-ssh-root-login"}, func(emit func(Result) error) error {
			if err := floorConsoleMFA(ctx, src, emit); err != nil {
				return err
			}
			return floorRootLogin(ctx, src, emit)
		}},
		{"join-and-list", []string{"aws-iam-key-age", "idp-leaver-suspended"}, func(emit func(Result) error) error {
			if err := floorKeyAge(ctx, src, emit); err != nil {
				return err
			}
			return floorLeaverSuspended(ctx, src, synth.Now, emit)
		}},
	}
	for _, p := range pairs {
		checks := pick(b, p.ids...)
		n := resourcesOf(src, checks)
		for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run("engine-"+p.name+"/procs="+strconv.Itoa(procs), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				measure(b, src, n, func(emit func(Result) error) error { return RunAt(ctx, synth.Now, checks, src, emit) })
			})
		}
		b.Run("go-floor-"+p.name, func(b *testing.B) { measure(b, src, n, p.floor) })
		engine := func(emit func(Result) error) error { return RunAt(ctx, synth.Now, checks, src, emit) }
		for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run("engine-vs-go-floor-"+p.name+"/procs="+strconv.Itoa(procs), func(b *testing.B) {
				comparePair(b, procs, engine, p.floor)
			})
		}
	}
}
