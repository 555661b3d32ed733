package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestLoadUI checks the start-up parse: every file in templates/pages is a
// page defining its content, and every static file is served under a URL
// carrying its content's hash.
func TestLoadUI(t *testing.T) {
	u, err := loadUI()
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(uiFiles, "templates/pages/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("page files %v: %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		page, ok := u.pages[name]
		switch {
		case !ok:
			t.Errorf("%s has no parsed page", f)
		case page.Lookup("content") == nil:
			t.Errorf("%s does not define its content", f)
		}
	}
	if len(u.pages) != len(files) {
		t.Errorf("%d parsed pages for %d files", len(u.pages), len(files))
	}
	for name, url := range u.assetURLs {
		data, err := fs.ReadFile(uiFiles, "static/"+name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if !strings.Contains(url, hex.EncodeToString(sum[:6])) {
			t.Errorf("%s is served at %s, which lacks its content hash", name, url)
		}
	}
}

// TestSetupWizard takes a new organization's admin through the first-run
// wizard: bad input creates nothing, good input makes the dashboard.
func TestSetupWizard(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		org := &attest.Organization{Name: "Org C"}
		if err := u.db.CreateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		admin := &attest.User{OrgID: org.ID, Email: "cara@c.example", Name: "Cara", Role: attest.RoleAdmin, Active: true}
		if admin.PasswordHash, _ = attest.HashPassword(uiPassword); u.db.CreateUser(ctx, admin) != nil {
			t.Fatal("create C's admin")
		}
		b := u.client(t)
		b.signInAs(t, admin.Email, "/")
		wantStatus(t, "the dashboard before setup", b.get(t, "/"), http.StatusSeeOther, "/setup")
		p := b.get(t, "/setup")
		wantStatus(t, "the wizard", p, http.StatusOK, "")
		form := formValues(p.doc(t).Find(`form[action="/setup"]`))
		if form.Get("csrf") == "" || form.Get("report_type") != "type2" {
			t.Fatalf("the wizard's form: %v", form)
		}
		b.csrf = form.Get("csrf")
		form.Set("org_name", "Cara Corp")
		form.Set("name", "First audit")
		form.Set("window_start", "2026-06-30")
		form.Set("window_end", "2026-01-01")
		form.Set("system_name", "Web app")
		// The form comes back as typed, the reason beside the window's end.
		p = b.post(t, "/setup", form)
		wantStatus(t, "a window that ends before it starts", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "#setup-form", map[string]string{"org_name": "Cara Corp", "name": "First audit",
			"window_start": "2026-06-30", "window_end": "2026-01-01", "system_name": "Web app"}, "window_end", "before it starts")
		engs, err := u.db.FindEngagements(ctx, org.ID)
		if err != nil || len(engs) != 0 {
			t.Fatalf("engagements after bad input: %v, %v", engs, err)
		}
		if o, _ := u.db.FindOrganization(ctx, org.ID); o.Name != "Org C" {
			t.Errorf("bad input renamed the organization to %q", o.Name)
		}

		// The first system's owner is chosen among the members who may own
		// things: the auditor is not offered, and is refused if posted.
		aud := &attest.User{OrgID: org.ID, Email: "aud@cpa.example", Name: "Cara", Role: attest.RoleAuditor, Active: true}
		if err := u.db.CreateUser(ctx, aud); err != nil {
			t.Fatal(err)
		}
		owners := b.get(t, "/setup").doc(t).Find(`select[name="system_owner"] option`)
		if owners.Length() != 2 || owners.Eq(1).AttrOr("value", "") != fmt.Sprint(admin.ID) {
			t.Errorf("system owner choices %q; want nobody and Cara the admin, not the auditor", owners.Text())
		}
		form.Set("window_start", "2026-01-01")
		form.Set("window_end", "2026-06-30")
		form.Set("system_owner", fmt.Sprint(aud.ID))
		p = b.post(t, "/setup", form)
		wantStatus(t, "an auditor as the system's owner", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "#setup-form", map[string]string{"org_name": "Cara Corp", "name": "First audit",
			"system_name": "Web app", "system_owner": fmt.Sprint(aud.ID)}, "system_owner", "auditor")
		if engs, _ := u.db.FindEngagements(ctx, org.ID); len(engs) != 0 {
			t.Fatalf("an auditor-owned system created %d engagements", len(engs))
		}
		form.Set("system_owner", fmt.Sprint(admin.ID))
		wantStatus(t, "good input", b.post(t, "/setup", form), http.StatusSeeOther, "/")
		p = b.get(t, "/")
		wantStatus(t, "the dashboard after setup", p, http.StatusOK, "")
		doc := p.doc(t)
		if h := doc.Find("main h1").Text(); h != "First audit" {
			t.Errorf("dashboard heading %q", h)
		}
		if who := doc.Find(".who span").Text(); !strings.HasSuffix(who, "Cara Corp") {
			t.Errorf("header %q does not name the renamed organization", who)
		}
		if doc.Find("#overall-score").Length() != 1 {
			t.Error("the dashboard has no readiness score")
		}
		e, err := u.db.CurrentEngagement(ctx, org.ID)
		if err == nil {
			e, err = u.db.FindEngagementByID(ctx, org.ID, e.ID)
		}
		if err != nil || e.Name != "First audit" || e.WindowEnd != "2026-06-30" || len(e.Systems) != 1 || e.Systems[0].Name != "Web app" ||
			e.Systems[0].OwnerID != admin.ID || e.Systems[0].Owner == nil {
			t.Fatalf("engagement after setup: %+v, %v", e, err)
		}
		if engs, _ = u.db.FindEngagements(ctx, org.ID); len(engs) != 1 {
			t.Errorf("%d engagements after setup, want 1", len(engs))
		}
	})
}

