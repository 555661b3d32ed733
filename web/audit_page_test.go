package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
)

// TestAuditPage: an entry shows the fields its change touched, before and
// after, not raw JSON; the filters keep their values and the link to older
// entries keeps the filters.
func TestAuditPage(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := attest.WithActor(context.Background(), "user:max@a.example")
		impl, owner := attest.Implemented, u.users[uManager].ID
		if _, err := u.db.UpdateControl(ctx, u.orgA, "GOV-01", attest.ControlUpdate{Status: &impl, OwnerID: &owner}); err != nil {
			t.Fatal(err)
		}
		for i := range 105 { // more than a page of task entries
			if err := u.db.CreateTask(ctx, u.orgA, &attest.Task{Title: fmt.Sprintf("Task %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		b := u.signIn(t, uAdmin)
		p := b.get(t, "/audit?action=control.update&entity_id=GOV-01")
		wantStatus(t, "the audit log", p, http.StatusOK, "")
		doc := p.doc(t)
		changes := doc.Find("table.audit tbody tr").First().Find("ul.changes li")
		var got []string
		changes.Each(func(_ int, s *goquery.Selection) { got = append(got, strings.Join(strings.Fields(s.Text()), " ")) })
		want := []string{"owner: Alice Owner → Max Manager", "status: in_progress → implemented"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("changes %q, want %q", got, want)
		}
		if v, _ := doc.Find("#f-entity-id").Attr("value"); v != "GOV-01" {
			t.Errorf("the ID filter holds %q", v)
		}
		doc = b.get(t, "/audit?action=task.create").doc(t)
		if n := doc.Find("table.audit tbody tr").Length(); n != 100 {
			t.Errorf("first page has %d entries, want 100", n)
		}
		// A creation shows the values set, without arrows.
		var created []string
		doc.Find("table.audit tbody tr").First().Find("ul.changes li").Each(func(_ int, s *goquery.Selection) {
			created = append(created, strings.Join(strings.Fields(s.Text()), " "))
		})
		if j := strings.Join(created, "|"); !strings.HasSuffix(j, "|status: open|title: Task 104") || strings.Contains(j, "→") {
			t.Errorf("a creation shows %q", created)
		}
		older, _ := doc.Find(`a[rel="next"]`).Attr("href")
		if q := mustQuery(t, older); q.Get("action") != "task.create" || q.Get("before") == "" {
			t.Fatalf("older entries link %q loses the filter", older)
		}
		doc = b.get(t, older).doc(t)
		if n := doc.Find("table.audit tbody tr").Length(); n < 6 {
			t.Errorf("second page has %d entries", n)
		}
		if v, _ := doc.Find("#f-action").Attr("value"); v != "task.create" {
			t.Errorf("the action filter holds %q on the second page", v)
		}
	})
}
