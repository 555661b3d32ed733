package attest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Person is a member of the organization as shown beside what they own,
// approve or did: their user ID, display name and email. Only the ID is
// stored with a control, task or policy; the name is read from the user
// when shown, so renaming oneself changes nothing one owns.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// PersonOf returns the person a user is.
func PersonOf(u *User) *Person {
	return &Person{ID: u.ID, Name: u.Name, Email: u.Email}
}

// Display is the person's name, or their email when they have none.
func (p *Person) Display() string {
	if p == nil {
		return ""
	}
	if strings.TrimSpace(p.Name) != "" {
		return p.Name
	}
	return p.Email
}

// MayOwn reports whether a user may be made the owner of a control, task
// or policy, or a policy's approver: an active member who is not an
// auditor (auditors are outsiders who review the program).
func MayOwn(u *User) bool {
	return u != nil && u.Active && u.Role != RoleAuditor
}

// PersonRef is how input names a member: a user ID ("12"), an email, or
// the exact name of exactly one member. "" names nobody. In JSON it may be
// a number, a string or an object with an "id".
type PersonRef string

// UnmarshalJSON accepts 12, "12", "ana@example.com", "Ana Lima" and
// {"id": 12}.
func (r *PersonRef) UnmarshalJSON(b []byte) error {
	var n int64
	if err := json.Unmarshal(b, &n); err == nil {
		*r = PersonRef(strconv.FormatInt(n, 10))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*r = PersonRef(s)
		return nil
	}
	var obj struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &obj); err == nil && obj.ID > 0 {
		*r = PersonRef(strconv.FormatInt(obj.ID, 10))
		return nil
	}
	return fmt.Errorf("a person is a user ID, an email or {\"id\": …}, not %s", string(b))
}

// ResolvePerson finds the member that ref names among users (one
// organization's): by ID, by email, or by a name that exactly one member
// has (letter case aside). It returns nil for an empty ref, and EINVALID
// for nobody, several people, or someone who may not own things (see
// MayOwn), so a display name can never pick one of two namesakes.
func ResolvePerson(users []*User, ref PersonRef) (*User, error) {
	s := strings.TrimSpace(string(ref))
	if s == "" {
		return nil, nil
	}
	var found []*User
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		for _, u := range users {
			if u.ID == id {
				found = append(found, u)
			}
		}
	} else {
		byEmail := strings.Contains(s, "@")
		for _, u := range users {
			if (byEmail && strings.EqualFold(u.Email, s)) || (!byEmail && strings.EqualFold(strings.TrimSpace(u.Name), s)) {
				found = append(found, u)
			}
		}
	}
	switch {
	case len(found) == 0:
		return nil, Errorf(EINVALID, "%q is not a member of the organization: give a member's email", s)
	case len(found) > 1:
		return nil, Errorf(EINVALID, "%d members are called %q: give the email of the one you mean", len(found), s)
	}
	u := found[0]
	if !u.Active {
		return nil, Errorf(EINVALID, "%s has been deactivated and cannot own or approve anything", u.Email)
	}
	if u.Role == RoleAuditor {
		return nil, Errorf(EINVALID, "%s is an auditor: auditors cannot own or approve anything", u.Email)
	}
	return u, nil
}

// People maps user IDs to the people they are, for showing names.
type People map[int64]*Person

// PeopleOf indexes users by ID.
func PeopleOf(users []*User) People {
	out := make(People, len(users))
	for _, u := range users {
		out[u.ID] = PersonOf(u)
	}
	return out
}

// Get returns the person with the ID, or nil.
func (p People) Get(id int64) *Person {
	if id == 0 {
		return nil
	}
	return p[id]
}

// ActorName returns how an audit-log actor ("user:ana@example.com",
// "token:ci", "cli:root", "system") is shown: a user by their current
// name, others as they are recorded. email is the user's email, or "".
func ActorName(actor string, byEmail map[string]*Person) (name, email string) {
	if e, ok := strings.CutPrefix(actor, "user:"); ok {
		if p := byEmail[strings.ToLower(e)]; p != nil {
			return p.Display(), p.Email
		}
		return e, e
	}
	if n, ok := strings.CutPrefix(actor, "token:"); ok {
		return fmt.Sprintf("API token %q", n), ""
	}
	if n, ok := strings.CutPrefix(actor, "cli:"); ok {
		return "command line (" + n + ")", ""
	}
	return actor, ""
}

// PersonService finds the members who may own things and resolves the
// references that forms, the API and the CLI give for them. Every
// register that has an owner uses it, so a person is named the same way
// everywhere.
type PersonService interface {
	// FindOwners returns the organization's members who may own things
	// (active, not auditors), by name.
	FindOwners(ctx context.Context, orgID int64) ([]*Person, error)
	// ResolvePerson returns the member ref names (see ResolvePerson), nil
	// for an empty ref, or EINVALID.
	ResolvePerson(ctx context.Context, orgID int64, ref PersonRef) (*Person, error)
}

// ownerName is an owner as text: the member's name, else the free-text
// note, else "".
func ownerName(p *Person, note string) string {
	if p != nil {
		return p.Display()
	}
	return note
}

// OwnerName is the control's owner as text: the member's name, else the
// owner note, else "".
func (c *Control) OwnerName() string { return ownerName(c.Owner, c.OwnerNote) }

// OwnerName is the task's owner as text: the member's name, else the owner
// note, else "".
func (t *Task) OwnerName() string { return ownerName(t.Owner, t.OwnerNote) }

// OwnerName is the policy's owner as text: the member's name, else the
// owner note, else "".
func (p *Policy) OwnerName() string { return ownerName(p.Owner, p.OwnerNote) }
