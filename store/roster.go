package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

const rosterColumns = `id, user_id, email, name, department, manager_id, employment_type, start_date, end_date, source, created_at, updated_at`

// rosterSelect reads a person with their manager's name.
var rosterSelect = qualify("r", rosterColumns) + `, COALESCE((SELECT m.name FROM roster_people m WHERE m.id = r.manager_id), '')`

func scanRosterPerson(row rowScanner) (*attest.RosterPerson, error) {
	p := &attest.RosterPerson{}
	var user, manager sql.NullInt64
	if err := row.Scan(&p.ID, &user, &p.Email, &p.Name, &p.Department, &manager, &p.EmploymentType, &p.StartDate, &p.EndDate, &p.Source, &p.CreatedAt, &p.UpdatedAt, &p.Manager); err != nil {
		return nil, err
	}
	p.UserID, p.ManagerID = user.Int64, manager.Int64
	return p, nil
}

// rosterOrder maps the roster's sort columns to SQL.
var rosterOrder = map[string]string{
	"name": "LOWER(r.name)", "email": "r.email", "department": "LOWER(r.department)", "employment_type": "r.employment_type",
	"start_date": "r.start_date", "end_date": "r.end_date",
}

// FindRosterPerson returns one person of the roster.
func (s *DB) FindRosterPerson(ctx context.Context, orgID, id int64) (*attest.RosterPerson, error) {
	return s.findRosterPerson(ctx, s.db, orgID, id)
}

