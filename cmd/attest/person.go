package main

import "github.com/attest-dev/attest"

// ownerID resolves an --owner flag (a member's email, user ID or exact
// name; "" for nobody) to a member's ID. Someone who is not a member, or
// a name several members share, is refused (exit 2).
func (a *App) ownerID(orgID int64, ref string) (int64, error) {
	p, err := a.db.ResolvePerson(a.ctx, orgID, attest.PersonRef(ref))
	if err != nil || p == nil {
		return 0, err
	}
	return p.ID, nil
}

// ownerFilter resolves an --owner filter of a list; "" is anyone.
func (a *App) ownerFilter(orgID int64, ref string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	return a.ownerID(orgID, ref)
}

// ownerText is an owner as the CLI prints it: "Name <email>", a note
// marked as not a member, or "-".
func ownerText(p *attest.Person, note string) string {
	switch {
	case p != nil:
		return p.Display() + " <" + p.Email + ">"
	case note != "":
		return note + " (not a member)"
	}
	return "-"
}
