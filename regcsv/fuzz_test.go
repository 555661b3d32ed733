package regcsv

import (
	"bytes"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// FuzzRead feeds arbitrary files to every register's reader: a file is
// either refused with EINVALID or read whole, and what is read writes out
// and reads back to as many records.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"title,category,likelihood,impact\nX,data,2,3\n",
		"name,tier,subservice,complementary_controls\nCloudCo,critical,yes,Physical security\n",
		"name,type,environment,classification\nDB,database,production,restricted\n",
		"title,severity,reported_at\nOutage,sev2,2026-01-02 10:00\n",
		"title,category,likelihood,impact\n\"a\nb\",data,1,1\n",
		"\ufefftitle,category,likelihood,impact\n'=X,data,1,1\n",
		"title\n\xff\n",
	} {
		for kind := range 4 {
			f.Add(uint8(kind), s)
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, in string) {
		switch kind % 4 {
		case 0:
			roundTrip(t, in, RiskCodec(5))
		case 1:
			roundTrip(t, in, Vendors)
		case 2:
			roundTrip(t, in, Assets)
		default:
			roundTrip(t, in, Incidents)
		}
	})
}

func roundTrip[T any](t *testing.T, in string, c Codec[T]) {
	recs, lines, err := Read(strings.NewReader(in), c, people)
	if err != nil {
		if attest.ErrorCode(err) != attest.EINVALID || recs != nil {
			t.Fatalf("refusal %v (code %s) with %d records", err, attest.ErrorCode(err), len(recs))
		}
		return
	}
	if len(lines) != len(recs) {
		t.Fatalf("%d records, %d lines", len(recs), len(lines))
	}
	var buf bytes.Buffer
	if err := Write(&buf, c, recs); err != nil {
		t.Fatal(err)
	}
	back, _, err := Read(&buf, c, people)
	if err != nil || len(back) != len(recs) {
		t.Fatalf("written records read back as %d, %v:\n%s", len(back), err, buf.String())
	}
}
