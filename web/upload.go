package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Evidence files are streamed: the multipart body is read part by part,
// the file part straight into the blob store, so an upload never sits in
// memory or in a temporary copy of its own, and a refused or broken upload
// stores nothing.

// Limits on the text fields of an upload form. The whole body is capped by
// the route (UploadLimit plus MaxBodyBytes); these keep any one field, and
// the number of fields, small enough to hold in memory.
const (
	maxFieldBytes     = 4 << 10
	maxStatementBytes = 16 << 10
	maxFormParts      = 64
	// sniffLen is how much of a file http.DetectContentType looks at.
	sniffLen = 512
)

// evidenceCreate stores a new item from the evidence form: a file sent as
// multipart/form-data, or a link or statement in either encoding.
func (s *Server) evidenceCreate(w http.ResponseWriter, r *http.Request) error {
	if isMultipart(r) {
		return s.evidenceUpload(w, r)
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	e, err := s.evidenceFromForm(r, r.PostForm)
	if err != nil {
		return s.refuseEvidence(w, r, r.PostForm, err)
	}
	if e.Kind == attest.EvidenceFile {
		return attest.Errorf(attest.EINVALID, "send a file as multipart/form-data")
	}
	return s.refuseEvidence(w, r, r.PostForm, s.saveEvidence(w, r, e))
}

// evidenceUpload reads a multipart evidence form as it arrives. Text
// fields must come before the file, which ends the form: by the time the
// file part starts, the CSRF token, the item's fields and the caller's
// right to provide it have all been checked, so nothing is stored for a
// request that would be refused.
func (s *Server) evidenceUpload(w http.ResponseWriter, r *http.Request) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return attest.Errorf(attest.EINVALID, "the upload is not a multipart form")
	}
	vals := url.Values{}
	var file *multipart.Part
	for n := 0; file == nil; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return uploadError(r, err)
		}
		if n == maxFormParts {
			return attest.Errorf(attest.EINVALID, "the form has more than %d fields", maxFormParts)
		}
		name := part.FormName()
		switch {
		case name == "file":
			file = part
		case name == "" || part.FileName() != "":
			return attest.Errorf(attest.EINVALID, "the form has a field without a name or a file other than \"file\"")
		default:
			v, err := readField(r, part, name)
			if err != nil {
				return err
			}
			vals.Add(name, v)
		}
	}
	if err := checkToken(sessionFrom(r.Context()), vals.Get("csrf")); err != nil {
		return err
	}
	e, err := s.evidenceFromForm(r, vals)
	if err != nil {
		return s.refuseEvidence(w, r, vals, err)
	}
	if e.Kind != attest.EvidenceFile { // a browser sends an empty file field too
		return s.refuseEvidence(w, r, vals, s.saveEvidence(w, r, e))
	}
	if file == nil || file.FileName() == "" {
		return s.refuseEvidence(w, r, vals, attest.FieldErrorf("file", "choose a file to upload"))
	}
	if s.Blobs == nil {
		return attest.Errorf(attest.EINVALID, "this server has no blob store: files cannot be uploaded")
	}
	// Everything but the file is valid before a byte of it is stored.
	e.SHA256 = strings.Repeat("0", 64)
	if err := e.Validate(); err != nil {
		return s.refuseEvidence(w, r, vals, err)
	}
	sn := &sniffer{r: file}
	info, err := s.Blobs.Put(r.Context(), sn, s.uploadLimit())
	if err != nil {
		return uploadError(r, err)
	}
	// The part's declared Content-Type is the sender's claim; the stored
	// type is what the bytes look like.
	e.SHA256, e.Size, e.ContentType = info.SHA256, info.Size, http.DetectContentType(sn.head)
	e.FileName = attest.SanitizeFileName(file.FileName())
	return s.saveEvidence(w, r, e)
}

// readField reads one text part, refusing one longer than its cap.
func readField(r *http.Request, part *multipart.Part, name string) (string, error) {
	limit := int64(maxFieldBytes)
	if name == "statement" {
		limit = maxStatementBytes
	}
	b, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return "", uploadError(r, err)
	}
	if int64(len(b)) > limit {
		return "", attest.Errorf(attest.EINVALID, "the field %q is longer than %d bytes", name, limit)
	}
	// The route wrapper checks url-encoded fields; a multipart form is read
	// here, so its text is checked here, once, the same way.
	if err := attest.ValidText(name, string(b)); err != nil {
		return "", err
	}
	return string(b), nil
}

// uploadError turns a failed read of an upload into the error to show: a
// domain error (too large) or the body cap as they are, a body cut short as
// the client's problem, anything else (a full disk) as internal.
func uploadError(r *http.Request, err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), attest.ErrorCode(err) != attest.EINTERNAL:
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), r.Context().Err() != nil:
		return attest.Errorf(attest.EINVALID, "the upload was cut short: nothing was stored")
	}
	return fmt.Errorf("upload evidence: %w", err)
}

// sniffer passes a stream through, keeping its first bytes for
// http.DetectContentType.
type sniffer struct {
	r    io.Reader
	head []byte
}

func (s *sniffer) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if room := sniffLen - len(s.head); room > 0 && n > 0 {
		s.head = append(s.head, p[:min(n, room)]...)
	}
	return n, err
}

// safeTypes are the stored types a download is labelled with; anything
// else (HTML, SVG, scripts) is served as application/octet-stream, so that
// no browser renders user content as a page of this site.
var safeTypes = map[string]bool{
	"text/plain": true, "text/csv": true, "application/json": true, "application/pdf": true,
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/zip": true, "application/x-gzip": true,
}

// downloadType is the Content-Type to serve a stored type under.
func downloadType(stored string) string {
	t, params, err := mime.ParseMediaType(stored)
	if err != nil || !safeTypes[t] {
		return "application/octet-stream"
	}
	if out := mime.FormatMediaType(t, params); out != "" {
		return out
	}
	return t
}

// evidenceDownload streams an item's file as an attachment. The bytes are
// user content: besides the attachment disposition, nosniff and a
// sandboxing policy keep a browser from running anything in them.
func (s *Server) evidenceDownload(w http.ResponseWriter, r *http.Request) error {
	e, err := s.evidenceFor(r)
	if err != nil {
		return err
	}
	if e.Kind != attest.EvidenceFile {
		return attest.Errorf(attest.ENOTFOUND, "evidence %d is a %s, not a file", e.ID, e.Kind)
	}
	if s.Blobs == nil {
		return attest.Errorf(attest.EINVALID, "this server has no blob store: files cannot be downloaded")
	}
	rc, err := s.Blobs.Open(r.Context(), e.SHA256)
	if err != nil {
		// A record without its bytes is lost evidence: the operator's
		// problem, logged as internal.
		return fmt.Errorf("open the file of evidence %d: %v", e.ID, err)
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", downloadType(e.ContentType))
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": attest.SanitizeFileName(e.FileName)})
	if disposition == "" {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.FormatInt(e.Size, 10))
	if _, err := io.Copy(w, rc); err != nil {
		// The headers are sent: an error page cannot follow.
		s.log.Warn("download cut short", "evidence", e.ID, "err", err)
	}
	return nil
}
