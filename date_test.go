package attest_test

import (
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want attest.Date
		ok   bool
	}{
		{"2026-03-10", "2026-03-10", true},
		{" 2026-03-10 ", "2026-03-10", true},
		{"", "", true},
		{"2024-02-29", "2024-02-29", true},
		{"2026-02-29", "", false},
		{"2026-13-01", "", false},
		{"2026-3-10", "", false},
		{"10/03/2026", "", false},
		{"2026-03-10T00:00:00Z", "", false},
	}
	for _, tt := range tests {
		got, err := attest.ParseDate(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if !tt.ok && attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("ParseDate(%q) = %q, %v; want EINVALID", tt.in, got, err)
		}
	}
}

func TestDateValid(t *testing.T) {
	tests := []struct {
		d    attest.Date
		want bool
	}{
		{"", true},
		{"2026-03-10", true},
		{" 2026-03-10", false}, // stored dates carry no spaces
		{"2026-02-30", false},
		{"soon", false},
	}
	for _, tt := range tests {
		if got := tt.d.Valid(); got != tt.want {
			t.Errorf("Date(%q).Valid() = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		d    attest.Date
		n    int
		want attest.Date
	}{
		{"2026-01-15", 1, "2026-02-15"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-12-15", 1, "2027-01-15"},
		{"2026-01-01", 12, "2027-01-01"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-05-20", 0, "2026-05-20"},
	}
	for _, tt := range tests {
		if got := tt.d.AddMonths(tt.n); got != tt.want {
			t.Errorf("%s + %d months = %s, want %s", tt.d, tt.n, got, tt.want)
		}
	}
}

func TestDateOf(t *testing.T) {
	// 23:30 in New York on 9 March is already 10 March in UTC.
	ny := time.FixedZone("EST", -5*3600)
	if got := attest.DateOf(time.Date(2026, 3, 9, 23, 30, 0, 0, ny)); got != "2026-03-10" {
		t.Errorf("DateOf = %s, want 2026-03-10", got)
	}
	if got := attest.Date("2026-03-10").Time(); !got.Equal(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time = %v, want midnight UTC", got)
	}
	if !attest.Date("2026-03-09").Before("2026-03-10") || attest.Date("2026-03-10").Before("2026-03-10") {
		t.Error("Before must be strict")
	}
}
