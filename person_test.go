package attest_test

import (
	"encoding/json"
	"testing"

	"github.com/attest-dev/attest"
)

func TestResolvePerson(t *testing.T) {
	users := []*attest.User{
		{ID: 1, Email: "tom@acme.example", Name: "Tom Becker", Role: attest.RoleControlOwner, Active: true},
		// An invitee who calls themselves what a colleague is called.
		{ID: 2, Email: "mallory@acme.example", Name: "Tom Becker", Role: attest.RoleEmployee, Active: true},
		{ID: 3, Email: "ana@acme.example", Name: "Ana Lima", Role: attest.RoleComplianceManager, Active: true},
		{ID: 4, Email: "aud@cpa.example", Name: "Art Auditor", Role: attest.RoleAuditor, Active: true},
		{ID: 5, Email: "gone@acme.example", Name: "Gone", Role: attest.RoleControlOwner, Active: false},
	}
	for _, c := range []struct {
		ref  attest.PersonRef
		want int64 // 0: nobody, -1: refused
	}{
		{"", 0},
		{"  ", 0},
		{"1", 1},
		{"TOM@acme.example", 1},
		{" mallory@acme.example ", 2},
		{"Tom Becker", -1}, // two members have that name: a name never picks one
		{"ana lima", 3},
		{"Ana", -1},
		{"4", -1},                 // auditors own nothing
		{"aud@cpa.example", -1},   // by email neither
		{"gone@acme.example", -1}, // deactivated
		{"99", -1},                // no such member
		{"eve@other.example", -1}, // not a member
	} {
		u, err := attest.ResolvePerson(users, c.ref)
		switch {
		case c.want == -1 && attest.ErrorCode(err) != attest.EINVALID:
			t.Errorf("ResolvePerson(%q) = %v, %v; want EINVALID", c.ref, u, err)
		case c.want == 0 && (u != nil || err != nil):
			t.Errorf("ResolvePerson(%q) = %v, %v; want nobody", c.ref, u, err)
		case c.want > 0 && (err != nil || u == nil || u.ID != c.want):
			t.Errorf("ResolvePerson(%q) = %v, %v; want user %d", c.ref, u, err, c.want)
		}
	}
}

func TestPersonRefJSON(t *testing.T) {
	for in, want := range map[string]attest.PersonRef{`12`: "12", `"12"`: "12", `"ana@acme.example"`: "ana@acme.example", `{"id": 7, "name": "x"}`: "7", `""`: ""} {
		var r attest.PersonRef
		if err := json.Unmarshal([]byte(in), &r); err != nil || r != want {
			t.Errorf("%s: %q, %v; want %q", in, r, err, want)
		}
	}
	for _, in := range []string{`[1]`, `true`, `{"name": "Tom"}`} {
		var r attest.PersonRef
		if err := json.Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("%s: accepted as %q", in, r)
		}
	}
}

func TestActorName(t *testing.T) {
	byEmail := map[string]*attest.Person{"ana@acme.example": {ID: 3, Name: "Ana Lima", Email: "ana@acme.example"}}
	for actor, want := range map[string][2]string{
		"user:ana@acme.example":  {"Ana Lima", "ana@acme.example"},
		"user:left@acme.example": {"left@acme.example", "left@acme.example"},
		"token:ci":               {`API token "ci"`, ""},
		"cli:root":               {"command line (root)", ""},
		"system":                 {"system", ""},
	} {
		if n, e := attest.ActorName(actor, byEmail); n != want[0] || e != want[1] {
			t.Errorf("ActorName(%q) = %q, %q; want %q, %q", actor, n, e, want[0], want[1])
		}
	}
}

func TestFieldChanges(t *testing.T) {
	before := `{"id": 4, "title": "Old", "owner": {"id": 1, "name": "Tom Becker", "email": "tom@x"}, "due_date": "2026-04-01", "status": "open", "updated_at": "x"}`
	after := `{"id": 4, "title": "New", "owner": {"id": 3, "name": "Ana Lima", "email": "ana@x"}, "due_date": "2026-04-01", "status": "done", "updated_at": "y", "notes": "n"}`
	got := attest.FieldChanges(json.RawMessage(before), json.RawMessage(after))
	want := []attest.FieldChange{{"notes", "", "n"}, {"owner", "Tom Becker", "Ana Lima"}, {"status", "open", "done"}, {"title", "Old", "New"}}
	if len(got) != len(want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if c := attest.FieldChanges(json.RawMessage(`{"a": 1}`), json.RawMessage(`{"a": 1}`)); len(c) != 0 {
		t.Errorf("no change gave %+v", c)
	}
}
