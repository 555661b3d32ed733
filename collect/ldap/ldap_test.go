package ldap_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/ldap"
)

func settings(url string) map[string]string {
	return map[string]string{"url": url, "bind_dn": "cn=attest,dc=example,dc=com", "base_dn": "dc=example,dc=com", "page_size": "10"}
}

var secrets = map[string]string{"bind_password": "reader-secret-pw"}

func TestConformance(t *testing.T) {
	url := startSlapd(t, people(25))
	bad := map[string]string{"bind_password": "not-the-password"}
	conformance.RunService(t, conformance.Service{
		Kind:             ldap.Kind,
		Good:             collect.Config{Settings: settings(url), Secrets: secrets},
		Want:             28 + 3,
		Unreachable:      &collect.Config{Settings: settings("ldap://127.0.0.1:1"), Secrets: secrets},
		WrongCredentials: &collect.Config{Settings: settings(url), Secrets: bad},
	})
}

// TestDirectory reads the fixture directory through a server whose size
// limit (15) is below the user count (28): only paging sees everyone.
func TestDirectory(t *testing.T) {
	url := startSlapd(t, people(25))
	rs, err := conformance.Run(t.Context(), t, ldap.Kind, collect.Config{Settings: settings(url), Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	users, groups := map[string]map[string]any{}, map[string]map[string]any{}
	for _, r := range rs {
		switch r.Type {
		case "ldap.user":
			users[r.Name] = r.Attributes
		case "ldap.group":
			groups[r.Name] = r.Attributes
		}
	}
	if len(users) != 28 || len(groups) != 3 {
		t.Fatalf("%d users and %d groups, want 28 and 3", len(users), len(groups))
	}
	tests := []struct {
		uid  string
		want map[string]any
	}{
		{"alice", map[string]any{"email": "alice@example.com", "disabled": false, "admin": true, "groups": []any{"admins", "engineering"}, "name": "Alice Martin"}},
		{"bob", map[string]any{"email": "bob@example.com", "disabled": true, "admin": false, "groups": []any{"engineering"}}},
		{"carol", map[string]any{"disabled": false, "admin": false, "groups": []any{"engineering", "ops"}}},
		{"user07", map[string]any{"email": "user07@example.com", "groups": []any{}}},
	}
	for _, tt := range tests {
		for k, v := range tt.want {
			if got := users[tt.uid][k]; !reflect.DeepEqual(got, v) {
				t.Errorf("%s: %s = %#v, want %#v", tt.uid, k, got, v)
			}
		}
	}
	if !reflect.DeepEqual(groups["engineering"]["members"], []any{"alice", "bob", "carol"}) || !reflect.DeepEqual(groups["ops"]["members"], []any{"carol"}) {
		t.Errorf("members as uids: %v", groups)
	}
	if groups["admins"]["admin"] != true || groups["engineering"]["member_count"] != 3.0 {
		t.Errorf("groups: %v", groups)
	}
}

func TestSettingsValidated(t *testing.T) {
	good := settings("ldap://127.0.0.1:389")
	for field, v := range map[string]string{"url": "http://x", "bind_dn": "not a dn", "base_dn": "", "page_size": "0", "user_filter": "(uid=", "group_filter": "cn=x"} {
		s := map[string]string{}
		for k, e := range good {
			s[k] = e
		}
		s[field] = v
		if field == "base_dn" {
			delete(s, field)
		}
		_, err := ldap.Kind.New(collect.Config{Settings: s, Secrets: secrets})
		if err == nil || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("%s=%q: got %v", field, v, err)
		}
	}
}

// TestNetworkGuard: the collector dials through the operator's guard.
func TestNetworkGuard(t *testing.T) {
	url := startSlapd(t, people(2))
	conformance.Guarded(t, ldap.Kind, collect.Config{Settings: settings(url), Secrets: secrets})
}
