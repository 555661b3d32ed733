package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// SignatureHeader carries the webhook signature:
//
//	Attest-Signature: t=1735689600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
//
// t is the Unix time of sending and v1 the hex HMAC-SHA256, keyed with the
// webhook's secret, of the string "t.body": the decimal timestamp, a dot and
// the exact request body bytes. Signing the timestamp with the body lets a
// receiver reject a captured request replayed later (VerifySignature's
// tolerance) without keeping a list of seen requests. A receiver may list
// several v1 values during a secret rotation; any one matching is enough.
const SignatureHeader = "Attest-Signature"

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when VerifySignature is given no tolerance: long enough
// for clock skew and a slow network, short enough to make replays useless.
const DefaultTolerance = 5 * time.Minute

// Sign returns the hex HMAC-SHA256 of "timestamp.body" keyed with secret:
// the v1 value of SignatureHeader.
func Sign(secret string, timestamp int64, body []byte) string {
	return hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret string, timestamp int64, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(strconv.AppendInt(nil, timestamp, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// signatureValue formats the SignatureHeader value for a request sent at t.
func signatureValue(secret string, t int64, body []byte) string {
	return "t=" + strconv.FormatInt(t, 10) + ",v1=" + Sign(secret, t, body)
}

// VerifySignature checks a SignatureHeader value against the body received,
// for receivers of Attest webhooks (and for our tests). It returns EINVALID
// when the secret is empty or the header malformed, and EUNAUTHORIZED when
// the timestamp is more than tolerance away from now (DefaultTolerance if
// tolerance is not positive) or no v1 value matches. The comparison takes
// constant time so the signature cannot be guessed byte by byte.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return attest.Errorf(attest.EINVALID, "Webhook secret is required to verify a signature.")
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var (
		ts     int64
		haveTS bool
		sigs   [][]byte
	)
	for part := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return attest.Errorf(attest.EINVALID, "Malformed %s header.", SignatureHeader)
		}
		switch key {
		case "t":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || haveTS {
				return attest.Errorf(attest.EINVALID, "Malformed %s timestamp.", SignatureHeader)
			}
			ts, haveTS = n, true
		case "v1":
			sig, err := hex.DecodeString(value)
			if err != nil {
				return attest.Errorf(attest.EINVALID, "Malformed %s signature.", SignatureHeader)
			}
			sigs = append(sigs, sig)
		}
		// Other keys are ignored so that a future v2 scheme can be sent
		// alongside v1 without breaking receivers.
	}
	if !haveTS || len(sigs) == 0 {
		return attest.Errorf(attest.EINVALID, "%s needs t= and v1= values.", SignatureHeader)
	}
	age := now.Sub(time.Unix(ts, 0))
	if age > tolerance || age < -tolerance {
		return attest.Errorf(attest.EUNAUTHORIZED, "Webhook signature timestamp is outside the allowed window.")
	}
	want := mac(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return attest.Errorf(attest.EUNAUTHORIZED, "Webhook signature does not match.")
}
