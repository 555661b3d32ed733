package auditpack_test

import (
	"archive/zip"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/evpack"
	"github.com/attest-dev/attest/store"
)

// TestPackageMonitoring: the package holds the checks, their results over
// the period as state changes (an excepted failure keeps its status), a
// timeline per control and the exceptions, listed in the signed manifest.
func TestPackageMonitoring(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		check := &attest.MonitoredCheck{ID: "s3-public", Title: "Buckets block public access", Severity: "high", Controls: []string{"GOV-01", "CRY-01"}, Window: 72 * time.Hour}
		run := func(at time.Time, st attest.CheckStatus) {
			e.db.Now = func() time.Time { return at }
			_, err := e.db.RecordResults(e.ctx, e.org, &store.CheckRun{Checks: []*attest.MonitoredCheck{check}, Results: []*attest.CheckResult{
				{CheckID: check.ID, ResourceType: "aws.s3_bucket", ResourceID: "logs", Status: attest.CheckPass},
				{CheckID: check.ID, ResourceType: "aws.s3_bucket", ResourceID: "=cmd|' /C calc'!A0", Status: st, Reason: "public"},
			}})
			if err != nil {
				t.Fatal(err)
			}
		}
		run(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), attest.CheckPass)
		run(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC), attest.CheckFail)
		e.db.Now = func() time.Time { return time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC) }
		path, _, err := e.write()
		if err != nil {
			t.Fatal(err)
		}
		rep, err := evpack.VerifyFile(path, evpack.VerifyOptions{PublicKey: e.key.Public().(ed25519.PublicKey)})
		if err != nil || !rep.OK {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		manifest := readEntry(t, zr, evpack.ManifestName)
		for _, name := range []string{"monitoring/checks.csv", "monitoring/results.csv", "monitoring/timelines/GOV-01.json", "monitoring/exceptions.csv"} {
			if !strings.Contains(manifest, `"`+name+`"`) {
				t.Errorf("manifest does not list %s", name)
			}
		}
		results := readCSV(t, readEntry(t, zr, "monitoring/results.csv"))
		if len(results) != 4 { // header, logs, the bucket passing then failing
			t.Fatalf("results.csv = %q", results)
		}
		deviations := 0
		for _, r := range results[1:] {
			if strings.HasPrefix(r[3], "=") {
				t.Errorf("a cell starts a formula: %q", r)
			}
			if r[11] == "true" {
				deviations++
			}
		}
		if deviations != 1 {
			t.Errorf("results.csv shows %d deviations, want the failure open past its window: %q", deviations, results)
		}
		tl := readEntry(t, zr, "monitoring/timelines/GOV-01.json")
		if !strings.Contains(tl, `"GOV-01"`) || !strings.Contains(tl, "PPPFFFDD") {
			t.Errorf("timelines/GOV-01.json = %s", tl)
		}
		// CRY-01's first need is automated: its file shows the slots the
		// check's results decide, the first quarter a deviation.
		var cry struct {
			Needs []struct {
				Need  int `json:"need"`
				Slots []struct {
					Start  string   `json:"start"`
					State  string   `json:"state"`
					Checks []string `json:"checks"`
				} `json:"slots"`
			} `json:"automated_needs"`
		}
		if err := json.Unmarshal([]byte(readEntry(t, zr, "monitoring/timelines/CRY-01.json")), &cry); err != nil {
			t.Fatal(err)
		}
		if len(cry.Needs) != 1 || len(cry.Needs[0].Slots) != 2 || cry.Needs[0].Slots[0].State != "deviation" || strings.Join(cry.Needs[0].Slots[0].Checks, ",") != "s3-public" {
			t.Errorf("CRY-01 automated needs = %+v", cry.Needs)
		}
		if !strings.Contains(manifest, `"monitoring/timelines/CRY-01.json"`) {
			t.Error("manifest does not list CRY-01's timeline")
		}
	})
}
