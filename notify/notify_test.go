package notify

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/textproto"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the output (run with -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// sample is a message with every part set, including markup that must be
// escaped wherever it is shown.
func sample() Message {
	return Message{
		Event:   "control.failed",
		Subject: "Control CC6.1 failed <script>alert(1)</script>",
		Text:    "The check \"MFA enforced\" failed for 2 users.\nFix it & re-run: <b>now</b>.",
		URL:     "https://attest.example.com/controls/CC6.1?tab=checks&x=1",
		Fields:  map[string]string{"owner": "Alice <alice@example.com>", "framework": "SOC 2", "due": "2026-03-01"},
		At:      time.Date(2026, 2, 14, 9, 30, 0, 0, time.UTC),
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"invalid", attest.Errorf(attest.EINVALID, "bad address"), true},
		{"wrapped invalid", fmt.Errorf("send: %w", attest.Errorf(attest.EINVALID, "bad")), true},
		{"other domain error", attest.Errorf(attest.ENOTFOUND, "gone"), false},
		{"marked", fmt.Errorf("send: %w", markPermanent(errors.New("x"))), true},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), false},
		{"canceled", context.Canceled, false},
		{"unknown", errors.New("boom"), false},
		{"http 404", &StatusError{StatusCode: 404}, true},
		{"http 400", &StatusError{StatusCode: 400}, true},
		{"http 410", &StatusError{StatusCode: 410}, true},
		{"http 301 not followed", &StatusError{StatusCode: 301}, true},
		{"http 408", &StatusError{StatusCode: 408}, false},
		{"http 429", fmt.Errorf("post: %w", &StatusError{StatusCode: 429}), false},
		{"http 500", &StatusError{StatusCode: 500}, false},
		{"http 503", &StatusError{StatusCode: 503}, false},
		{"smtp 550", classifySMTP(fmt.Errorf("rcpt: %w", &textproto.Error{Code: 550, Msg: "no such user"})), true},
		{"smtp 535", classifySMTP(&textproto.Error{Code: 535, Msg: "authentication failed"}), true},
		{"smtp 451", classifySMTP(&textproto.Error{Code: 451, Msg: "try again later"}), false},
		{"smtp 421", classifySMTP(&textproto.Error{Code: 421, Msg: "closing"}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Permanent(tt.err); got != tt.want {
				t.Errorf("Permanent(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestMessageValidate(t *testing.T) {
	t.Parallel()
	ok := Message{Event: "evidence.due", Subject: "Evidence due", URL: "https://attest.example.com/evidence/1"}
	tests := []struct {
		name  string
		edit  func(*Message)
		valid bool
	}{
		{"ok", func(*Message) {}, true},
		{"no url", func(m *Message) { m.URL = "" }, true},
		{"policy event", func(m *Message) { m.Event = "policy.acknowledgement_requested" }, true},
		{"no event", func(m *Message) { m.Event = "" }, false},
		{"event with newline", func(m *Message) { m.Event = "a\nb" }, false},
		{"event uppercase", func(m *Message) { m.Event = "Evidence.Due" }, false},
		{"no subject", func(m *Message) { m.Subject = "  " }, false},
		{"header injection in subject", func(m *Message) { m.Subject = "Hi\r\nBcc: x@example.com" }, false},
		{"javascript url", func(m *Message) { m.URL = "javascript:alert(1)" }, false},
		{"relative url", func(m *Message) { m.URL = "/evidence/1" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := ok
			tt.edit(&m)
			err := m.Validate()
			if tt.valid && err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			if !tt.valid && attest.ErrorCode(err) != attest.EINVALID {
				t.Fatalf("Validate() = %v, want EINVALID", err)
			}
		})
	}
}
