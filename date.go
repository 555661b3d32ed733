package attest

import (
	"strings"
	"time"
)

// Date is a calendar date in ISO form, YYYY-MM-DD; the empty Date means unset.
// Dates compare correctly as strings.
type Date string

// DateLayout is the textual form of a Date.
const DateLayout = "2006-01-02"

// ParseDate parses s as YYYY-MM-DD. The empty string gives the unset Date.
// It returns EINVALID for anything else.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return "", Errorf(EINVALID, "%q is not a date of the form YYYY-MM-DD", s)
	}
	return Date(t.Format(DateLayout)), nil
}

// DateOf returns the calendar date of t in UTC.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(DateLayout)) }

// Time returns midnight UTC of d, or the zero time for an unset or malformed d.
func (d Date) Time() time.Time {
	t, _ := time.Parse(DateLayout, string(d))
	return t
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == "" }

// Valid reports whether d is unset or a real calendar date.
func (d Date) Valid() bool {
	if d == "" {
		return true
	}
	_, err := ParseDate(string(d))
	return err == nil && len(d) == len(DateLayout)
}

// Before reports whether d comes strictly before e.
func (d Date) Before(e Date) bool { return d < e }

// AddDays returns the date n days after d (before it for negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// AddMonths returns d moved by n calendar months, clamped to the month's end.
func (d Date) AddMonths(n int) Date {
	t := d.Time()
	y, m, day := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return DateOf(time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC))
}
