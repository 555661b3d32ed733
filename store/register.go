package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// The registers (risk.go, vendor.go, asset.go, incident.go) share the
// helpers here: a page of a list cut in SQL, the links of records to
// controls, tasks and assets, and the organization's register settings.

// registerPage counts the rows of table t that match where and reads one
// page of them in order (ties by ID in the same direction).
func registerPage[T any](ctx context.Context, s *DB, what, table, cols, where string, args []any, order string, p attest.Page, scan func(rowScanner) (T, error)) ([]T, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+table+` t WHERE `+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", what, err)
	}
	dir := ""
	if p.Desc {
		dir = " DESC"
	}
	query := `SELECT ` + cols + ` FROM ` + table + ` t WHERE ` + where + ` ORDER BY ` + order + dir + `, t.id` + dir + fmt.Sprintf(` LIMIT %d OFFSET %d`, p.Limit, p.Offset)
	out, err := queryAll(ctx, s.db, "find "+what, scan, s.q(query), args...)
	return out, total, err
}

// registerWhere starts the WHERE clause every register shares: the
// organization, a status, an owner, and a search over columns.
func registerWhere(orgID int64, f attest.RegisterFilter, search ...string) (string, []any) {
	where := `t.org_id = ?`
	args := []any{orgID}
	if f.Status != "" {
		where += ` AND t.status = ?`
		args = append(args, f.Status)
	}
	if f.OwnerID != 0 {
		where += ` AND t.owner_user_id = ?`
		args = append(args, f.OwnerID)
	}
	if q := strings.TrimSpace(f.Search); q != "" && len(search) > 0 {
		parts := make([]string, len(search))
		for i, c := range search {
			parts[i] = `LOWER(` + c + `) LIKE ? ESCAPE '\'`
			args = append(args, likePattern(q))
		}
		where += ` AND (` + strings.Join(parts, ` OR `) + `)`
	}
	return where, args
}

// recordControls returns the controls each record of a kind is attached
// to, by record ID.
func (s *DB) recordTargets(ctx context.Context, x queryer, orgID int64, kind attest.RecordKind, rel string, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{orgID, kind, rel}
	for _, id := range ids {
		args = append(args, id)
	}
	type pair struct {
		id     int64
		target string
	}
	rows, err := queryAll(ctx, x, "find record links", func(r rowScanner) (pair, error) {
		var p pair
		return p, r.Scan(&p.id, &p.target)
	}, s.q(`SELECT record_id, target FROM record_links WHERE org_id = ? AND kind = ? AND rel = ? AND record_id IN (`+placeholders(len(ids))+`) ORDER BY record_id, target`), args...)
	if err != nil {
		return nil, err
	}
	for _, p := range rows {
		out[p.id] = append(out[p.id], p.target)
	}
	return out, nil
}

// link stores one link of a record; an existing one is kept.
func (s *DB) link(ctx context.Context, tx *sql.Tx, orgID int64, kind attest.RecordKind, id int64, rel, target string, evidence int64) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO record_links (org_id, kind, record_id, rel, target, evidence_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		orgID, kind, id, rel, target, nullInt(evidence), s.now())
	if err != nil {
		return fmt.Errorf("link %s %d: %w", kind, id, s.dialect.normalize(err))
	}
	return nil
}

// setAssetLinks makes the record's affected assets exactly ids; each must
// be the organization's.
func (s *DB) setAssetLinks(ctx context.Context, tx *sql.Tx, orgID int64, kind attest.RecordKind, id int64, ids []int64) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM record_links WHERE org_id = ? AND kind = ? AND record_id = ? AND rel = 'asset'`), orgID, kind, id); err != nil {
		return fmt.Errorf("unlink assets: %w", err)
	}
	for _, a := range ids {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM assets WHERE org_id = ? AND id = ?`), orgID, a).Scan(&n); err != nil {
			return fmt.Errorf("find asset: %w", err)
		}
		if n == 0 {
			return attest.FieldErrorf("assets", "unknown asset %d", a)
		}
		if err := s.link(ctx, tx, orgID, kind, id, "asset", strconv.FormatInt(a, 10), 0); err != nil {
			return err
		}
	}
	return nil
}

