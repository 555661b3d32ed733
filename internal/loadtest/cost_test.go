package loadtest

import (
	"io"
	"net/http"
	"testing"

	"github.com/attest-dev/attest/internal/testdb"
)

// BenchmarkPageCost requests the pages of BenchmarkPages' organization one
// at a time, from one client, and reports the time and allocations of each
// request (server and client together):
//
//	go test ./internal/loadtest -run '^$' -bench PageCost -benchmem
//
// It is the cost behind the latencies under load that BenchmarkPages
// measures: at 32 clients on two cores, a page's p99 is about 32 times what
// a request costs here, divided among the cores.
func BenchmarkPageCost(b *testing.B) {
	for _, tg := range testdb.Targets(b) {
		b.Run(tg.Name, func(b *testing.B) {
			s, client, _ := serve(b, tg)
			for _, page := range []struct{ name, path string }{{"dashboard", "/"}, {"controls", "/controls"}} {
				b.Run(page.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						resp, err := client.Get(s.url + page.path)
						if err != nil {
							b.Fatal(err)
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Fatalf("GET %s: %d", page.path, resp.StatusCode)
						}
					}
				})
			}
		})
	}
}
