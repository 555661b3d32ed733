package policydoc

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// headingSizes are the font sizes of Markdown headings by level.
var headingSizes = [...]float64{1: 18, 2: 15, 3: 13, 4: 11.5, 5: bodyFontSize, 6: bodyFontSize}

// mdWriter prints a Markdown AST into the PDF. It walks goldmark's tree
// instead of converting HTML, so the PDF follows the same parse as the
// HTML export without a second, looser HTML reader. Raw HTML in a body is
// skipped, as the HTML export drops it.
type mdWriter struct {
	pw  *pdfWriter
	src []byte
	// indent is the left indent of the current block from the page
	// margin, grown by lists and block quotes.
	indent float64
	// family, style and size are the current inline font; style is a
	// set of fpdf style letters (B, I, S).
	family string
	style  string
	size   float64
	// afterMarker is set when a list marker has just been printed: the
	// item's first block continues on the marker's line.
	afterMarker bool
}

// markdown prints body from the current position.
func (pw *pdfWriter) markdown(body string) {
	src := []byte(body)
	root := markdown.Parser().Parse(text.NewReader(src))
	m := &mdWriter{pw: pw, src: src, family: "Helvetica", size: bodyFontSize}
	m.blocks(root)
	pw.pdf.SetLeftMargin(pageMargin)
}

func (m *mdWriter) blocks(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		m.block(n)
	}
}

func (m *mdWriter) block(n ast.Node) {
	pdf := m.pw.pdf
	switch n := n.(type) {
	case *ast.Heading:
		if n.PreviousSibling() != nil {
			pdf.Ln(3)
		}
		level := min(max(n.Level, 1), 6)
		// Keep the heading with the first lines under it.
		m.pw.needSpace(headingSizes[level]*bodyLineH/bodyFontSize + 3*bodyLineH)
		m.paragraph(n, "Helvetica", "B", headingSizes[level])
		pdf.Ln(1.5)
	case *ast.Paragraph:
		m.paragraph(n, "Helvetica", "", bodyFontSize)
		pdf.Ln(2)
	case *ast.TextBlock:
		// The text of a tight list item: no space after it.
		m.paragraph(n, "Helvetica", "", bodyFontSize)
	case *ast.List:
		m.list(n)
		if _, nested := n.Parent().(*ast.ListItem); !nested {
			pdf.Ln(2)
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		m.code(n)
	case *ast.Blockquote:
		d := m.deeper(6)
		pdf.SetTextColor(80, 80, 80)
		m.blocks(n)
		pdf.SetTextColor(0, 0, 0)
		m.indent -= d
	case *ast.ThematicBreak:
		y := pdf.GetY() + 2
		pdf.Line(pageMargin+m.indent, y, pageMargin+m.pw.contentWidth(), y)
		pdf.SetY(y + 4)
	case *ast.HTMLBlock:
		// Untrusted markup: neither export shows it.
	case *east.Table:
		m.table(n)
		pdf.Ln(3)
	default:
		// Anything else prints its text, so content is never lost to a
		// node this walker does not know.
		if n.HasChildren() {
			m.blocks(n)
		} else if lines := n.Lines(); lines.Len() > 0 {
			m.start("Helvetica", "", bodyFontSize)
			m.write(strings.TrimSpace(string(lines.Value(m.src))))
			pdf.Ln(bodyLineH)
		}
	}
}

// deeper indents by d and returns the amount to take off again. Past half
// the page it stops indenting: a body nested a hundred levels deep must
// still leave room for its text.
func (m *mdWriter) deeper(d float64) float64 {
	if m.indent+d > m.pw.contentWidth()/2 {
		return 0
	}
	m.indent += d
	return d
}

// start sets the font and left margin for a block at the current indent
// and moves to the margin, unless the block is the first of a list item
// and continues after its marker.
func (m *mdWriter) start(family, style string, size float64) {
	m.family, m.style, m.size = family, style, size
	left := pageMargin + m.indent
	m.pw.pdf.SetLeftMargin(left)
	if !m.afterMarker {
		m.pw.pdf.SetX(left)
	}
	m.afterMarker = false
	m.setFont()
}

func (m *mdWriter) setFont() { m.pw.pdf.SetFont(m.family, m.style, m.size) }

// lineH is the line height for the current font size.
func (m *mdWriter) lineH() float64 { return m.size * bodyLineH / bodyFontSize }

// paragraph prints the inline content of n, wrapped at the right margin.
func (m *mdWriter) paragraph(n ast.Node, family, style string, size float64) {
	m.start(family, style, size)
	m.inlines(n)
	m.pw.pdf.Ln(m.lineH())
}

// list prints the items of n with bullets or numbers; nested lists indent
// further because items print their children at the indent of their text.
func (m *mdWriter) list(n *ast.List) {
	pdf := m.pw.pdf
	number := n.Start
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "•"
		if n.IsOrdered() {
			marker = strconv.Itoa(number) + string(n.Marker)
			number++
		}
		pdf.SetFont("Helvetica", "", bodyFontSize)
		width := max(6, pdf.GetStringWidth(marker)+3)
		pdf.SetLeftMargin(pageMargin + m.indent)
		pdf.SetX(pageMargin + m.indent)
		pdf.CellFormat(width, bodyLineH, m.pw.tr(marker), "", 0, "L", false, 0, "")
		d := m.deeper(width)
		m.afterMarker = true
		if item.HasChildren() {
			m.blocks(item)
		} else {
			pdf.Ln(bodyLineH)
		}
		m.afterMarker = false
		m.indent -= d
	}
}

// code prints a code block in a monospace font on a shaded background,
// line by line so indentation is kept.
func (m *mdWriter) code(n ast.Node) {
	pdf := m.pw.pdf
	m.start("Courier", "", 9)
	pdf.SetFillColor(244, 246, 248)
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		line := strings.TrimRight(string(seg.Value(m.src)), "\r\n")
		line = strings.ReplaceAll(line, "\t", "    ")
		pdf.SetX(pageMargin + m.indent)
		pdf.MultiCell(0, 4.2, m.pw.tr(line), "", "L", true)
	}
	pdf.Ln(2)
}

// table prints a GFM table through the shared table layout; cells keep
// their text but not their formatting.
func (m *mdWriter) table(n *east.Table) {
	var header []string
	var rows [][]string
	columns := 0
	for r := n.FirstChild(); r != nil; r = r.NextSibling() {
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, m.plain(c))
		}
		columns = max(columns, len(cells))
		if _, ok := r.(*east.TableHeader); ok {
			header = cells
		} else {
			rows = append(rows, cells)
		}
	}
	if columns == 0 {
		return
	}
	m.pw.pdf.SetLeftMargin(pageMargin)
	m.pw.pdf.SetX(pageMargin + m.indent)
	widths := m.pw.columnWidths(m.pw.contentWidth()-m.indent, append(rows, header), columns)
	m.pw.table(widths, header, rows)
}
