package auditpack_test

import (
	"archive/zip"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/evpack"
)

// TestPackageRegisters: the package holds the risk register, the vendor
// and asset inventories, the incidents of the engagement's period only
// (the population), and the register events, all in the signed manifest.
func TestPackageRegisters(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(e.db.CreateRisk(e.ctx, e.org, &attest.Risk{Title: "=Stolen credentials", Category: "access", Likelihood: 4, Impact: 5}))
		// A risk of another engagement's scope alone (an availability
		// control) stays out of this engagement's package.
		other := &attest.Risk{Title: "Backups fail", Category: "availability", Likelihood: 3, Impact: 3}
		must(e.db.CreateRisk(e.ctx, e.org, other))
		_, aerr := e.db.AttachRecord(e.ctx, e.org, attest.RecordRisk, other.ID, "BCP-03", 0)
		must(aerr)
		must(e.db.CreateVendor(e.ctx, e.org, &attest.Vendor{Name: "CloudCo", Tier: "critical", Subservice: true, ComplementaryControls: "Physical security"}))
		must(e.db.CreateAsset(e.ctx, e.org, &attest.Asset{Name: "Orders DB", Type: "database", Environment: "production", Classification: "restricted"}))
		start, end := attest.EngagementPeriod(e.eng)
		inside := start.Time().Add(36 * time.Hour)
		must(e.db.CreateIncident(e.ctx, e.org, &attest.Incident{Title: "Inside the window", Severity: "sev2", ReportedAt: inside}))
		must(e.db.CreateIncident(e.ctx, e.org, &attest.Incident{Title: "After the window", Severity: "sev3", ReportedAt: end.AddDays(2).Time()}))

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
		for _, name := range []string{"registers/risks.csv", "registers/vendors.csv", "registers/assets.csv", "registers/incidents.csv", "registers/events.json"} {
			if !strings.Contains(manifest, `"`+name+`"`) {
				t.Errorf("manifest does not list %s", name)
			}
		}
		risks := readCSV(t, readEntry(t, zr, "registers/risks.csv"))
		if len(risks) != 2 || risks[1][1] != "'=Stolen credentials" || risks[1][7] != "20" {
			t.Errorf("risks.csv = %q", risks)
		}
		incidents := readEntry(t, zr, "registers/incidents.csv")
		if !strings.Contains(incidents, "Inside the window") || strings.Contains(incidents, "After the window") {
			t.Errorf("incidents.csv holds the wrong population:\n%s", incidents)
		}
		if vendors := readEntry(t, zr, "registers/vendors.csv"); !strings.Contains(vendors, "Physical security") {
			t.Errorf("vendors.csv lacks the complementary controls:\n%s", vendors)
		}
	})
}
