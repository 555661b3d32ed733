package auditpack_test

import (
	"archive/zip"
	"crypto/ed25519"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/evpack"
)

// TestPackagePopulations: the package holds every population of the
// window up to the day of export, each opening with the filter that built
// it, listed in the signed manifest (so verification checks them), and
// the index points a per-event need's period at its population.
func TestPackagePopulations(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, p := range []*attest.RosterPerson{
			{Name: "=Hana Hire", Email: "hana@example.com", StartDate: "2026-02-02"},
			{Name: "Old Timer", Email: "old@example.com", StartDate: "2025-05-01"},
		} {
			if err := e.db.CreateRosterPerson(e.ctx, e.org, p); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.db.CreateChange(e.ctx, e.org, &attest.ChangeRecord{Title: "Rotate keys", ImplementedOn: "2026-03-03"}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "package.zip")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC)
		if _, err := auditpack.WriteWith(e.ctx, f, e.db, e.blobs, e.key, e.org, e.eng.ID, auditpack.Options{CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		f.Close()
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
		for _, kind := range attest.PopulationKinds {
			name := "populations/population-" + kind + "-2026-01-01-2026-04-10.csv"
			if !strings.Contains(manifest, `"`+name+`"`) {
				t.Errorf("manifest does not list %s", name)
				continue
			}
			body := readEntry(t, zr, name)
			first := strings.SplitN(body, "\n", 2)[0]
			if !strings.HasPrefix(first, "# population,") || !strings.Contains(first, kind+": all ") || !strings.Contains(first, "from 2026-01-01 to 2026-04-10 inclusive") {
				t.Errorf("%s opens with %q", name, first)
			}
		}
		cr := csv.NewReader(strings.NewReader(readEntry(t, zr, "populations/population-hires-2026-01-01-2026-04-10.csv")))
		cr.FieldsPerRecord = -1
		hires, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(hires) != 3 || hires[0][3] != "1" || hires[2][1] != "'=Hana Hire" {
			t.Errorf("hires population = %q", hires)
		}
		if changes := readEntry(t, zr, "populations/population-changes-2026-01-01-2026-04-10.csv"); !strings.Contains(changes, "Rotate keys") {
			t.Errorf("changes population lacks the change:\n%s", changes)
		}
		// HR-01 (a background check for each hire) points at the hires.
		index := readEntry(t, zr, "index.csv")
		found := false
		for _, line := range strings.Split(index, "\n") {
			if strings.HasPrefix(line, "CC1.4,") && strings.Contains(line, "HR-01") && strings.Contains(line, "populations/population-hires-2026-01-01-2026-04-10.csv") {
				found = true
			}
		}
		if !found {
			t.Errorf("index.csv does not point HR-01 at the hires:\n%.2000s", index)
		}
	})
}
