package policydoc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pdfText writes docs with WritePDF and returns the text pdftotext reads
// back from it, with runs of spaces squeezed so that layout does not
// matter. Without pdftotext the test is skipped, or fails when
// ATTEST_REQUIRE_TOOLS=1 says the environment must have it (as CI does).
func pdfText(t *testing.T, docs ...*Document) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("ATTEST_REQUIRE_TOOLS") == "1" {
			t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
		}
		t.Skipf("pdftotext (poppler-utils) not installed: %v", err)
	}
	var buf bytes.Buffer
	if err := WritePDF(&buf, docs...); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output is not a PDF: %.20q", buf.String())
	}
	path := filepath.Join(t.TempDir(), "export.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(out), " ")
}

// pages splits pdftotext output into pages, which it separates with form
// feeds.
func pages(text string) []string {
	return strings.Split(strings.TrimSuffix(text, "\f"), "\f")
}

func TestWritePDF(t *testing.T) {
	t.Parallel()
	text := pdfText(t, testDocument(t))
	ps := pages(text)
	// Title page, controls, then at least one page of body and history.
	if len(ps) < 3 {
		t.Fatalf("%d pages, want at least 3:\n%s", len(ps), text)
	}
	checks := []struct {
		name  string
		where string // the text to search
		want  string
	}{
		{"organization", ps[0], "ACME CAFÉ LTD"},
		{"title", ps[0], "Information Security Policy"},
		{"type", ps[0], "Policy"},
		{"version", ps[0], "Version 1.1"},
		{"owner", ps[0], "Owner: Zoë Quinn"},
		{"first approver", ps[0], "Approved by Renée Dubois on 2025-02-27"},
		{"second approver", ps[0], "Approved by Sam O’Neil on 2025-03-01"},
		{"effective date", ps[0], "Effective date: 2025-03-01"},
		{"next review", ps[0], "Next review: 2026-03-01"},
		{"controls heading", ps[1], "Controls satisfied"},
		{"control ID", ps[1], "POL-01"},
		{"control title", ps[1], "Security policy set approved and published"},
		{"body heading", text, "Roles and responsibilities"},
		{"bullet item", text, "• keep customer data confidential"},
		{"numbered item", text, "6. Where a policy and a customer contract disagree"},
		{"bold run", text, "Executive leadership owns the risk"},
		{"filled placeholder", text, "security@acme.example"},
		{"body table cell", text, "Renée Dubois"},
		{"history heading", text, "Revision history"},
		{"history row", text, "1.0 2024-02-10 Zoë Quinn superseded Major"},
		{"history row 2", text, "1.1 2025-02-20 Marc Lévy published Minor"},
		{"footer", ps[0], "Page 1 of " + strconv.Itoa(len(ps))},
		{"footer names the document", ps[1], "Acme Café Ltd – Information Security Policy, version 1.1"},
	}
	for _, c := range checks {
		if !strings.Contains(c.where, c.want) {
			t.Errorf("%s: no %q in the PDF text", c.name, c.want)
		}
	}
	if strings.Contains(text, "{{") {
		t.Error("PDF contains an unfilled placeholder")
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}

// TestWritePDFMarkdown covers the Markdown constructs the template does
// not use.
func TestWritePDFMarkdown(t *testing.T) {
	t.Parallel()
	d := procedureDocument()
	d.Version.Body = strings.Join([]string{
		"# Steps",
		"### Small heading",
		"Some *quiet*, **loud** and ***both*** words with `code` and ~~old~~ text.",
		"- outer item\n  - inner item\n    1. deep numbered\n- second outer",
		"3. starts at three\n4. then four",
		"See [the handbook](https://example.com/handbook) or https://example.com/bare.",
		"```\nrun --flag\n    indented\n```",
		"> A quoted line.",
		"| Step | Who |\n|---|---|\n| Disable account | IT |\n| Collect laptop | Manager |",
		"<div>raw html</div>",
		"---",
		"“Quotes” – dashes – and café.",
		"Arrow → and 日本 are outside Windows-1252.",
	}, "\n\n")
	text := pdfText(t, d)
	for _, want := range []string{
		"Small heading",
		"Some quiet, loud and both words with code and old text.",
		"• outer item",
		"• inner item",
		"1. deep numbered",
		"• second outer",
		"3. starts at three",
		"4. then four",
		"the handbook (https://example.com/handbook)",
		"https://example.com/bare",
		"run --flag",
		" indented",
		"A quoted line.",
		"Disable account IT",
		"Collect laptop Manager",
		"“Quotes” – dashes – and café.",
		// Printed as dots rather than as mojibake or an error.
		"Arrow . and .. are outside Windows-1252.",
		"Procedure",
		"Not yet approved",
		"HR-05",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in the PDF text", want)
		}
	}
	if strings.Contains(text, "raw html") {
		t.Error("raw HTML from the body reached the PDF")
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}

func TestWritePDFSeveral(t *testing.T) {
	t.Parallel()
	text := pdfText(t, testDocument(t), procedureDocument())
	ps := pages(text)
	cover := ps[0]
	for _, want := range []string{
		"Policies and procedures",
		"2 documents",
		"1. Information Security Policy – Policy, version 1.1",
		"2. Offboarding Procedure – Procedure, version 0.3",
	} {
		if !strings.Contains(cover, want) {
			t.Errorf("cover has no %q:\n%s", want, cover)
		}
	}
	if strings.Contains(cover, "Acme Café Ltd – ") || !strings.Contains(cover, "Page 1 of") {
		t.Errorf("cover footer should have a page number and name no document:\n%s", cover)
	}
	// Each document starts on a page of its own with its title page, and
	// every page up to the next title page names it in the footer.
	titles := map[string]string{
		"Version 1.1": "Acme Café Ltd – Information Security Policy, version 1.1",
		"Version 0.3": "Acme Café Ltd – Offboarding Procedure, version 0.3",
	}
	starts, footer := 0, ""
	for i, p := range ps[1:] {
		for version, f := range titles {
			if strings.Contains(p, version) {
				starts++
				footer = f
				if !strings.Contains(p, "Owner:") {
					t.Errorf("title page without owner:\n%s", p)
				}
			}
		}
		if !strings.Contains(p, footer) {
			t.Errorf("page %d: footer does not name %q:\n%s", i+2, footer, p)
		}
		if want := "Page " + strconv.Itoa(i+2) + " of " + strconv.Itoa(len(ps)); !strings.Contains(p, want) {
			t.Errorf("page %d: no %q in the footer", i+2, want)
		}
	}
	if starts != 2 {
		t.Errorf("%d title pages, want 2", starts)
	}
}

// TestWritePDFHostileStructure checks that bodies built to break the
// layout still produce a PDF: deep nesting, a word wider than the page and
// a table with more columns than fit.
func TestWritePDFHostileStructure(t *testing.T) {
	t.Parallel()
	var cols, rule strings.Builder
	for i := range 40 {
		fmt.Fprintf(&cols, "| c%d ", i)
		rule.WriteString("|---")
	}
	var nested strings.Builder
	for i := range 80 {
		fmt.Fprintf(&nested, "%s- level %d\n", strings.Repeat("  ", i), i)
	}
	bodies := map[string]string{
		"deep list":       nested.String(),
		"deep quote":      strings.Repeat("> ", 200) + "quoted",
		"long word":       strings.Repeat("x", 5000),
		"wide table":      cols.String() + "|\n" + rule.String() + "|\n" + cols.String() + "|\n",
		"long code line":  "```\n" + strings.Repeat("code ", 400) + "\n```",
		"many paragraphs": strings.Repeat("A paragraph of text.\n\n", 2000),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := procedureDocument()
			d.Version.Body = body
			var buf bytes.Buffer
			if err := WritePDF(&buf, d); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
				t.Fatalf("output is not a PDF: %.20q", buf.String())
			}
		})
	}
}
