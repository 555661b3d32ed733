package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium.
const chromiumPath = "/usr/bin/chromium"

// envSkipBrowser, set to 1, skips the browser tests where Chromium is
// missing; otherwise they fail.
const envSkipBrowser = "ATTEST_SKIP_BROWSER"

// actionTimeout bounds one browser step, so a flow stuck on an element
// that never appears fails with the step instead of hanging.
const actionTimeout = 30 * time.Second

// requireChromium fails the test, or skips it when ATTEST_SKIP_BROWSER=1,
// if Chromium is not installed: browser tests never pass without a browser.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv(envSkipBrowser) == "1" {
			t.Skipf("no Chromium at %s and %s=1: browser test skipped", chromiumPath, envSkipBrowser)
		}
		t.Fatalf("the browser tests need Chromium at %s (Debian: apt-get install chromium): %v; set %s=1 to skip them",
			chromiumPath, err, envSkipBrowser)
	}
}

// startBrowser starts a headless Chromium with a fresh profile for the
// test and opens a tab. Console errors and uncaught exceptions of the pages
// are collected and fail the test when it ends.
func startBrowser(e *env) {
	t := e.t
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithListener(e.watch))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, p := range e.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromiumPath, err)
	}
	e.ctx = ctx
}

// watch records console errors and uncaught exceptions. Failed network
// requests are left out: flows provoke 401 and 403 answers on purpose.
func (e *env) watch(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		problem = "uncaught exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil {
			problem += " " + ex.Description
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			problem = "console.error called"
		}
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError && ev.Entry.Source != cdplog.EntrySourceNetwork {
			problem = fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if problem != "" {
		e.mu.Lock()
		e.problems = append(e.problems, problem)
		e.mu.Unlock()
	}
}

// do runs browser steps, failing the test on the first error.
func (e *env) do(steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		e.fail("%v", err)
	}
}

// get runs one browser step that returns a value.
func get[T any](e *env, a chromedp.Action[T]) T {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		e.fail("%v", err)
	}
	return v
}

// follow runs steps that load a page (a click on a link or a submit
// button, a key press), waits for the page and returns its HTTP status,
// after any redirect.
func (e *env) follow(steps ...chromedp.Action[chromedp.Void]) int {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		e.fail("%v", err)
	}
	return int(resp.Status)
}

// open loads the path and fails unless the page, after any redirect,
// answers 200.
func (e *env) open(path string) {
	e.t.Helper()
	if status := e.follow(chromedp.Navigate(e.base + path)); status != 200 {
		e.fail("GET %s: status %d, want 200", path, status)
	}
}

// submit clicks a form's submit button and returns the status of the page
// it leads to.
func (e *env) submit(form string) int {
	e.t.Helper()
	// A button without a type submits too.
	return e.follow(chromedp.Click(chromedp.CSS(form + ` button[type="submit"], ` + form + ` button:not([type])`)))
}

// path is the path of the page the tab shows, with its query.
func (e *env) path() string {
	e.t.Helper()
	loc := get(e, chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		e.fail("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// wantPath fails unless the tab shows the path (without query).
func (e *env) wantPath(want string) {
	e.t.Helper()
	if got, _, _ := strings.Cut(e.path(), "?"); got != want {
		e.fail("the browser is at %s, want %s", e.path(), want)
	}
}

// text is the rendered text of the first element matching the CSS
// selector, waiting for it to exist.
func (e *env) text(sel string) string {
	e.t.Helper()
	return strings.TrimSpace(get(e, chromedp.Text(chromedp.CSS(sel))))
}

// exists reports whether the page has an element matching the selector,
// without waiting.
func (e *env) exists(sel string) bool {
	e.t.Helper()
	q, _ := json.Marshal(sel)
	return get(e, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%s) !== null", q)))
}

// flash is the page's one-line message, or "".
func (e *env) flash() string {
	e.t.Helper()
	if !e.exists(".flash") {
		return ""
	}
	return e.text(".flash")
}

// typeInto fills a text field: clears it, then types like a user.
func (e *env) typeInto(sel, value string) {
	e.t.Helper()
	q, _ := json.Marshal(sel)
	// chromedp's Clear and SetValue refuse an empty field or value.
	e.do(chromedp.WaitReady(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.querySelector(%s).value = ''", q)),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// signIn fills in and submits the sign-in form and returns the status of
// the page it leads to.
func (e *env) signIn(email, pw string) int {
	e.t.Helper()
	e.open("/signin")
	e.typeInto("#email", email)
	e.typeInto("#password", pw)
	return e.submit(`form[action="/signin"]`)
}

// signOut presses the header's sign-out button and checks that it leads
// to the sign-in page.
func (e *env) signOut() {
	e.t.Helper()
	if status := e.submit(`form[action="/signout"]`); status != 200 {
		e.fail("sign out: status %d", status)
	}
	e.wantPath("/signin")
	if got := e.flash(); got != "You are signed out." {
		e.fail("flash after sign-out = %q", got)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// shot saves a full-page PNG of the tab as
// testoutput/screenshots/<test>-<name>.png.
func (e *env) shot(name string) {
	e.t.Helper()
	if e.shots {
		e.save(name, get(e, fullPage()))
	}
}

// fullPage captures the whole page, beyond the viewport, as a PNG encoded
// for speed rather than size: long pages (the audit log) are slow to
// encode otherwise.
func fullPage() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			CaptureBeyondViewport: new(true),
			FromSurface:           new(true),
			OptimizeForSpeed:      new(true),
		})
		return r.Data, err
	}
}

// shotFile is the file of the test's screenshot called name.
func (e *env) shotFile(name string) string {
	return filepath.Join(shotDir, unsafeName.ReplaceAllString(e.t.Name()+"-"+name, "_")+".png")
}

func (e *env) save(name string, png []byte) {
	e.t.Helper()
	file := e.shotFile(name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		e.t.Fatalf("save screenshot: %v", err)
	}
	e.t.Logf("screenshot %s", file)
}

// failedShot names the screenshot fail saves; each test starts by removing
// the one an earlier run may have left.
const failedShot = "FAILED"

// fail saves a screenshot of the page as it is and ends the test with the
// message and the page's address.
func (e *env) fail(format string, args ...any) {
	e.t.Helper()
	msg := fmt.Sprintf(format, args...)
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		msg += " (page " + loc + ")"
	}
	if png, err := chromedp.Run(ctx, fullPage()); err == nil {
		e.save(failedShot, png)
	}
	e.t.Fatal(msg)
}
