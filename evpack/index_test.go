package evpack

import (
	"bytes"
	"encoding/csv"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; rerun with -update and review the diff", name)
	}
}

func TestIndexHTML(t *testing.T) {
	t.Parallel()
	page := readEntry(t, buildPackage(t), IndexHTMLName)
	golden(t, "index.html.golden", page)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var hrefs []string
	doc.Find("td a").Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, s.AttrOr("href", "")) })
	want := []string{
		"./CC6.1/access-review%20Q1.pdf",
		"./CC6.1/users.csv",
		"./CC7.2/users%20copy%20%232.csv",
		"./CC7.2/empty.txt",
		"./CC8.1/ticket%3Fid=7&x=%2541.json",
		"https://tickets.example.com/7",
		"#ZgotmplZ", // html/template refuses the javascript: link
	}
	if strings.Join(hrefs, "\n") != strings.Join(want, "\n") {
		t.Errorf("links:\n%s\nwant:\n%s", strings.Join(hrefs, "\n"), strings.Join(want, "\n"))
	}
	if doc.Find("script").Length() != 0 {
		t.Error("a statement was rendered as a script element")
	}
	if got := doc.Find("h1").Text(); got != "Acme <Corp>: SOC 2 Type II 2026" {
		t.Errorf("h1 = %q", got)
	}
	if got := doc.Find("tr.missing").Length(); got != 1 {
		t.Errorf("%d missing rows, want 1", got)
	}
}

func TestIndexCSV(t *testing.T) {
	t.Parallel()
	data := readEntry(t, buildPackage(t), IndexCSVName)
	golden(t, "index.csv.golden", data)
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, two files for AC-1 Q1, one empty row for AC-1 Q2, three files
	// for MON-1 Q1, one empty row for MON-1 Q2.
	if len(rows) != 1+2+1+3+1 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	if strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Errorf("header = %v", rows[0])
	}
	if got := rows[3][7]; !strings.HasPrefix(got, "'=") {
		t.Errorf("formula statement = %q, want it defused with a quote", got)
	}
	if got := rows[1][10]; len(got) != 64 {
		t.Errorf("sha256 column = %q", got)
	}
}

func TestAddIndexRejects(t *testing.T) {
	t.Parallel()
	slot := func(s IndexSlot) *Index {
		return &Index{Criteria: []IndexCriterion{{ID: "CC1", Controls: []IndexControl{{ID: "X", Slots: []IndexSlot{s}}}}}}
	}
	tests := []struct {
		name string
		ix   *Index
	}{
		{"unknown file", slot(IndexSlot{Period: "Q1", State: SlotProvided, Files: []string{"nope.pdf"}})},
		{"unknown state", slot(IndexSlot{Period: "Q1", State: "done"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(io.Discard, testKey, testMeta)
			if _, _, err := w.Add("a.pdf", strings.NewReader("x"), time.Time{}); err != nil {
				t.Fatal(err)
			}
			if err := w.AddIndex(tt.ix); attest.ErrorCode(err) != attest.EINVALID {
				t.Errorf("AddIndex = %v, want EINVALID", err)
			}
			// The refusal wrote nothing, so a valid index still can be added.
			if err := w.AddIndex(&Index{}); err != nil {
				t.Errorf("AddIndex after a refusal: %v", err)
			}
			if err := w.AddIndex(&Index{}); attest.ErrorCode(err) != attest.EINVALID {
				t.Errorf("second AddIndex = %v, want EINVALID", err)
			}
		})
	}
}
