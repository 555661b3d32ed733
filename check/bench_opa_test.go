package check

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/attest-dev/attest/internal/synth"
)

// opaVersion is the OPA release the comparison builds from the Go module
// proxy; it is not a dependency of Attest.
const opaVersion = "v1.22.4"

// regoChecks are the built-in checks written in Rego in
// testdata/rego/checks.rego.
var regoChecks = []string{
	"idp-leaver-suspended", "ldap-leaver-disabled", "github-leaver-removed", "idp-mfa",
	"aws-iam-console-mfa", "aws-iam-key-age", "linux-ssh-root-login", "linux-security-updates",
	"aws-s3-public-access", "aws-rds-backups", "github-branch-reviews", "postgres-role-md5",
}

// opaBinary returns an opa executable: $ATTEST_OPA when set, else one
// built with `go install` into a temporary GOBIN (the Go build cache makes
// later builds quick). It skips the benchmark when opa cannot be built.
func opaBinary(b *testing.B) string {
	if p := os.Getenv("ATTEST_OPA"); p != "" {
		return p
	}
	dir := b.TempDir()
	cmd := exec.Command("go", "install", "github.com/open-policy-agent/opa@"+opaVersion)
	cmd.Dir = dir // outside Attest's module: opa stays out of go.mod
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Skipf("opa eval comparison skipped: cannot build opa %s from the module proxy: %v\n%s", opaVersion, err, out)
	}
	return filepath.Join(dir, "opa")
}

// writeOPAInput writes the resources the Rego checks read as opa's input
// document: {"now_ns": …, "resources": {"type": [resource, …]}}.
func writeOPAInput(b *testing.B, src *MemorySource, checks []*Check, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	var types []string
	for _, c := range checks {
		types = append(types, c.ResourceTypes...)
		for _, l := range c.Lookups {
			types = append(types, l.ResourceType)
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	w.WriteString(`{"now_ns":` + strconv.FormatInt(synth.Now.UnixNano(), 10) + `,"resources":{`)
	for i, t := range types {
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(mustJSON(b, t))
		w.WriteString(":[")
		for j, r := range src.byType[t] {
			if j > 0 {
				w.WriteByte(',')
			}
			if err := enc.Encode(r); err != nil {
				b.Fatal(err)
			}
		}
		w.WriteByte(']')
	}
	w.WriteString("}}")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

func mustJSON(b *testing.B, v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// runOPA runs opa eval once and returns its stdout, CPU time and peak RSS
// in MiB.
func runOPA(b *testing.B, opa string, args ...string) ([]byte, time.Duration, float64) {
	cmd := exec.Command(opa, args...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("opa %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	rss := 0.0
	if ru != nil {
		rss = float64(ru.Maxrss) / 1024
	}
	return out, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), rss
}

// BenchmarkChecksOPA evaluates twelve built-in checks over the synthetic
// organization with the engine and with `opa eval` on the same checks
// written in Rego, and confirms both find the same failures. opa's time
// includes reading its JSON input; "opa-load-only" measures that part
// alone, so eval time is the difference.
func BenchmarkChecksOPA(b *testing.B) {
	src := benchOrg(b)
	checks := pick(b, regoChecks...)
	n := resourcesOf(src, checks)
	opa := opaBinary(b)
	dir := b.TempDir()
	input := filepath.Join(dir, "input.json")
	writeOPAInput(b, src, checks, input)
	policy, err := filepath.Abs(filepath.Join("testdata", "rego", "checks.rego"))
	if err != nil {
		b.Fatal(err)
	}
	engineFails := map[string]int{}
	b.Run("engine-12-checks", func(b *testing.B) {
		clear(engineFails)
		measure(b, src, n, func(emit func(Result) error) error {
			clear(engineFails)
			return RunAt(context.Background(), synth.Now, checks, src, func(r Result) error {
				if r.Status == Fail {
					engineFails[r.CheckID]++
				}
				return emit(r)
			})
		})
	})
	opaRun := func(b *testing.B, query string) []byte {
		var out []byte
		var cpu time.Duration
		var rss float64
		b.ResetTimer()
		for range b.N {
			var c time.Duration
			var r float64
			out, c, r = runOPA(b, opa, "eval", "--format", "json", "-d", policy, "-i", input, query)
			cpu += c
			rss = max(rss, r)
		}
		b.StopTimer()
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		b.ReportMetric(rss, "peak-RSS-MB")
		return out
	}
	b.Run("opa-eval-12-checks", func(b *testing.B) {
		out := opaRun(b, "data.attest.summary")
		var res struct {
			Result []struct {
				Expressions []struct {
					Value map[string]int `json:"value"`
				} `json:"expressions"`
			} `json:"result"`
		}
		if err := json.Unmarshal(out, &res); err != nil || len(res.Result) != 1 || len(res.Result[0].Expressions) != 1 {
			b.Fatalf("opa output: %v\n%.500s", err, out)
		}
		got := res.Result[0].Expressions[0].Value
		for _, id := range regoChecks {
			if got[id] != engineFails[id] {
				b.Errorf("%s: opa finds %d failures, the engine %d", id, got[id], engineFails[id])
			}
		}
	})
	b.Run("opa-load-only", func(b *testing.B) { opaRun(b, "count(input.resources)") })
}
