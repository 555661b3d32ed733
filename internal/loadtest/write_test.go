package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/testdb"
)

// writeClients is how many clients write at once.
const writeClients = 8

// BenchmarkWrites measures single-row API writes (PATCH
// /api/v1/controls/{id}, each client on its own control) with 8 concurrent
// clients over loopback, against a server wired as attest serve is, on
// SQLite and (with ATTEST_TEST_POSTGRES) PostgreSQL:
//
//	go test ./internal/loadtest -run '^$' -bench Writes -benchtime 4000x
//
// Beside it, in the same run and with the same clients: "tx", a bare
// single-row UPDATE transaction on the same database, and "noop", a
// handler that reads the request and answers 204, over the same loopback
// client. Each reports p50, p99 and requests per second.
func BenchmarkWrites(b *testing.B) {
	b.Run("noop", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		defer srv.Close()
		client := newClient()
		l, elapsed := parallel(b, writeClients, func(c, _ int) error {
			return do(client, "PATCH", fmt.Sprintf("%s/api/v1/controls/C%d", srv.URL, c), "token", `{"notes":"n"}`, http.StatusNoContent)
		})
		l.report(b, "", elapsed)
	})
	for _, tg := range testdb.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			db := open(b, tg)
			ctx := context.Background()
			sqldb := db.SQL()
			if _, err := sqldb.Exec(`CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			for i := range writeClients {
				sqldb.Exec(fmt.Sprintf(`INSERT INTO bench_rows (id, n) VALUES (%d, 0)`, i))
			}
			update := `UPDATE bench_rows SET n = n + 1 WHERE id = ?`
			if tg.Name == "postgres" {
				update = `UPDATE bench_rows SET n = n + 1 WHERE id = $1`
			}
			o := &attest.Organization{Name: "Writes"}
			if err := db.CreateOrganization(ctx, o); err != nil {
				b.Fatal(err)
			}
			e := &attest.Engagement{Name: "SOC 2", ReportType: attest.TypeI, AsOfDate: "2027-06-30", Categories: []string{"security"}}
			if err := db.CreateEngagement(ctx, o.ID, e); err != nil {
				b.Fatal(err)
			}
			s := start(b, db)
			secret := token(b, db, o.ID)
			client := newClient()
			ids := db.Framework().Controls
			statuses := []string{"in_progress", "implemented"}
			b.Run("tx", func(b *testing.B) {
				l, elapsed := parallel(b, writeClients, func(c, _ int) error {
					tx, err := sqldb.BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, update, c); err != nil {
						tx.Rollback()
						return err
					}
					return tx.Commit()
				})
				l.report(b, "", elapsed)
			})
			b.Run("api", func(b *testing.B) {
				l, elapsed := parallel(b, writeClients, func(c, i int) error {
					body := fmt.Sprintf(`{"status":%q,"notes":"write %d"}`, statuses[i%2], i)
					return do(client, "PATCH", s.url+"/api/v1/controls/"+ids[c].ID, secret, body, http.StatusOK)
				})
				l.report(b, "", elapsed)
			})
		})
	}
}
