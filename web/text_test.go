package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBadText sends text with a NUL byte or invalid UTF-8 in each place a
// request carries text: on both databases the answer is a 400 naming the
// field, never a 500, and nothing is stored.
func TestBadText(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		api := []struct {
			name, method, path, body, field string
		}{
			{"JSON string", "POST", "/api/v1/tasks", `{"title":"a\u0000b","control_id":"GOV-01","engagement_id":{eng}}`, "title"},
			{"JSON patch", "PATCH", "/api/v1/controls/GOV-01", `{"owner":"ann\u0000"}`, "owner"},
			{"path ID", "GET", "/api/v1/tasks/1%00", "", "path"},
			{"path ID, bad UTF-8", "GET", "/api/v1/controls/GOV%FF", "", "path"},
			{"query parameter", "GET", "/api/v1/controls?q=a%00b", "", "query parameter q"},
			{"query parameter, bad UTF-8", "GET", "/api/v1/controls?q=%C3%28", "", "query parameter q"},
		}
		for _, c := range api {
			r := u.do(t, c.method, c.path, adminA, c.body)
			var got struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal(r.body, &got)
			if r.status != http.StatusBadRequest || got.Error.Code != "invalid" || !strings.Contains(got.Error.Message, c.field) {
				t.Errorf("%s: %d %s, want 400 naming %q", c.name, r.status, r.body, c.field)
			}
		}
		admin := u.signIn(t, uAdmin)
		for _, c := range []struct {
			name  string
			form  url.Values
			field string
		}{
			{"form field", url.Values{"title": {"a\x00b"}, "control_id": {"GOV-01"}}, "field title"},
			{"form field, bad UTF-8", url.Values{"title": {"caf\xe9"}, "control_id": {"GOV-01"}}, "field title"},
		} {
			p := admin.post(t, "/tasks", c.form)
			if p.status != http.StatusBadRequest || !strings.Contains(p.doc(t).Find(".error-message").Text(), c.field) {
				t.Errorf("%s: %d, want 400 naming %q: %.300s", c.name, p.status, c.field, p.body)
			}
		}
		if r := u.do(t, "GET", "/api/v1/tasks", adminA, ""); strings.Contains(string(r.body), `"a`) && strings.Contains(string(r.body), `\u0000`) {
			t.Errorf("a task with a NUL byte was stored: %s", r.body)
		}
	})
}
