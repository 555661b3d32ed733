package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/chromedp/chromedp"
)

// The demo's admin opens a task from the list, edits its title, owner and
// due date on the task's page, and the history shows the change by name.
func TestEditTask(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		ctx := context.Background()
		org := res.Organization.ID
		tasks, err := e.db.FindTasks(ctx, org, attest.TaskFilter{Open: true})
		if err != nil || len(tasks) == 0 {
			t.Fatalf("demo tasks: %v", err)
		}
		task := tasks[0]
		kenji := res.People["Kenji Sato"]
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open("/tasks")
		path := fmt.Sprintf("/tasks/%d", task.ID)
		if status := e.follow(chromedp.Click(chromedp.CSS(`table.tasks a[href="` + path + `"]`))); status != 200 {
			t.Fatalf("open the task: status %d", status)
		}
		e.wantPath(path)
		e.shot("task")
		e.typeInto("#title", "Renamed in the browser")
		e.do(
			chromedp.SetValue(chromedp.CSS("#owner"), fmt.Sprint(kenji.ID)),
			chromedp.SetValue(chromedp.CSS("#due_date"), "2027-03-31"),
		)
		if status := e.submit("#task-form"); status != 200 {
			t.Fatalf("save: status %d", status)
		}
		e.wantPath(path)
		if got := e.flash(); got != "Task saved." {
			t.Errorf("flash %q", got)
		}
		if got := e.text("#task-title"); got != "Renamed in the browser" {
			t.Errorf("title %q", got)
		}
		if got := e.text("#task-owner"); got != "Kenji Sato" {
			t.Errorf("owner %q", got)
		}
		history := e.text("#task-history")
		for _, want := range []string{res.AdminName, "title", task.Title, "Renamed in the browser", "owner", "Kenji Sato", "2027-03-31"} {
			if !strings.Contains(history, want) {
				t.Errorf("history lacks %q: %s", want, history)
			}
		}
		e.shot("task-saved")
		got, err := e.db.FindTaskByID(ctx, org, task.ID)
		if err != nil || got.Title != "Renamed in the browser" || got.OwnerID != kenji.ID || got.DueDate != "2027-03-31" {
			t.Errorf("stored task %+v, %v", got, err)
		}
	})
}

// The demo's admin, a second approver of a policy draft, finds it on the
// dashboard, opens it and approves it; the to-do goes away.
func TestApproverToDo(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.wantPath("/")
		todo := e.text("#approvals")
		if !strings.Contains(todo, "Data Retention") {
			t.Fatalf("the dashboard's approvals: %q", todo)
		}
		e.shot("dashboard-approvals")
		if status := e.follow(chromedp.Click(chromedp.CSS("#approvals a"))); status != 200 {
			t.Fatalf("open the policy: status %d", status)
		}
		e.shot("policy-to-approve")
		if got := e.text("#policy-status"); got != "waiting for approval" {
			t.Errorf("policy status %q", got)
		}
		if status := e.follow(chromedp.Click(chromedp.CSS(`#decide-form button[value="approve"]`))); status != 200 {
			t.Fatalf("approve: status %d", status)
		}
		if got := e.text("#policy-status"); got != "approved — not yet published" {
			t.Errorf("after every approver approved, status %q", got)
		}
		e.shot("policy-approved")
		e.open("/")
		if e.exists("#approvals") {
			t.Errorf("the to-do stays after approving: %q", e.text("#approvals"))
		}
		_ = res
	})
}

// The demo's admin chooses a control's owner from the list of members;
// the page and the controls list show the person by name.
func TestChooseOwner(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		ctx := context.Background()
		const id = "PRI-13" // one of the demo's unowned controls
		amara := res.People["Amara Nwosu"]
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open("/controls/" + id)
		if got := e.text("#control-owner"); got != "—" {
			t.Errorf("owner before %q", got)
		}
		options := get(e, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#owner option")].map(o => o.textContent)`))
		for _, o := range options {
			if strings.Contains(o, "auditor") {
				t.Errorf("an auditor is offered as owner: %q", o)
			}
		}
		if len(options) < 5 {
			t.Errorf("owner choices %q", options)
		}
		e.do(chromedp.SetValue(chromedp.CSS("#owner"), fmt.Sprint(amara.ID)))
		e.shot("choose-owner")
		if status := e.submit("#control-form"); status != 200 {
			t.Fatalf("save: status %d", status)
		}
		if got := e.text("#control-owner"); got != "Amara Nwosu" {
			t.Errorf("owner after saving %q", got)
		}
		e.shot("owner-chosen")
		c, err := e.db.FindControlByID(ctx, res.Organization.ID, id)
		if err != nil || c.OwnerID != amara.ID {
			t.Errorf("stored %s: %+v, %v", id, c, err)
		}
		e.open(fmt.Sprintf("/controls?owner=%d", amara.ID))
		if got := e.text("table.controls tbody"); !strings.Contains(got, id) || !strings.Contains(got, "Amara Nwosu") {
			t.Errorf("the controls Amara owns: %q", got)
		}
	})
}

// The demo's admin hands a system in scope to another member from its row
// on the engagement's page; the row and the stored system show the change.
func TestSystemOwner(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		ctx := context.Background()
		eng := res.Engagement
		var sys *attest.System
		for _, s := range eng.Systems {
			if s.Name == "Google Workspace" {
				sys = s
			}
		}
		if sys == nil {
			t.Fatal("the demo engagement has no Google Workspace system")
		}
		kenji := res.People["Kenji Sato"]
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		path := fmt.Sprintf("/engagements/%d", eng.ID)
		e.open(path)
		form := fmt.Sprintf(`form[action="%s/systems/%d/owner"]`, path, sys.ID)
		e.do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#owner-change-%d summary", sys.ID))))
		e.shot("engagement-system-owner-open")
		e.do(chromedp.SetValue(chromedp.CSS(form+" select"), fmt.Sprint(kenji.ID)))
		if status := e.submit(form); status != 200 {
			t.Fatalf("change the owner: status %d", status)
		}
		e.wantPath(path)
		if got := e.flash(); got != "Owner changed." {
			t.Errorf("flash %q", got)
		}
		chosen := get(e, chromedp.Evaluate[string](fmt.Sprintf(`(s => s.options[s.selectedIndex].textContent)(document.querySelector(%q))`, form+" select")))
		if chosen != "Kenji Sato" {
			t.Errorf("the row's owner form has %q chosen, want Kenji Sato", chosen)
		}
		row := fmt.Sprintf(`(d => d.closest("tr").querySelector("td.system-owner").textContent)(document.querySelector("#owner-change-%d"))`, sys.ID)
		if got := get(e, chromedp.Evaluate[string](row)); got != "Kenji Sato" {
			t.Errorf("the row shows %q as the owner, want Kenji Sato", got)
		}
		e.shot("engagement-system-owner")
		got, err := e.db.FindEngagementByID(ctx, res.Organization.ID, eng.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got.Systems {
			if s.ID == sys.ID && s.OwnerID != kenji.ID {
				t.Errorf("stored owner %d, want Kenji (%d)", s.OwnerID, kenji.ID)
			}
		}
	})
}
