package web

import (
	"context"
	"crypto/rand"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
)

// Helpers of the evidence tests: streamed uploads, and counts of what the
// blob store and the database hold.

// restart replaces the fixture's HTTP server, so that no request is in
// flight while change alters the server's settings, and serves it through
// wrap when wrap is not nil. Browsers must be made after it.
func (u *uiEnv) restart(t *testing.T, change func(), wrap func(http.Handler) http.Handler) {
	t.Helper()
	u.srv.Close()
	if change != nil {
		change()
	}
	var h http.Handler = u.server
	if wrap != nil {
		h = wrap(u.server)
	}
	u.srv = httptest.NewServer(h)
	t.Cleanup(u.srv.Close)
}

// fileFields are the text fields of a file item for GOV-01's first need,
// CSRF token first as the page's form sends it; extra pairs replace or
// add fields.
func (b *uiClient) fileFields(title string, extra ...string) [][2]string {
	f := [][2]string{{"csrf", b.csrf}, {"kind", "file"}, {"title", title}, {"link", "GOV-01:0"},
		{"period_start", "2026-01-01"}, {"period_end", "2026-01-31"}}
next:
	for i := 0; i+1 < len(extra); i += 2 {
		for j := range f {
			if f[j][0] == extra[i] {
				f[j][1] = extra[i+1]
				continue next
			}
		}
		f = append(f, [2]string{extra[i], extra[i+1]})
	}
	return f
}

// fileDisposition is a file part's Content-Disposition with the name in
// RFC 2231 form, which carries any byte.
func fileDisposition(name string) string {
	return `form-data; name="file"; filename*=utf-8''` + url.PathEscape(name)
}

// upload posts a multipart evidence form that the test streams through a
// pipe: the fields in order, then a file part (when disposition is not "")
// with content.
func (b *uiClient) upload(t *testing.T, fields [][2]string, disposition, ctype string, content io.Reader) *uiPage {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for _, f := range fields {
				if err := mw.WriteField(f[0], f[1]); err != nil {
					return err
				}
			}
			if disposition != "" {
				h := textproto.MIMEHeader{"Content-Disposition": {disposition}}
				if ctype != "" {
					h.Set("Content-Type", ctype)
				}
				w, err := mw.CreatePart(h)
				if err != nil {
					return err
				}
				if _, err := io.Copy(w, content); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest("POST", b.base+"/evidence", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(t, req)
}

// stored counts what the evidence store holds: blobs, temporary files and
// organization A's records.
type stored struct{ blobs, tmp, records int }

func (u *uiEnv) stored(t *testing.T) stored {
	t.Helper()
	var s stored
	if err := u.blobs.Walk(context.Background(), func(blob.Info) error { s.blobs++; return nil }); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.ReadDir(filepath.Join(u.blobDir, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	items, err := u.db.FindEvidence(context.Background(), u.orgA, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tmp, s.records = len(tmp), len(items)
	return s
}

// newest is organization A's newest item of GOV-01.
func (u *uiEnv) newest(t *testing.T) *attest.Evidence {
	t.Helper()
	items, err := u.db.FindEvidence(context.Background(), u.orgA, "GOV-01")
	if err != nil || len(items) == 0 {
		t.Fatalf("GOV-01's items: %d, %v", len(items), err)
	}
	return items[0]
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// poll checks cond until it holds, failing after a deadline.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("waited in vain for %s", what)
		}
	}
}
