package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const reviewColumns = `id, system, period_start, period_end, due_date, status, control_id, source, signed_by_user_id, signed_at, evidence_id, created_at`

// reviewSelect reads a review with the counts of its accounts.
var reviewSelect = qualify("r", reviewColumns) + `,
	(SELECT COUNT(*) FROM access_review_accounts a WHERE a.review_id = r.id),
	(SELECT COUNT(*) FROM access_review_accounts a WHERE a.review_id = r.id AND a.decision = ''),
	(SELECT COUNT(*) FROM access_review_accounts a WHERE a.review_id = r.id AND a.decision IN ('revoke', 'change') AND a.resolved_on = '')`

func scanReview(row rowScanner) (*attest.AccessReview, error) {
	r := &attest.AccessReview{}
	var signer, ev sql.NullInt64
	var signed sql.NullTime
	if err := row.Scan(&r.ID, &r.System, &r.PeriodStart, &r.PeriodEnd, &r.DueDate, &r.Status, &r.ControlID, &r.Source, &signer, &signed, &ev, &r.CreatedAt,
		&r.Accounts, &r.Undecided, &r.Unresolved); err != nil {
		return nil, err
	}
	r.SignedByID, r.EvidenceID = signer.Int64, ev.Int64
	if signed.Valid {
		r.SignedAt = &signed.Time
	}
	return r, nil
}

var reviewOrder = map[string]string{
	"due_date": "r.due_date", "system": "LOWER(r.system)", "status": "r.status", "period_end": "r.period_end", "created_at": "r.created_at",
}

// FindAccessReview returns one review with its counts.
func (s *DB) FindAccessReview(ctx context.Context, orgID, id int64) (*attest.AccessReview, error) {
	return s.findReview(ctx, s.db, orgID, id)
}

