package policydoc

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
)

// Page geometry of the PDF export, in millimetres on A4.
const (
	pageMargin   = 20.0
	footerOffset = -12.0 // from the bottom edge
	bodyFontSize = 10.5
	bodyLineH    = 5.0
)

// pdfWriter holds one PDF being written. Only the core fonts are used, so
// the file needs no font files and stays small; they are cp1252, so every
// string goes through tr on its way in.
type pdfWriter struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
	// current is the document whose pages are being written, named in
	// the footer; nil on the cover.
	current *docView
}

// WritePDF writes docs as one PDF: for each document a title page, a page
// listing the controls it satisfies, the body rendered from its Markdown
// and the revision history, each document starting on a new page. Several
// documents get a cover page linking to each. Every page has a page number
// in its footer. Characters outside Windows-1252 print as a dot. It
// returns EINVALID for no documents or a document without a policy or
// version.
func WritePDF(w io.Writer, docs ...*Document) error {
	vs, err := views(docs)
	if err != nil {
		return fmt.Errorf("export pdf: %w", err)
	}
	pw := newPDFWriter(exportTitle(vs))
	links := make([]int, len(vs))
	for i := range links {
		links[i] = pw.pdf.AddLink()
	}
	if len(vs) > 1 {
		pw.cover(vs, links)
	}
	for i, v := range vs {
		pw.titlePage(v)
		pw.pdf.SetLink(links[i], 0, -1)
		pw.controlsPage(v)
		pw.pdf.AddPage()
		pw.markdown(v.Body)
		pw.history(v)
	}
	if err := pw.pdf.Output(w); err != nil {
		return fmt.Errorf("export pdf: %w", err)
	}
	return nil
}

