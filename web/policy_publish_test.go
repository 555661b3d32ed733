package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPolicyPlaceholdersFilledOnPublish: a draft shows "set when
// published" where the approver and the effective date go; publishing
// fills them from the approval and the date, or refuses naming what is
// left; the published page, the employee's view and the PDF then show the
// approver's name and the date, and no {{…}}.
func TestPolicyPlaceholdersFilledOnPublish(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max, ada, eve := u.signIn(t, uManager), u.signIn(t, uAdmin), u.signIn(t, uEmploye)
		p := max.post(t, "/policies", url.Values{"template": {"access-control"}, "owner": {u.users[uManager].Email}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("adopt = %d: %.300s", p.status, p.body)
		}
		base := strings.TrimSuffix(p.location(), "/edit")

		draft := max.get(t, base)
		text := draft.doc(t).Find("#policy-body").Text()
		if strings.Contains(text, "{{approver}}") || strings.Contains(text, "{{effective_date}}") || !strings.Contains(text, "set when published") {
			t.Errorf("draft page shows the approver and date as %q", between(text, "Approved by", "Review cycle"))
		}
		edit := max.get(t, base+"/edit")
		if prev := edit.doc(t).Find("#preview").Text(); strings.Contains(prev, "{{approver}}") || !strings.Contains(prev, "set when published") {
			t.Errorf("editor preview shows %q", between(prev, "Approved by", "Review cycle"))
		}

		adaID := u.users[uAdmin].ID
		if r := max.post(t, base+"/approvers", url.Values{"approver": {fmt.Sprint(adaID)}}); r.status != http.StatusSeeOther {
			t.Fatalf("set approvers = %d", r.status)
		}
		if r := ada.post(t, base+"/decide", url.Values{"version": {"1.0"}, "decision": {"approve"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("approve a draft never sent for approval = %d, want 422", r.status)
		}
		if d := ada.get(t, base).doc(t); d.Find("#decide-form").Length() != 0 || d.Find("#not-sent").Length() != 1 {
			t.Errorf("before the version is sent, its approver is offered a decision (%d forms) or not told why not", d.Find("#decide-form").Length())
		}
		if r := max.post(t, base+"/submit", nil); r.status != http.StatusSeeOther {
			t.Fatalf("send for approval = %d: %.300s", r.status, r.body)
		}
		if d := ada.get(t, base).doc(t); d.Find("#decide-form").Length() != 1 || d.Find("#not-sent").Length() != 0 {
			t.Errorf("once sent, the approver's page has %d decision forms", d.Find("#decide-form").Length())
		}
		if r := ada.post(t, base+"/decide", url.Values{"version": {"1.0"}, "decision": {"approve"}}); r.status != http.StatusSeeOther {
			t.Fatalf("approve = %d: %.300s", r.status, r.body)
		}
		// The security contact was left empty at adoption: the page says so
		// before anyone publishes, and publishing is refused beside the
		// button, naming it.
		if got := max.get(t, base).doc(t).Find("#to-fill").Text(); !strings.Contains(got, "{{security_contact}}") || strings.Contains(got, "{{approver}}") {
			t.Errorf("the policy page asks to fill %q", got)
		}
		r := max.post(t, base+"/publish", url.Values{"version": {"1.0"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.doc(t).Find("#publish-error").Text(), "{{security_contact}}") ||
			r.doc(t).Find("#publish-form").Length() != 1 {
			t.Fatalf("publish with {{security_contact}} unfilled = %d: %.300s", r.status, r.body)
		}
		body := edit.doc(t).Find("textarea#body").Text()
		body = strings.ReplaceAll(body, "{{security_contact}}", "security@a.example")
		if r := max.post(t, base+"/edit", url.Values{"base_version": {"1.0"}, "body": {body}, "action": {"save"}}); r.status != http.StatusSeeOther {
			t.Fatalf("save = %d", r.status)
		}
		if r := max.post(t, base+"/submit", nil); r.status != http.StatusSeeOther {
			t.Fatalf("send 1.1 for approval = %d", r.status)
		}
		if r := ada.post(t, base+"/decide", url.Values{"version": {"1.1"}, "decision": {"approve"}}); r.status != http.StatusSeeOther {
			t.Fatalf("approve 1.1 = %d", r.status)
		}
		if r := max.post(t, base+"/publish", url.Values{"version": {"1.1"}}); r.status != http.StatusSeeOther {
			t.Fatalf("publish = %d: %.300s", r.status, r.body)
		}
		today := u.server.Now().UTC().Format("2006-01-02")
		for who, c := range map[string]*uiClient{"manager": max, "employee": eve} {
			page := c.get(t, base)
			text := page.doc(t).Find("#policy-body").Text()
			if page.status != http.StatusOK || strings.Contains(text, "{{") || strings.Contains(text, "set when published") ||
				!strings.Contains(text, "Ada Admin") || !strings.Contains(text, today) {
				t.Errorf("%s's view of the published policy (%d): %q", who, page.status, between(text, "Approved by", "Review cycle"))
			}
			if got := page.doc(t).Find("#effective").Text(); got != "effective "+today {
				t.Errorf("%s's view says %q", who, got)
			}
		}

		pdf := max.get(t, base+"/export?format=pdf")
		if pdf.status != http.StatusOK {
			t.Fatalf("export = %d", pdf.status)
		}
		got := pdfToText(t, []byte(pdf.body))
		for _, want := range []string{"Approved by Ada Admin on " + today, "Effective date: " + today} {
			if !strings.Contains(got, want) {
				t.Errorf("PDF title page lacks %q", want)
			}
		}
		if strings.Contains(got, "{{") || strings.Contains(got, "every every") {
			t.Errorf("PDF shows a raw placeholder or a doubled word:\n%s", got)
		}
		if !regexp.MustCompile(`Approved by\s+Ada Admin`).MatchString(between(got, "Organization", "Purpose")) {
			t.Errorf("PDF body's table does not name the approver: %q", between(got, "Organization", "Purpose"))
		}

		// A version published before publication filled the text (an
		// upgraded installation) is completed from its approvals.
		if _, err := u.db.SQL().Exec(`UPDATE policy_versions SET body = REPLACE(body, 'Ada Admin', '{{approver}}'), published_at = NULL WHERE state = 'published'`); err != nil {
			t.Fatal(err)
		}
		for who, c := range map[string]*uiClient{"manager": max, "employee": eve} {
			text := c.get(t, base).doc(t).Find("#policy-body").Text()
			if strings.Contains(text, "{{") || !strings.Contains(text, "Ada Admin") {
				t.Errorf("%s's view of a legacy published policy: %q", who, between(text, "Approved by", "Review cycle"))
			}
		}
		if got := pdfToText(t, []byte(max.get(t, base+"/export?format=pdf").body)); strings.Contains(got, "{{") {
			t.Errorf("the PDF of a legacy published policy shows a placeholder")
		}
	})
}

// between returns the part of s from the first from to the next to (for
// short failure messages).
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// pdfToText reads a PDF back with pdftotext, spaces squeezed; without the
// tool the test is skipped unless ATTEST_REQUIRE_TOOLS=1.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("ATTEST_REQUIRE_TOOLS") == "1" {
			t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
		}
		t.Skipf("pdftotext not installed: %v", err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(out), " ")
}
