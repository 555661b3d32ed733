package attest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestAuditChanges(t *testing.T) {
	long := strings.Repeat("word ", 60)
	for _, tc := range []struct {
		name          string
		before, after string
		want          []FieldChange
	}{
		{"status and owner", `{"id":"AC-01","status":"in_progress","owner":"Tom","updated_at":"2026-01-01T00:00:00Z","criteria":["CC6.1"]}`,
			`{"id":"AC-01","status":"implemented","owner":"Dana","updated_at":"2026-02-01T00:00:00Z","criteria":["CC6.1"]}`,
			[]FieldChange{{"owner", "Tom", "Dana"}, {"status", "in_progress", "implemented"}}},
		{"a list and a cleared field", `{"categories":["security"],"notes":"x","archived_at":null}`, `{"categories":["security","privacy"],"archived_at":"2026-03-01T10:00:00Z"}`,
			[]FieldChange{{"archived_at", "", "2026-03-01T10:00:00Z"}, {"categories", "security", "security, privacy"}, {"notes", "x", ""}}},
		{"created", ``, `{"title":"Rotate keys","status":"open","owner":"","current":false,"engagement_id":3}`,
			[]FieldChange{{"engagement_id", "", "3"}, {"status", "", "open"}, {"title", "", "Rotate keys"}}},
		{"removed", `{"name":"API","kind":"application"}`, `null`,
			[]FieldChange{{"kind", "application", ""}, {"name", "API", ""}}},
		{"nested objects", `{"systems":[{"name":"A"}]}`, `{"systems":[{"name":"B"}]}`,
			[]FieldChange{{"systems", `[{"name":"A"}]`, `[{"name":"B"}]`}}},
		{"long text is clipped", `{"body":"short"}`, `{"body":"` + long + `"}`,
			[]FieldChange{{"body", "short", strings.Repeat("word ", 24) + "…"}}},
		{"not objects", `"a"`, `"b"`, []FieldChange{{"", "a", "b"}}},
		{"nothing changed", `{"a":1}`, `{"a":1}`, nil},
	} {
		got := AuditChanges(json.RawMessage(tc.before), json.RawMessage(tc.after))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
