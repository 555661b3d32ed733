package auditpack_test

import (
	"archive/zip"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/evpack"
)

// publishPolicy adopts, approves and publishes a template; the approver's
// comment starts with "=" so the approvals CSV must defuse it.
func (e *env) publishPolicy(id string) (*attest.Policy, int64, int64) {
	e.t.Helper()
	ann := &attest.User{OrgID: e.org, Email: "ann@acme.example", Name: "Ann Archer", Role: attest.RoleComplianceManager, Active: true}
	eve := &attest.User{OrgID: e.org, Email: "eve@acme.example", Name: "=HYPERLINK(\"x\")", Role: attest.RoleEmployee, Active: true}
	for _, u := range []*attest.User{ann, eve} {
		if err := e.db.CreateUser(e.ctx, u); err != nil {
			e.t.Fatal(err)
		}
	}
	tmpl, err := catalog.PolicyTemplate(id)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := e.db.AdoptTemplate(e.ctx, e.org, tmpl, attest.PolicyFill("Acme", tmpl, map[string]string{"owner": "Ann Archer",
		"security_contact": "security@acme.example", "privacy_contact": "privacy@acme.example"}))
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.SetApprovers(e.ctx, e.org, p.ID, []int64{ann.ID}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.SubmitForApproval(e.ctx, e.org, p.ID); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.Decide(e.ctx, e.org, p.ID, "1.0", ann.ID, true, "=SUM(A1:A9) looks fine"); err != nil {
		e.t.Fatal(err)
	}
	if p, err = e.db.Publish(e.ctx, e.org, p.ID, "1.0"); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.Acknowledge(e.ctx, e.org, p.ID, "1.0", eve.ID); err != nil {
		e.t.Fatal(err)
	}
	return p, ann.ID, eve.ID
}

// TestPackageRecords: the package holds the published policies as PDF, the
// approval and acknowledgement records as formula-safe CSV, the scope
// (systems, controls, not-applicable justifications) and readiness with
// coverage, all listed in the signed manifest and summed up in index.html.
func TestPackageRecords(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p, annID, eveID := e.publishPolicy("access-control")
		if err := e.db.AddSystem(e.ctx, e.org, e.eng.ID, &attest.System{Name: "Billing API", Kind: "application", OwnerID: annID}); err != nil {
			t.Fatal(err)
		}
		_, b := e.monthly()
		na, just := attest.NotApplicable, "We run no physical office: every employee works remotely."
		rd, err := e.db.Readiness(e.ctx, e.org, e.eng.ID)
		if err != nil {
			t.Fatal(err)
		}
		naControl := rd.Criteria[len(rd.Criteria)-1].Controls[0].ID
		if _, err := e.db.UpdateControl(e.ctx, e.org, naControl, attest.ControlUpdate{Status: &na, Justification: &just}); err != nil {
			t.Fatal(err)
		}
		if err := e.db.MarkSlotNotApplicable(e.ctx, e.org, &attest.SlotStatement{EngagementID: e.eng.ID, ControlID: b.ControlID,
			Need: b.Need, PeriodStart: "2026-02-01", Statement: "No changes in February."}); err != nil {
			t.Fatal(err)
		}

		path, sum, err := e.write()
		if err != nil {
			t.Fatal(err)
		}
		if sum.Policies != 1 {
			t.Errorf("summary counts %d policies, want 1", sum.Policies)
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
		pdfName := ""
		for _, f := range zr.File {
			if strings.HasPrefix(f.Name, "policies/") && strings.HasSuffix(f.Name, ".pdf") {
				pdfName = f.Name
			}
		}
		if pdfName != "policies/"+itoa(int(p.ID))+"-access-control-policy-v1.0.pdf" {
			t.Fatalf("policy PDF named %q", pdfName)
		}
		for _, name := range []string{pdfName, "policies/approvals.csv", "policies/acknowledgements.csv", "scope.json", "readiness.json"} {
			if !strings.Contains(manifest, `"`+name+`"`) {
				t.Errorf("manifest does not list %s", name)
			}
		}
		if text := pdfText(t, readEntry(t, zr, pdfName)); !strings.Contains(text, "Approved by Ann Archer on 2026-04-10") || strings.Contains(text, "{{") {
			t.Errorf("policy PDF text lacks the approval or keeps a placeholder:\n%.600s", text)
		}

		approvals := readCSV(t, readEntry(t, zr, "policies/approvals.csv"))
		if len(approvals) != 2 || approvals[1][4] != "Ann Archer" || approvals[1][6] != "approved" || approvals[1][7] != "'=SUM(A1:A9) looks fine" ||
			approvals[1][9] != "2026-04-10T12:00:00Z" {
			t.Errorf("approvals.csv = %q", approvals)
		}
		acks := readCSV(t, readEntry(t, zr, "policies/acknowledgements.csv"))
		found := false
		for _, r := range acks[1:] {
			if r[3] == itoa(int(eveID)) {
				found = true
				if r[4] != `'=HYPERLINK("x")` || r[6] != "acknowledged" || r[7] != "1.0" {
					t.Errorf("acknowledgement row = %q", r)
				}
			}
		}
		if !found {
			t.Errorf("acknowledgements.csv lacks the employee: %q", acks)
		}

		var scope struct {
			Controls []struct {
				ID            string `json:"id"`
				Justification string `json:"justification"`
			} `json:"controls"`
			NotApplicable []struct {
				Control, Period, Justification string
			} `json:"not_applicable"`
			Systems []attest.System `json:"systems"`
		}
		if err := json.Unmarshal([]byte(readEntry(t, zr, "scope.json")), &scope); err != nil {
			t.Fatal(err)
		}
		// The auditor sees who owns each system: the member's name and email.
		if len(scope.Systems) != 1 || scope.Systems[0].Name != "Billing API" || scope.Systems[0].Owner == nil ||
			scope.Systems[0].Owner.Name != "Ann Archer" || scope.Systems[0].Owner.Email != "ann@acme.example" || len(scope.Controls) == 0 {
			t.Errorf("scope systems %+v, %d controls", scope.Systems, len(scope.Controls))
		}
		nas := map[string]string{}
		for _, n := range scope.NotApplicable {
			nas[n.Control+"|"+n.Period] = n.Justification
		}
		if nas[naControl+"|"] != just || nas[b.ControlID+"|2026-02-01 to 2026-02-28"] != "No changes in February." {
			t.Errorf("not-applicable justifications = %q", nas)
		}

		var readiness struct {
			ExportedAt string  `json:"exported_at"`
			Score      float64 `json:"score"`
			Coverage   attest.Coverage
			Criteria   []json.RawMessage `json:"criteria"`
		}
		if err := json.Unmarshal([]byte(readEntry(t, zr, "readiness.json")), &readiness); err != nil {
			t.Fatal(err)
		}
		if readiness.ExportedAt == "" || readiness.Coverage.Due == 0 || readiness.Coverage.Covered != 1 || len(readiness.Criteria) != 33 {
			t.Errorf("readiness.json = %+v", readiness)
		}

		index := readEntry(t, zr, evpack.IndexHTMLName)
		for _, want := range []string{`id="readiness"`, "evidence coverage", "Billing API", just, "No changes in February.",
			"Access Control Policy", `href="./policies/` + itoa(int(p.ID)) + `-access-control-policy-v1.0.pdf"`, "Ann Archer", "1 of ", "Ann Archer &lt;ann@acme.example&gt;"} {
			if !strings.Contains(index, want) {
				t.Errorf("index.html lacks %q", want)
			}
		}
	})
}

