package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// offsite lists redirect targets that a browser would follow to another
// origin, directly or after http.Redirect's path cleaning.
var offsite = []string{
	"//evil.example/",
	"/\\evil.example/",
	"/a/../\\evil.example/",
	"/a/..//evil.example/",
	"/./\\evil.example",
	"/a/../%5Cevil.example/",
	"/%2F%2Fevil.example/",
	"/\t/evil.example/",
	"/\n/evil.example/",
	"https://evil.example/",
	"http:/evil.example",
	"evil.example",
	"javascript:alert(1)",
	"/a/../../\\\\evil.example",
}

// browserHost returns the host a browser on https://attest.example goes
// to for a Location header: it drops tabs and newlines and reads
// backslashes as slashes, as the WHATWG URL parser does for http(s).
func browserHost(t *testing.T, location string) string {
	t.Helper()
	loc := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(location)
	base, _ := url.Parse("https://attest.example/page")
	u, err := url.Parse(loc)
	if err != nil {
		return "unparsable " + location
	}
	return base.ResolveReference(u).Host
}

func TestSafeNext(t *testing.T) {
	for _, next := range offsite {
		// What goes out is what http.Redirect makes of safeNext's answer.
		rec := httptestRedirect(safeNext(next))
		if h := browserHost(t, rec); h != "attest.example" {
			t.Errorf("safeNext(%q) = %q: the browser goes to %q", next, rec, h)
		}
	}
	for _, keep := range []string{"/", "/tasks", "/controls/CC6.1?tab=tasks", "/tasks/", "/evidence?q=a%2Fb"} {
		if got := safeNext(keep); got != keep {
			t.Errorf("safeNext(%q) = %q, want it kept", keep, got)
		}
	}
}

// httptestRedirect returns the Location http.Redirect sends for to.
func httptestRedirect(to string) string {
	w := &headerRecorder{h: http.Header{}}
	r, _ := http.NewRequest("POST", "/signin", nil)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return w.h.Get("Location")
}

type headerRecorder struct{ h http.Header }

func (w *headerRecorder) Header() http.Header         { return w.h }
func (w *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (w *headerRecorder) WriteHeader(int)             {}

// TestRedirectsStayOnSite signs in and updates a task with each offsite
// target as next and back: the browser never leaves the site.
func TestRedirectsStayOnSite(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		admin := u.signIn(t, uAdmin)
		for _, next := range offsite {
			b := u.client(t)
			p := b.post(t, "/signin", url.Values{"email": {u.users[uViewer].Email}, "password": {uiPassword}, "next": {next}})
			if p.status != http.StatusSeeOther || browserHost(t, p.location()) != "attest.example" {
				t.Errorf("sign-in with next=%q = %d to %q", next, p.status, p.location())
			}
			p = b.get(t, "/signin?next="+url.QueryEscape(next))
			if p.status == http.StatusSeeOther && browserHost(t, p.location()) != "attest.example" {
				t.Errorf("signed in, /signin?next=%q goes to %q", next, p.location())
			}
			p = admin.post(t, "/tasks/"+u.fill(u.orgA, "{task}"), url.Values{"back": {next}})
			if p.status != http.StatusSeeOther || browserHost(t, p.location()) != "attest.example" {
				t.Errorf("task update with back=%q = %d to %q", next, p.status, p.location())
			}
		}
	})
}
