package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
)

// EvidenceCmd groups the evidence commands.
type EvidenceCmd struct {
	Add      EvidenceAddCmd      `cmd:"" help:"Store a file as evidence for one need of a control."`
	Link     EvidenceLinkCmd     `cmd:"" help:"Record a link to evidence kept elsewhere (a ticket, a dashboard)."`
	List     EvidenceListCmd     `cmd:"" help:"List evidence items, newest first."`
	Requests EvidenceRequestsCmd `cmd:"" help:"The engagement's request list: each need's periods and what covers them."`
}

// evidenceFields are the flags shared by add and link.
type evidenceFields struct {
	jsonFlag
	Control     string `required:"" help:"Control the item serves." placeholder:"ID"`
	Need        int    `default:"0" help:"Which of the control's evidence needs, counting from 0 (see attest evidence requests)." placeholder:"N"`
	PeriodStart string `name:"period-start" required:"" help:"First day the item is proof for, YYYY-MM-DD." placeholder:"DATE"`
	PeriodEnd   string `name:"period-end" required:"" help:"Last day the item is proof for, YYYY-MM-DD." placeholder:"DATE"`
	Title       string `help:"Title (default: the file name or the URL)."`
	ValidUntil  string `name:"valid-until" help:"Last day the item counts as proof, YYYY-MM-DD (a penetration test report is good for a year)." placeholder:"DATE"`
	Supersedes  int64  `help:"ID of the item this one replaces." placeholder:"ID"`
}

// item builds an item from the flags and checks it against the control
// before anything is stored, so that bad input leaves no orphan file.
func (f *evidenceFields) item(a *App, orgID int64, e *attest.Evidence) error {
	e.Title = f.Title
	e.Supersedes = f.Supersedes
	e.Links = []attest.EvidenceLinkRef{{ControlID: f.Control, Need: f.Need}}
	for _, d := range []struct {
		name, src string
		dst       *attest.Date
	}{{"period-start", f.PeriodStart, &e.PeriodStart}, {"period-end", f.PeriodEnd, &e.PeriodEnd}, {"valid-until", f.ValidUntil, &e.ValidUntil}} {
		v, err := attest.ParseDate(d.src)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "--%s: %s", d.name, attest.ErrorMessage(err))
		}
		*d.dst = v
	}
	// A period that has not begun is refused before anything is stored;
	// one running past today is stored with a warning on stderr.
	warning, err := e.CheckPeriodBegun(attest.DateOf(a.db.Now()))
	if err != nil {
		return err
	}
	check := *e
	if check.Kind == attest.EvidenceFile {
		check.SHA256 = strings.Repeat("0", 64) // the real one is known after the upload
	}
	if err := check.Validate(); err != nil {
		return err
	}
	c, err := a.db.FindControlByID(a.ctx, orgID, f.Control)
	if err != nil {
		return err
	}
	if f.Need < 0 || f.Need >= len(c.Evidence) {
		return attest.Errorf(attest.EINVALID, "control %s has %s: --need is 0 to %d", c.ID, plural(int64(len(c.Evidence)), "evidence need", "evidence needs"), len(c.Evidence)-1)
	}
	if warning != "" {
		fprintf(a.errOut, "warning: %s\n", warning)
	}
	return nil
}

// EvidenceAddCmd stores a file as evidence.
type EvidenceAddCmd struct {
	File string `arg:"" type:"path" help:"The file to store." placeholder:"FILE"`
	evidenceFields
}

// Run streams the file into the blob store (at most blob.DefaultLimit) and
// records the item.
func (c *EvidenceAddCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	name := attest.SanitizeFileName(filepath.Base(c.File))
	e := &attest.Evidence{Kind: attest.EvidenceFile, FileName: name}
	if c.Title == "" {
		c.Title = name
	}
	if err := c.item(a, orgID, e); err != nil {
		return err
	}
	f, err := os.Open(c.File)
	if errors.Is(err, fs.ErrNotExist) {
		return attest.Errorf(attest.EINVALID, "no such file: %s", c.File)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		return attest.Errorf(attest.EINVALID, "%s is not a file", c.File)
	}
	// Sniff the type from the first bytes, then hand them back to the
	// stream: the file is read once, whatever its size.
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	e.ContentType = contentType(name, head[:n])
	blobs, err := a.Blobs()
	if err != nil {
		return err
	}
	info, err := blobs.Put(a.ctx, io.MultiReader(bytes.NewReader(head[:n]), f), blob.DefaultLimit)
	if err != nil {
		return err
	}
	e.SHA256, e.Size = info.SHA256, info.Size
	if err := a.db.CreateEvidence(a.ctx, orgID, e); err != nil {
		return err
	}
	return a.printEvidence(e, c.JSON)
}

// contentType trusts the content over the name, but falls back on the
// extension when the content says nothing ("application/octet-stream").
func contentType(name string, head []byte) string {
	ct := http.DetectContentType(head)
	if ct == "application/octet-stream" {
		if byExt := mime.TypeByExtension(filepath.Ext(name)); byExt != "" {
			return byExt
		}
	}
	return ct
}

// EvidenceLinkCmd records a link.
type EvidenceLinkCmd struct {
	URL string `arg:"" help:"The http:// or https:// address of the evidence." placeholder:"URL"`
	evidenceFields
}

// Run records the link.
func (c *EvidenceLinkCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e := &attest.Evidence{Kind: attest.EvidenceLink, URL: c.URL}
	if c.Title == "" {
		c.Title = c.URL
	}
	if err := c.item(a, orgID, e); err != nil {
		return err
	}
	if err := a.db.CreateEvidence(a.ctx, orgID, e); err != nil {
		return err
	}
	return a.printEvidence(e, c.JSON)
}

func (a *App) printEvidence(e *attest.Evidence, asJSON bool) error {
	if asJSON {
		return a.printJSON(e)
	}
	what := "link " + e.URL
	if e.Kind == attest.EvidenceFile {
		what = "file, " + plural(e.Size, "byte", "bytes") + ", " + e.ContentType + ", sha256 " + e.SHA256
	}
	fprintf(a.out, "Evidence %d %q (%s) for %s, %s to %s.\n", e.ID, e.Title, what, links(e), e.PeriodStart, e.PeriodEnd)
	if e.Supersedes != 0 {
		fprintf(a.out, "It replaces evidence %d.\n", e.Supersedes)
	}
	return nil
}
