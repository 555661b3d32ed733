package netguard

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// fakeResolver answers from a map, as a DNS server under test would.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range f[host] {
		out = append(out, netip.MustParseAddr(a))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	dns := fakeResolver{
		"hooks.example":    {"93.184.216.34"},
		"rebind.example":   {"93.184.216.34", "10.0.0.5"},
		"metadata.example": {"169.254.169.254"},
		"v6.example":       {"fd00::1"},
	}
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://hooks.example/x", true},
		{"https://93.184.216.34/x", true},
		{"https://[2606:4700::1]/x", true},
		{"https://unresolvable.example/x", true}, // checked again when dialled
		{"http://localhost:8080/", false},
		{"http://LOCALHOST./", false},
		{"http://app.localhost/", false},
		{"http://127.0.0.1/", false},
		{"http://127.1.2.3/", false},
		{"http://0.0.0.0/", false},
		{"http://[::1]/", false},
		{"http://[::]/", false},
		{"http://[::ffff:127.0.0.1]/", false},
		{"http://[::ffff:169.254.169.254]/", false},
		{"http://2130706433/", false},
		{"http://0x7f.1/", false},
		{"http://0177.0.0.1/", false},
		{"http://0x7f000001/", false},
		{"http://169.254.169.254/latest/meta-data/", false},
		{"http://10.1.2.3/", false},
		{"http://172.16.0.1/", false},
		{"http://192.168.1.1/", false},
		{"http://100.64.0.1/", false},
		{"http://[fd12:3456::1]/", false},
		{"http://[fe80::1%25eth0]/", false},
		{"http://metadata.example/", false},
		{"http://rebind.example/", false},
		{"http://v6.example/", false},
	} {
		err := CheckURL(context.Background(), "The webhook URL", c.url, dns)
		if c.ok != (err == nil) {
			t.Errorf("CheckURL(%q) = %v, want ok %v", c.url, err, c.ok)
		}
		if err != nil && (attest.ErrorCode(err) != attest.EINVALID || !strings.Contains(attest.ErrorMessage(err), "The webhook URL")) {
			t.Errorf("CheckURL(%q): error %v is not a clear EINVALID", c.url, err)
		}
	}
}

// TestClientRefusesInternal: the guarded client cannot reach a loopback
// server, whatever name leads there; with internal targets allowed it can.
func TestClientRefusesInternal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{srv.URL, "http://localhost" + port, "http://[::ffff:127.0.0.1]" + port} {
		_, err := Client(5*time.Second, false).Get(u)
		if !errors.Is(err, ErrInternal) {
			t.Errorf("guarded GET %s = %v, want ErrInternal", u, err)
		}
	}
	res, err := Client(5*time.Second, true).Get(srv.URL)
	if err != nil || res.StatusCode != 204 {
		t.Fatalf("allowed GET = %v, %v", res, err)
	}
	res.Body.Close()
}
