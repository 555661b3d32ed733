package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// TestPullRequestImportForm: the changes page offers the code-hosting
// integration; importing records its merged pull requests once, and an
// unknown control is refused beside its field with what was typed kept.
func TestPullRequestImportForm(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		in := &attest.Integration{Kind: "github", Name: "github-a", Settings: map[string]string{}}
		if err := u.db.CreateIntegration(ctx, u.orgA, in); err != nil {
			t.Fatal(err)
		}
		if err := u.db.ReplaceResources(ctx, u.orgA, in.ID, 2, []collect.Resource{
			{Type: "github.member", ID: "1", Name: "alice-gh", Attributes: map[string]any{"login": "alice-gh", "email": ownerA}},
			{Type: attest.ResourcePullRequestType, ID: "a/app#3", Attributes: map[string]any{"title": "Pin dependencies", "repository": "a/app",
				"author": "alice-gh", "approvers": []string{"alice-gh"}, "merged_at": "2026-02-02T09:00:00Z"}},
		}); err != nil {
			t.Fatal(err)
		}
		b := u.signIn(t, uAdmin)
		if d := b.get(t, "/changes").doc(t); d.Find(fmt.Sprintf(`#pull-request-form option[value="%d"]`, in.ID)).Length() != 1 {
			t.Fatal("the changes page does not offer the integration's pull requests")
		}
		p := b.post(t, "/changes/pull-requests", url.Values{"integration": {fmt.Sprint(in.ID)}, "control_id": {"NOPE-9"}})
		if p.status != refusedStatus || !strings.Contains(p.body, `id="control_id-error"`) || !strings.Contains(p.body, `value="NOPE-9"`) {
			t.Errorf("an unknown control: %d %.300s", p.status, p.body)
		}
		for i := range 2 {
			p = b.post(t, "/changes/pull-requests", url.Values{"integration": {fmt.Sprint(in.ID)}, "control_id": {"CHG-02"}})
			want := []string{"1 new changes", "0 new changes"}[i]
			if p.status != http.StatusSeeOther || !strings.Contains(b.get(t, p.location()).body, want) {
				t.Errorf("import %d: %d, want %q", i+1, p.status, want)
			}
		}
		if body := b.get(t, "/changes?q=pin").body; !strings.Contains(body, "Pin dependencies") || !strings.Contains(body, "unapproved") {
			t.Error("the self-approved pull request is not listed as an unapproved change")
		}
	})
}
