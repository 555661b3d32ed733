package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

func TestSignMatchesDocumentedScheme(t *testing.T) {
	t.Parallel()
	// Recompute from the documented definition rather than from Sign, so a
	// change to the scheme breaks this test and receivers are not surprised.
	body := []byte(`{"event":"control.failed"}`)
	h := hmac.New(sha256.New, []byte("whsec"))
	h.Write([]byte("1735689600." + string(body)))
	if got, want := Sign("whsec", 1735689600, body), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	const secret = "whsec_test"
	body := []byte(`{"event":"evidence.due","subject":"Upload evidence"}`)
	now := time.Unix(1735689600, 0)
	ts := now.Unix()
	valid := signatureValue(secret, ts, body)

	tests := []struct {
		name      string
		secret    string
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		code      string // "" for success
	}{
		{"valid", secret, valid, body, now, time.Minute, ""},
		{"valid within tolerance", secret, valid, body, now.Add(59 * time.Second), time.Minute, ""},
		{"default tolerance", secret, valid, body, now.Add(4 * time.Minute), 0, ""},
		{"rotation: second v1 matches", secret, fmt.Sprintf("t=%d,v1=%s,v1=%s", ts, Sign("old", ts, body), Sign(secret, ts, body)), body, now, 0, ""},
		{"unknown scheme ignored", secret, valid + ",v2=zzz", body, now, 0, ""},
		{"tampered body", secret, valid, []byte(`{"event":"evidence.due","subject":"Upload evidence!"}`), now, time.Minute, attest.EUNAUTHORIZED},
		{"wrong secret", "other", valid, body, now, time.Minute, attest.EUNAUTHORIZED},
		{"old timestamp (replay)", secret, valid, body, now.Add(10 * time.Minute), 5 * time.Minute, attest.EUNAUTHORIZED},
		{"timestamp from the future", secret, valid, body, now.Add(-10 * time.Minute), 5 * time.Minute, attest.EUNAUTHORIZED},
		{"timestamp swapped, old signature", secret, fmt.Sprintf("t=%d,v1=%s", ts+1, Sign(secret, ts, body)), body, now, time.Minute, attest.EUNAUTHORIZED},
		{"empty header", secret, "", body, now, time.Minute, attest.EINVALID},
		{"no signature", secret, fmt.Sprintf("t=%d", ts), body, now, time.Minute, attest.EINVALID},
		{"no timestamp", secret, "v1=" + Sign(secret, ts, body), body, now, time.Minute, attest.EINVALID},
		{"bad hex", secret, fmt.Sprintf("t=%d,v1=xyz", ts), body, now, time.Minute, attest.EINVALID},
		{"bad timestamp", secret, "t=soon,v1=00", body, now, time.Minute, attest.EINVALID},
		{"two timestamps", secret, fmt.Sprintf("t=%d,t=%d,v1=%s", ts, ts, Sign(secret, ts, body)), body, now, time.Minute, attest.EINVALID},
		{"empty secret", "", valid, body, now, time.Minute, attest.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := VerifySignature(tt.secret, tt.header, tt.body, tt.now, tt.tolerance)
			if got := attest.ErrorCode(err); got != tt.code {
				t.Fatalf("VerifySignature() code = %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}
