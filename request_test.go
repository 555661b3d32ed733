package attest_test

import (
	"testing"
	"time"

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
		{ID: 1, PeriodStart: "2026-01-01", PeriodEnd: "2026-02-28", CollectedAt: day("2026-03-02"), Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 0}}},
		// Superseded: covers nothing.
		{ID: 2, PeriodStart: "2026-03-01", PeriodEnd: "2026-03-31", CollectedAt: day("2026-03-05"), SupersededBy: 3, Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 0}}},
		// Its replacement, expired before March ended: missing.
		{ID: 3, PeriodStart: "2026-03-01", PeriodEnd: "2026-03-31", CollectedAt: day("2026-03-06"), ValidUntil: "2026-03-15", Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 0}}},
		// Annual need, valid all year.
		{ID: 4, PeriodStart: "2025-07-01", PeriodEnd: "2026-06-30", CollectedAt: day("2026-01-20"), ValidUntil: "2026-12-31", Links: []attest.EvidenceLinkRef{{ControlID: "ACC-01", Need: 2}}},
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

// day is midday UTC of a date, as a collection time.
func day(d attest.Date) time.Time { return d.Time().Add(12 * time.Hour) }

// TestCoverageNeverAhead follows a quarterly need across three quarters of
// a Type II window that starts in October: an item given in December
// for the whole window (what the form used to propose) covers October's
// quarter only; January's stays upcoming, then missing, until evidence
// given in it arrives; an item's claimed period never reaches a quarter
// that had not begun when it was given. An annual penetration test dated
// in its period with a validity date keeps counting.
func TestCoverageNeverAhead(t *testing.T) {
	e := &attest.Engagement{ID: 1, ReportType: attest.TypeII, WindowStart: "2026-10-01", WindowEnd: "2027-06-30"}
	ctl := &attest.Control{ID: "ACC-02", Status: attest.Implemented, Evidence: []attest.EvidenceNeed{
		{What: "access review", Frequency: attest.Quarterly}, {What: "penetration test", Frequency: attest.Annually}}}
	link := func(need int) []attest.EvidenceLinkRef {
		return []attest.EvidenceLinkRef{{ControlID: "ACC-02", Need: need}}
	}
	december := &attest.Evidence{ID: 1, PeriodStart: "2026-10-01", PeriodEnd: "2027-06-30", CollectedAt: day("2026-12-10"), CreatedAt: day("2026-12-10"), Links: link(0)}
	pentest := &attest.Evidence{ID: 2, PeriodStart: "2026-11-02", PeriodEnd: "2026-11-13", ValidUntil: "2027-11-13", CollectedAt: day("2026-11-20"), CreatedAt: day("2026-11-20"), Links: link(1)}
	// Collected on a day the record did not exist yet: the earlier one
	// counts.
	february := &attest.Evidence{ID: 3, PeriodStart: "2027-01-01", PeriodEnd: "2027-03-31", CollectedAt: day("2027-05-01"), CreatedAt: day("2027-02-12"), Links: link(0)}
	states := func(reqs []*attest.EvidenceRequest) string {
		var s []byte
		for _, sl := range reqs[0].Slots {
			s = append(s, map[attest.SlotState]byte{attest.SlotMissing: 'M', attest.SlotProvided: 'P', attest.SlotUpcoming: 'U', attest.SlotNotApplicable: 'N'}[sl.State])
		}
		return string(s)
	}
	for _, c := range []struct {
		today         attest.Date
		items         []*attest.Evidence
		want          string
		covered, due  int
		pentestStatus attest.SlotState
	}{
		{"2026-12-15", []*attest.Evidence{december, pentest}, "PUU", 1, 1, attest.SlotProvided},
		{"2027-02-10", []*attest.Evidence{december, pentest}, "PMU", 1, 1, attest.SlotProvided},
		{"2027-02-13", []*attest.Evidence{december, pentest, february}, "PPU", 2, 2, attest.SlotProvided},
		{"2027-05-02", []*attest.Evidence{december, pentest, february}, "PPM", 2, 2, attest.SlotProvided},
		{"2027-07-05", []*attest.Evidence{december, pentest, february}, "PPM", 2, 3, attest.SlotProvided},
	} {
		reqs := attest.BuildRequests(e, []*attest.Control{ctl}, c.items, nil, c.today)
		if got := states(reqs); got != c.want {
			t.Errorf("on %s: quarters %s, want %s", c.today, got, c.want)
		}
		cov := attest.CoverageOf(reqs[:1])
		if cov.Covered != c.covered || cov.Due != c.due {
			t.Errorf("on %s: quarterly coverage %d of %d, want %d of %d", c.today, cov.Covered, cov.Due, c.covered, c.due)
		}
		if got := reqs[1].Slots[0].State; got != c.pentestStatus {
			t.Errorf("on %s: the penetration test's slot is %s", c.today, got)
		}
		r := &attest.Readiness{}
		attest.ApplyCoverage(r, reqs)
		if r.Coverage != attest.CoverageOf(reqs) {
			t.Errorf("on %s: readiness coverage %+v", c.today, r.Coverage)
		}
	}
	// The same December item for a Type I report as of February counts:
	// the design is looked at on one day.
	e1 := &attest.Engagement{ID: 2, ReportType: attest.TypeI, AsOfDate: "2027-02-15"}
	if got := states(attest.BuildRequests(e1, []*attest.Control{ctl}, []*attest.Evidence{december}, nil, "2026-12-15")); got != "P" {
		t.Errorf("type I as of February, December item: %s", got)
	}
	// An item with no provided time proves nothing.
	undated := &attest.Evidence{ID: 4, PeriodStart: "2026-10-01", PeriodEnd: "2026-12-31", Links: link(0)}
	if got := states(attest.BuildRequests(e, []*attest.Control{ctl}, []*attest.Evidence{undated}, nil, "2026-12-15")); got != "MUU" {
		t.Errorf("undated item: %s", got)
	}
}

func TestProvideSlot(t *testing.T) {
	r := &attest.EvidenceRequest{Slots: []attest.Slot{
		{Start: "2026-10-01", End: "2026-12-31", State: attest.SlotProvided},
		{Start: "2027-01-01", End: "2027-03-31", State: attest.SlotMissing},
		{Start: "2027-04-01", End: "2027-06-30", State: attest.SlotUpcoming},
	}}
	for _, c := range []struct {
		start, today, want attest.Date
		slots              func()
	}{
		{"2026-10-01", "2027-02-01", "2026-10-01", nil},
		{"", "2027-02-01", "2027-01-01", nil},
		{"2031-01-01", "2027-02-01", "2027-01-01", nil},
		// Nothing missing: the running quarter, never the window.
		{"", "2026-12-15", "2026-10-01", func() { r.Slots[1].State = attest.SlotUpcoming }},
		{"", "2027-05-01", "2027-04-01", func() { r.Slots[1].State = attest.SlotProvided; r.Slots[2].State = attest.SlotProvided }},
		{"", "2026-09-01", "2026-10-01", func() { r.Slots[0].State = attest.SlotUpcoming }},
	} {
		if c.slots != nil {
			c.slots()
		}
		if got := r.ProvideSlot(c.start, c.today); got == nil || got.Start != c.want {
			t.Errorf("ProvideSlot(%q, %s) = %+v, want the slot starting %s", c.start, c.today, got, c.want)
		}
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
