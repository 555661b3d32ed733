package regcsv

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// people knows one member, ana@example.com, as user 7.
func people(ref string) (int64, error) {
	if ref == "ana@example.com" || ref == "7" {
		return 7, nil
	}
	return 0, attest.Errorf(attest.EINVALID, "no member is named %q", ref)
}

// TestReadBadRows reports the first bad row of each register's CSV by
// its line and column, and returns no records with it.
func TestReadBadRows(t *testing.T) {
	for _, c := range []struct {
		name, csv, want string
		read            func(string) (int, error)
	}{
		{"risk off scale", "title,category,likelihood,impact\nGood,access,2,2\nBad,access,9,2\n", "CSV line 3, column 3 (likelihood)", readRisks},
		{"risk unknown owner", "title,category,likelihood,impact,owner\nX,data,1,1,bob@example.com\n", "CSV line 2, column 5 (owner)", readRisks},
		{"risk not a number", "title,impact,category,likelihood\nX,high,data,1\n", "CSV line 2, column 2 (impact)", readRisks},
		{"risk acceptance", "title,category,likelihood,impact,treatment\nX,data,1,1,accept\n", "column 5 (treatment)", readRisks},
		{"risk missing column", "title,category,likelihood\nX,data,1\n", "the impact column is required", readRisks},
		{"risk unknown column", "title,colour\nX,red\n", `CSV line 1, column 2: unknown column "colour"`, readRisks},
		{"risk quoted newline keeps line", "title,category,likelihood,impact,description\nA,data,1,1,\"two\nlines\"\nB,data,1,0,\n", "CSV line 4, column 4 (impact)", readRisks},
		{"vendor tier", "name,tier\nCloudCo,gold\n", "CSV line 2, column 2 (tier)", readVendors},
		{"vendor subservice", "name,tier,subservice\nCloudCo,high,maybe\n", "CSV line 2, column 3 (subservice)", readVendors},
		{"vendor subservice without controls", "name,tier,subservice\nCloudCo,high,yes\n", "complementary_controls", readVendors},
		{"vendor contract end", "name,tier,contract_start,contract_end\nX,low,2026-05-01,2026-04-01\n", "CSV line 2, column 4 (contract_end)", readVendors},
		{"asset type", "name,type,environment,classification\nLaptop fleet,toaster,corporate,internal\n", "CSV line 2, column 2 (type)", readAssets},
		{"asset classification", "name,type,environment,classification\nDB,database,production,secret\n", "column 4 (classification)", readAssets},
		{"incident time", "title,severity,reported_at\nOutage,sev2,yesterday\n", "CSV line 2, column 3 (reported_at)", readIncidents},
		{"incident closed", "title,severity,reported_at,status\nOutage,sev2,2026-01-02,closed\n", "column 4 (status)", readIncidents},
		{"incident NUL", "title,severity,reported_at\nOut\x00age,sev2,2026-01-02\n", "NUL", readIncidents},
		{"empty", "", "empty", readIncidents},
		{"header only", "title,severity,reported_at\n", "no records", readIncidents},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := c.read(c.csv)
			if err == nil || !strings.Contains(err.Error(), c.want) || attest.ErrorCode(err) != attest.EINVALID {
				t.Fatalf("err = %v, want EINVALID containing %q", err, c.want)
			}
			if n != 0 {
				t.Fatalf("%d records returned with the error", n)
			}
		})
	}
}

func readRisks(s string) (int, error) {
	rs, _, err := Read(strings.NewReader(s), RiskCodec(5), people)
	return len(rs), err
}
func readVendors(s string) (int, error) {
	rs, _, err := Read(strings.NewReader(s), Vendors, people)
	return len(rs), err
}
func readAssets(s string) (int, error) {
	rs, _, err := Read(strings.NewReader(s), Assets, people)
	return len(rs), err
}
func readIncidents(s string) (int, error) {
	rs, _, err := Read(strings.NewReader(s), Incidents, people)
	return len(rs), err
}

// TestRoundTripFormulaSafe writes records whose text starts like a
// formula, checks every such cell is escaped, and reads them back whole.
func TestRoundTripFormulaSafe(t *testing.T) {
	risks := []*attest.Risk{{ID: 1, Title: "=HYPERLINK(\"http://x\")", Category: "data", Likelihood: 2, Impact: 3, Description: "+1 then -1", Owner: &attest.Person{ID: 7, Email: "ana@example.com"}, OwnerID: 7, Status: "open", Controls: []string{}}}
	var buf bytes.Buffer
	if err := Write(&buf, RiskCodec(5), risks); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, `'=HYPERLINK`) || !strings.Contains(out, "'+1 then -1") {
		t.Fatalf("cells not escaped:\n%s", out)
	}
	back, lines, err := Read(strings.NewReader(out), RiskCodec(5), people)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].Title != risks[0].Title || back[0].OwnerID != 7 || lines[0] != 2 {
		t.Fatalf("read back %+v at lines %v", back[0], lines)
	}
	inc := []*attest.Incident{{ID: 3, Title: "@import", Severity: "sev1", Status: "resolved", ReportedAt: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Controls: []string{}}}
	buf.Reset()
	if err := Write(&buf, Incidents, inc); err != nil {
		t.Fatal(err)
	}
	got, _, err := Read(&buf, Incidents, people)
	if err != nil || got[0].Title != "@import" || !got[0].ReportedAt.Equal(inc[0].ReportedAt) {
		t.Fatalf("incident round trip = %+v, %v", got, err)
	}
}
