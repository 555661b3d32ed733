package check

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// pairRounds is how many timed runs each side of a pair comparison gets
// (ATTEST_BENCH_ROUNDS, default 7). One run of a pair takes tens of
// milliseconds, so a single run says as much about the machine's
// neighbours as about the code; the median of several, taken in turns,
// says more.
var pairRounds = envInt("ATTEST_BENCH_ROUNDS", 7)

// pairSample is one timed run: wall and CPU time of the process.
type pairSample struct{ wall, cpu time.Duration }

// comparePair measures engine against floor on procs cores: one untimed
// run of each to warm caches and the heap, then pairRounds rounds in
// which each side runs once, the side going first alternating from round
// to round. A collection before every timed run starts both sides from
// the same heap, so neither pays for the other's garbage. It reports the
// median wall and CPU time of each side (engine-wall-ms, engine-cpu-ms,
// floor-wall-ms, floor-cpu-ms) and the engine's over the floor's
// (ratio-wall, ratio-cpu); ns/op is left out, as it would count the
// collections between runs. Both sides must give the same number of
// rows.
func comparePair(b *testing.B, procs int, engine, floor func(emit func(Result) error) error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	var engineRows, floorRows int
	run := func(fn func(emit func(Result) error) error, rows *int) pairSample {
		*rows = 0
		emit := func(Result) error { *rows++; return nil }
		runtime.GC()
		cpu0, t0 := cpuTime(), time.Now()
		if err := fn(emit); err != nil {
			b.Fatal(err)
		}
		return pairSample{time.Since(t0), cpuTime() - cpu0}
	}
	var es, fs []pairSample
	for range b.N {
		run(engine, &engineRows)
		run(floor, &floorRows)
		for round := range pairRounds {
			if round%2 == 0 {
				es = append(es, run(engine, &engineRows))
				fs = append(fs, run(floor, &floorRows))
			} else {
				fs = append(fs, run(floor, &floorRows))
				es = append(es, run(engine, &engineRows))
			}
			if engineRows != floorRows {
				b.Fatalf("engine gave %d rows, floor %d", engineRows, floorRows)
			}
		}
	}
	ew, ec := medians(es)
	fw, fc := medians(fs)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(ew), "engine-wall-ms")
	b.ReportMetric(ms(ec), "engine-cpu-ms")
	b.ReportMetric(ms(fw), "floor-wall-ms")
	b.ReportMetric(ms(fc), "floor-cpu-ms")
	b.ReportMetric(float64(ew)/float64(max(fw, 1)), "ratio-wall")
	b.ReportMetric(float64(ec)/float64(max(fc, 1)), "ratio-cpu")
	b.ReportMetric(float64(engineRows), "rows")
}

// medians returns the median wall and the median CPU time of samples,
// each taken on its own.
func medians(samples []pairSample) (wall, cpu time.Duration) {
	w := make([]time.Duration, len(samples))
	c := make([]time.Duration, len(samples))
	for i, s := range samples {
		w[i], c[i] = s.wall, s.cpu
	}
	return median(w), median(c)
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}
