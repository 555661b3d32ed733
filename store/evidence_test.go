package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// typeII creates a six-month Type II engagement over security that began
// on 2026-01-01.
func typeII(t *testing.T, db *DB, orgID int64) *attest.Engagement {
	t.Helper()
	e := &attest.Engagement{Name: "Type II", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
	if err := db.CreateEngagement(context.Background(), orgID, e); err != nil {
		t.Fatal(err)
	}
	return e
}

func fileItem(control string, need int, start, end attest.Date) *attest.Evidence {
	return &attest.Evidence{Kind: attest.EvidenceFile, Title: "Export " + string(start), SHA256: strings.Repeat("ab", 32), Size: 10,
		FileName: "export.csv", ContentType: "text/csv", PeriodStart: start, PeriodEnd: end,
		Links: []attest.EvidenceLinkRef{{ControlID: control, Need: need}}}
}

// monthlyNeed finds a control with a monthly evidence need.
func monthlyNeed(t *testing.T, db *DB, orgID int64) (string, int) {
	t.Helper()
	cs, err := db.FindControls(context.Background(), orgID, attest.ControlFilter{Category: "security"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		for i, n := range c.Evidence {
			if n.Frequency == attest.Monthly {
				return c.ID, i
			}
		}
	}
	t.Fatal("no control with a monthly evidence need")
	return "", 0
}

func TestEvidence(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "ann@example.com")
		db.Now = func() time.Time { return time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC) }
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		e := typeII(t, db, org)
		ctl, need := monthlyNeed(t, db, org)

		r0, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		jan := fileItem(ctl, need, "2026-01-01", "2026-01-31")
		if err := db.CreateEvidence(ctx, org, jan); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindEvidenceByID(ctx, org, jan.ID)
		if err != nil || got.ProvidedBy != "ann@example.com" || len(got.Links) != 1 || got.Source != "manual" {
			t.Fatalf("stored item = %+v, %v", got, err)
		}
		if _, err := db.FindEvidenceByID(ctx, other, jan.ID); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Errorf("another organization reads the item: %v", err)
		}

		// Bad input is refused and stores nothing.
		for name, bad := range map[string]*attest.Evidence{
			"unknown control": fileItem("NOPE-01", 0, "2026-01-01", "2026-01-31"),
			"need too high":   fileItem(ctl, 99, "2026-01-01", "2026-01-31"),
			"reversed period": fileItem(ctl, need, "2026-02-01", "2026-01-01"),
			"no links":        {Kind: attest.EvidenceLink, Title: "x", URL: "https://x.example", PeriodStart: "2026-01-01", PeriodEnd: "2026-01-02"},
			"script link":     {Kind: attest.EvidenceLink, Title: "x", URL: "javascript:alert(1)", PeriodStart: "2026-01-01", PeriodEnd: "2026-01-02", Links: jan.Links},
			"empty statement": {Kind: attest.EvidenceStatement, Title: "x", PeriodStart: "2026-01-01", PeriodEnd: "2026-01-02", Links: jan.Links},
			"other org":       jan,
		} {
			org := org
			if name == "other org" {
				org, bad = other, fileItem(ctl, need, "2026-01-01", "2026-01-31")
				bad.Supersedes = jan.ID
			}
			if err := db.CreateEvidence(ctx, org, bad); err == nil {
				t.Errorf("%s: stored", name)
			}
		}
		if all, _ := db.FindEvidence(ctx, org, ""); len(all) != 1 {
			t.Errorf("%d items after refusals, want 1", len(all))
		}

		// A new version supersedes the old; both remain; a second
		// replacement of the old one is a conflict.
		v2 := fileItem(ctl, need, "2026-01-01", "2026-02-28")
		v2.Supersedes = jan.ID
		if err := db.CreateEvidence(ctx, org, v2); err != nil {
			t.Fatal(err)
		}
		if old, _ := db.FindEvidenceByID(ctx, org, jan.ID); old.SupersededBy != v2.ID {
			t.Errorf("old item superseded by %d, want %d", old.SupersededBy, v2.ID)
		}
		v3 := fileItem(ctl, need, "2026-01-01", "2026-01-31")
		v3.Supersedes = jan.ID
		if err := db.CreateEvidence(ctx, org, v3); attest.ErrorCode(err) != attest.ECONFLICT {
			t.Errorf("replacing a replaced item: %v", err)
		}
		if items, _ := db.FindEvidence(ctx, org, ctl); len(items) != 2 || items[0].ID != v2.ID {
			t.Errorf("control's items = %d", len(items))
		}

		// March had nothing to prove.
		if err := db.MarkSlotNotApplicable(ctx, org, &attest.SlotStatement{EngagementID: e.ID, ControlID: ctl, Need: need, PeriodStart: "2026-03-01"}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("statement without text: %v", err)
		}
		if err := db.MarkSlotNotApplicable(ctx, org, &attest.SlotStatement{EngagementID: e.ID, ControlID: ctl, Need: need, PeriodStart: "2026-03-02", Statement: "x"}); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Errorf("statement for a slot that does not exist: %v", err)
		}
		if err := db.MarkSlotNotApplicable(ctx, org, &attest.SlotStatement{EngagementID: e.ID, ControlID: ctl, Need: need, PeriodStart: "2026-03-01", Statement: "System frozen in March"}); err != nil {
			t.Fatal(err)
		}
		reqs, err := db.Requests(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var slots string
		for _, r := range reqs {
			if r.ControlID == ctl && r.Need == need {
				for _, s := range r.Slots {
					slots += string(s.State)[:1]
				}
			}
		}
		if slots != "ppnmuu" {
			t.Errorf("slots of %s need %d = %s, want ppnmuu", ctl, need, slots)
		}

		r1, err := db.Readiness(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Coverage.Covered != r0.Coverage.Covered+3 || r1.Coverage.Due != r0.Coverage.Due || r1.CoveragePercent <= r0.CoveragePercent {
			t.Errorf("coverage before %+v, after %+v", r0.Coverage, r1.Coverage)
		}
		blobs, err := db.EvidenceBlobs(ctx)
		if err != nil || len(blobs) != 1 {
			t.Errorf("evidence blobs = %v, %v", blobs, err)
		}
	})
}

func TestSigningKey(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		if _, _, err := db.SigningKey(ctx, org); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Fatalf("before any key: %v", err)
		}
		pub, priv, err := db.SaveSigningKey(ctx, org, "pub1", "priv1")
		if err != nil || pub != "pub1" || priv != "priv1" {
			t.Fatalf("first key = %s %s %v", pub, priv, err)
		}
		// A second process that made its own key meanwhile gets the first.
		pub, _, err = db.SaveSigningKey(ctx, org, "pub2", "priv2")
		if err != nil || pub != "pub1" {
			t.Errorf("second save = %s %v, want the first key kept", pub, err)
		}
	})
}