func newPDFWriter(title string) *pdfWriter {
	pdf := fpdf.New("P", "mm", "A4", "")
	pw := &pdfWriter{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.SetMargins(pageMargin, pageMargin, pageMargin)
	pdf.SetAutoPageBreak(true, pageMargin)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Attest", true)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(pw.footer)
	return pw
}

// footer prints the document and the page number on every page, so a
// printed page that comes loose can be put back.
func (pw *pdfWriter) footer() {
	pdf := pw.pdf
	pdf.SetY(footerOffset)
	pdf.SetFont("Helvetica", "", 8)
	pdf.SetTextColor(110, 110, 110)
	page := fmt.Sprintf("Page %d of {nb}", pdf.PageNo())
	pageW := pdf.GetStringWidth(page) + 2
	if v := pw.current; v != nil {
		left := fmt.Sprintf("%s, version %s", v.Title, v.Version)
		if v.Organization != "" {
			left = v.Organization + " – " + left
		}
		pdf.CellFormat(0, 5, pw.fit(left, pw.contentWidth()-pageW-5), "", 0, "L", false, 0, "")
	}
	pdf.SetX(pageMargin)
	pdf.CellFormat(0, 5, page, "", 0, "R", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
}

// cover lists the exported documents, each linked to its title page.
func (pw *pdfWriter) cover(vs []*docView, links []int) {
	pdf := pw.pdf
	pdf.AddPage()
	pdf.SetY(60)
	if org := organizationOf(vs); org != "" {
		pw.text("Helvetica", "", 12, 6, strings.ToUpper(org))
	}
	pw.text("Helvetica", "B", 24, 11, "Policies and procedures")
	pdf.Ln(4)
	pw.text("Helvetica", "", 11, 6, fmt.Sprintf("%d documents", len(vs)))
	pdf.Ln(8)
	for i, v := range vs {
		pdf.SetFont("Helvetica", "", 11)
		line := fmt.Sprintf("%d.  %s – %s, version %s", i+1, v.Title, v.Type, v.Version)
		pdf.CellFormat(0, 7, pw.fit(line, pw.contentWidth()), "", 1, "L", false, links[i], "")
	}
}

// titlePage starts a document with what an auditor checks first: what it
// is, which version, who owns it, who approved it and when it is reviewed.
func (pw *pdfWriter) titlePage(v *docView) {
	pdf := pw.pdf
	pdf.AddPage()
	// Set only now: AddPage has just printed the previous page's footer,
	// which names the previous document.
	pw.current = v
	pdf.SetY(55)
	if v.Organization != "" {
		pdf.SetTextColor(90, 90, 90)
		pw.text("Helvetica", "", 12, 6, strings.ToUpper(v.Organization))
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(3)
	}
	pw.text("Helvetica", "B", 26, 11, v.Title)
	pdf.Ln(4)
	pw.text("Helvetica", "", 14, 7, v.Type)
	pw.text("Helvetica", "", 14, 7, "Version "+v.Version)
	pdf.Ln(4)
	pdf.Line(pageMargin, pdf.GetY(), pageMargin+pw.contentWidth(), pdf.GetY())
	pdf.Ln(6)

	lines := []string{"Status: " + v.State, "Owner: " + v.Owner}
	for _, a := range v.Approvals {
		lines = append(lines, fmt.Sprintf("Approved by %s on %s", a.Name, a.Date))
	}
	if len(v.Approvals) == 0 {
		lines = append(lines, "Not yet approved")
	}
	lines = append(lines,
		"Effective date: "+v.Effective,
		"Review cycle: "+v.ReviewCycle,
		"Next review: "+v.NextReview,
	)
	for _, l := range lines {
		pw.text("Helvetica", "", 11, 6.5, l)
	}
}

// controlsPage lists the controls the document satisfies, which is how an
// auditor finds the policy behind a control.
func (pw *pdfWriter) controlsPage(v *docView) {
	pw.pdf.AddPage()
	pw.text("Helvetica", "B", 15, 8, "Controls satisfied")
	pw.pdf.Ln(3)
	if len(v.Controls) == 0 {
		pw.text("Helvetica", "", bodyFontSize, bodyLineH, "This document is not mapped to any control.")
		return
	}
	rows := make([][]string, len(v.Controls))
	for i, c := range v.Controls {
		rows[i] = []string{c.ID, c.Title, c.Criteria}
	}
	pw.table([]float64{25, 100, 45}, []string{"Control", "Title", "Criteria"}, rows)
}

// history prints the revision history after the body.
func (pw *pdfWriter) history(v *docView) {
	pw.pdf.Ln(8)
	// The heading, the table header and a row or two, kept together.
	pw.needSpace(35)
	pw.text("Helvetica", "B", 15, 8, "Revision history")
	pw.pdf.Ln(3)
	rows := make([][]string, len(v.History))
	for i, h := range v.History {
		rows[i] = []string{h.Version, h.Date, h.Author, h.State, h.Change}
	}
	pw.table([]float64{20, 28, 62, 32, 28}, []string{"Version", "Date", "Author", "State", "Change"}, rows)
}

// text prints s in the font as a paragraph across the page.
func (pw *pdfWriter) text(family, style string, size, lineH float64, s string) {
	pw.pdf.SetFont(family, style, size)
	pw.pdf.SetX(pageMargin)
	pw.pdf.MultiCell(0, lineH, pw.tr(s), "", "L", false)
}

// needSpace starts a new page unless h millimetres are left above the
// bottom margin, so a heading is not left alone at the foot of a page.
func (pw *pdfWriter) needSpace(h float64) {
	_, pageH := pw.pdf.GetPageSize()
	if pw.pdf.GetY()+h > pageH-pageMargin {
		pw.pdf.AddPage()
	}
}

// contentWidth is the width between the margins.
func (pw *pdfWriter) contentWidth() float64 {
	w, _ := pw.pdf.GetPageSize()
	return w - 2*pageMargin
}

// fit translates s and shortens it with an ellipsis until it fits in w
// in the current font, for one-line cells that must not wrap.
func (pw *pdfWriter) fit(s string, w float64) string {
	out := pw.tr(s)
	if pw.pdf.GetStringWidth(out) <= w {
		return out
	}
	ellipsis := pw.tr("…")
	// Cut by halves, then trim: long strings cost a few measurements,
	// not one per character.
	for len(out) > 1 && pw.pdf.GetStringWidth(out[:len(out)/2]+ellipsis) > w {
		out = out[:len(out)/2]
	}
	for len(out) > 0 && pw.pdf.GetStringWidth(out+ellipsis) > w {
		out = out[:len(out)-1]
	}
	return out + ellipsis
}
