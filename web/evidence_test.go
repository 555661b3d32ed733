package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEvidenceUpload streams a file larger than the form cap through the
// upload, downloads it back, and checks its hash in the record and on
// disk; the same bytes uploaded again are stored once.
func TestEvidenceUpload(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max, aud := u.signIn(t, uManager), u.signIn(t, uAuditor)
		content := randomBytes(t, MaxBodyBytes+MaxBodyBytes/2)
		sum := sha256.Sum256(content)
		want := hex.EncodeToString(sum[:])
		before := u.stored(t)
		p := max.upload(t, max.fileFields("Access review export"), fileDisposition("review.bin"), "text/html", bytes.NewReader(content))
		wantStatus(t, "upload", p, http.StatusSeeOther, "/controls/GOV-01")
		it := u.newest(t)
		if it.SHA256 != want || it.Size != int64(len(content)) || it.FileName != "review.bin" || it.ContentType != "application/octet-stream" {
			t.Errorf("record = %s %d %q %q, want %s %d review.bin application/octet-stream (sniffed, not declared)", it.SHA256, it.Size, it.FileName, it.ContentType, want, len(content))
		}
		onDisk, err := os.ReadFile(filepath.Join(u.blobDir, want[0:2], want[2:4], want))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(onDisk); hex.EncodeToString(got[:]) != want {
			t.Errorf("the file on disk hashes to %x", got)
		}
		// The auditor downloads it: the same bytes.
		d := aud.get(t, fmt.Sprintf("/evidence/%d/download", it.ID))
		if d.status != http.StatusOK || d.body != string(content) {
			t.Fatalf("download = %d, %d bytes, same %v", d.status, len(d.body), d.body == string(content))
		}
		if d.header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("download Content-Type %q", d.header.Get("Content-Type"))
		}
		after := u.stored(t)
		if after.blobs != before.blobs+1 || after.records != before.records+1 || after.tmp != 0 {
			t.Errorf("stored before %+v, after %+v", before, after)
		}
		// Again: a second record, no second blob.
		p = max.upload(t, max.fileFields("The same export"), fileDisposition("again.bin"), "", bytes.NewReader(content))
		wantStatus(t, "second upload", p, http.StatusSeeOther, "/controls/GOV-01")
		if again := u.stored(t); again.blobs != after.blobs || again.records != after.records+1 {
			t.Errorf("identical content: stored %+v after %+v", again, after)
		}
		if u.newest(t).SHA256 != want {
			t.Errorf("the second record names another blob")
		}
		// A PNG declared as HTML is stored as what it is.
		png := append([]byte("\x89PNG\r\n\x1a\n"), randomBytes(t, 100)...)
		wantStatus(t, "PNG upload", max.upload(t, max.fileFields("Screenshot"), fileDisposition("shot.png"), "text/html", bytes.NewReader(png)), http.StatusSeeOther, "")
		shot := u.newest(t)
		if shot.ContentType != "image/png" {
			t.Errorf("a PNG is stored as %q", shot.ContentType)
		}
		if d := aud.get(t, fmt.Sprintf("/evidence/%d/download", shot.ID)); d.header.Get("Content-Type") != "image/png" {
			t.Errorf("a PNG downloads as %q", d.header.Get("Content-Type"))
		}
	})
}

// TestEvidenceUploadRefused: uploads that must store nothing — over the
// limit, without the CSRF token, by someone who may not provide the
// control's evidence — store no blob, leave no temporary file and no
// record.
func TestEvidenceUploadRefused(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		u.restart(t, func() { u.server.UploadLimit = 64 << 10 }, nil)
		max, alice, aud := u.signIn(t, uManager), u.signIn(t, uOwner), u.signIn(t, uAuditor)
		big := randomBytes(t, 200<<10)
		noCSRF := max.fileFields("No token")[1:]
		for _, c := range []struct {
			name   string
			b      *uiClient
			fields [][2]string
			status int
		}{
			{"over the limit", max, max.fileFields("Too big"), http.StatusRequestEntityTooLarge},
			{"no CSRF token", max, noCSRF, http.StatusForbidden},
			{"another's control", alice, alice.fileFields("Not mine", "link", "GOV-02:0"), http.StatusForbidden},
			{"an auditor", aud, aud.fileFields("Auditors read"), http.StatusForbidden},
			{"an unknown need", max, max.fileFields("No such need", "link", "GOV-01:9"), http.StatusNotFound},
			{"a bad period", max, max.fileFields("Backwards", "period_end", "2025-01-01"), http.StatusUnprocessableEntity},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := u.stored(t)
				content := big
				if c.status != http.StatusRequestEntityTooLarge {
					content = big[:1000]
				}
				p := c.b.upload(t, c.fields, fileDisposition("x.bin"), "", bytes.NewReader(content))
				if p.status != c.status {
					t.Fatalf("status %d, want %d: %.300s", p.status, c.status, p.body)
				}
				if after := u.stored(t); after != before {
					t.Errorf("stored %+v, before %+v", after, before)
				}
			})
		}
		// Within the limit the same form goes through.
		p := max.upload(t, max.fileFields("Small"), fileDisposition("small.bin"), "", bytes.NewReader(big[:64<<10]))
		wantStatus(t, "an upload of exactly the limit", p, http.StatusSeeOther, "/controls/GOV-01")
	})
}

