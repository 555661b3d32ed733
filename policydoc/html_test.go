package policydoc

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
)

// exportDoc renders docs with WriteHTML and parses the result.
func exportDoc(t *testing.T, docs ...*Document) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, docs...); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc, buf.String()
}

func TestWriteHTML(t *testing.T) {
	t.Parallel()
	doc, html := exportDoc(t, testDocument(t))
	tests := []struct {
		selector string
		want     string
	}{
		{"title", "Information Security Policy, version 1.1 – Acme Café Ltd"},
		{"article .title-block .organization", "Acme Café Ltd"},
		{"article .title-block h1.title", "Information Security Policy"},
		{".meta .type", "Policy"},
		{".meta .version", "1.1"},
		{".meta .state", "published"},
		{".meta .owner", "Zoë Quinn"},
		{".meta .approval:nth-child(1) .name", "Renée Dubois"},
		{".meta .approval:nth-child(1) .date", "2025-02-27"},
		{".meta .approval:nth-child(2) .name", "Sam O’Neil"},
		{".meta .effective", "2025-03-01"},
		{".meta .review-cycle", "every 12 months"},
		{".meta .next-review", "2026-03-01"},
		{".controls tbody tr:first-child .control-id", "POL-01"},
		{".controls tbody tr:first-child .control-title", "Security policy set approved and published"},
		{".body h1", "Information Security Policy"},
		{".body h2:nth-of-type(1)", "Purpose"},
		{".body ul li:first-child", "keep customer data confidential and accessible only to the people and systems that need it;"},
		{".body ol li:nth-child(6)", "Where a policy and a customer contract disagree, the stricter requirement applies, and the conflict is reported to the policy owner."},
		{".body table tr:first-child td:nth-child(2)", "Acme Café Ltd"},
		{".history tbody tr:nth-child(1) .version", "1.0"},
		{".history tbody tr:nth-child(1) .date", "2024-02-10"},
		{".history tbody tr:nth-child(1) .author", "Zoë Quinn"},
		{".history tbody tr:nth-child(1) .change", "Major"},
		{".history tbody tr:nth-child(2) .state", "published"},
		{".history tbody tr:nth-child(2) .change", "Minor"},
	}
	for _, tt := range tests {
		sel := doc.Find(tt.selector)
		if sel.Length() == 0 {
			t.Errorf("no %q", tt.selector)
			continue
		}
		if got := strings.TrimSpace(sel.First().Text()); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.selector, got, tt.want)
		}
	}
	if n := doc.Find(".controls tbody tr").Length(); n != len(testDocument(t).Controls) {
		t.Errorf("%d control rows, want %d", n, len(testDocument(t).Controls))
	}
	if doc.Find("nav.toc").Length() != 0 {
		t.Error("a single document has a table of contents")
	}
	if !strings.HasPrefix(html, "<!DOCTYPE html>") {
		t.Errorf("export does not start with a doctype: %.40q", html)
	}
	// The placeholders were filled, so none may be left for a reader.
	if strings.Contains(html, "{{") {
		t.Error("export contains an unfilled placeholder")
	}
}

func TestWriteHTMLSeveral(t *testing.T) {
	t.Parallel()
	doc, _ := exportDoc(t, testDocument(t), procedureDocument())
	links := doc.Find("nav.toc li a")
	if links.Length() != 2 {
		t.Fatalf("table of contents has %d entries, want 2", links.Length())
	}
	links.Each(func(i int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		target := doc.Find("article" + href)
		if target.Length() != 1 {
			t.Errorf("toc link %d %q points at %d articles", i, href, target.Length())
			return
		}
		if got, want := target.Find("h1.title").Text(), a.Text(); got != want {
			t.Errorf("toc link %d: text %q, target title %q", i, want, got)
		}
	})
	second := doc.Find("article").Eq(1)
	for selector, want := range map[string]string{
		".meta .type":        "Procedure",
		".meta .owner":       "hr",
		".meta .approvals":   "not yet approved",
		".meta .effective":   "set when published",
		".meta .next-review": "not scheduled",
		".control-id":        "HR-05",
		".body ol li":        "Disable the account.",
	} {
		if got := strings.TrimSpace(second.Find(selector).First().Text()); got != want {
			t.Errorf("second document %s = %q, want %q", selector, got, want)
		}
	}
}

func TestWriteHTMLEscapes(t *testing.T) {
	t.Parallel()
	d := procedureDocument()
	d.Organization = `<img src=x onerror="alert(1)">`
	d.Policy.Title = "<script>alert('title')</script>"
	d.Policy.Owner = &attest.Person{ID: 9, Name: `"><svg onload=alert(1)>`}
	d.Version.Body = "# Steps\n\n<script>alert('body')</script>\n\n[go](javascript:alert(1))\n\n<iframe src=\"https://evil.example\"></iframe>\n"
	d.Version.Author = "<b onclick=alert(1)>Ana</b>"
	d.Approvals = []Approval{{Name: "<script>x</script>"}}
	d.Controls = []ControlRef{{ID: "<i>X</i>", Title: "<style>*{}</style>"}}
	doc, _ := exportDoc(t, d)
	// The head holds the export's own <style> and <meta>; everything from
	// the document is inside the article.
	article, err := goquery.OuterHtml(doc.Find("article"))
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, article)
	if doc.Find("script").Length() != 0 {
		t.Error("a <script> survived into the export")
	}
	// Escaped, not dropped: the reader sees what was typed.
	if got := doc.Find("h1.title").Text(); got != d.Policy.Title {
		t.Errorf("title = %q, want the escaped text %q", got, d.Policy.Title)
	}
	if got := doc.Find(".body h1").Text(); got != "Steps" {
		t.Errorf("body heading = %q, want Steps", got)
	}
}

// TestExportInvalid checks that both exports refuse a document they cannot
// lay out, before writing anything.
func TestExportInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		docs []*Document
	}{
		{"no documents", nil},
		{"nil document", []*Document{nil}},
		{"no policy", []*Document{{Version: &attest.PolicyVersion{}}}},
		{"no version", []*Document{{Policy: &attest.Policy{Title: "X"}}}},
		{"second document invalid", []*Document{procedureDocument(), {Policy: &attest.Policy{Title: "X"}}}},
	}
	exports := map[string]func(io.Writer, ...*Document) error{"html": WriteHTML, "pdf": WritePDF}
	for _, tt := range tests {
		for format, export := range exports {
			var buf bytes.Buffer
			err := export(&buf, tt.docs...)
			if code := attest.ErrorCode(err); code != attest.EINVALID {
				t.Errorf("%s %s: error %v (code %q), want EINVALID", format, tt.name, err, code)
			}
			if buf.Len() != 0 {
				t.Errorf("%s %s: wrote %d bytes before failing", format, tt.name, buf.Len())
			}
		}
	}
}