func (s *DB) findReview(ctx context.Context, x queryer, orgID, id int64) (*attest.AccessReview, error) {
	r, err := scanReview(x.QueryRowContext(ctx, s.q(`SELECT `+reviewSelect+` FROM access_reviews r WHERE r.org_id = ? AND r.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no access review %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find access review: %w", err)
	}
	r.SignedBy, err = s.person(ctx, x, orgID, r.SignedByID)
	return r, err
}

// FindAccessReviewPage returns one page of reviews and how many match.
func (s *DB) FindAccessReviewPage(ctx context.Context, orgID int64, f attest.AccessReviewFilter, p attest.Page) ([]*attest.AccessReview, int, error) {
	where, args := `r.org_id = ?`, []any{orgID}
	where, args = searchClause(where, args, f.Search, "r.system", "r.control_id")
	var err error
	where, args, err = s.scopeWhere(ctx, orgID, attest.ScopeAccessReview, "r", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	switch f.Status {
	case "", attest.ReviewOpen, attest.ReviewSignedOff:
		if f.Status != "" {
			where += ` AND r.status = ?`
			args = append(args, f.Status)
		}
	default:
		return nil, 0, attest.FieldErrorf("status", "unknown status %q (open or signed_off)", f.Status)
	}
	if f.Overdue {
		where += ` AND r.status = 'open' AND r.due_date < ?`
		args = append(args, f.Today)
	}
	out, total, err := listRegister(ctx, s, registerList{what: "access reviews", table: "access_reviews r", cols: reviewSelect, where: where, args: args, order: reviewOrder, def: "due_date"},
		p, attest.AccessReviewSorts, scanReview)
	if err != nil {
		return nil, 0, err
	}
	dir, err := s.people(ctx, s.db, orgID)
	for _, r := range out {
		r.SignedBy = dir.Get(r.SignedByID)
	}
	return out, total, err
}

// CreateAccessReview stores a review and its accounts, each matched by
// email to a roster person and a member.
func (s *DB) CreateAccessReview(ctx context.Context, orgID int64, r *attest.AccessReview, accounts []*attest.AccessAccount) error {
	if err := s.checkReview(r, accounts); err != nil {
		return err
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error { return s.insertAccessReview(ctx, tx, orgID, r, accounts) })
	if err != nil {
		return fmt.Errorf("create access review: %w", err)
	}
	return nil
}

// checkReview validates a review and its accounts before it is stored.
func (s *DB) checkReview(r *attest.AccessReview, accounts []*attest.AccessAccount) error {
	if err := r.Validate(s.today()); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, a := range accounts {
		if err := a.Validate(); err != nil {
			return attest.FieldErrorf(attest.ErrorField(err), "account %d: %s", i+1, attest.ErrorMessage(err))
		}
		if seen[a.Account] {
			return attest.FieldErrorf("account", "account %q is listed twice", a.Account)
		}
		seen[a.Account] = true
	}
	return nil
}

// insertAccessReview stores a checked review and its accounts in tx.
func (s *DB) insertAccessReview(ctx context.Context, tx *sql.Tx, orgID int64, r *attest.AccessReview, accounts []*attest.AccessAccount) error {
	r.Status, r.CreatedAt = attest.ReviewOpen, s.now()
	if err := s.checkControlRef(ctx, tx, orgID, r.ControlID); err != nil {
		return err
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO access_reviews (org_id, system, period_start, period_end, due_date, status, control_id, source, created_at) VALUES (`+placeholders(9)+`)`,
		orgID, r.System, r.PeriodStart, r.PeriodEnd, r.DueDate, r.Status, r.ControlID, r.Source, r.CreatedAt)
	if err != nil {
		return err
	}
	r.ID = id
	for _, a := range accounts {
		a.ReviewID = id
		if a.Email != "" {
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(id), 0) FROM roster_people WHERE org_id = ? AND email = ?`), orgID, a.Email).Scan(&a.PersonID); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(id), 0) FROM users WHERE org_id = ? AND LOWER(email) = ?`), orgID, a.Email).Scan(&a.UserID); err != nil {
				return err
			}
		}
		if a.UserID == 0 && a.PersonID != 0 {
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(user_id, 0) FROM roster_people WHERE id = ?`), a.PersonID).Scan(&a.UserID); err != nil {
				return err
			}
		}
		if a.ID, err = s.insertID(ctx, tx, `INSERT INTO access_review_accounts (org_id, review_id, account, display_name, email, privileges, person_id, user_id) VALUES (`+placeholders(8)+`)`,
			orgID, id, a.Account, a.DisplayName, a.Email, a.Privileges, nullInt(a.PersonID), nullInt(a.UserID)); err != nil {
			return err
		}
	}
	r.Accounts, r.Undecided = len(accounts), len(accounts)
	return s.appendAudit(ctx, tx, orgID, "access_review.create", "access_review", strconv.FormatInt(id, 10), nil, struct {
		*attest.AccessReview
		AccountList []*attest.AccessAccount `json:"account_list"`
	}{r, accounts})
}

const accountColumns = `id, review_id, account, display_name, email, privileges, person_id, user_id, reviewer_user_id, decision, comment, decided_by_user_id, decided_at, resolved_on`

func scanAccount(row rowScanner) (*attest.AccessAccount, error) {
	a := &attest.AccessAccount{}
	var person, user, reviewer, decider sql.NullInt64
	var at sql.NullTime
	if err := row.Scan(&a.ID, &a.ReviewID, &a.Account, &a.DisplayName, &a.Email, &a.Privileges, &person, &user, &reviewer, &a.Decision, &a.Comment, &decider, &at, &a.ResolvedOn); err != nil {
		return nil, err
	}
	a.PersonID, a.UserID, a.ReviewerID, a.DecidedByID = person.Int64, user.Int64, reviewer.Int64, decider.Int64
	if at.Valid {
		a.DecidedAt = &at.Time
	}
	return a, nil
}

// FindAccessAccounts returns a review's accounts by name.
func (s *DB) FindAccessAccounts(ctx context.Context, orgID, reviewID int64) ([]*attest.AccessAccount, error) {
	return s.accounts(ctx, s.db, orgID, reviewID)
}

func (s *DB) accounts(ctx context.Context, x queryer, orgID, reviewID int64) ([]*attest.AccessAccount, error) {
	out, err := queryAll(ctx, x, "find accounts", scanAccount, s.q(`SELECT `+accountColumns+` FROM access_review_accounts WHERE org_id = ? AND review_id = ? ORDER BY account, id`), orgID, reviewID)
	if err != nil {
		return nil, err
	}
	dir, err := s.people(ctx, x, orgID)
	for _, a := range out {
		a.Reviewer, a.DecidedBy = dir.Get(a.ReviewerID), dir.Get(a.DecidedByID)
	}
	return out, err
}

// openReview loads a review that may still change: ECONFLICT once signed off.
func (s *DB) openReview(ctx context.Context, tx *sql.Tx, orgID, id int64) (*attest.AccessReview, error) {
	r, err := s.findReview(ctx, tx, orgID, id)
	if err != nil {
		return nil, err
	}
	if r.Status == attest.ReviewSignedOff {
		return nil, attest.Errorf(attest.ECONFLICT, "the review of %s was signed off: it no longer changes", r.System)
	}
	return r, nil
}

// AssignReviewer makes a member the reviewer of accounts (all when ids is
// empty); refused for an account that is the reviewer's own.
func (s *DB) AssignReviewer(ctx context.Context, orgID, reviewID, reviewerID int64, ids []int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := s.openReview(ctx, tx, orgID, reviewID); err != nil {
			return err
		}
		reviewer, err := s.checkOwner(ctx, tx, orgID, reviewerID)
		if err != nil {
			return attest.FieldErrorf("reviewer", "%s", attest.ErrorMessage(err))
		}
		if reviewer == nil {
			return attest.FieldErrorf("reviewer", "choose the member who reviews")
		}
		accounts, err := s.accounts(ctx, tx, orgID, reviewID)
		if err != nil {
			return err
		}
		want := map[int64]bool{}
		for _, id := range ids {
			want[id] = true
		}
		n := 0
		for _, a := range accounts {
			if len(ids) > 0 && !want[a.ID] {
				continue
			}
			if a.UserID == reviewerID {
				if len(ids) == 0 {
					continue // everyone else's: their own goes to another reviewer
				}
				return attest.FieldErrorf("reviewer", "%s cannot review their own account %s", reviewer.Display(), a.Account)
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE access_review_accounts SET reviewer_user_id = ? WHERE org_id = ? AND id = ?`), reviewerID, orgID, a.ID); err != nil {
				return fmt.Errorf("assign reviewer: %w", err)
			}
			n++
		}
		if len(ids) > 0 && n != len(ids) {
			return attest.Errorf(attest.ENOTFOUND, "some accounts are not in this review")
		}
		return s.appendAudit(ctx, tx, orgID, "access_review.assign", "access_review", strconv.FormatInt(reviewID, 10), nil,
			map[string]any{"reviewer": reviewer, "accounts": ids})
	})
}