// TestPackageTamperedPolicy: changing a policy PDF inside the zip is caught
// by verification, as a changed evidence file is.
func TestPackageTamperedPolicy(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.publishPolicy("backup")
		path, _, err := e.write()
		if err != nil {
			t.Fatal(err)
		}
		forged := rewriteZip(t, path, func(name string, data []byte) []byte {
			if strings.HasPrefix(name, "policies/") && strings.HasSuffix(name, ".pdf") {
				return append(data, "% a line added after signing\n"...)
			}
			return data
		})
		rep, err := evpack.VerifyFile(forged, evpack.VerifyOptions{PublicKey: e.key.Public().(ed25519.PublicKey)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || !strings.Contains(strings.Join(rep.Problems, "\n"), "policies/") {
			t.Errorf("a tampered policy PDF verifies: %+v", rep)
		}
	})
}

// rewriteZip copies the zip at path, passing each entry through change,
// and returns the copy's path.
func rewriteZip(t *testing.T, path string, change func(name string, data []byte) []byte) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := filepath.Join(t.TempDir(), "forged.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(change(zf.Name, data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// pdfText reads a PDF back with pdftotext (skipped without it unless
// ATTEST_REQUIRE_TOOLS=1), spaces squeezed.
func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("ATTEST_REQUIRE_TOOLS") == "1" {
			t.Fatalf("pdftotext is required: %v", err)
		}
		t.Skipf("pdftotext not installed: %v", err)
	}
	p := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(p, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", p, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
