package httpapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/httpapi"
)

func client(t *testing.T, base string, sl *conformance.Sleeps, now time.Time) *httpapi.Client {
	t.Helper()
	c, err := httpapi.New(collect.Config{HTTP: &http.Client{}, Sleep: sl.Sleep, Now: func() time.Time { return now }},
		httpapi.Options{Service: "demo", BaseURL: base, Auth: httpapi.Bearer("s3cret-token")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPagers(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	page := func(r *http.Request, size int) (int, []string) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if p < 1 {
			p = 1
		}
		lo, hi := (p-1)*size, p*size
		lo, hi = min(lo, len(items)), min(hi, len(items))
		return p, items[lo:hi]
	}
	quote := func(s []string) string {
		q := make([]string, len(s))
		for i, e := range s {
			q[i] = strconv.Quote(e)
		}
		return "[" + strings.Join(q, ",") + "]"
	}
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
		pager   httpapi.Pager
		path    string
	}{
		{"link", func(w http.ResponseWriter, r *http.Request) {
			p, got := page(r, 2)
			if p*2 < len(items) {
				w.Header().Add("Link", fmt.Sprintf(`<http://%s/v1/items?page=1>; rel="first", <http://%s/v1/items?page=%d>; rel="next"`, r.Host, r.Host, p+1))
			}
			fmt.Fprint(w, quote(got))
		}, httpapi.LinkNext{}, ""},
		{"cursor", func(w http.ResponseWriter, r *http.Request) {
			p, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
			hi := min(p+2, len(items))
			next := "null"
			if hi < len(items) {
				next = strconv.Quote(strconv.Itoa(hi))
			}
			fmt.Fprintf(w, `{"data":%s,"meta":{"next":%s}}`, quote(items[p:hi]), next)
		}, httpapi.Cursor{Path: "meta.next", Param: "cursor"}, "data"},
		{"page number", func(w http.ResponseWriter, r *http.Request) {
			_, got := page(r, 2)
			fmt.Fprintf(w, `{"results":%s}`, quote(got))
		}, httpapi.PageNumber{Param: "page", Size: 2, ItemsPath: "results"}, "results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(tt.handler))
			defer srv.Close()
			c := client(t, srv.URL+"/v1", &conformance.Sleeps{}, time.Now())
			var got []string
			err := c.Pages(t.Context(), "items", tt.pager, func(r *httpapi.Response) error {
				xs, err := httpapi.Items(r.Body, tt.path)
				for _, x := range xs {
					got = append(got, x.(string))
				}
				return err
			})
			if err != nil || strings.Join(got, "") != "abcde" {
				t.Fatalf("got %v, %v; want abcde", got, err)
			}
		})
	}
}

func TestNextLinkToAnotherHostRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<https://elsewhere.example/steal?page=2>; rel="next"`)
		fmt.Fprint(w, `[]`)
	}))
	defer srv.Close()
	err := client(t, srv.URL, &conformance.Sleeps{}, time.Now()).Pages(t.Context(), "x", httpapi.LinkNext{}, func(*httpapi.Response) error { return nil })
	if !errors.Is(err, collect.ErrMalformed) || !strings.Contains(err.Error(), "elsewhere.example") {
		t.Fatalf("got %v, want a refusal naming the other host", err)
	}
}

func TestRepeatingNextLinkStops(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `</x?page=2>; rel="next"`)
		fmt.Fprint(w, `[]`)
	}))
	defer srv.Close()
	err := client(t, srv.URL, &conformance.Sleeps{}, time.Now()).Pages(t.Context(), "x", httpapi.LinkNext{}, func(*httpapi.Response) error { return nil })
	if !errors.Is(err, collect.ErrMalformed) {
		t.Fatalf("got %v, want a malformed error for a looping next link", err)
	}
}

// TestSlowsDownBeforeZero: with the quota low the client spreads the
// remaining requests over the time left; at zero it waits for the reset;
// GitHub's 403 with x-ratelimit-remaining: 0 is a rate limit, not a
// permission error.
func TestSlowsDownBeforeZero(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name   string
		header map[string]string
		status int
		want   time.Duration
	}{
		{"plenty left", map[string]string{"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4000", "X-RateLimit-Reset": "1700003600"}, 200, 0},
		{"github low", map[string]string{"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "100", "x-ratelimit-reset": "1700001000"}, 200, 10 * time.Second},
		{"okta low", map[string]string{"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "6", "X-Rate-Limit-Reset": "1700000060"}, 200, 10 * time.Second},
		{"ietf delta", map[string]string{"RateLimit-Limit": "10", "RateLimit-Remaining": "1", "RateLimit-Reset": "4"}, 200, 4 * time.Second},
		{"github 403 exhausted", map[string]string{"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000030"}, 403, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n++
				if n == 1 {
					for k, v := range tt.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(tt.status)
				}
				fmt.Fprint(w, `{}`)
			}))
			defer srv.Close()
			sl := &conformance.Sleeps{}
			c := client(t, srv.URL, sl, now)
			var v any
			if _, err := c.GetJSON(t.Context(), "a", &v); err != nil && tt.status == 200 {
				t.Fatal(err)
			}
			if _, err := c.GetJSON(t.Context(), "b", &v); err != nil {
				t.Fatal(err)
			}
			var total time.Duration
			for _, d := range sl.All() {
				total += d
			}
			if total != tt.want {
				t.Fatalf("waited %v, want %v", sl.All(), tt.want)
			}
		})
	}
}

func TestErrorsNameTheRequestNotTheSecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret-token" {
			t.Errorf("authorization header %q", r.Header.Get("Authorization"))
		}
		switch r.URL.Path {
		case "/forbidden":
			http.Error(w, "no", http.StatusForbidden)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 40<<20)))
		default:
			http.Error(w, "Bad credentials s3cret-token", http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	c := client(t, srv.URL, &conformance.Sleeps{}, time.Now())
	for path, want := range map[string]string{"denied": "credentials were refused", "forbidden": "HTTP 403", "big": "larger than"} {
		_, err := c.Get(t.Context(), path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "demo") {
			t.Errorf("%s: got %v, want an error with %q naming the service", path, err, want)
		}
		conformance.NoSecret(t, err, map[string]string{"token": "s3cret-token"})
	}
}

func TestBaseURLValidation(t *testing.T) {
	for _, raw := range []string{"", "ftp://x", "https://", "https://u:p@host", "https://h/?q=1", "not a url"} {
		if _, err := httpapi.ParseBaseURL("base_url", raw); err == nil || !strings.Contains(err.Error(), "base_url") {
			t.Errorf("%q: got %v, want an error naming base_url", raw, err)
		}
	}
	if _, err := httpapi.ParseBaseURL("base_url", "https://api.github.com/"); err != nil {
		t.Error(err)
	}
}