// TestControlWorkflow has a control owner set their control's status
// through the control page's own form and watches the dashboard score.
func TestControlWorkflow(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		b := u.signIn(t, uOwner)
		score := func() float64 {
			t.Helper()
			txt := strings.TrimSpace(b.get(t, "/").doc(t).Find("#overall-score .big").Text())
			f, err := strconv.ParseFloat(strings.TrimSuffix(txt, "%"), 64)
			if err != nil {
				t.Fatalf("dashboard score %q: %v", txt, err)
			}
			return f
		}
		controlForm := func() url.Values {
			t.Helper()
			doc := b.get(t, "/controls/GOV-01").doc(t)
			if doc.Find("#control-form").Length() != 1 {
				t.Fatal("the owner's control page has no form")
			}
			return formValues(doc.Find("#control-form"))
		}
		before := score()
		form := controlForm()
		form.Set("status", string(attest.Implemented))
		wantStatus(t, "set implemented", b.post(t, "/controls/GOV-01", form), http.StatusSeeOther, "/controls/GOV-01")
		p := b.get(t, "/controls/GOV-01")
		if st := p.doc(t).Find("#control-status").Text(); st != "implemented" {
			t.Errorf("control status shows %q", st)
		}
		after := score()
		if after <= before {
			t.Errorf("score %.1f after implementing GOV-01, was %.1f", after, before)
		}

		form = controlForm()
		form.Set("status", string(attest.NotApplicable))
		form.Set("justification", "  ")
		form.Set("notes", "typed before the refusal")
		p = b.post(t, "/controls/GOV-01", form)
		wantStatus(t, "not applicable without justification", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "#control-form", map[string]string{"status": "not_applicable", "notes": "typed before the refusal"},
			"justification", "only with a justification")
		if c, err := u.db.FindControlByID(ctx, u.orgA, "GOV-01"); err != nil || c.Status != attest.Implemented || c.OwnerID != u.alice.ID {
			t.Errorf("GOV-01 after the refused change: %+v, %v", c, err)
		}
		if s := score(); s != after {
			t.Errorf("score %.1f after a refused change, want %.1f", s, after)
		}
	})
}