// DecideAccess records a decision about an account by its reviewer (or,
// when it has none, by any member but the account's own holder).
func (s *DB) DecideAccess(ctx context.Context, orgID, reviewID, accountID, byUser int64, d attest.Decision) (*attest.AccessAccount, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *attest.AccessAccount
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := s.openReview(ctx, tx, orgID, reviewID); err != nil {
			return err
		}
		before, err := s.account(ctx, tx, orgID, reviewID, accountID)
		if err != nil {
			return err
		}
		switch {
		case byUser == 0:
			return attest.Errorf(attest.EFORBIDDEN, "a decision is a member's: sign in to decide")
		case before.UserID == byUser:
			return attest.Errorf(attest.EFORBIDDEN, "you cannot review your own access (%s)", before.Account)
		case before.ReviewerID != 0 && before.ReviewerID != byUser:
			return attest.Errorf(attest.EFORBIDDEN, "the account %s is assigned to another reviewer", before.Account)
		}
		now := s.now()
		resolved := before.ResolvedOn
		if d.Decision == attest.DecisionKeep {
			resolved = ""
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE access_review_accounts SET decision = ?, comment = ?, decided_by_user_id = ?, decided_at = ?, resolved_on = ? WHERE org_id = ? AND id = ?`),
			d.Decision, d.Comment, byUser, now, resolved, orgID, accountID); err != nil {
			return fmt.Errorf("decide access: %w", err)
		}
		if out, err = s.account(ctx, tx, orgID, reviewID, accountID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "access_review.decide", "access_review", strconv.FormatInt(reviewID, 10), before, out)
	})
	return out, err
}

func (s *DB) account(ctx context.Context, x queryer, orgID, reviewID, id int64) (*attest.AccessAccount, error) {
	a, err := scanAccount(x.QueryRowContext(ctx, s.q(`SELECT `+accountColumns+` FROM access_review_accounts WHERE org_id = ? AND review_id = ? AND id = ?`), orgID, reviewID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no account %d in access review %d", id, reviewID)
	}
	if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	dir, err := s.people(ctx, x, orgID)
	a.Reviewer, a.DecidedBy = dir.Get(a.ReviewerID), dir.Get(a.DecidedByID)
	return a, err
}

// ResolveAccess records that a revocation or change was carried out.
func (s *DB) ResolveAccess(ctx context.Context, orgID, reviewID, accountID int64, day attest.Date) (*attest.AccessAccount, error) {
	if day.IsZero() || !day.Valid() {
		return nil, attest.FieldErrorf("resolved_on", "say the day the access was revoked or changed (YYYY-MM-DD)")
	}
	var out *attest.AccessAccount
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := s.openReview(ctx, tx, orgID, reviewID); err != nil {
			return err
		}
		before, err := s.account(ctx, tx, orgID, reviewID, accountID)
		if err != nil {
			return err
		}
		if before.Decision != attest.DecisionRevoke && before.Decision != attest.DecisionChange {
			return attest.FieldErrorf("resolved_on", "only a revoke or change decision is carried out")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE access_review_accounts SET resolved_on = ? WHERE org_id = ? AND id = ?`), day, orgID, accountID); err != nil {
			return fmt.Errorf("resolve access: %w", err)
		}
		if out, err = s.account(ctx, tx, orgID, reviewID, accountID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "access_review.resolve", "access_review", strconv.FormatInt(reviewID, 10), before, out)
	})
	return out, err
}

