package evpack

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
)

// TestIndexSummary: the summary heads index.html with readiness, the
// published policies and records linked to their files (with hashes), and
// the scope; a summary naming a file the package lacks is refused, since
// its link would be broken and the manifest would not vouch for it.
func TestIndexSummary(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	write := func(s *IndexSummary) ([]byte, error) {
		var buf bytes.Buffer
		w := NewWriter(&buf, key, Meta{Organization: "Acme", Engagement: "E", CreatedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
		for _, name := range []string{"policies/1-access.pdf", "scope.json"} {
			if _, _, err := w.Add(name, strings.NewReader("content of "+name), time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.AddIndex(&Index{Summary: s}); err != nil {
			return nil, err
		}
		err := w.Close()
		return buf.Bytes(), err
	}
	sum := &IndexSummary{
		Readiness: IndexReadiness{Date: "2026-01-02", Score: 42.5, Due: 10, Covered: 7, CoveragePercent: 70},
		Scope: IndexScope{ReportType: "SOC 2 Type II", Systems: []IndexSystem{{Name: "Billing <API>"}},
			NotApplicable: []IndexNotApplicable{{Control: "PHY-01", Justification: "=fully remote"}}},
		Policies: []IndexPolicy{{Title: "Access Control Policy", Version: "1.0", Effective: "2026-01-01", Approvers: "Ann", Acknowledged: 3, Required: 4, File: "policies/1-access.pdf"}},
		Records:  []IndexRecord{{Name: "scope.json", About: "the scope"}},
	}
	zip, err := write(sum)
	if err != nil {
		t.Fatal(err)
	}
	page := readEntry(t, zip, IndexHTMLName)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{
		"#readiness .figures":                              "readiness 42.5%",
		"#policies td a[href=\"./policies/1-access.pdf\"]": "policies/1-access.pdf",
		"#policies":                         "3 of 4",
		"#records a[href=\"./scope.json\"]": "scope.json",
		"#scope":                            "Billing <API>",
		"#scope tr.not_applicable":          "=fully remote",
	} {
		if got := doc.Find(sel).Text(); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", sel, got, want)
		}
	}
	if !strings.Contains(doc.Find("#policies code").Text(), "sha256 ") {
		t.Error("the policy's hash is not shown")
	}
	sum.Policies[0].File = "policies/absent.pdf"
	if _, err := write(sum); attest.ErrorCode(err) != attest.EINVALID || !strings.Contains(err.Error(), "absent.pdf") {
		t.Errorf("a summary naming a missing file: %v", err)
	}
}