func (s *DB) findRosterPerson(ctx context.Context, x queryer, orgID, id int64) (*attest.RosterPerson, error) {
	p, err := scanRosterPerson(x.QueryRowContext(ctx, s.q(`SELECT `+rosterSelect+` FROM roster_people r WHERE r.org_id = ? AND r.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no person %d on the roster", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}
	if p.Member, err = s.person(ctx, x, orgID, p.UserID); err != nil {
		return nil, err
	}
	return p, nil
}

// FindRosterPage returns one page of the roster and how many match.
func (s *DB) FindRosterPage(ctx context.Context, orgID int64, f attest.RosterFilter, p attest.Page) ([]*attest.RosterPerson, int, error) {
	where, args := `r.org_id = ?`, []any{orgID}
	where, args = searchClause(where, args, f.Search, "r.name", "r.email", "r.department")
	var err error
	where, args, err = s.scopeWhere(ctx, orgID, attest.ScopePerson, "r", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.Department != "" {
		where += ` AND r.department = ?`
		args = append(args, f.Department)
	}
	if f.Type != "" {
		where += ` AND r.employment_type = ?`
		args = append(args, f.Type)
	}
	today := f.Today
	if today == "" {
		today = s.today()
	}
	switch f.Status {
	case "active":
		where += ` AND (r.end_date = '' OR r.end_date >= ?)`
		args = append(args, today)
	case "left":
		where += ` AND r.end_date <> '' AND r.end_date < ?`
		args = append(args, today)
	case "":
	default:
		return nil, 0, attest.FieldErrorf("status", "unknown status %q (active or left)", f.Status)
	}
	where, args = dateRange(where, args, "r.start_date", f.StartedFrom, f.StartedTo)
	where, args = dateRange(where, args, "r.end_date", f.LeftFrom, f.LeftTo)
	people, total, err := listRegister(ctx, s, registerList{what: "roster", table: "roster_people r", cols: rosterSelect, where: where, args: args, order: rosterOrder, def: "name"},
		p, attest.RosterSorts, scanRosterPerson)
	if err != nil {
		return nil, 0, err
	}
	if err := s.fillMembers(ctx, orgID, people); err != nil {
		return nil, 0, err
	}
	return people, total, nil
}

func (s *DB) fillMembers(ctx context.Context, orgID int64, people []*attest.RosterPerson) error {
	var dir attest.People
	for _, p := range people {
		if p.UserID == 0 {
			continue
		}
		if dir == nil {
			var err error
			if dir, err = s.people(ctx, s.db, orgID); err != nil {
				return err
			}
		}
		p.Member = dir.Get(p.UserID)
	}
	return nil
}

// CreateRosterPerson stores a person, links the member with their email,
// and opens their onboarding checklist.
func (s *DB) CreateRosterPerson(ctx context.Context, orgID int64, p *attest.RosterPerson) error {
	if err := p.Validate(); err != nil {
		return err
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		return s.insertRosterPerson(ctx, tx, orgID, p, true)
	})
	if err != nil {
		return fmt.Errorf("add person: %w", err)
	}
	return nil
}

// insertRosterPerson stores p and opens its checklists; withOnboarding
// opens the onboarding one whatever the start date.
func (s *DB) insertRosterPerson(ctx context.Context, tx *sql.Tx, orgID int64, p *attest.RosterPerson, withOnboarding bool) error {
	if err := s.checkRosterRefs(ctx, tx, orgID, p); err != nil {
		return err
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	id, err := s.insertID(ctx, tx, `INSERT INTO roster_people (org_id, user_id, email, name, department, manager_id, employment_type, start_date, end_date, source, created_at, updated_at) VALUES (`+placeholders(12)+`)`,
		orgID, nullInt(p.UserID), p.Email, p.Name, p.Department, nullInt(p.ManagerID), p.EmploymentType, p.StartDate, p.EndDate, p.Source, now, now)
	if attest.ErrorCode(err) == attest.ECONFLICT {
		return attest.FieldErrorf("email", "%s is on the roster already", p.Email)
	}
	if err != nil {
		return err
	}
	p.ID = id
	if err := s.appendAudit(ctx, tx, orgID, "person.create", "person", strconv.FormatInt(id, 10), nil, p); err != nil {
		return err
	}
	if withOnboarding || (!p.StartDate.IsZero() && !p.StartDate.Before(s.today().AddDays(-90))) {
		if err := s.openChecklist(ctx, tx, orgID, p, attest.Onboarding); err != nil {
			return err
		}
	}
	if !p.EndDate.IsZero() {
		return s.openChecklist(ctx, tx, orgID, p, attest.Offboarding)
	}
	return nil
}

// checkRosterRefs links the member with the person's email when none is
// named, and checks that the member and the manager are the organization's.
func (s *DB) checkRosterRefs(ctx context.Context, x queryer, orgID int64, p *attest.RosterPerson) error {
	if p.UserID == 0 {
		var id int64
		err := x.QueryRowContext(ctx, s.q(`SELECT id FROM users WHERE org_id = ? AND LOWER(email) = ?`), orgID, p.Email).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find member: %w", err)
		}
		p.UserID = id
	}
	if p.UserID != 0 {
		u, err := s.person(ctx, x, orgID, p.UserID)
		if err != nil {
			return err
		}
		if u == nil {
			return attest.FieldErrorf("member", "user %d is not a member of the organization", p.UserID)
		}
		p.Member = u
	}
	if p.ManagerID != 0 {
		var name string
		err := x.QueryRowContext(ctx, s.q(`SELECT name FROM roster_people WHERE org_id = ? AND id = ?`), orgID, p.ManagerID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return attest.FieldErrorf("manager", "person %d is not on the roster", p.ManagerID)
		}
		if err != nil {
			return fmt.Errorf("find manager: %w", err)
		}
		p.Manager = name
	}
	return nil
}

// UpdateRosterPerson replaces a person's fields; an end date set for the
// first time opens the offboarding checklist.
func (s *DB) UpdateRosterPerson(ctx context.Context, orgID int64, p *attest.RosterPerson) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findRosterPerson(ctx, tx, orgID, p.ID)
		if err != nil {
			return err
		}
		return s.updateRosterPerson(ctx, tx, orgID, before, p)
	})
}

func (s *DB) updateRosterPerson(ctx context.Context, tx *sql.Tx, orgID int64, before, p *attest.RosterPerson) error {
	if err := s.checkRosterRefs(ctx, tx, orgID, p); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = before.CreatedAt, s.now()
	if p.Source == "" {
		p.Source = before.Source
	}
	_, err := tx.ExecContext(ctx, s.q(`UPDATE roster_people SET user_id = ?, email = ?, name = ?, department = ?, manager_id = ?, employment_type = ?, start_date = ?, end_date = ?, source = ?, updated_at = ? WHERE org_id = ? AND id = ?`),
		nullInt(p.UserID), p.Email, p.Name, p.Department, nullInt(p.ManagerID), p.EmploymentType, p.StartDate, p.EndDate, p.Source, p.UpdatedAt, orgID, p.ID)
	if err = s.dialect.normalize(err); attest.ErrorCode(err) == attest.ECONFLICT {
		return attest.FieldErrorf("email", "%s is on the roster already", p.Email)
	} else if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	if err := s.appendAudit(ctx, tx, orgID, "person.update", "person", strconv.FormatInt(p.ID, 10), before, p); err != nil {
		return err
	}
	if before.EndDate.IsZero() && !p.EndDate.IsZero() {
		return s.openChecklist(ctx, tx, orgID, p, attest.Offboarding)
	}
	if !p.EndDate.IsZero() && p.EndDate != before.EndDate {
		// A new last day moves the offboarding deadline with it.
		t, err := s.findTemplate(ctx, tx, orgID, attest.Offboarding)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE checklists SET due_date = ? WHERE org_id = ? AND person_id = ? AND kind = ?`), p.EndDate.AddDays(t.DeadlineDays), orgID, p.ID, attest.Offboarding)
		return err
	}
	return nil
}

