package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestNamesakeOwnsNothing is the attack of issue 9: a new member who calls
// themselves what the owner of a control is called gains none of that
// owner's controls, evidence, tasks or to-dos. Ownership follows the user
// ID; the owner herself keeps all of it.
func TestNamesakeOwnsNothing(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		alice := u.users[uOwner]
		hash, err := attest.HashPassword(uiPassword)
		if err != nil {
			t.Fatal(err)
		}
		mallory := &attest.User{OrgID: u.orgA, Email: "mallory@a.example", Name: alice.Name, Role: attest.RoleControlOwner, PasswordHash: hash, Active: true}
		if err := u.db.CreateUser(ctx, mallory); err != nil {
			t.Fatal(err)
		}
		u.users["mallory"] = mallory
		real, fake := u.signIn(t, uOwner), u.signIn(t, "mallory")
		task := fmt.Sprintf("/tasks/%d", u.taskA)

		for _, c := range []struct {
			b    *uiClient
			who  string
			owns bool
		}{{real, "Alice", true}, {fake, "her namesake", false}} {
			control := c.b.get(t, "/controls/GOV-01").doc(t)
			if got := control.Find("#control-form").Length() == 1; got != c.owns {
				t.Errorf("%s: the control form on GOV-01 shown = %v, want %v", c.who, got, c.owns)
			}
			home := c.b.get(t, "/").body
			if got := strings.Contains(home, secretA+" task"); got != c.owns {
				t.Errorf("%s: Alice's task in \"my tasks\" = %v, want %v", c.who, got, c.owns)
			}
			mine := c.b.get(t, "/evidence?mine=1").doc(t)
			if got := mine.Find(`[data-control="GOV-01"]`).Length() > 0; got != c.owns {
				t.Errorf("%s: GOV-01 among \"my\" evidence requests = %v, want %v", c.who, got, c.owns)
			}
			if got := c.b.get(t, task).doc(t).Find("#task-form").Length() == 1; got != c.owns {
				t.Errorf("%s: the edit form of Alice's task shown = %v, want %v", c.who, got, c.owns)
			}
		}
		wantStatus(t, "the namesake sets GOV-01", fake.post(t, "/controls/GOV-01", url.Values{"status": {"implemented"}}), http.StatusForbidden, "")
		wantStatus(t, "the namesake edits Alice's task", fake.post(t, task+"/edit", url.Values{"title": {"mine now"}}), http.StatusForbidden, "")
		wantStatus(t, "the namesake closes Alice's task", fake.post(t, task, url.Values{"status": {"done"}}), http.StatusForbidden, "")
		c, err := u.db.FindControlByID(ctx, u.orgA, "GOV-01")
		if err != nil || c.Status == attest.Implemented || c.OwnerID != alice.ID {
			t.Errorf("GOV-01 after the namesake's tries: %+v, %v", c, err)
		}
		tk, err := u.db.FindTaskByID(ctx, u.orgA, u.taskA)
		if err != nil || tk.Title != secretA+" task" || tk.Status == attest.TaskDone {
			t.Errorf("Alice's task after the namesake's tries: %+v, %v", tk, err)
		}
	})
}
