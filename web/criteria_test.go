package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/attest-dev/attest"
)

// TestCriteriaPageBounded: a criterion with many controls shows a few of
// them and links to the rest, so the criteria page does not grow with the
// organization's controls.
func TestCriteriaPageBounded(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		b := u.signIn(t, uManager)
		size := func() (int, int) {
			p := b.get(t, "/criteria")
			wantStatus(t, "criteria", p, http.StatusOK, "")
			return len(p.body), p.doc(t).Find(`a.chip`).Length()
		}
		before, chipsBefore := size()
		for i := range 60 {
			c := &attest.Control{ID: fmt.Sprintf("BIG-%02d", i), Name: "Many", Frequency: attest.Monthly, Criteria: []string{"CC1.1"}}
			if err := u.db.CreateControl(ctx, u.orgA, c); err != nil {
				t.Fatal(err)
			}
		}
		p := b.get(t, "/criteria")
		doc := p.doc(t)
		row := doc.Find(`a[href="/criteria/CC1.1"]`).First().Closest("tr")
		if n := row.Find("a.chip").Length(); n != criteriaChips {
			t.Errorf("CC1.1 shows %d controls, want %d", n, criteriaChips)
		}
		more := row.Find("a.more")
		if more.Length() != 1 || more.AttrOr("href", "") != "/criteria/CC1.1" {
			t.Errorf("CC1.1 has no link to the rest of its controls: %q", more.Text())
		}
		after, chipsAfter := len(p.body), doc.Find(`a.chip`).Length()
		if chipsAfter > chipsBefore+criteriaChips || after > before+2000 {
			t.Errorf("60 more controls took the page from %d to %d bytes and %d to %d control links", before, after, chipsBefore, chipsAfter)
		}
	})
}
