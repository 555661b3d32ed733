package policydoc

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// Inline Markdown for the PDF export: runs of text printed with fpdf's
// Write, which wraps at the right margin and lets the font change in the
// middle of a line.

func (m *mdWriter) inlines(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		m.inline(n)
	}
}

func (m *mdWriter) inline(n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		m.write(string(n.Value(m.src)))
		switch {
		case n.HardLineBreak():
			m.pw.pdf.Ln(m.lineH())
		case n.SoftLineBreak():
			m.write(" ")
		}
	case *ast.String:
		if !n.IsRaw() {
			m.write(string(n.Value))
		}
	case *ast.Emphasis:
		style := "I"
		if n.Level >= 2 {
			style = "B"
		}
		m.styled(n, m.family, style)
	case *east.Strikethrough:
		m.styled(n, m.family, "S")
	case *ast.CodeSpan:
		m.styled(n, "Courier", "")
	case *ast.Link:
		m.inlines(n)
		// Paper has no links: print where the link goes, unless the text
		// already says it.
		if url := string(n.Destination); url != "" && url != m.plain(n) {
			m.write(" (" + url + ")")
		}
	case *ast.AutoLink:
		m.write(string(n.Label(m.src)))
	case *ast.Image:
		m.write("[image: " + m.plain(n) + "]")
	case *ast.RawHTML:
		// Untrusted markup: neither export shows it.
	default:
		m.inlines(n)
	}
}

// styled prints the children of n with a font family and an added style,
// then restores the font, so emphasis nests: bold inside italic is both.
func (m *mdWriter) styled(n ast.Node, family, add string) {
	family0, style0 := m.family, m.style
	m.family = family
	if family == "Courier" {
		// Courier's bold and italic look like a different font in the
		// middle of a sentence; code stays upright.
		m.style = strings.ReplaceAll(strings.ReplaceAll(m.style, "B", ""), "I", "")
	}
	if !strings.Contains(m.style, add) {
		m.style += add
	}
	m.setFont()
	m.inlines(n)
	m.family, m.style = family0, style0
	m.setFont()
}

// write prints s in the current font from the current position.
func (m *mdWriter) write(s string) {
	if s == "" {
		return
	}
	m.pw.pdf.Write(m.lineH(), m.pw.tr(s))
}

// plain returns the text of n and its descendants without formatting, for
// table cells, image descriptions and comparing a link's text with its URL.
func (m *mdWriter) plain(n ast.Node) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Value(m.src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			if !c.IsRaw() {
				b.Write(c.Value)
			}
		case *ast.AutoLink:
			b.Write(c.Label(m.src))
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}
