package attest_test

import (
	"testing"

	"github.com/attest-dev/attest"
)

func TestBuildRequests(t *testing.T) {
	e := &attest.Engagement{ID: 1, ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
	ctl := &attest.Control{ID: "ACC-01", Name: "Access reviews", OwnerID: 7, Owner: &attest.Person{ID: 7, Name: "Ann"}, Status: attest.Implemented, Evidence: []attest.EvidenceNeed{
		{What: "monthly", Frequency: attest.Monthly}, {What: "quarterly", Frequency: attest.Quarterly},
		{What: "annual", Frequency: attest.Annually}, {What: "hires", Frequency: attest.PerEvent}, {What: "logs", Frequency: attest.Daily},
	}}
	na := &attest.Control{ID: "NA-01", Status: attest.NotApplicable, Evidence: []attest.EvidenceNeed{{What: "x", Frequency: attest.Monthly}}}
	items := []*attest.Evidence{
		// Covers January and February of need 0.
		{ID: 1, PeriodStart: "2026-01-01", PeriodEnd: "2026-02-28", Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 0}}},
		// Superseded: covers nothing.
		{ID: 2, PeriodStart: "2026-03-01", PeriodEnd: "2026-03-31", SupersededBy: 3, Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 0}}},
		// Its replacement, expired before March ended: missing.
		{ID: 3, PeriodStart: "2026-03-01", PeriodEnd: "2026-03-31", ValidUntil: "2026-03-15", Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 0}}},
		// Annual need, valid all year.
		{ID: 4, PeriodStart: "2025-07-01", PeriodEnd: "2026-06-30", ValidUntil: "2026-12-31", Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 2}}},
	}
	statements := []*attest.SlotStatement{{EngagementID: 1, ControlID: "ACC-01", Need: 3, PeriodStart: "2026-01-01", Statement: "no hires"}}
	reqs := attest.BuildRequests(e, []*attest.Control{ctl, na}, items, statements, "2026-04-10")
	if len(reqs) != 5 {
		t.Fatalf("%d requests, want 5 (the not-applicable control asks nothing)", len(reqs))
	}
	states := func(r *attest.EvidenceRequest) string {
		var s []byte
		for _, sl := range r.Slots {
			s = append(s, map[attest.SlotState]byte{attest.SlotMissing: 'M', attest.SlotProvided: 'P', attest.SlotUpcoming: 'U', attest.SlotNotApplicable: 'N'}[sl.State])
		}
		return string(s)
	}
	for i, want := range []string{"PPMMUU", "MM", "P", "N", "MMMMUU"} {
		if got := states(reqs[i]); got != want {
			t.Errorf("request %s (%s): slots %s, want %s", reqs[i].What, reqs[i].Frequency, got, want)
		}
	}
	if s := reqs[1].Slots[1]; s.Start != "2026-04-01" || s.End != "2026-06-30" {
		t.Errorf("second quarter = %s..%s", s.Start, s.End)
	}
	if !reqs[3].Population || reqs[3].Slots[0].Statement != "no hires" {
		t.Errorf("per-event request: %+v", reqs[3])
	}
	cov := attest.CoverageByControl(reqs)["ACC-01"]
	// Due so far (ended by 04-10, or covered): Jan–Mar monthly, Q1, the
	// annual and the population slots (covered), Jan–Mar daily-as-monthly
	// = 3 + 1 + 1 + 1 + 3 = 9; covered 2 + 0 + 1 + 1 + 0.
	if cov.Due != 9 || cov.Covered != 4 || cov.Total != 16 || cov.Percent() != 44.4 {
		t.Errorf("coverage = %+v (%v%%)", cov, cov.Percent())
	}

	// Type I: one slot per need on the as-of date.
	e1 := &attest.Engagement{ID: 2, ReportType: attest.TypeI, AsOfDate: "2026-02-15"}
	r1 := attest.BuildRequests(e1, []*attest.Control{ctl}, items, nil, "2026-04-10")
	if len(r1[0].Slots) != 1 || r1[0].Slots[0].State != attest.SlotProvided || r1[1].Slots[0].State != attest.SlotMissing {
		t.Errorf("type I slots: %+v %+v", r1[0].Slots, r1[1].Slots)
	}
}

func TestSanitizeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                            "report.pdf",
		"../../etc/passwd":                      "passwd",
		`C:\Users\a\secret.docx`:                "secret.docx",
		"..":                                    "file",
		"":                                      "file",
		".htaccess":                             "htaccess",
		"a\x00b\nc\u202ed.txt":                  "abcd.txt",
		"what?<x>|\"y\".csv":                    "what__x___y_.csv",
		string(make([]byte, 10)):                "file",
		"é" + string(make([]byte, 0)) + "x.pdf": "éx.pdf",
	} {
		if got := attest.SanitizeFileName(in); got != want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	long := attest.SanitizeFileName(string(make([]rune, 0)) + repeat("é", 100))
	if len(long) > 120 || !isValidUTF8(long) {
		t.Errorf("long name %d bytes, valid %v", len(long), isValidUTF8(long))
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func isValidUTF8(s string) bool {
	for _, r := range s {
		if r == 0xFFFD {
			return false
		}
	}
	return true
}

func TestDefaultValidUntil(t *testing.T) {
	for _, c := range []struct {
		needs []attest.Frequency
		want  attest.Date
	}{
		{[]attest.Frequency{attest.Annually}, "2027-01-31"},
		{[]attest.Frequency{attest.Monthly, attest.Quarterly}, "2026-04-30"},
		{[]attest.Frequency{attest.Daily}, "2026-02-28"},
		{[]attest.Frequency{attest.PerEvent}, ""},
	} {
		var needs []attest.EvidenceNeed
		for _, f := range c.needs {
			needs = append(needs, attest.EvidenceNeed{What: "x", Frequency: f})
		}
		if got := attest.DefaultValidUntil("2026-01-31", needs); got != c.want {
			t.Errorf("DefaultValidUntil(%v) = %q, want %q", c.needs, got, c.want)
		}
	}
}
