package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest/internal/testdb"
)

// fuzzRoutes are the API requests FuzzAPI sends: %s takes the fuzzed path
// segment or query value, the body is the fuzzed bytes.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/api/v1/controls"},
	{"PATCH", "/api/v1/controls/%s"},
	{"GET", "/api/v1/controls/%s"},
	{"PUT", "/api/v1/controls/%s/criteria/CC1.1"},
	{"GET", "/api/v1/controls?owner=%s"},
	{"GET", "/api/v1/criteria?category=%s"},
	{"POST", "/api/v1/engagements"},
	{"PATCH", "/api/v1/engagements/{eng}"},
	{"PUT", "/api/v1/engagements/{eng}/scope"},
	{"POST", "/api/v1/engagements/{eng}/systems"},
	{"PATCH", "/api/v1/engagements/{eng}/systems/{system}"},
	{"POST", "/api/v1/tasks"},
	{"PATCH", "/api/v1/tasks/{task}"},
	{"GET", "/api/v1/tasks/%s"},
}

// FuzzAPI sends fuzzed path values, query values and JSON bodies to the
// API over every database the environment provides: whatever arrives, the
// answer is a well-formed response, never a 500, and both databases agree
// on whether it was accepted.
func FuzzAPI(f *testing.F) {
	for i, body := range []string{
		`{"id":"ACME-99","name":"Custom","criteria":["CC1.1"],"frequency":"monthly"}`,
		`{"status":"implemented","owner":"a\u0000b"}`,
		`{"name":"FY27","report_type":"type1","as_of_date":"2027-03-31"}`,
		`{"name":"x\udc00"}`,
		`{"categories":["security","availability"]}`,
		`{"name":"Billing DB","kind":"database"}`,
		`{"title":"Rotate keys","due_date":"2027-01-31","control_id":"ACC-05"}`,
		`{"title":"` + "\xff" + `"}`,
		`[]`,
		`{"status":1e999}`,
	} {
		f.Add(uint8(i), "GOV-01", []byte(body))
	}
	for i, id := range []string{"\x00", "\xff", "GOV-01\x00", "../GOV-01", "cc1.1", strings.Repeat("A", 300)} {
		f.Add(uint8(i), id, []byte(`{}`))
	}
	var envs []*env
	for _, tg := range testdb.Targets(f) {
		envs = append(envs, newEnv(f, tg))
	}
	f.Fuzz(func(t *testing.T, route uint8, value string, body []byte) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		esc := url.PathEscape(value)
		if strings.Contains(rt.path, "?") {
			esc = url.QueryEscape(value)
		}
		path := strings.Replace(rt.path, "%s", esc, 1)
		var first int
		for i, e := range envs {
			req, err := http.NewRequest(rt.method, e.srv.URL+e.subst.Replace(path), strings.NewReader(string(body)))
			if err != nil {
				t.Skip() // not a request a client could send
			}
			req.Header.Set("Authorization", "Bearer "+e.tokens[adminA])
			req.Header.Set("Content-Type", "application/json")
			r := e.send(t, req) // checks the error shape
			if r.status >= 500 {
				t.Fatalf("%s %s with %q: %d %s", rt.method, path, body, r.status, r.body)
			}
			if i == 0 {
				first = r.status
			} else if (first < 300) != (r.status < 300) {
				t.Fatalf("%s %s with %q: %s answered %d, sqlite %d", rt.method, path, body, testdbName(i), r.status, first)
			}
		}
	})
}

func testdbName(i int) string { return []string{"sqlite", "postgres"}[i] }