// SignOffAccessReview closes a review once every account is decided and
// every revocation carried out. record, when not nil, is the signed-off
// record, stored as evidence in the same transaction: a refused sign-off
// leaves no evidence behind.
func (s *DB) SignOffAccessReview(ctx context.Context, orgID, reviewID, byUser int64, record *attest.Evidence) (*attest.AccessReview, error) {
	if record != nil {
		if err := s.prepareEvidence(ctx, record); err != nil {
			return nil, fmt.Errorf("the signed-off record as evidence: %w", err)
		}
	}
	var out *attest.AccessReview
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.openReview(ctx, tx, orgID, reviewID)
		if err != nil {
			return err
		}
		if before.Undecided > 0 || before.Unresolved > 0 {
			return attest.Errorf(attest.ECONFLICT, "%d accounts await a decision and %d revocations or changes are not done yet", before.Undecided, before.Unresolved)
		}
		if _, err := s.checkOwner(ctx, tx, orgID, byUser); err != nil || byUser == 0 {
			return attest.Errorf(attest.EFORBIDDEN, "a review is signed off by a member")
		}
		var evidenceID int64
		if record != nil {
			// A control gone since the review named it takes no evidence:
			// the review is signed off without.
			switch err := s.createEvidence(ctx, tx, orgID, record); {
			case err == nil:
				evidenceID = record.ID
			case attest.ErrorCode(err) != attest.ENOTFOUND:
				return fmt.Errorf("the signed-off record as evidence: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE access_reviews SET status = ?, signed_by_user_id = ?, signed_at = ?, evidence_id = ? WHERE org_id = ? AND id = ?`),
			attest.ReviewSignedOff, byUser, s.now(), nullInt(evidenceID), orgID, reviewID); err != nil {
			return fmt.Errorf("sign off access review: %w", err)
		}
		if out, err = s.findReview(ctx, tx, orgID, reviewID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "access_review.sign_off", "access_review", strconv.FormatInt(reviewID, 10), before, out)
	})
	return out, err
}
