package hrroster

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/attest-dev/attest/collect"
)

// FuzzParse: any roster either gives people whose fields are valid text
// and whose emails are unique, or a malformed-data error naming a line;
// it never panics.
func FuzzParse(f *testing.F) {
	good, err := os.ReadFile("testdata/roster.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("name,email,department,manager,start_date,end_date\nAna,ana@x.example,Eng,,2025-01-01,\n"))
	f.Add([]byte("name,email\n\"unclosed,a@b.c\n"))
	f.Add([]byte("email,email\n"))
	f.Add([]byte{})
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		people, err := Parse(bytes.NewReader(data), now)
		if err != nil {
			if people != nil {
				t.Fatalf("an error with %d people: %v", len(people), err)
			}
			if !errors.Is(err, collect.ErrMalformed) || !strings.Contains(err.Error(), "line") && !strings.Contains(err.Error(), "empty") {
				t.Fatalf("error %q is not a malformed-data error naming a line", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range people {
			if p.Type != "hr.person" || p.ID == "" || seen[p.ID] {
				t.Fatalf("person %+v: want a hr.person with a unique ID", p)
			}
			seen[p.ID] = true
			for k, v := range p.Attributes {
				if s, ok := v.(string); ok && (!utf8.ValidString(s) || strings.ContainsRune(s, 0)) {
					t.Fatalf("attribute %s of %s is not text: %q", k, p.ID, s)
				}
			}
		}
	})
}
