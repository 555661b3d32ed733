package evpack

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchGBEnv sets the size of BenchmarkPackage's evidence in GiB. Unset, the
// benchmark uses 50 MiB so that CI can run it; the figures worth quoting
// come from ATTEST_BENCH_PACKAGE_GB=2.
const benchGBEnv = "ATTEST_BENCH_PACKAGE_GB"

// BenchmarkPackage compares writing an evidence package from a folder of
// evidence (about 3,000 files from 1 KiB to 2 MiB for 2 GiB) with
// `tar cf - DIR | sha256sum` over the same folder, the floor for reading
// every byte and hashing it:
//
//	ATTEST_BENCH_PACKAGE_GB=2 go test ./evpack -run '^$' -bench Package -benchtime 1x -timeout 30m
//
// The writer and the verifier each run in a child process (this test
// binary, re-executed), which reports its own elapsed time and its peak
// resident memory, VmHWM from /proc/self/status: the whole process, Go
// runtime included. Metrics: MB/s (10^6 bytes a second of evidence) of the
// writer with the package left in the page cache (pack), after fsync
// (pack-fsync) and into /dev/null (pack-discard, the writer's own cost
// without the disk), of tar|sha256sum and of Verify; pack/tar as a
// percentage; peak memory in MiB. The evidence is written once and read from the page
// cache by every measurement.
func BenchmarkPackage(b *testing.B) {
	gib := 0.05
	if s := os.Getenv(benchGBEnv); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 {
			b.Fatalf("%s=%q: want a positive number of GiB", benchGBEnv, s)
		}
		gib = v
	}
	src := b.TempDir()
	files, total := writeEvidence(b, src, int64(gib*(1<<30)))
	syscall.Sync() // no writeback of the evidence during the measurements
	out := filepath.Join(b.TempDir(), "package.zip")
	mb := float64(total) / 1e6
	var discard, pack, packSync, tar, verify time.Duration
	var packMem, verifyMem int64
	for range b.N {
		d := runChild(b, "discard", src, out)
		w := runChild(b, "write", src, out)
		v := runChild(b, "verify", src, out)
		if err := os.Remove(out); err != nil {
			b.Fatal(err)
		}
		syscall.Sync()
		tar += timeTarSHA256(b, src)
		discard += d.Elapsed
		pack += w.Elapsed
		packSync += w.Synced
		verify += v.Elapsed
		packMem = max(packMem, w.PeakRSS, d.PeakRSS)
		verifyMem = max(verifyMem, v.PeakRSS)
	}
	n := float64(b.N)
	rate := func(d time.Duration) float64 { return mb / (d.Seconds() / n) }
	b.ReportMetric(rate(pack), "pack-MB/s")
	b.ReportMetric(rate(packSync), "pack-fsync-MB/s")
	b.ReportMetric(rate(discard), "pack-discard-MB/s")
	b.ReportMetric(rate(tar), "tar-sha256-MB/s")
	b.ReportMetric(100*rate(pack)/rate(tar), "pack/tar-%")
	b.ReportMetric(rate(verify), "verify-MB/s")
	b.ReportMetric(float64(packMem)/(1<<20), "pack-peak-MiB")
	b.ReportMetric(float64(verifyMem)/(1<<20), "verify-peak-MiB")
	b.ReportMetric(0, "ns/op") // the wall time of an op mixes four measurements
	b.Logf("%d files, %.0f MB", files, mb)
}

// writeEvidence fills dir with files of random content, from 1 KiB to
// 2 MiB and skewed towards small ones (mean about 0.67 MiB), until they add
// up to total bytes.
func writeEvidence(b *testing.B, dir string, total int64) (files int, written int64) {
	rnd := rand.New(rand.NewPCG(1, 2))
	content := rand.NewChaCha8([32]byte{3})
	buf := make([]byte, 2<<20)
	for written < total {
		u := rnd.Float64()
		size := min(1<<10+int64(u*u*float64(2<<20-1<<10)), total-written)
		path := filepath.Join(dir, fmt.Sprintf("c%02d", files%40), fmt.Sprintf("evidence-%05d.bin", files))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		content.Read(buf[:size])
		if err := os.WriteFile(path, buf[:size], 0o644); err != nil {
			b.Fatal(err)
		}
		files++
		written += size
	}
	return files, written
}

