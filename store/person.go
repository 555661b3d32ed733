package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/attest-dev/attest"
)

// Owners of controls, tasks and policies are stored as user IDs
// (owner_user_id); their names are read from users whenever a row is
// shown, so what a member calls themselves never decides what they own.

var _ attest.PersonService = (*DB)(nil)

// FindOwners returns the members who may own things, by name. Callers
// must not change what they get.
func (s *DB) FindOwners(ctx context.Context, orgID int64) ([]*attest.Person, error) {
	return cachedRead(ctx, &s.reads.owners, orgID, 0, func(v *attest.Versions) readKey { return readKey{v.User} }, func() ([]*attest.Person, error) {
		return s.findOwners(ctx, orgID)
	})
}

func (s *DB) findOwners(ctx context.Context, orgID int64) ([]*attest.Person, error) {
	users, err := s.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := []*attest.Person{}
	for _, u := range users {
		if attest.MayOwn(u) {
			out = append(out, attest.PersonOf(u))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].Display()) < strings.ToLower(out[j].Display())
	})
	return out, nil
}

// ResolvePerson returns the member ref names, nil for an empty ref, or
// EINVALID (see attest.ResolvePerson).
func (s *DB) ResolvePerson(ctx context.Context, orgID int64, ref attest.PersonRef) (*attest.Person, error) {
	if strings.TrimSpace(string(ref)) == "" {
		return nil, nil
	}
	users, err := s.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	u, err := attest.ResolvePerson(users, ref)
	if err != nil || u == nil {
		return nil, err
	}
	return attest.PersonOf(u), nil
}

// people returns the organization's members by ID, for filling in the
// owners of rows just read.
func (s *DB) people(ctx context.Context, x queryer, orgID int64) (attest.People, error) {
	out := attest.People{}
	rows, err := x.QueryContext(ctx, s.q(`SELECT id, name, email FROM users WHERE org_id = ?`), orgID)
	if err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := &attest.Person{}
		if err := rows.Scan(&p.ID, &p.Name, &p.Email); err != nil {
			return nil, fmt.Errorf("find people: %w", err)
		}
		out[p.ID] = p
	}
	return out, rows.Err()
}

// person returns one member of the organization, or nil for ID 0.
func (s *DB) person(ctx context.Context, x queryer, orgID, id int64) (*attest.Person, error) {
	if id == 0 {
		return nil, nil
	}
	p := &attest.Person{ID: id}
	err := x.QueryRowContext(ctx, s.q(`SELECT name, email FROM users WHERE org_id = ? AND id = ?`), orgID, id).Scan(&p.Name, &p.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}
	return p, nil
}

// checkOwner returns the member who is to own something, or EINVALID
// unless they belong to the organization and may own things. ID 0 is
// nobody and is always allowed.
func (s *DB) checkOwner(ctx context.Context, x queryer, orgID, id int64) (*attest.Person, error) {
	if id == 0 {
		return nil, nil
	}
	u, err := s.findUser(ctx, x, `org_id = ? AND id = ?`, orgID, id)
	if attest.ErrorCode(err) == attest.ENOTFOUND {
		return nil, attest.Errorf(attest.EINVALID, "user %d is not a member of the organization", id)
	}
	if err != nil {
		return nil, err
	}
	if _, err := attest.ResolvePerson([]*attest.User{u}, attest.PersonRef(fmt.Sprint(id))); err != nil {
		return nil, err
	}
	return attest.PersonOf(u), nil
}
