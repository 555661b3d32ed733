package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
)

// TestTasksList: 120 tasks come 50 to a page with the count, the sort and
// the filters kept in every link, and a CSV of everything the filters
// match with formula cells defused.
func TestTasksList(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		dana := strconv.FormatInt(u.users[uManager].ID, 10)
		var tasks []*attest.Task
		for i := range 120 {
			title := fmt.Sprintf("Review firewall rule %03d", i)
			if i == 7 {
				title = "=HYPERLINK(\"https://evil.example\")"
			}
			tasks = append(tasks, &attest.Task{Title: title, OwnerID: u.users[uManager].ID, DueDate: attest.Date(fmt.Sprintf("2027-%02d-%02d", 1+i%12, 1+i%28))})
		}
		if err := u.db.ImportTasks(ctx, u.orgA, tasks); err != nil {
			t.Fatal(err)
		}
		b := u.signIn(t, uManager)
		p := b.get(t, "/tasks?owner="+dana+"&sort=title")
		wantStatus(t, "the tasks list", p, http.StatusOK, "")
		doc := p.doc(t)
		if n := doc.Find("table.tasks tbody tr").Length(); n != attest.DefaultPageSize {
			t.Errorf("first page has %d rows, want %d", n, attest.DefaultPageSize)
		}
		if m := doc.Find(".list-meta").Text(); !strings.Contains(m, "120 tasks match") || !strings.Contains(m, "page 1 of 3") {
			t.Errorf("list meta %q", m)
		}
		first := doc.Find("table.tasks tbody tr td").First().Text()
		if first != "=HYPERLINK(\"https://evil.example\")" { // '=' sorts before letters
			t.Errorf("first row by title %q", first)
		}
		next, _ := doc.Find(`a[rel="next"]`).Attr("href")
		nq := mustQuery(t, next)
		if nq.Get("page") != "2" || nq.Get("owner") != dana || nq.Get("sort") != "title" {
			t.Errorf("next page link %q loses the filters or the sort", next)
		}
		sortLink, _ := doc.Find(`th[aria-sort="ascending"] a`).Attr("href")
		if sq := mustQuery(t, sortLink); sq.Get("dir") != "desc" || sq.Get("owner") != dana {
			t.Errorf("the sorted column's link %q does not reverse the sort", sortLink)
		}
		last := b.get(t, "/tasks?owner="+dana+"&sort=title&page=3").doc(t)
		if n := last.Find("table.tasks tbody tr").Length(); n != 20 {
			t.Errorf("last page has %d rows, want 20", n)
		}
		wantStatus(t, "an unknown sort", b.get(t, "/tasks?sort=notes"), http.StatusUnprocessableEntity, "")

		csvLink, _ := doc.Find("a.csv").Attr("href")
		res := b.get(t, csvLink)
		wantStatus(t, "the CSV", res, http.StatusOK, "")
		rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 121 || rows[0][1] != "title" {
			t.Fatalf("CSV has %d rows (header %v), want a header and 120", len(rows), rows[0])
		}
		if rows[1][1] != "'=HYPERLINK(\"https://evil.example\")" {
			t.Errorf("a formula cell is exported as %q", rows[1][1])
		}
	})
}

// TestControlsList: the controls list searches, sorts by a clicked column
// and pages, and the API takes limit and offset and counts the matches.
func TestControlsList(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		b := u.signIn(t, uViewer)
		doc := b.get(t, "/controls?q=gov-0&sort=id&dir=desc").doc(t)
		ids := doc.Find("table.controls tbody tr td:first-child a").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if len(ids) < 2 || ids[0] < ids[1] {
			t.Errorf("search gov-0 by ID descending: %v", ids)
		}
		for _, id := range ids {
			if !strings.HasPrefix(id, "GOV-0") {
				t.Errorf("search gov-0 shows %s", id)
			}
		}
		if v, _ := doc.Find("#f-q").Attr("value"); v != "gov-0" {
			t.Errorf("the search field holds %q", v)
		}
		csvBody := b.get(t, "/controls.csv?q=gov-0").body
		if n := strings.Count(csvBody, "\nGOV-0"); n != len(ids) {
			t.Errorf("CSV has %d GOV-0 rows, the page %d", n, len(ids))
		}

		e := u.env
		all := e.do(t, "GET", "/api/v1/controls", viewerA, "")
		var every []map[string]any
		if err := json.Unmarshal(all.body, &every); err != nil {
			t.Fatal(err)
		}
		r := e.do(t, "GET", "/api/v1/controls?limit=5&offset=5&sort=name", viewerA, "")
		var page []map[string]any
		if err := json.Unmarshal(r.body, &page); err != nil || r.status != 200 {
			t.Fatalf("API page: %d %v", r.status, err)
		}
		if len(page) != 5 || r.header.Get("X-Total-Count") != fmt.Sprint(len(every)) {
			t.Errorf("API page of 5: %d items, total %q, want 5 of %d", len(page), r.header.Get("X-Total-Count"), len(every))
		}
		r = e.do(t, "GET", "/api/v1/controls?criterion=cc6.1", viewerA, "")
		if r.status != 200 || !strings.Contains(string(r.body), `"CC6.1"`) {
			t.Errorf("API criterion cc6.1 = %d", r.status)
		}
		r = e.do(t, "GET", "/api/v1/tasks?limit=1", viewerA, "")
		if r.status != 200 || r.header.Get("X-Total-Count") != "2" || strings.Count(string(r.body), `"title"`) != 1 {
			t.Errorf("API tasks limit 1 = %d, total %q: %s", r.status, r.header.Get("X-Total-Count"), r.body)
		}
		for _, bad := range []string{"limit=-1", "limit=501", "offset=x", "sort=notes"} {
			if r := e.do(t, "GET", "/api/v1/tasks?"+bad, viewerA, ""); r.status != 400 {
				t.Errorf("API tasks ?%s = %d, want 400", bad, r.status)
			}
		}
	})
}

func mustQuery(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	return u.Query()
}
