package evpack

import (
	"archive/zip"
	_ "embed"
	"encoding/csv"
	"html/template"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Index maps the criteria of the framework to their controls and, per
// period, to the evidence in the package: what the auditor reads first.
type Index struct {
	Criteria []IndexCriterion
	// Summary, when set, heads the page with what an auditor asks for
	// first: readiness and coverage at export time, the scope and the
	// published policies (see IndexSummary).
	Summary *IndexSummary
}

// IndexCriterion is one criterion (e.g. CC6.1) and the controls that meet it.
type IndexCriterion struct {
	ID, Title string
	Controls  []IndexControl
}

// IndexControl is one control, its status and its evidence per period.
type IndexControl struct {
	ID, Title, Status string
	Slots             []IndexSlot
}

// Slot states.
const (
	SlotProvided      = "provided"
	SlotMissing       = "missing"
	SlotNotApplicable = "not_applicable"
)

// IndexSlot is the evidence of a control for one period.
type IndexSlot struct {
	Period string
	// State is SlotProvided, SlotMissing or SlotNotApplicable.
	State     string
	Statement string
	// Files are names given to Writer.Add.
	Files []string
	// Links are URLs of evidence kept elsewhere (a ticket, a dashboard).
	Links []string
}

//go:embed index.html.tmpl
var indexHTML string

// indexTemplate is parsed when the package loads so that a broken template
// fails every test rather than an organization's export.
var indexTemplate = template.Must(template.New("index").Parse(indexHTML))

// AddIndex writes index.html and index.csv, both listed in the manifest. Add
// the evidence first: AddIndex returns EINVALID for a slot that names a
// file not yet in the package (the page would have a broken link) or that
// has an unknown state, and when called twice.
func (w *Writer) AddIndex(ix *Index) error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.checkIndex(ix); err != nil {
		return err
	}
	at := w.meta.CreatedAt
	if _, _, err := w.write(IndexHTMLName, zip.Deflate, at, func(dst io.Writer) error {
		return indexTemplate.Execute(dst, w.indexView(ix))
	}); err != nil {
		return err
	}
	_, _, err := w.write(IndexCSVName, zip.Deflate, at, func(dst io.Writer) error {
		return w.writeCSV(dst, ix)
	})
	return err
}

// checkIndex validates ix against the files added so far.
func (w *Writer) checkIndex(ix *Index) error {
	if _, ok := w.byName[IndexHTMLName]; ok {
		return attest.Errorf(attest.EINVALID, "the package already has an index")
	}
	if err := w.checkSummary(ix.Summary); err != nil {
		return err
	}
	for _, cr := range ix.Criteria {
		for _, c := range cr.Controls {
			for _, s := range c.Slots {
				switch s.State {
				case SlotProvided, SlotMissing, SlotNotApplicable:
				default:
					return attest.Errorf(attest.EINVALID, "control %s, period %s: unknown evidence state %q", c.ID, s.Period, s.State)
				}
				for _, f := range s.Files {
					if _, ok := w.byName[f]; !ok {
						return attest.Errorf(attest.EINVALID, "control %s, period %s: file %q is not in the package", c.ID, s.Period, f)
					}
				}
			}
		}
	}
	return nil
}

// indexFile is a file as the page shows it.
type indexFile struct {
	Name, Href, SHA256 string
	Size               int64
}

// indexView is what index.html.tmpl renders: the index with each file's
// link, size and hash resolved.
func (w *Writer) indexView(ix *Index) any {
	type slot struct {
		IndexSlot
		Evidence []indexFile
	}
	type control struct {
		IndexControl
		Slots []slot
	}
	type criterion struct {
		IndexCriterion
		Controls []control
	}
	view := struct {
		Meta     Meta
		Summary  *IndexSummary
		Files    map[string]indexFile
		Criteria []criterion
	}{Meta: w.meta, Summary: ix.Summary, Files: w.summaryFiles(ix.Summary)}
	for _, cr := range ix.Criteria {
		vcr := criterion{IndexCriterion: cr}
		for _, c := range cr.Controls {
			vc := control{IndexControl: c}
			for _, s := range c.Slots {
				vs := slot{IndexSlot: s}
				for _, name := range s.Files {
					f := w.files[w.byName[name]]
					vs.Evidence = append(vs.Evidence, indexFile{Name: name, Href: href(name), SHA256: f.SHA256, Size: f.Size})
				}
				vc.Slots = append(vc.Slots, vs)
			}
			vcr.Controls = append(vcr.Controls, vc)
		}
		view.Criteria = append(view.Criteria, vcr)
	}
	return view
}

// href is the relative URL of a file of the package, which works once the
// zip is extracted: each segment is escaped ("#", "?", "%" and spaces are
// common in evidence names) and "./" keeps a name like "a:b.pdf" from
// reading as a URL scheme.
func href(name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "./" + strings.Join(segs, "/")
}

// csvHeader names the columns of index.csv.
var csvHeader = []string{
	"criterion_id", "criterion_title", "control_id", "control_title", "control_status",
	"period", "state", "statement", "file", "size", "sha256", "links",
}

// writeCSV writes one row per criterion, control, period and file, and one
// row with an empty file for a slot without files, so that missing evidence
// shows in a spreadsheet too.
func (w *Writer) writeCSV(dst io.Writer, ix *Index) error {
	cw := csv.NewWriter(dst)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, cr := range ix.Criteria {
		for _, c := range cr.Controls {
			for _, s := range c.Slots {
				row := func(file, size, sum string) error {
					return cw.Write([]string{
						cell(cr.ID), cell(cr.Title), cell(c.ID), cell(c.Title), cell(c.Status),
						cell(s.Period), s.State, cell(s.Statement), cell(file), size, sum,
						cell(strings.Join(s.Links, " ")),
					})
				}
				if len(s.Files) == 0 {
					if err := row("", "", ""); err != nil {
						return err
					}
				}
				for _, name := range s.Files {
					f := w.files[w.byName[name]]
					if err := row(name, strconv.FormatInt(f.Size, 10), f.SHA256); err != nil {
						return err
					}
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses text that a spreadsheet would run as a formula (CSV
// injection): the auditor opens index.csv in Excel, and statements are
// typed by the organization's users.
func cell(s string) string { return CSVCell(s) }

// CSVCell defuses text that a spreadsheet would run as a formula by
// prefixing a quote; every CSV file of a package writes its cells with it.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
