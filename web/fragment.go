package web

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// fragment builds the rows of the busiest lists in Go instead of in a
// template. html/template calls its escapers through reflection, several
// calls and allocations per value, which made a page of 50 controls cost
// 7,700 allocations; here a value is escaped once, in place. Only two
// methods take markup: raw, for constant markup written in this package, and
// html, for values already typed as safe HTML. Every other value goes
// through text or attr, which escape it.
type fragment struct{ b strings.Builder }

// escaper escapes text for an HTML element's content or a quoted attribute
// value: & < > " ' (as html/template's own HTMLEscapeString does).
var escaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;", "\x00", "\uFFFD")

// raw writes constant markup.
func (f *fragment) raw(markup string) *fragment { f.b.WriteString(markup); return f }

// text writes a value as escaped text; it is also safe inside a quoted
// attribute value.
func (f *fragment) text(s string) *fragment { escaper.WriteString(&f.b, s); return f }

// seg writes a value as one escaped segment of a URL path.
func (f *fragment) seg(s string) *fragment { return f.text(url.PathEscape(s)) }

// html writes HTML that was built safely elsewhere.
func (f *fragment) html(h template.HTML) *fragment { f.b.WriteString(string(h)); return f }

// done returns what was built, safe HTML for a template.
func (f *fragment) done() template.HTML { return template.HTML(f.b.String()) }

// pctText is a percentage as the pages show it.
func pctText(f float64) string { return fmt.Sprintf("%.1f%%", f) }

// categoryRows is the body of the dashboard's table of categories.
func categoryRows(cats []attest.CategoryReadiness, coverage map[string]float64) template.HTML {
	var f fragment
	for _, c := range cats {
		f.raw(`<tr><th scope="row"><a href="/criteria#`).text(c.ID).raw(`">`).text(c.Name).raw(`</a></th><td data-category="`).text(c.ID).raw(`">`).text(pctText(c.Score)).
			raw(`</td><td class="hide-sm">`).html(scoreBar(c.Score)).raw(`</td><td>`).text(fmt.Sprint(c.Ready)).raw(`</td><td>`).text(fmt.Sprint(c.Partial)).
			raw(`</td><td>`).text(fmt.Sprint(c.Gap)).raw(`</td><td data-coverage="`).text(c.ID).raw(`">`).text(pctText(coverage[c.ID])).raw(`</td></tr>`)
	}
	return f.done()
}

// gapItems is the dashboard's list of gaps.
func gapItems(gaps []attest.GapItem) template.HTML {
	if len(gaps) == 0 {
		return `<li>No gaps.</li>`
	}
	var f fragment
	for _, g := range gaps {
		f.raw(`<li><span class="badge `).text(g.Kind).raw(`">`).text(strings.ReplaceAll(g.Kind, "_", " ")).raw(`</span> `).text(g.Message).raw("</li>")
	}
	return f.done()
}

// navLink is one entry of the main navigation: shown when show allows it,
// marked current when the page's Nav is one of current.
type navLink struct {
	href, label string
	current     []string
	show        func(p *attest.Principal, now time.Time) bool
}

// navGroup is an entry of the main navigation that opens a menu of links;
// a group with one visible link is shown as that link.
type navGroup struct {
	label string
	links []navLink
}

func canDo(a attest.Action) func(*attest.Principal, time.Time) bool {
	return func(p *attest.Principal, now time.Time) bool { return p.Can(a, now) }
}

var always = func(*attest.Principal, time.Time) bool { return true }