// recordTitle returns a record's title (a vendor's or asset's name) and
// a one-paragraph statement of it for the evidence an attachment makes.
func (s *DB) recordTitle(ctx context.Context, x queryer, orgID int64, kind attest.RecordKind, id int64) (string, string, error) {
	var query string
	switch kind {
	case attest.RecordRisk:
		query = `SELECT title, 'Risk register entry, status ' || status || ', inherent score ' || inherent_score || ', residual score ' || residual_score || ', treatment ' || CASE WHEN treatment = '' THEN 'none' ELSE treatment END || '.' FROM risks`
	case attest.RecordVendor:
		query = `SELECT name, 'Vendor inventory entry, tier ' || tier || ', status ' || status || ', next review ' || CASE WHEN next_review = '' THEN 'not set' ELSE next_review END || '.' FROM vendors`
	case attest.RecordAsset:
		query = `SELECT name, 'System inventory entry, ' || type || ' in ' || environment || ', data classified ' || classification || '.' FROM assets`
	case attest.RecordIncident:
		query = `SELECT title, 'Incident record, severity ' || severity || ', status ' || status || '.' FROM incidents`
	default:
		return "", "", attest.Errorf(attest.ENOTFOUND, "no register %q", kind)
	}
	var title, text string
	err := x.QueryRowContext(ctx, s.q(query+` WHERE org_id = ? AND id = ?`), orgID, id).Scan(&title, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", attest.Errorf(attest.ENOTFOUND, "no %s %d", kind, id)
	}
	if err != nil {
		return "", "", fmt.Errorf("find %s: %w", kind, err)
	}
	return title, text, nil
}

// FindRegisterSettings returns the organization's register settings, or
// the defaults when it chose none.
func (s *DB) FindRegisterSettings(ctx context.Context, orgID int64) (attest.RegisterSettings, error) {
	return s.registerSettings(ctx, s.db, orgID)
}

func (s *DB) registerSettings(ctx context.Context, x queryer, orgID int64) (attest.RegisterSettings, error) {
	st := attest.DefaultRegisterSettings()
	var owner sql.NullInt64
	err := x.QueryRowContext(ctx, s.q(`SELECT risk_scale, risk_appetite, assessment_months, assessment_owner_id FROM register_settings WHERE org_id = ?`), orgID).
		Scan(&st.RiskScale, &st.RiskAppetite, &st.AssessmentMonths, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("find register settings: %w", err)
	}
	st.AssessmentOwnerID = owner.Int64
	return st, nil
}

// UpdateRegisterSettings validates and stores the settings. Shrinking the
// scale is refused while a risk is rated above the new scale.
func (s *DB) UpdateRegisterSettings(ctx context.Context, orgID int64, st attest.RegisterSettings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.registerSettings(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if _, err := s.checkOwner(ctx, tx, orgID, st.AssessmentOwnerID); err != nil {
			return attest.FieldErrorf("assessment_owner", "%s", attest.ErrorMessage(err))
		}
		var over int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM risks WHERE org_id = ? AND (likelihood > ? OR impact > ? OR residual_likelihood > ? OR residual_impact > ?)`),
			orgID, st.RiskScale, st.RiskScale, st.RiskScale, st.RiskScale).Scan(&over); err != nil {
			return fmt.Errorf("check risk scale: %w", err)
		}
		if over > 0 {
			return attest.FieldErrorf("risk_scale", "%d risks are rated above %d: rate them on the smaller scale first", over, st.RiskScale)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO register_settings (org_id, risk_scale, risk_appetite, assessment_months, assessment_owner_id) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET risk_scale = excluded.risk_scale, risk_appetite = excluded.risk_appetite,
			assessment_months = excluded.assessment_months, assessment_owner_id = excluded.assessment_owner_id`),
			orgID, st.RiskScale, st.RiskAppetite, st.AssessmentMonths, nullInt(st.AssessmentOwnerID)); err != nil {
			return fmt.Errorf("store register settings: %w", s.dialect.normalize(err))
		}
		return s.appendAudit(ctx, tx, orgID, "register.settings", "register_settings", strconv.FormatInt(orgID, 10), before, st)
	})
}

// fillPeople sets the Person of each non-zero ID through set.
func (s *DB) fillPeople(ctx context.Context, orgID int64, n int, id func(i int) []int64, set func(i int, people attest.People)) error {
	need := false
	for i := range n {
		for _, u := range id(i) {
			need = need || u != 0
		}
	}
	if !need {
		return nil
	}
	people, err := s.people(ctx, s.db, orgID)
	if err != nil {
		return err
	}
	for i := range n {
		set(i, people)
	}
	return nil
}
