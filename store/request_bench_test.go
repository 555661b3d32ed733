package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// BenchmarkEvidenceReads measures what the evidence pages read from the
// store, for a small organization (500 items) and for 20,000 and 100,000
// items over the catalog's controls, all in one run:
//
//	go test ./store -run '^$' -bench EvidenceReads -benchmem
//
// (with ATTEST_TEST_POSTGRES set for the PostgreSQL figures).
//
//   - control: a control page (its requests, its newest 50 items);
//   - list: one page of /evidence (25 controls' slot summary, the titles);
//   - missing: /evidence filtered to missing periods (every control's
//     slot summary);
//   - coverage: every slot's state, as readiness computes its coverage;
//   - whole: the whole request list with every item of every slot (the
//     export, reminders, the auditor's package);
//   - before: what both pages read before (every item of the organization
//     with its links, twice over), for comparison.
func BenchmarkEvidenceReads(b *testing.B) {
	for _, o := range openers(b) {
		b.Run(o.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := Open(ctx, o.open(b), catalog.MustSOC2())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			for _, n := range []int{500, 20000, 100000} {
				org, e := seedEvidence(b, db, n)
				controls, err := db.FindControls(ctx, org, attest.ControlFilter{})
				if err != nil {
					b.Fatal(err)
				}
				var withNeeds []*attest.Control
				for _, c := range attest.DeriveScope(db.fw, e.Categories, controls).Controls {
					if len(c.Evidence) > 0 {
						withNeeds = append(withNeeds, c)
					}
				}
				one := withNeeds[len(withNeeds)/2]
				b.Run(fmt.Sprintf("items=%d/control", n), func(b *testing.B) {
					for b.Loop() {
						reqs, err := db.ControlRequests(ctx, org, e, []*attest.Control{one})
						if err != nil || len(reqs) == 0 {
							b.Fatal(err)
						}
						if _, _, err := db.RecentEvidence(ctx, org, one.ID, 50); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(fmt.Sprintf("items=%d/list", n), func(b *testing.B) {
					for b.Loop() {
						cs, err := db.FindControls(ctx, org, attest.ControlFilter{})
						if err != nil {
							b.Fatal(err)
						}
						page := attest.DeriveScope(db.fw, e.Categories, cs).Controls[:25]
						reqs, err := db.RequestSummary(ctx, org, e, page)
						if err != nil || len(reqs) == 0 {
							b.Fatal(err)
						}
						if _, err := db.EvidenceTitles(ctx, org, firstItems(reqs)); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(fmt.Sprintf("items=%d/missing", n), func(b *testing.B) {
					for b.Loop() {
						reqs, err := db.RequestSummary(ctx, org, e, withNeeds)
						if err != nil || len(reqs) == 0 {
							b.Fatal(err)
						}
						groups := (&attest.RequestQuery{State: attest.SlotMissing}).Group(reqs)
						if len(groups) == 0 {
							b.Fatal("nothing missing")
						}
						if _, err := db.EvidenceTitles(ctx, org, firstItems(groups[0].Requests)); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(fmt.Sprintf("items=%d/coverage", n), func(b *testing.B) {
					for b.Loop() {
						if _, err := db.requestsOf(ctx, org, e, controls, db.today()); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(fmt.Sprintf("items=%d/whole", n), func(b *testing.B) {
					for b.Loop() {
						if _, err := db.Requests(ctx, org, e.ID); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(fmt.Sprintf("items=%d/before", n), func(b *testing.B) {
					for b.Loop() {
						for range 2 {
							items, err := db.FindEvidence(ctx, org, "")
							if err != nil {
								b.Fatal(err)
							}
							attest.BuildRequests(e, attest.DeriveScope(db.fw, e.Categories, controls).Controls, items, nil, db.today())
						}
					}
				})
			}
		})
	}
}

// firstItems lists the first evidence ID of each slot, whose title a
// badge shows.
func firstItems(reqs []*attest.EvidenceRequest) []int64 {
	var ids []int64
	for _, r := range reqs {
		for _, s := range r.Slots {
			ids = append(ids, s.Evidence[:min(len(s.Evidence), 1)]...)
		}
	}
	return ids
}

// seedEvidence creates an organization with the catalog's controls, a
// Type II engagement over 2026 in every category, and n evidence items
// spread evenly over the needs of two controls in three and the window's
// months, each collected a few days into its month. Rows go in directly, many to a
// statement, so that 100,000 items take seconds.
func seedEvidence(b *testing.B, db *DB, n int) (int64, *attest.Engagement) {
	ctx := context.Background()
	o := &attest.Organization{Name: fmt.Sprintf("Evidence %d", n)}
	if err := db.CreateOrganization(ctx, o); err != nil {
		b.Fatal(err)
	}
	e := &attest.Engagement{Name: "Type II 2026", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-12-31",
		Categories: []string{"security", "availability", "processing_integrity", "confidentiality", "privacy"}}
	if err := db.CreateEngagement(ctx, o.ID, e); err != nil {
		b.Fatal(err)
	}
	type need struct {
		control string
		need    int
	}
	var needs []need
	for j, c := range db.fw.Controls {
		for i := range c.Evidence {
			if j%3 != 2 { // a third of the controls have no evidence yet
				needs = append(needs, need{c.ID, i})
			}
		}
	}
	const batch = 400
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var firstID int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM evidence`).Scan(&firstID); err != nil {
			return err
		}
		for from := 0; from < n; from += batch {
			to := min(from+batch, n)
			var ev, links []string
			var evArgs, linkArgs []any
			for i := from; i < to; i++ {
				id := firstID + int64(i) + 1
				nd := needs[i%len(needs)]
				month := time.Date(2026, time.Month(1+(i/len(needs))%12), 1, 0, 0, 0, 0, time.UTC)
				start, end := attest.DateOf(month), attest.DateOf(month.AddDate(0, 1, -1))
				at := month.AddDate(0, 0, 3)
				ev = append(ev, "("+placeholders(12)+")")
				evArgs = append(evArgs, id, o.ID, "link", fmt.Sprintf("Evidence %d for %s", i, nd.control), "https://docs.example/"+fmt.Sprint(i),
					"manual", "bench", at, start, end, at, attest.DateOf(at.AddDate(0, 1, 0)))
				links = append(links, "(?, ?, ?, ?, ?, ?, ?, ?)")
				linkArgs = append(linkArgs, o.ID, id, nd.control, nd.need, start, end, attest.DateOf(at.AddDate(0, 1, 0)), attest.DateOf(at))
			}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO evidence (id, org_id, kind, title, url, source, provided_by, collected_at, period_start, period_end, created_at, valid_until)
				VALUES `+strings.Join(ev, ", ")), evArgs...); err != nil {
				return fmt.Errorf("seed evidence: %w", err)
			}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO evidence_links (org_id, evidence_id, control_id, need, period_start, period_end, valid_until, provided_on) VALUES `+strings.Join(links, ", ")), linkArgs...); err != nil {
				return fmt.Errorf("seed links: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// As a database settles after a bulk load (PostgreSQL's autovacuum
	// marks the pages all-visible, so index-only scans stay in the index).
	stmts := []string{`ANALYZE`}
	if db.dialect.name == "postgres" {
		stmts = []string{`SELECT setval(pg_get_serial_sequence('evidence', 'id'), (SELECT MAX(id) FROM evidence))`, `VACUUM ANALYZE evidence_links`, `VACUUM ANALYZE evidence`}
	}
	for _, q := range stmts {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return o.ID, e
}