// navGroups is the main navigation, in order: the program (what the audit
// is about), the records registers, and single links. Seven entries fit a
// phone's width on two lines where sixteen took four.
var navGroups = []navGroup{
	{"", []navLink{{"/", "Dashboard", []string{"dashboard"}, always}}},
	{"Program", []navLink{
		{"/engagements", "Engagements", []string{"engagement"}, canDo(attest.ReadData)},
		{"/criteria", "Criteria", []string{"criteria"}, canDo(attest.ReadData)},
		{"/controls", "Controls", []string{"controls"}, canDo(attest.ReadData)},
		{"/tasks", "Tasks", []string{"tasks"}, canDo(attest.ReadData)},
		{"/evidence", "Evidence", []string{"evidence"}, canDo(attest.ReadData)},
	}},
	{"Records", []navLink{
		{"/risks", "Risks", []string{"risks"}, canDo(attest.ReadData)},
		{"/vendors", "Vendors", []string{"vendors"}, canDo(attest.ReadData)},
		{"/assets", "Assets", []string{"assets"}, canDo(attest.ReadData)},
		{"/incidents", "Incidents", []string{"incidents"}, canDo(attest.ReadData)},
		{"/people", "People and records", []string{"records"}, canDo(attest.ReadData)},
	}},
	{"", []navLink{{"/monitoring", "Monitoring", []string{"monitoring", "integrations"}, canDo(attest.ReadData)}}},
	{"", []navLink{{"/my-training", "My training", []string{"my-training"}, func(p *attest.Principal, now time.Time) bool {
		return p.Can(attest.AcknowledgePolicy, now) && !p.Can(attest.ReadData, now)
	}}}},
	{"", []navLink{{"/policies", "Policies", []string{"policies"}, canDo(attest.ReadPolicies)}}},
	{"", []navLink{{"/audit", "Audit log", []string{"audit"}, canDo(attest.ReadAuditLog)}}},
	{"", []navLink{{"/settings", "Settings", []string{"settings"}, canDo(attest.ManageOrg)}}},
}

// navHTML is the main navigation's list items for the principal, with the
// page's entry (and the menu holding it) marked current.
func navHTML(p *attest.Principal, nav string) template.HTML {
	var f fragment
	now := time.Now()
	link := func(l navLink) {
		f.raw(`<li><a href="`).raw(l.href).raw(`"`)
		if slices.Contains(l.current, nav) {
			f.raw(` aria-current="page"`)
		}
		f.raw(`>`).raw(l.label).raw("</a></li>\n")
	}
	for _, g := range navGroups {
		var shown []navLink
		current := false
		for _, l := range g.links {
			if l.show(p, now) {
				shown = append(shown, l)
				current = current || slices.Contains(l.current, nav)
			}
		}
		switch {
		case len(shown) == 0:
		case len(shown) == 1:
			link(shown[0])
		default:
			f.raw(`<li class="menu"><details><summary`)
			if current {
				f.raw(` class="current"`)
			}
			f.raw(`>`).raw(g.label).raw("</summary>\n<ul>\n")
			for _, l := range shown {
				link(l)
			}
			f.raw("</ul></details></li>\n")
		}
	}
	return f.done()
}

// taskRows is the body of a table of tasks; with canEdit, each open task
// has a button that closes it and comes back to back.
func taskRows(tasks []*attest.Task, today attest.Date, canEdit bool, csrf, back string) template.HTML {
	if len(tasks) == 0 {
		return `<tr><td colspan="6">No tasks.</td></tr>`
	}
	var f fragment
	f.b.Grow(len(tasks) * 500)
	for _, t := range tasks {
		id := fmt.Sprint(t.ID)
		f.raw("<tr>\n<td><a href=\"/tasks/").raw(id).raw(`">`).text(t.Title).raw("</a></td>\n")
		f.raw(`<td><span class="badge `).text(string(t.Status)).raw(`">`).text(strings.ReplaceAll(string(t.Status), "_", " ")).raw("</span></td>\n<td>")
		if t.DueDate == "" {
			f.raw("—")
		} else {
			f.text(string(t.DueDate))
		}
		if t.Overdue(today) {
			f.raw(` <span class="badge bad">overdue</span>`)
		}
		f.raw("</td>\n<td>").html(ownerHTML(t.Owner, t.OwnerNote)).raw("</td>\n<td class=\"hide-sm\">")
		if t.ControlID != "" {
			f.raw(`<a href="/controls/`).seg(t.ControlID).raw(`">`).text(t.ControlID).raw("</a>")
		}
		f.raw("</td>\n")
		if canEdit {
			f.raw("<td>")
			if t.Status != attest.TaskDone {
				f.raw(`<form method="post" action="/tasks/`).raw(id).raw(`" class="inline"><input type="hidden" name="csrf" value="`).text(csrf).
					raw(`"><input type="hidden" name="status" value="done"><input type="hidden" name="back" value="`).text(back).raw(`"><button class="link">Close</button></form>`)
			}
			f.raw("</td>")
		}
		f.raw("\n</tr>")
	}
	return f.done()
}