// ImportRoster adds new people and updates those whose email is on the
// roster already, all in one transaction.
func (s *DB) ImportRoster(ctx context.Context, orgID int64, people []*attest.RosterPerson) (added, updated int, err error) {
	seen := map[string]int{}
	for i, p := range people {
		if err := p.Validate(); err != nil {
			return 0, 0, attest.FieldErrorf(attest.ErrorField(err), "person %d: %s", i+1, attest.ErrorMessage(err))
		}
		if j, dup := seen[p.Email]; dup {
			return 0, 0, attest.FieldErrorf("email", "person %d: %s is also person %d", i+1, p.Email, j+1)
		}
		seen[p.Email] = i
	}
	// A collection brings the same roster run after run: when every
	// person is on it unchanged, no write transaction is needed at all.
	if n, err := s.unchangedRoster(ctx, orgID, people); err != nil {
		return 0, 0, err
	} else if n == len(people) {
		return 0, n, nil
	}
	err = s.change(ctx, orgID, func(tx *sql.Tx) error {
		for _, p := range people {
			var id int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM roster_people WHERE org_id = ? AND email = ?`), orgID, p.Email).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := s.insertRosterPerson(ctx, tx, orgID, p, false); err != nil {
					return fmt.Errorf("%s: %w", p.Email, err)
				}
				added++
			case err != nil:
				return fmt.Errorf("find person: %w", err)
			default:
				before, err := s.findRosterPerson(ctx, tx, orgID, id)
				if err != nil {
					return err
				}
				p.ID = id
				if p.ManagerID == 0 {
					p.ManagerID = before.ManagerID
				}
				updated++
				if sameRosterPerson(before, p) {
					// A collection brings the same roster run after run:
					// an unchanged person costs no write and no audit entry.
					p.Source, p.CreatedAt, p.UpdatedAt = before.Source, before.CreatedAt, before.UpdatedAt
					continue
				}
				if err := s.updateRosterPerson(ctx, tx, orgID, before, p); err != nil {
					return fmt.Errorf("%s: %w", p.Email, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("import roster: %w", err)
	}
	return added, updated, nil
}

// unchangedRoster counts the people an import would leave as they are,
// reading outside any transaction; it stops at the first one it would
// change.
func (s *DB) unchangedRoster(ctx context.Context, orgID int64, people []*attest.RosterPerson) (int, error) {
	for i, p := range people {
		var id int64
		err := s.db.QueryRowContext(ctx, s.q(`SELECT id FROM roster_people WHERE org_id = ? AND email = ?`), orgID, p.Email).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return i, nil
		} else if err != nil {
			return 0, fmt.Errorf("find person: %w", err)
		}
		before, err := s.findRosterPerson(ctx, s.db, orgID, id)
		if err != nil {
			return 0, err
		}
		q := *p
		q.ID = id
		if q.ManagerID == 0 {
			q.ManagerID = before.ManagerID
		}
		if !sameRosterPerson(before, &q) {
			return i, nil
		}
		p.ID, p.ManagerID, p.Source, p.CreatedAt, p.UpdatedAt = id, q.ManagerID, before.Source, before.CreatedAt, before.UpdatedAt
	}
	return len(people), nil
}

// sameManagers reports whether every person already has the manager
// the import names (or names no one on the roster), reading outside any
// transaction.
func (s *DB) sameManagers(ctx context.Context, orgID int64, people []*attest.RosterPerson, managers map[string]string) (bool, error) {
	for _, p := range people {
		m := managers[p.Email]
		if m == "" {
			continue
		}
		var mid int64
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT id FROM roster_people WHERE org_id = ? AND email = ?`), orgID, m).Scan(&mid); errors.Is(err, sql.ErrNoRows) || mid == p.ID {
			continue
		} else if err != nil {
			return false, err
		}
		before, err := s.findRosterPerson(ctx, s.db, orgID, p.ID)
		if err != nil {
			return false, err
		}
		if before.ManagerID != mid {
			return false, nil
		}
	}
	return true, nil
}

