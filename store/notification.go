package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"

	"github.com/attest-dev/attest"
)

var _ attest.NotificationService = (*DB)(nil)

// FindNotificationPrefs returns the user's choices; events never chosen are
// absent (and sent).
func (s *DB) FindNotificationPrefs(ctx context.Context, orgID, userID int64) (attest.NotificationPrefs, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT event, email FROM notification_prefs WHERE org_id = ? AND user_id = ?`), orgID, userID)
	if err != nil {
		return nil, fmt.Errorf("find notification preferences: %w", err)
	}
	defer rows.Close()
	prefs := attest.NotificationPrefs{}
	for rows.Next() {
		var ev string
		var on bool
		if err := rows.Scan(&ev, &on); err != nil {
			return nil, err
		}
		prefs[ev] = on
	}
	return prefs, rows.Err()
}

// SetNotificationPrefs stores the user's choices for the events named.
func (s *DB) SetNotificationPrefs(ctx context.Context, orgID, userID int64, prefs attest.NotificationPrefs) error {
	for ev := range prefs {
		if !slices.Contains(attest.NotificationEvents, ev) {
			return attest.Errorf(attest.EINVALID, "unknown event %q", ev)
		}
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if err := s.checkUser(ctx, tx, orgID, userID); err != nil {
			return err
		}
		for ev, on := range prefs {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO notification_prefs (org_id, user_id, event, email) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id, event) DO UPDATE SET email = excluded.email`), orgID, userID, ev, on); err != nil {
				return fmt.Errorf("set notification preferences: %w", s.dialect.normalize(err))
			}
		}
		return s.appendAudit(ctx, tx, orgID, "notifications.update", "user", strconv.FormatInt(userID, 10), nil, prefs)
	})
}

const webhookColumns = `id, url, secret, format, events, created_at`

func scanWebhook(r rowScanner) (*attest.Webhook, error) {
	w := &attest.Webhook{}
	var events string
	if err := r.Scan(&w.ID, &w.URL, &w.Secret, &w.Format, &events, &w.CreatedAt); err != nil {
		return nil, err
	}
	w.Events = []string{}
	return w, fromJSON(events, &w.Events)
}

// CreateWebhook stores a webhook; its secret must already be sealed.
func (s *DB) CreateWebhook(ctx context.Context, orgID int64, w *attest.Webhook) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if w.Events == nil {
		w.Events = []string{}
	}
	w.CreatedAt = s.now()
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO webhooks (org_id, url, secret, format, events, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			orgID, w.URL, w.Secret, w.Format, jsonText(w.Events), w.CreatedAt)
		if err != nil {
			return err
		}
		w.ID = id
		return s.appendAudit(ctx, tx, orgID, "webhook.create", "webhook", strconv.FormatInt(id, 10), nil, w)
	})
}

// FindWebhooks returns the organization's webhooks.
func (s *DB) FindWebhooks(ctx context.Context, orgID int64) ([]*attest.Webhook, error) {
	return queryAll(ctx, s.db, "find webhooks", scanWebhook, s.q(`SELECT `+webhookColumns+` FROM webhooks WHERE org_id = ? ORDER BY id`), orgID)
}

// FindWebhookByID returns one webhook, or ENOTFOUND.
func (s *DB) FindWebhookByID(ctx context.Context, orgID, id int64) (*attest.Webhook, error) {
	ws, err := queryAll(ctx, s.db, "find webhook", scanWebhook, s.q(`SELECT `+webhookColumns+` FROM webhooks WHERE org_id = ? AND id = ?`), orgID, id)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, attest.Errorf(attest.ENOTFOUND, "no webhook %d", id)
	}
	return ws[0], nil
}

// DeleteWebhook removes a webhook.
func (s *DB) DeleteWebhook(ctx context.Context, orgID, id int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhooks WHERE org_id = ? AND id = ?`), orgID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.ENOTFOUND, "no webhook %d", id)
		}
		return s.appendAudit(ctx, tx, orgID, "webhook.delete", "webhook", strconv.FormatInt(id, 10), nil, nil)
	})
}
