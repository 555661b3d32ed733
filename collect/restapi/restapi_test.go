package restapi_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/restapi"
)

const token = "xoxb-fixture-token-0000"

func slackKind(t *testing.T) collect.Kind {
	kinds, err := restapi.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		if k.Name == "slack" {
			return k
		}
	}
	t.Fatal("no built-in slack kind")
	return collect.Kind{}
}

// fixture serves users.list as Slack does: bearer token, cursor pages,
// errors as 200 with "ok": false.
func fixture(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := "users.list.1.json"
		switch {
		case r.Header.Get("Authorization") != "Bearer "+token:
			name = "invalid_auth.json"
		case r.URL.Path != "/users.list":
			t.Errorf("unexpected %s", r.URL)
		case r.URL.Query().Get("cursor") == "dXNlcjpXMDdRQ1JQQTQ=":
			name = "users.list.2.json"
		}
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(b)
	})
}

func TestConformance(t *testing.T) {
	conformance.RunHTTP(t, conformance.HTTP{Kind: slackKind(t), Secrets: map[string]string{"token": token}, Handler: fixture(t), Want: 3})
}

func TestSlackUsers(t *testing.T) {
	srv := conformance.Serve(t, fixture(t))
	cfg := collect.Config{Settings: map[string]string{"base_url": srv}, Secrets: map[string]string{"token": token}, Now: func() time.Time { return conformance.Now }}
	rs, err := conformance.Run(t.Context(), t, slackKind(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range rs {
		got[r.Name] = r.Attributes
	}
	want := map[string]map[string]any{
		"alice":     {"email": "alice@acme.example", "admin": true, "owner": true, "deleted": false, "has_2fa": true, "provider": "slack", "updated_days": 2.0},
		"bob":       {"deleted": true, "has_2fa": false, "admin": false},
		"deploybot": {"bot": true, "email": nil, "has_2fa": false},
	}
	for name, w := range want {
		for k, v := range w {
			if !reflect.DeepEqual(got[name][k], v) {
				t.Errorf("%s: %s = %#v, want %#v", name, k, got[name][k], v)
			}
		}
	}
	cfg.Secrets = map[string]string{"token": "xoxb-wrong"}
	_, err = conformance.Run(t.Context(), t, slackKind(t), cfg)
	if !errors.Is(err, collect.ErrCredentials) || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("a refused token in a 200 answer: %v", err)
	}
}

// TestLoadErrors: every mistake names the file, line and column.
func TestLoadErrors(t *testing.T) {
	good, err := os.ReadFile("builtin/slack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"unknown key", "title: Slack\n", "title: Slack\ncolour: blue\n", "x.yaml:7:1: unknown field \"colour\""},
		{"bad style", "style: cursor", "style: sideways", "x.yaml:26:14: pagination.style"},
		{"auth secret not a secret field", "secret: token\nerrors", "secret: tokn\nerrors", "x.yaml:16:11: auth.secret"},
		{"bad type", "type: slack.user", "type: SlackUser", "x.yaml:22:11: type: want system.thing"},
		{"path and value", "provider: {value: slack}", "provider: {value: slack, path: x}", "x.yaml:41:17: attributes.provider"},
		{"wrong type", "required: true", "required: [yes]", "x.yaml:12:15: cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(string(good), tt.from, tt.to, 1)
			if src == string(good) {
				t.Fatalf("the test's edit %q does not apply", tt.from)
			}
			_, err := restapi.Load("x.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}
