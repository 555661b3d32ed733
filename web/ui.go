package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/attest-dev/attest"
)

//go:embed templates static
var uiFiles embed.FS

// asset is a static file served under a content-hashed URL.
type asset struct {
	data  []byte
	ctype string
}

// ui holds the parsed page templates and the static assets.
type ui struct {
	pages     map[string]*template.Template
	assets    map[string]asset  // hashed URL path → file
	assetURLs map[string]string // file name → hashed URL path
	charts    trendCharts
}

// loadUI parses every page template with the layout and hashes the static
// files. A template that does not parse stops the server from starting.
func loadUI() (*ui, error) {
	u := &ui{pages: map[string]*template.Template{}, assets: map[string]asset{}, assetURLs: map[string]string{}}
	err := fs.WalkDir(uiFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := uiFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := path.Base(p)
		ext := path.Ext(name)
		url := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		u.assets[url] = asset{data: data, ctype: mime.TypeByExtension(ext)}
		u.assetURLs[name] = url
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			if url, ok := u.assetURLs[name]; ok {
				return url, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		},
		"pct":      func(f float64) string { return fmt.Sprintf("%.1f%%", f) },
		"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"datetime": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") },
		"human":    func(v any) string { return strings.ReplaceAll(fmt.Sprint(v), "_", " ") },
		"join":     strings.Join,
		"trend":    u.charts.draw,
		"scoreBar": scoreBar,
		"can": func(p *attest.Principal, a string) bool {
			return p != nil && p.Can(attest.Action(a), time.Now())
		},
		"overdue":  func(t *attest.Task, today attest.Date) bool { return t.Overdue(today) },
		"dict":     dict,
		"minus":    func(a, b int) int { return a - b },
		"list":     func(xs ...string) []string { return xs },
		"person":   personHTML,
		"nav":      navHTML,
		"taskRows": taskRows,
		"owner":    ownerHTML,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(uiFiles, "templates/layout.html", "templates/partials*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages, err := fs.Glob(uiFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		t, err := template.Must(layout.Clone()).ParseFS(uiFiles, p)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		u.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return u, nil
}

// dict builds a map for passing several values to a sub-template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict needs pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// serveAsset serves a static file by its hashed URL; it never changes, so
// it may be cached for a year.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) error {
	a, ok := s.ui.assets[r.URL.Path]
	if !ok {
		return attest.Errorf(attest.ENOTFOUND, "no such file")
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, err := w.Write(a.data)
	return err
}

// view is what every page template receives.
type view struct {
	Title string
	// Nav names the active menu entry.
	Nav     string
	P       *attest.Principal
	OrgName string
	CSRF    string
	Flash   string
	Today   attest.Date
	Data    any
}

// renderBuffers recycles page buffers: pages are rendered whole before
// anything is written, and a busy dashboard renders hundreds a second.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes a page into a buffer first, so a template error becomes
// a clean error page instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	t, ok := s.ui.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	if sess := sessionFrom(r.Context()); sess != nil {
		v.P, v.CSRF, v.OrgName = sess.principal, sess.session.CSRF, sess.orgName
	}
	if v.Flash == "" {
		v.Flash = takeFlash(w, r)
	}
	v.Today = attest.DateOf(time.Now())
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // do not keep the odd huge page's buffer
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout.html", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if name == "signin" {
		w.Header().Set("Content-Security-Policy", ssoFormCSP)
	}
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// flashCookie carries a one-line message across a redirect.
const flashCookie = "attest_flash"

func setFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: encodeFlash(msg), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1})
	return decodeFlash(c.Value)
}

func encodeFlash(s string) string { return hex.EncodeToString([]byte(s)) }

func decodeFlash(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) > 300 {
		return ""
	}
	return string(b)
}

// redirect sends the browser to a page after a form post.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		setFlash(w, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