// timeTarSHA256 times tar piped into sha256sum over dir.
func timeTarSHA256(b *testing.B, dir string) time.Duration {
	start := time.Now()
	out, err := exec.Command("sh", "-c", `tar cf - -C "$1" . | sha256sum`, "sh", dir).Output()
	elapsed := time.Since(start)
	if err != nil || len(strings.Fields(string(out))) == 0 || len(strings.Fields(string(out))[0]) != 64 {
		b.Fatalf("tar | sha256sum: %v: %q", err, out)
	}
	return elapsed
}

// childEnv tells the test binary to run one side of BenchmarkPackage
// instead of the tests: "write" or "verify", the evidence folder and the
// package file, separated by newlines.
const childEnv = "ATTEST_EVPACK_BENCH_CHILD"

// childResult is what a child reports on its standard output.
type childResult struct {
	Elapsed, Synced time.Duration
	PeakRSS         int64 // bytes
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(benchChild(spec))
	}
	os.Exit(m.Run())
}

// runChild re-executes the test binary as a child and returns its result.
func runChild(b *testing.B, mode, src, out string) childResult {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+mode+"\n"+src+"\n"+out)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s child: %v", mode, err)
	}
	var r childResult
	if err := json.Unmarshal(stdout, &r); err != nil {
		b.Fatalf("%s child said %q: %v", mode, stdout, err)
	}
	return r
}

// benchChild writes or verifies the package and prints a childResult.
func benchChild(spec string) int {
	parts := strings.Split(spec, "\n")
	if len(parts) != 3 {
		fmt.Fprintf(os.Stderr, "%s: want mode, folder and package\n", childEnv)
		return 2
	}
	mode, src, out := parts[0], parts[1], parts[2]
	var r childResult
	var err error
	start := time.Now()
	switch mode {
	case "write":
		r.Elapsed, err = packFolder(src, out, true)
		r.Synced = time.Since(start)
	case "discard":
		r.Elapsed, err = packFolder(src, os.DevNull, false)
	case "verify":
		var rep *Report
		if rep, err = VerifyFile(out, VerifyOptions{PublicKey: testPub}); err == nil && !rep.OK {
			err = fmt.Errorf("verify: %q", rep.Problems)
		}
		r.Elapsed = time.Since(start)
	}
	if err == nil {
		r.PeakRSS, err = peakRSS()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	json.NewEncoder(os.Stdout).Encode(r)
	return 0
}

// packFolder writes every file under src into a package at out, with an
// index listing them all, and fsyncs it if asked. It returns the time
// before the fsync; its caller measures the time after.
func packFolder(src, out string, sync bool) (time.Duration, error) {
	start := time.Now()
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := NewWriter(f, testKey, Meta{Organization: "Bench", Period: "2026", CreatedAt: testMeta.CreatedAt})
	slot := IndexSlot{Period: "2026", State: SlotProvided}
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, _ := filepath.Rel(src, path)
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		info, err := in.Stat()
		if err != nil {
			return err
		}
		slot.Files = append(slot.Files, filepath.ToSlash(name))
		_, _, err = w.Add(filepath.ToSlash(name), in, info.ModTime())
		return err
	})
	if err != nil {
		return 0, err
	}
	ix := &Index{Criteria: []IndexCriterion{{ID: "CC1", Controls: []IndexControl{{ID: "B", Slots: []IndexSlot{slot}}}}}}
	if err := w.AddIndex(ix); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	elapsed := time.Since(start)
	if sync {
		err = f.Sync()
	}
	return elapsed, err
}

// peakRSS returns the process's peak resident set size, VmHWM.
func peakRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
