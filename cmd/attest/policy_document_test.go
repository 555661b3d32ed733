package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// pdfText turns a PDF back into text with pdftotext (poppler-utils).
func pdfText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("ATTEST_REQUIRE_TOOLS") == "1" {
			t.Fatal("pdftotext is missing (Debian: apt-get install poppler-utils)")
		}
		t.Skip("pdftotext is missing (Debian: apt-get install poppler-utils)")
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestPolicyDocumentCommand(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t, []string{"--data", dir}}
	c.ok(nil, "init", "--demo")
	var list []map[string]any
	c.ok(&list, "policy", "list", "--json")
	var id string
	for _, p := range list {
		if p["title"] == "Acceptable Use Policy" {
			id = fmtAny(p["id"])
		}
	}
	if id == "" {
		t.Fatalf("the demo has no Acceptable Use Policy: %v", list)
	}
	one := filepath.Join(dir, "aup.pdf")
	c.ok(nil, "policy", "document", id, "--out", one)
	text := pdfText(t, one)
	for _, want := range []string{"Acceptable Use Policy", "Version 1.0", "Dana Whitfield", "Northwind Analytics", "Revision history"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	all := filepath.Join(dir, "all.html")
	c.ok(nil, "policy", "document", "--out", all)
	html, err := os.ReadFile(all)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), "Revision history"); n < 15 {
		t.Errorf("the HTML of every published policy has %d revision histories", n)
	}
	c.fails(2, "must end in .pdf or .html", "policy", "document", "--out", filepath.Join(dir, "x.docx"))
	c.fails(2, "no policy", "policy", "document", "99999", "--out", one)
	if _, err := os.Stat(filepath.Join(dir, "x.docx")); !os.IsNotExist(err) {
		t.Errorf("a refused export left a file: %v", err)
	}
}

func fmtAny(v any) string {
	switch n := v.(type) {
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return ""
}
