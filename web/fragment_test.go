package web

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
)

// TestControlRowsEscape: the controls table's rows, built in Go, show
// hostile names and owner notes as text, in elements and in attributes.
func TestControlRowsEscape(t *testing.T) {
	for _, payload := range append(xssPayloads, `a & b < c`, "'\"&<>") {
		c := &attest.Control{ID: "GOV-01", Name: payload, Status: attest.InProgress, Frequency: attest.Quarterly,
			OwnerNote: payload, Criteria: []string{"CC1.1", "CC2.1"}}
		owned := &attest.Control{ID: "GOV 02/x", Name: "n", Status: attest.Implemented, Owner: &attest.Person{ID: 1, Name: payload, Email: payload}}
		html := `<table><tbody>` + string(controlRows([]*attest.Control{c, owned}, true)) + `</tbody></table>`
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("script").Length(); n != 0 {
			t.Fatalf("%q: %d script elements", payload, n)
		}
		row := doc.Find("tr").First()
		cells := row.Find("td")
		if got := cells.Eq(1).Text(); got != "GOV-01 "+payload {
			t.Errorf("name cell %q, want %q", got, "GOV-01 "+payload)
		}
		if got := cells.Eq(2).Text(); got != "in progress" {
			t.Errorf("status cell %q", got)
		}
		if got := cells.Eq(3).Text(); got != payload+" (not a member)" {
			t.Errorf("owner cell %q", got)
		}
		if got := cells.Eq(4).Text(); got != "quarterly" {
			t.Errorf("frequency cell %q", got)
		}
		if got := cells.Eq(5).Text(); got != "CC1.1, CC2.1" {
			t.Errorf("criteria cell %q", got)
		}
		if v, _ := row.Find(`input[type=checkbox]`).Attr("value"); v != "GOV-01" {
			t.Errorf("checkbox value %q", v)
		}
		second := doc.Find("tr").Eq(1)
		if href, _ := second.Find("a").Attr("href"); href != "/controls/GOV%2002%2Fx" {
			t.Errorf("link %q", href)
		}
		if title, _ := second.Find("span.person").Attr("title"); title != payload {
			t.Errorf("owner title %q, want %q", title, payload)
		}
		for _, n := range doc.Find("*").Nodes {
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%q: attribute %s escaped its quotes", payload, a.Key)
				}
			}
		}
	}
	if got := controlRows(nil, false); !strings.Contains(string(got), "No control matches.") {
		t.Errorf("empty list: %s", got)
	}
}

// TestNav: each role sees the entries of the main navigation its
// permissions allow, in order, with the page's entry marked current.
func TestNav(t *testing.T) {
	links := func(role, nav string) (hrefs []string, current string) {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader("<ul>" + string(navHTML(&attest.Principal{Role: role}, nav)) + "</ul>"))
		if err != nil {
			t.Fatal(err)
		}
		doc.Find("a").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			hrefs = append(hrefs, href)
			if v, ok := a.Attr("aria-current"); ok && v == "page" {
				current += href
			}
		})
		return hrefs, current
	}
	admin, cur := links(attest.RoleAdmin, "integrations")
	if want := "/ /engagements /criteria /controls /tasks /evidence /risks /vendors /assets /incidents /people /monitoring /policies /audit /settings"; strings.Join(admin, " ") != want {
		t.Errorf("admin sees %v, want %s", admin, want)
	}
	if cur != "/monitoring" {
		t.Errorf("integrations page marks %q current", cur)
	}
	emp, cur := links(attest.RoleEmployee, "my-training")
	if strings.Join(emp, " ") != "/ /my-training /policies" || cur != "/my-training" {
		t.Errorf("employee sees %v (current %q)", emp, cur)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader("<ul>" + string(navHTML(&attest.Principal{Role: attest.RoleAdmin}, "vendors")) + "</ul>"))
	var menus []string
	doc.Find("li.menu > details > summary").Each(func(_ int, s *goquery.Selection) {
		menus = append(menus, s.Text()+"="+s.AttrOr("class", ""))
	})
	if strings.Join(menus, " ") != "Program= Records=current" {
		t.Errorf("admin's menus %v: want Program, and Records marked current on the vendors page", menus)
	}
	if n := doc.Find("nav, ul").First().Children().Length(); n != 7 {
		t.Errorf("admin's navigation has %d top entries, want 7", n)
	}
	viewer, _ := links(attest.RoleViewer, "")
	if strings.Contains(strings.Join(viewer, " "), "/settings") || !strings.Contains(strings.Join(viewer, " "), "/controls") {
		t.Errorf("viewer sees %v", viewer)
	}
}

// TestTaskRows: a task table's rows show hostile titles, owners and return
// addresses as text; open tasks get a close button when the viewer may edit.
func TestTaskRows(t *testing.T) {
	today := attest.Date("2026-06-01")
	for _, payload := range append(xssPayloads, `a & b < c`) {
		tasks := []*attest.Task{
			{ID: 7, Title: payload, Status: attest.TaskOpen, DueDate: "2026-05-01", OwnerNote: payload, ControlID: "GOV-01"},
			{ID: 8, Title: "done", Status: attest.TaskDone},
		}
		back := "/tasks?q=" + payload
		doc, err := goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + string(taskRows(tasks, today, true, "tok\"en", back)) + "</tbody></table>"))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Find("script").Length() != 0 {
			t.Fatalf("%q: a script element", payload)
		}
		first := doc.Find("tr").First().Find("td")
		if got := first.Eq(0).Text(); got != payload {
			t.Errorf("title %q", got)
		}
		if got := first.Eq(2).Text(); got != "2026-05-01 overdue" {
			t.Errorf("due %q", got)
		}
		if got := first.Eq(3).Text(); got != payload+" (not a member)" {
			t.Errorf("owner %q", got)
		}
		if v, _ := first.Find(`input[name=back]`).Attr("value"); v != back {
			t.Errorf("back %q, want %q", v, back)
		}
		if v, _ := first.Find(`input[name=csrf]`).Attr("value"); v != "tok\"en" {
			t.Errorf("csrf %q", v)
		}
		second := doc.Find("tr").Eq(1).Find("td")
		if second.Eq(2).Text() != "—" || second.Find("form").Length() != 0 {
			t.Errorf("a done task without a due date: %q, %d forms", second.Eq(2).Text(), second.Find("form").Length())
		}
		if n := doc.Find("tr").Eq(1).Find("td").Length(); n != 6 {
			t.Errorf("%d cells with the actions column", n)
		}
	}
	noEdit := taskRows([]*attest.Task{{ID: 1, Title: "x", Status: attest.TaskOpen}}, today, false, "", "")
	if strings.Contains(string(noEdit), "<form") {
		t.Errorf("rows for a viewer hold a form: %s", noEdit)
	}
}
