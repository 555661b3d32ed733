// Package policydoc renders policy documents: safe Markdown, version diffs,
// and HTML and PDF exports for auditors and employees.
//
// Policy bodies are written by people in the organization and may be pasted
// from anywhere, so nothing in a body is trusted: Markdown is rendered
// without raw HTML and the result is sanitized again before it reaches a
// browser.
package policydoc

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown is shared by RenderMarkdown and the PDF export, so a body reads
// the same in both. A goldmark.Markdown holds no per-document state and may
// convert several documents at once.
var markdown = goldmark.New(
	goldmark.WithExtensions(
		// Alignment as an align attribute: the sanitizer drops style
		// attributes, and align survives it on table cells.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
	),
	// goldmark's renderer is left in its default safe mode: raw HTML is
	// replaced by a comment and dangerous link schemes by an empty URL.
)

// sanitizer is the second line of defence. bluemonday's UGC policy allows
// formatting, links and images but no scripts, event handlers, styles,
// frames or forms, and only http, https and mailto URLs. A policy is safe for
// concurrent use once built.
var sanitizer = newSanitizer()

func newSanitizer() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// Links in a policy leave the app: keep them from reaching back into
	// the opener's window.
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// RenderMarkdown turns a policy body into HTML that is safe to put in a
// page: raw HTML in src is dropped and anything dangerous that Markdown
// itself can produce (a javascript: link, say) is removed by the sanitizer.
// It never fails: invalid Markdown is rendered as text.
func RenderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		// Convert fails only when writing to the buffer fails, which a
		// bytes.Buffer does not; show the escaped text rather than nothing.
		return template.HTML("<pre>" + template.HTMLEscapeString(src) + "</pre>")
	}
	// The conversion to template.HTML is the point of this function: the
	// sanitizer has made the markup safe.
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitized above
}
