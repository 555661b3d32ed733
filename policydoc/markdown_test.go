package policydoc

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// forbiddenElements would run script, load a frame, submit data or restyle
// the page if they reached a browser.
var forbiddenElements = []string{
	"script", "style", "iframe", "frame", "svg", "math", "object", "embed",
	"form", "input", "button", "meta", "base", "link", "details",
}

// checkSafe fails t if html holds a forbidden element, an event handler, a
// style attribute, a URL with a scheme other than http, https or mailto, or
// an HTML comment. It checks the parsed tree, not the text, because the
// words "onerror" or "javascript:" are harmless as escaped text.
func checkSafe(t *testing.T, html string) {
	t.Helper()
	if strings.Contains(html, "<!--") {
		t.Errorf("output contains an HTML comment:\n%s", html)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range forbiddenElements {
		if doc.Find(name).Length() > 0 {
			t.Errorf("output contains <%s>:\n%s", name, html)
		}
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"), key == "style", key == "srcdoc", key == "formaction":
				t.Errorf("output has attribute %s=%q:\n%s", a.Key, a.Val, html)
			case key == "href" || key == "src" || key == "action" || key == "xlink:href":
				if scheme, _, ok := strings.Cut(strings.ToLower(a.Val), ":"); ok &&
					!strings.ContainsAny(scheme, "/?#") && scheme != "http" && scheme != "https" && scheme != "mailto" {
					t.Errorf("output has %s with scheme %q:\n%s", a.Key, scheme, html)
				}
			}
		}
	})
}

func TestRenderMarkdownHostile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		// keep is text that must still be visible, so a test cannot pass
		// by dropping everything.
		keep string
	}{
		{"script tag", "Hello\n\n<script>alert(1)</script>", "Hello"},
		{"inline script", "Hello <script>alert(1)</script> world", "world"},
		{"img onerror", `<img src=x onerror="alert(1)"> caption`, "caption"},
		{"markdown image with quote trick", `![alt](x" onerror="alert(1)) tail`, "tail"},
		{"javascript link", "[click](javascript:alert(1))", "click"},
		{"javascript link mixed case", "[click](JaVaScRiPt:alert(1))", "click"},
		{"javascript link entity", "[click](&#106;avascript:alert(1))", "click"},
		{"javascript reference link", "[click][x]\n\n[x]: javascript:alert(1)", "click"},
		{"javascript autolink", "<javascript:alert(1)> after", "after"},
		{"raw anchor javascript", `<a href="javascript:alert(1)">click</a> after`, "after"},
		{"vbscript link", "[click](vbscript:msgbox(1))", "click"},
		{"svg onload", `<svg onload="alert(1)"><circle r="1"/></svg> text`, "text"},
		{"svg block", "<svg>\n<script>alert(1)</script>\n</svg>\n\ntext", "text"},
		{"data link", "[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "open"},
		{"data image", "![pixel](data:image/png;base64,iVBORw0KGgo=) text", "text"},
		{"iframe", "text\n\n<iframe src=\"https://evil.example\"></iframe>", "text"},
		{"iframe block", "<iframe src=\"https://evil.example\">\n</iframe>\n\ntext", "text"},
		{"html comment", "text <!-- <script>alert(1)</script> -->", "text"},
		{"html comment block", "<!--\n<script>alert(1)</script>\n-->\n\ntext", "text"},
		{"style attribute", "text <span style=\"position:fixed;top:0\">covered</span>\n\n<p style=\"position:fixed\">block</p>", "text"},
		{"style tag", "<style>body{display:none}</style>\n\ntext", "text"},
		{"nested script", "<scr<script>ipt>alert(1)</scr</script>ipt> text", "text"},
		{"details ontoggle", "text\n\n<details open ontoggle=alert(1)>x</details>", "text"},
		{"math mxss", "text\n\n<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "text"},
		{"form and input", "text\n\n<form action=\"https://evil.example\"><input name=\"p\"><button formaction=\"javascript:alert(1)\">go</button></form>", "text"},
		{"meta refresh", "text\n\n<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">", "text"},
		{"object embed", `<object data="x.swf"></object><embed src="x.swf"> text`, "text"},
		{"raw html in table cell", "| a |\n|---|\n| <img src=x onerror=alert(1)> cell |", "cell"},
		{"raw html in list", "- <b onmouseover=alert(1)>item</b>", "item"},
		{"base and link", "text\n\n<base href=\"https://evil.example/\"><link rel=\"stylesheet\" href=\"x.css\">", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(RenderMarkdown(tt.src))
			checkSafe(t, got)
			if !strings.Contains(got, tt.keep) {
				t.Errorf("output lost %q:\n%s", tt.keep, got)
			}
		})
	}
}

func TestRenderMarkdownFormatting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		src      string
		selector string
		want     string // text of the first match
		attr     string // if set, compare this attribute instead of the text
	}{
		{"heading 1", "# Purpose", "h1", "Purpose", ""},
		{"heading 2", "## Scope\n\ntext", "h2", "Scope", ""},
		{"bullet list", "- one\n- two", "ul > li:nth-child(2)", "two", ""},
		{"ordered list", "1. first\n2. second", "ol > li:first-child", "first", ""},
		{"nested list", "- outer\n  - inner", "ul ul > li", "inner", ""},
		{"emphasis", "some *quiet* words", "p > em", "quiet", ""},
		{"strong", "some **loud** words", "p > strong", "loud", ""},
		{"strikethrough", "~~gone~~", "del", "gone", ""},
		{"code span", "run `make test` now", "p > code", "make test", ""},
		{"code block", "```\nx := 1\n```", "pre > code", "x := 1\n", ""},
		{"link text", "[docs](https://example.com/docs)", "a", "docs", ""},
		{"link href", "[docs](https://example.com/docs)", "a", "https://example.com/docs", "href"},
		{"mailto link", "[mail](mailto:security@example.com)", "a", "mailto:security@example.com", "href"},
		{"relative link", "[other](access-control)", "a", "access-control", "href"},
		{"bare URL", "see https://example.com now", "a", "https://example.com", "href"},
		{"table header", "| Role | Who |\n|---|---|\n| Owner | Ana |", "table thead th:nth-child(2)", "Who", ""},
		{"table cell", "| Role | Who |\n|---|---|\n| Owner | Ana |", "table tbody td:nth-child(2)", "Ana", ""},
		{"table alignment", "| n |\n|--:|\n| 1 |", "td", "right", "align"},
		{"blockquote", "> quoted", "blockquote p", "quoted", ""},
		{"escaped html stays text", "a `<script>` tag", "code", "<script>", ""},
		{"typographic characters", "“Quoted” – café", "p", "“Quoted” – café", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			html := string(RenderMarkdown(tt.src))
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
			if err != nil {
				t.Fatal(err)
			}
			sel := doc.Find(tt.selector).First()
			if sel.Length() == 0 {
				t.Fatalf("no %q in:\n%s", tt.selector, html)
			}
			got := sel.Text()
			if tt.attr != "" {
				got, _ = sel.Attr(tt.attr)
			}
			if got != tt.want {
				t.Errorf("%s = %q, want %q; html:\n%s", tt.selector, got, tt.want, html)
			}
		})
	}
}
