package policydoc

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed export.html
var exportHTML string

// exportTemplate is parsed when the package loads, so a broken template
// stops the program at start-up (and every test) instead of failing the
// first export an auditor asks for.
var exportTemplate = template.Must(template.New("export.html").Parse(exportHTML))

// htmlExport is the data of exportTemplate.
type htmlExport struct {
	Title        string
	Organization string
	Docs         []htmlDoc
}

// htmlDoc is a document as the template shows it.
type htmlDoc struct {
	*docView
	Anchor   string
	BodyHTML template.HTML
}

// WriteHTML writes docs as one standalone HTML5 file: for each document a
// title block, the controls it satisfies, its body and its revision history,
// and a table of contents when there are several. Every value is escaped
// and bodies go through RenderMarkdown, so nothing in a document can run
// script in the reader's browser. It returns EINVALID for no documents or a
// document without a policy or version.
func WriteHTML(w io.Writer, docs ...*Document) error {
	vs, err := views(docs)
	if err != nil {
		return fmt.Errorf("export html: %w", err)
	}
	data := htmlExport{Organization: organizationOf(vs), Docs: make([]htmlDoc, len(vs))}
	for i, v := range vs {
		data.Docs[i] = htmlDoc{docView: v, Anchor: fmt.Sprintf("doc-%d", i+1), BodyHTML: RenderMarkdown(v.Body)}
	}
	data.Title = exportTitle(vs)
	// Buffered because the template writes many small pieces and w may be
	// a network connection.
	bw := bufio.NewWriter(w)
	if err := exportTemplate.Execute(bw, data); err != nil {
		return fmt.Errorf("export html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export html: %w", err)
	}
	return nil
}

// exportTitle names an export: the document itself, or the organization's
// policy set.
func exportTitle(vs []*docView) string {
	if v := vs[0]; len(vs) == 1 {
		title := fmt.Sprintf("%s, version %s", v.Title, v.Version)
		if v.Organization != "" {
			title += " – " + v.Organization
		}
		return title
	}
	if org := organizationOf(vs); org != "" {
		return org + " policies and procedures"
	}
	return "Policies and procedures"
}

// organizationOf returns the organization of an export of several
// documents: the one they share, or "" if they differ.
func organizationOf(vs []*docView) string {
	org := vs[0].Organization
	for _, v := range vs[1:] {
		if v.Organization != org {
			return ""
		}
	}
	return org
}
