package attest

import (
	"testing"
	"time"
)

func TestBuildTimeline(t *testing.T) {
	day := func(d int, h int) time.Time { return time.Date(2026, 5, 1+d, h, 0, 0, 0, time.UTC) }
	at := func(d int, h int) *time.Time { x := day(d, h); return &x }
	c := &MonitoredCheck{ID: "c", Title: "C"}
	cases := []struct {
		name   string
		rs     []*CheckResult
		want   []DayState
		passed float64
	}{
		{"no results", nil, []DayState{0, 0, 0, 0, 0}, 0},
		{"passing from day 1", []*CheckResult{{Status: CheckPass, Since: day(1, 3)}}, []DayState{0, 1, 1, 1, 1}, 100},
		{"a failure fixed within its window", []*CheckResult{
			{Status: CheckPass, Since: day(0, 1), Until: at(1, 5)},
			{Status: CheckFail, Since: day(1, 5), Until: at(2, 5), Deadline: at(4, 5)},
			{Status: CheckPass, Since: day(2, 5)},
		}, []DayState{1, 2, 2, 1, 1}, 60},
		{"a failure left open past its window", []*CheckResult{
			{Status: CheckFail, Since: day(0, 1), Deadline: at(2, 1)},
		}, []DayState{2, 2, 3, 3, 3}, 0},
		{"an excepted failure counts as passed", []*CheckResult{
			{Status: CheckFail, Excepted: true, Since: day(0, 1), Deadline: at(1, 1)},
		}, []DayState{1, 1, 1, 1, 1}, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tl := BuildTimeline(c, tc.rs, "2026-05-01", "2026-05-05", day(4, 12))
			for i, want := range tc.want {
				if tl.Days[i] != want {
					t.Fatalf("days %v, want %v", tl.Days, tc.want)
				}
			}
			if tl.Passed != tc.passed {
				t.Errorf("passed %.1f, want %.1f", tl.Passed, tc.passed)
			}
		})
	}
}
