package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// People are shown by name, with their email on hover and for screen
// readers; the audit log keeps its actors as recorded ("user:ana@…") and
// pages translate them with a directory of the organization's members.

// personHTML shows a member by name with their email on hover, or "—".
func personHTML(p *attest.Person) template.HTML {
	if p == nil {
		return "—"
	}
	return template.HTML(`<span class="person" title="` + template.HTMLEscapeString(p.Email) + `">` +
		template.HTMLEscapeString(p.Display()) + `</span>`)
}

// ownerHTML shows an owner: the member, else a free-text note marked as not
// a member (it grants nothing), else "—".
func ownerHTML(p *attest.Person, note string) template.HTML {
	if p != nil || strings.TrimSpace(note) == "" {
		return personHTML(p)
	}
	return template.HTML(`<span class="person note" title="not a member: owns nothing until a member is chosen">` +
		template.HTMLEscapeString(note) + ` (not a member)</span>`)
}

// directory names the organization's members for the pages: the audit log
// records users as "user:<email>".
type directory struct {
	byID    attest.People
	byEmail map[string]*attest.Person
}

func (s *Server) directory(ctx context.Context, orgID int64) (*directory, error) {
	users, err := s.svc.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	d := &directory{byID: attest.PeopleOf(users), byEmail: map[string]*attest.Person{}}
	for _, p := range d.byID {
		d.byEmail[strings.ToLower(p.Email)] = p
	}
	return d, nil
}

// actorView is an audit-log actor as a page shows it.
type actorView struct {
	Name, Email, Raw string
}

// actor names a recorded actor.
func (d *directory) actor(raw string) actorView {
	name, email := attest.ActorName(raw, d.byEmail)
	return actorView{Name: name, Email: email, Raw: raw}
}

// resolveOwner turns a form's or query's owner value (a user ID, an email
// or a member's exact name; "" for nobody) into a member's ID.
func (s *Server) resolveOwner(r *http.Request, ref string) (int64, error) {
	p, err := s.svc.ResolvePerson(r.Context(), orgID(r), attest.PersonRef(ref))
	if err != nil || p == nil {
		return 0, err
	}
	return p.ID, nil
}

// ownerFilter reads the "owner" query value of a list: "" for anyone,
// "none" for nobody, else a member (by ID, email or exact name). Someone
// who is not a member of the organization owns nothing, so the list is
// empty rather than refused.
func (s *Server) ownerFilter(r *http.Request) (id int64, unowned bool, err error) {
	v := strings.TrimSpace(r.URL.Query().Get("owner"))
	switch v {
	case "":
		return 0, false, nil
	case "none":
		return 0, true, nil
	}
	if n, perr := strconv.ParseInt(v, 10, 64); perr == nil && n > 0 {
		return n, false, nil // an unknown ID simply matches nothing
	}
	id, err = s.resolveOwner(r, v)
	if attest.ErrorCode(err) == attest.EINVALID {
		return -1, false, nil // no member's ID
	}
	return id, false, err
}
