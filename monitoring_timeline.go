package attest

import "time"

// DayState is how a check stood on one day.
type DayState int

// The states of a day.
const (
	DayNone DayState = iota
	DayPass
	DayFail
	DayDeviation
)

// Timeline is one check's days over a window.
type Timeline struct {
	Check    *MonitoredCheck
	From, To Date
	Days     []DayState
	// Passed is the share of the days with results on which no resource
	// failed (excepted failures aside), 0 to 100; Deviations counts days
	// with a failure past its window.
	Passed     float64
	Observed   int
	Deviations int
	// Runs, when set, marks the days on which the check ran (rather than
	// carried a result from an earlier run): what proves a slot (Span).
	Runs []bool
}

// SetRuns marks the days of ran (by date) on which the check ran.
func (t *Timeline) SetRuns(ran map[Date]bool) {
	t.Runs = make([]bool, len(t.Days))
	for i := range t.Runs {
		t.Runs[i] = ran[t.From.AddDays(i)]
	}
}

// BuildTimeline folds a check's result intervals into days from..to
// (inclusive), as of now: difference arrays keep it linear in intervals
// plus days, however many resources the check reads.
func BuildTimeline(c *MonitoredCheck, rs []*CheckResult, from, to Date, now time.Time) *Timeline {
	start := from.Time()
	n := int(to.Time().Sub(start).Hours()/24) + 1
	if n < 1 {
		n = 1
	}
	seen, fail, dev := make([]int, n+1), make([]int, n+1), make([]int, n+1)
	dayOf := func(t time.Time) int {
		d := int(t.Sub(start).Hours() / 24)
		return max(0, min(d, n))
	}
	mark := func(arr []int, a, b time.Time) {
		i, j := dayOf(a), dayOf(b)
		if b.Sub(start) >= 0 && j < n {
			j++ // the day the interval ends counts
		}
		if i < j {
			arr[i]++
			arr[j]--
		}
	}
	for _, r := range rs {
		end := now
		if r.Until != nil {
			end = *r.Until
		}
		mark(seen, r.Since, end)
		if r.Status == CheckFail && !r.Excepted {
			mark(fail, r.Since, end)
			if r.Deadline != nil && end.After(*r.Deadline) {
				mark(dev, *r.Deadline, end)
			}
		}
	}
	t := &Timeline{Check: c, From: from, To: to, Days: make([]DayState, n)}
	today := dayOf(now)
	var s, f, d, passed int
	for i := range n {
		s, f, d = s+seen[i], f+fail[i], d+dev[i]
		switch {
		case i > today || s == 0:
			continue
		case d > 0:
			t.Days[i] = DayDeviation
			t.Deviations++
		case f > 0:
			t.Days[i] = DayFail
		default:
			t.Days[i] = DayPass
			passed++
		}
		t.Observed++
	}
	if t.Observed > 0 {
		t.Passed = float64(int(1000*float64(passed)/float64(t.Observed))) / 10
	}
	return t
}

// TimelineFromDays builds a check's timeline from..to (inclusive) from its
// state on each day (as the store keeps them, one row a day), as of today:
// days after today stay empty. It reads one value a day, however many
// results the check wrote.
func TimelineFromDays(c *MonitoredCheck, days map[Date]DayState, from, to, today Date) *Timeline {
	n := max(daysBetween(from, to)+1, 1)
	t := &Timeline{Check: c, From: from, To: to, Days: make([]DayState, n)}
	passed := 0
	for i := range n {
		d := from.AddDays(i)
		if today.Before(d) {
			break
		}
		st := days[d]
		t.Days[i] = st
		switch st {
		case DayNone:
			continue
		case DayDeviation:
			t.Deviations++
		case DayPass:
			passed++
		}
		t.Observed++
	}
	if t.Observed > 0 {
		t.Passed = float64(int(1000*float64(passed)/float64(t.Observed))) / 10
	}
	return t
}