// sameRosterPerson reports whether an import would leave before as it
// is.
func sameRosterPerson(before, p *attest.RosterPerson) bool {
	source := p.Source
	if source == "" {
		source = before.Source
	}
	return before.UserID == p.UserID && before.Email == p.Email && before.Name == p.Name && before.Department == p.Department &&
		before.ManagerID == p.ManagerID && before.EmploymentType == p.EmploymentType && before.StartDate == p.StartDate &&
		before.EndDate == p.EndDate && before.Source == source
}

// ImportRosterResources takes the hr.person resources of the HR roster
// integration into the roster (see attest.RosterFromResources), managers
// resolved by email among the roster after the import.
func (s *DB) ImportRosterResources(ctx context.Context, orgID int64, res []collect.Resource) (added, updated int, err error) {
	people, managers, err := attest.RosterFromResources(res)
	if err != nil || len(people) == 0 {
		return 0, 0, err
	}
	if added, updated, err = s.ImportRoster(ctx, orgID, people); err != nil {
		return 0, 0, err
	}
	if same, err := s.sameManagers(ctx, orgID, people, managers); err != nil || same {
		return added, updated, err
	}
	err = s.change(ctx, orgID, func(tx *sql.Tx) error {
		for _, p := range people {
			m := managers[p.Email]
			if m == "" {
				continue
			}
			var mid int64
			if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM roster_people WHERE org_id = ? AND email = ?`), orgID, m).Scan(&mid); errors.Is(err, sql.ErrNoRows) || mid == p.ID {
				continue
			} else if err != nil {
				return err
			}
			before, err := s.findRosterPerson(ctx, tx, orgID, p.ID)
			if err != nil {
				return err
			}
			if before.ManagerID == mid {
				continue
			}
			after := *before
			after.ManagerID = mid
			if err := s.updateRosterPerson(ctx, tx, orgID, before, &after); err != nil {
				return err
			}
		}
		return nil
	})
	return added, updated, err
}

// SyncRosterFromUsers adds every member (but auditors, who are outsiders)
// who is not on the roster, linked to their user.
func (s *DB) SyncRosterFromUsers(ctx context.Context, orgID int64) (int, error) {
	users, err := s.FindUsers(ctx, orgID)
	if err != nil {
		return 0, err
	}
	var people []*attest.RosterPerson
	for _, u := range users {
		if u.Role == attest.RoleAuditor || !u.Active {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM roster_people WHERE org_id = ? AND (user_id = ? OR email = ?)`), orgID, u.ID, strings.ToLower(u.Email)).Scan(&n); err != nil {
			return 0, fmt.Errorf("find person: %w", err)
		}
		if n > 0 {
			continue
		}
		name := u.Name
		if name == "" {
			name = u.Email
		}
		people = append(people, &attest.RosterPerson{UserID: u.ID, Email: u.Email, Name: name, StartDate: attest.DateOf(u.CreatedAt), Source: attest.SourceUsers})
	}
	if len(people) == 0 {
		return 0, nil
	}
	added, _, err := s.ImportRoster(ctx, orgID, people)
	return added, err
}
