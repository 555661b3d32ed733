package policydoc

// Table layout for the PDF export: the controls list, the revision history
// and tables in a body all go through table, so they look alike.

const (
	tableFontSize = 9.5
	tableLineH    = 4.6
	tablePad      = 1.2 // above and below the text of a cell
)

// table prints rows under a header row with the given column widths. Cells
// wrap within their column and a row grows to its tallest cell. A row that
// does not fit on the page starts a new one, and the header is repeated
// there so every page of a long table can be read on its own. An empty
// header is left out.
func (pw *pdfWriter) table(widths []float64, header []string, rows [][]string) {
	pdf := pw.pdf
	x0 := pdf.GetX()
	hasHeader := false
	for _, h := range header {
		hasHeader = hasHeader || h != ""
	}
	printHeader := func() {
		if hasHeader {
			pw.tableRow(x0, widths, header, true)
		}
	}
	_, pageH := pdf.GetPageSize()
	// Keep the header with the first row rather than alone at the foot of
	// a page.
	need := 0.0
	if hasHeader {
		pdf.SetFont("Helvetica", "B", tableFontSize)
		need = pw.rowHeight(widths, header)
	}
	if len(rows) > 0 {
		pdf.SetFont("Helvetica", "", tableFontSize)
		need += pw.rowHeight(widths, rows[0])
	}
	if pdf.GetY()+need > pageH-pageMargin {
		pdf.AddPage()
		pdf.SetX(x0)
	}
	printHeader()
	for _, row := range rows {
		pdf.SetFont("Helvetica", "", tableFontSize)
		if pdf.GetY()+pw.rowHeight(widths, row) > pageH-pageMargin {
			pdf.AddPage()
			pdf.SetX(x0)
			printHeader()
		}
		pw.tableRow(x0, widths, row, false)
	}
}

// rowHeight is the height a row needs in the current font.
func (pw *pdfWriter) rowHeight(widths []float64, cells []string) float64 {
	lines := 1
	for i, w := range widths {
		if i >= len(cells) {
			break
		}
		if n := len(pw.pdf.SplitLines([]byte(pw.tr(cells[i])), w)); n > lines {
			lines = n
		}
	}
	return float64(lines)*tableLineH + 2*tablePad
}

// tableRow prints one row at x0 and leaves the position under it. Borders
// are drawn as rectangles of the row's full height, so columns line up
// even when one cell wraps and its neighbours do not.
func (pw *pdfWriter) tableRow(x0 float64, widths []float64, cells []string, header bool) {
	pdf := pw.pdf
	style := ""
	if header {
		style = "B"
	}
	pdf.SetFont("Helvetica", style, tableFontSize)
	h := pw.rowHeight(widths, cells)
	y := pdf.GetY()
	x := x0
	for i, w := range widths {
		if header {
			pdf.SetFillColor(235, 238, 241)
			pdf.Rect(x, y, w, h, "FD")
		} else {
			pdf.Rect(x, y, w, h, "D")
		}
		if i < len(cells) {
			pdf.SetXY(x, y+tablePad)
			pdf.MultiCell(w, tableLineH, pw.tr(cells[i]), "", "L", false)
		}
		x += w
	}
	pdf.SetXY(x0, y+h)
}

// columnWidths sizes columns to their widest cell when the table fits in
// total, as a browser would, and otherwise shares total in proportion to
// the widest cells, with a floor so a short column stays readable.
func (pw *pdfWriter) columnWidths(total float64, rows [][]string, columns int) []float64 {
	const (
		floor = 18.0
		slack = 4.0 // room beside the widest cell
	)
	pw.pdf.SetFont("Helvetica", "", tableFontSize)
	widths := make([]float64, columns)
	for _, row := range rows {
		for i, cell := range row {
			if i >= columns {
				break
			}
			if w := pw.pdf.GetStringWidth(pw.tr(cell)) + 2*pw.pdf.GetCellMargin() + slack; w > widths[i] {
				widths[i] = w
			}
		}
	}
	sum := 0.0
	for i := range widths {
		widths[i] = max(widths[i], floor)
		sum += widths[i]
	}
	if sum > total {
		for i := range widths {
			widths[i] *= total / sum
		}
	}
	return widths
}