// TestEvidenceUploadCut: a connection closed in the middle of the file
// leaves no blob, no temporary file and no record.
func TestEvidenceUploadCut(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		finished := make(chan struct{}, 1)
		u.restart(t, nil, func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(w, r)
				if r.Method == "POST" && r.URL.Path == "/evidence" {
					finished <- struct{}{}
				}
			})
		})
		max := u.signIn(t, uManager)
		before := u.stored(t)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, f := range max.fileFields("Cut short") {
			mw.WriteField(f[0], f[1])
		}
		fw, err := mw.CreateFormFile("file", "cut.bin")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(randomBytes(t, 1<<20))
		mw.Close()

		srv, _ := url.Parse(u.srv.URL)
		conn, err := net.Dial("tcp", srv.Host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /evidence HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			srv.Host, sessionCookie, max.sessionCookie(t), mw.FormDataContentType(), body.Len())
		if _, err := conn.Write(body.Bytes()[:body.Len()/2]); err != nil {
			t.Fatal(err)
		}
		// Wait until the server is writing the file, then cut.
		poll(t, "the upload's temporary file", func() bool { return u.stored(t).tmp == 1 })
		conn.Close()
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
			t.Fatal("the server did not finish the cut request")
		}
		if after := u.stored(t); after != before {
			t.Errorf("after a cut upload: stored %+v, before %+v", after, before)
		}
	})
}

// TestEvidenceDownloadSafe: hostile file names are neutralized in the
// record and in the download's disposition, and HTML is never served as a
// page.
func TestEvidenceDownloadSafe(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max := u.signIn(t, uManager)
		for _, c := range []struct{ disposition, want string }{
			{fileDisposition("../../etc/passwd"), "passwd"},
			{`form-data; name="file"; filename="../../etc/passwd"`, "passwd"},
			{fileDisposition("a\x00b"), "ab"},
			{fileDisposition("\u202ecod.exe"), "cod.exe"},
			{fileDisposition("..\\..\\boot.ini"), "boot.ini"},
			{fileDisposition("résumé <final>.html"), "résumé _final_.html"},
		} {
			html := "<html><body><script>alert(1)</script></body></html>"
			p := max.upload(t, max.fileFields("Named "+c.want), c.disposition, "text/plain", strings.NewReader(html))
			wantStatus(t, "upload of "+c.disposition, p, http.StatusSeeOther, "")
			it := u.newest(t)
			if it.FileName != c.want {
				t.Errorf("%s: stored name %q, want %q", c.disposition, it.FileName, c.want)
			}
			d := max.get(t, fmt.Sprintf("/evidence/%d/download", it.ID))
			disp, params, err := mime.ParseMediaType(d.header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != c.want {
				t.Errorf("%s: Content-Disposition %q (%v)", c.disposition, d.header.Get("Content-Disposition"), err)
			}
			h := d.header
			if h.Get("Content-Type") != "application/octet-stream" || h.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") || d.body != html {
				t.Errorf("%s: HTML served as %q, nosniff %q, CSP %q", c.disposition, h.Get("Content-Type"), h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
			}
		}
	})
}

// TestEvidenceUploadBadText: a multipart evidence form whose text holds a
// NUL byte or invalid UTF-8 is refused with a 400 naming the field and
// stores nothing, on both databases (PostgreSQL answered 500 before).
func TestEvidenceUploadBadText(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max := u.signIn(t, uManager)
		before := u.stored(t)
		for _, title := range []string{"a\x00b", "caf\xe9"} {
			p := max.upload(t, max.fileFields(title), fileDisposition("x.txt"), "", strings.NewReader("x"))
			if p.status != http.StatusBadRequest || !strings.Contains(string(p.body), "title") {
				t.Errorf("title %q: status %d, want 400 naming the title: %.300s", title, p.status, p.body)
			}
		}
		if got := u.stored(t); got != before {
			t.Errorf("a refused upload stored something: %v, was %v", got, before)
		}
	})
}
