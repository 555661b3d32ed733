package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/demo"
	"github.com/attest-dev/attest/evpack"
	"github.com/chromedp/chromedp"
)

// The demo's auditor signs in, lands on the engagement granted to them,
// sees the signing key's fingerprint and downloads the package, which
// verifies with the organization's key and holds the published policies.
func TestAuditorDownloadsPackage(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		res, _ := e.demo()
		if err := demo.AttachFiles(ctx, e.db, e.blobs, res); err != nil {
			t.Fatal(err)
		}
		var aud *demo.Account
		for i, a := range res.Accounts {
			if a.Role == attest.RoleAuditor {
				aud = &res.Accounts[i]
			}
		}
		if aud == nil {
			t.Fatal("the demo has no auditor")
		}
		hash, err := passwordHash()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.SetPassword(ctx, res.Organization.ID, aud.UserID, hash); err != nil {
			t.Fatal(err)
		}

		if status := e.signIn(aud.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.wantPath("/")
		if got := e.text("main h1"); got != res.Engagement.Name {
			t.Fatalf("the auditor lands on %q, want the engagement %q", got, res.Engagement.Name)
		}
		e.shot("auditor-landing")
		pkg := fmt.Sprintf("/engagements/%d/package", res.Engagement.ID)
		if href := get(e, chromedp.Evaluate[string](`document.querySelector('#dashboard-package').getAttribute('href')`)); href != pkg {
			t.Fatalf("package link %q, want %q", href, pkg)
		}

		// The engagement page: the download beside the key's fingerprint.
		e.open(fmt.Sprintf("/engagements/%d", res.Engagement.ID))
		e.shot("auditor-engagement")
		fp := e.text("#package .fingerprint")

		// Download with the auditor's session, as the link does.
		b64 := get(e, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(r => {
			if (!r.ok) throw new Error("status " + r.status);
			return r.arrayBuffer();
		}).then(b => {
			let s = ""; const u = new Uint8Array(b);
			for (let i = 0; i < u.length; i += 32768) s += String.fromCharCode.apply(null, u.subarray(i, i + 32768));
			return btoa(s);
		})`, pkg), chromedp.EvalAwaitPromise))
		zip, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		public, _, err := e.db.SigningKey(ctx, res.Organization.ID)
		if err != nil {
			t.Fatal(err)
		}
		key, err := auditpack.ParsePublicKey(public)
		if err != nil {
			t.Fatal(err)
		}
		if fp != evpack.Fingerprint(key) {
			t.Errorf("the page shows fingerprint %q, the key's is %q", fp, evpack.Fingerprint(key))
		}
		rep, err := evpack.Verify(bytes.NewReader(zip), int64(len(zip)), evpack.VerifyOptions{PublicKey: key})
		if err != nil || !rep.OK {
			t.Fatalf("the downloaded package does not verify: %+v, %v", rep, err)
		}
		if rep.Meta.Engagement != res.Engagement.Name || !bytes.Contains(zip, []byte("policies/approvals.csv")) || !bytes.Contains(zip, []byte("scope.json")) {
			t.Errorf("package of %q lacks the records", rep.Meta.Engagement)
		}
	})
}

// The demo's dashboard draws its trend with dates on the axis, and the
// policy editor keeps Save right under the text, on a wide screen and on
// a phone.
func TestDashboardChartAndEditor(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		for _, vp := range []struct {
			name   string
			width  int64
			mobile bool
		}{{"wide", 1280, false}, {"phone", 390, true}} {
			if vp.mobile {
				e.do(chromedp.EmulateViewport(vp.width, 844, chromedp.EmulateMobile))
			} else {
				e.do(chromedp.EmulateViewport(vp.width, 900))
			}
			e.open("/")
			dates := get(e, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('svg.trend text.date')).map(t => t.textContent)`))
			if len(dates) < 3 || !strings.HasPrefix(dates[0], "20") || !strings.HasPrefix(dates[1], "20") {
				t.Errorf("%s: the trend's date axis shows %q; want the first and last dates and ticks between", vp.name, dates)
			}
			// The labels fit inside the chart and do not overlap.
			overlap := get(e, chromedp.Evaluate[string](`(() => {
				const svg = document.querySelector('svg.trend').getBoundingClientRect();
				const r = Array.from(document.querySelectorAll('svg.trend text.date')).map(t => t.getBoundingClientRect()).sort((a, b) => a.left - b.left);
				for (let i = 0; i < r.length; i++) {
					if (r[i].left < svg.left - 1 || r[i].right > svg.right + 1 || r[i].bottom > svg.bottom + 1) return "label " + i + " outside the chart";
					if (i > 0 && r[i].left < r[i-1].right + 2) return "labels " + (i-1) + " and " + i + " overlap";
				}
				return "";
			})()`))
			if overlap != "" {
				t.Errorf("%s: date axis: %s", vp.name, overlap)
			}
			e.shot("dashboard-chart-" + vp.name)
		}

		policies, err := e.db.FindPolicies(context.Background(), res.Organization.ID)
		if err != nil {
			t.Fatal(err)
		}
		var draft *attest.Policy
		for _, p := range policies {
			if p.PublishedVersion == "" {
				draft = p
				break
			}
		}
		if draft == nil {
			t.Fatal("the demo has no draft policy")
		}
		for _, vp := range []struct {
			name  string
			width int64
		}{{"wide", 1280}, {"phone", 390}} {
			e.do(chromedp.EmulateViewport(vp.width, 900))
			e.open(fmt.Sprintf("/policies/%d/edit", draft.ID))
			gap := get(e, chromedp.Evaluate[float64](`document.querySelector('#save-button').getBoundingClientRect().top - document.querySelector('textarea#body').getBoundingClientRect().bottom`))
			if gap < 0 || gap > 80 {
				t.Errorf("%s: the Save button is %.0f px below the text, want it right under it", vp.name, gap)
			}
			if txt := e.text("#preview"); !strings.Contains(txt, attest.SetWhenPublished) || strings.Contains(txt, "{{approver}}") {
				t.Errorf("%s: the draft's preview shows the approver as %q", vp.name, txt[:min(len(txt), 300)])
			}
			e.shot("policy-editor-" + vp.name)
		}
		e.do(chromedp.EmulateReset())
	})
}
