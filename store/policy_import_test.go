package store

import (
	"context"
	"testing"

	"github.com/attest-dev/attest"
)

// TestSaveDraftsAllOrNothing: a batch of drafts whose last one is refused
// (a stale base version, found only inside the transaction) saves none.
func TestSaveDraftsAllOrNothing(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "ann@example.com")
		org := newOrg(t, db, "Acme")
		first := adopted(t, db, org)
		second, err := db.AdoptTemplate(ctx, org, template(t, "backup"), map[string]string{"organization": "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.SaveDrafts(ctx, org, []attest.DraftChange{
			{PolicyID: first.ID, BaseVersion: "1.0", Body: "# Access\n\nNew text.\n"},
			{PolicyID: second.ID, BaseVersion: "0.9", Body: "# Backup\n\nNew text.\n"},
		})
		if attest.ErrorCode(err) != attest.ECONFLICT {
			t.Fatalf("err = %v, want ECONFLICT", err)
		}
		if got := versionStates(t, db, org, first.ID); got != "1.0=draft" {
			t.Errorf("the first policy changed although the batch failed: %s", got)
		}

		_, err = db.SaveDrafts(ctx, org, []attest.DraftChange{
			{PolicyID: first.ID, BaseVersion: "1.0", Body: "# Access\n\nNew text.\n"},
			{PolicyID: second.ID, BaseVersion: "1.0", Body: "# Backup\n\nbad \x00 byte\n"},
		})
		if attest.ErrorCode(err) != attest.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		if got := versionStates(t, db, org, first.ID); got != "1.0=draft" {
			t.Errorf("the first policy changed although a body was refused: %s", got)
		}

		vs, err := db.SaveDrafts(ctx, org, []attest.DraftChange{
			{PolicyID: first.ID, BaseVersion: "1.0", Body: "# Access\n\nNew text.\n"},
			{PolicyID: second.ID, BaseVersion: "1.0", Body: "# Backup\n\nNew text.\n"},
		})
		if err != nil || len(vs) != 2 || vs[0].Number != "1.1" || vs[1].Number != "1.1" {
			t.Fatalf("SaveDrafts = %v, %v", vs, err)
		}
	})
}
