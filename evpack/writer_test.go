package evpack

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/attest-dev/attest"
)

// testKey is a fixed signing key, so packages are reproducible.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))

var testMeta = Meta{
	Organization: "Acme <Corp>",
	Engagement:   "SOC 2 Type II 2026",
	Period:       "2026-01-01 to 2026-06-30",
	CreatedAt:    time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC),
	Generator:    "attest test",
}

// testFile is a file of the fixture package.
type testFile struct {
	name string
	data []byte
}

// testFiles returns random content over several buffer sizes, the same
// content under two names, an empty file, and names that need escaping.
func testFiles() []testFile {
	rnd := rand.NewChaCha8([32]byte{2})
	random := func(n int) []byte {
		b := make([]byte, n)
		rnd.Read(b)
		return b
	}
	same := random(10_000)
	return []testFile{
		{"CC6.1/access-review Q1.pdf", random(3 << 20 / 2)}, // more than one copy buffer
		{"CC6.1/users.csv", same},
		{"CC7.2/users copy #2.csv", same},
		{"CC7.2/empty.txt", nil},
		{"CC8.1/ticket?id=7&x=%41.json", random(777)},
		{"readme-é.txt", []byte("hello\n")},
	}
}

// testIndex points at the fixture's files, with text that must be escaped.
func testIndex() *Index {
	return &Index{Criteria: []IndexCriterion{
		{ID: "CC6.1", Title: "Logical access", Controls: []IndexControl{
			{ID: "AC-1", Title: "Quarterly access review", Status: "implemented", Slots: []IndexSlot{
				{Period: "2026-Q1", State: SlotProvided, Statement: "Reviewed <script>alert(1)</script>",
					Files: []string{"CC6.1/access-review Q1.pdf", "CC6.1/users.csv"}},
				{Period: "2026-Q2", State: SlotMissing, Statement: "=HYPERLINK(\"http://evil\")"},
			}},
		}},
		{ID: "CC7.2", Title: "Monitoring", Controls: []IndexControl{
			{ID: "MON-1", Title: "Alerts", Status: "in_progress", Slots: []IndexSlot{
				{Period: "2026-Q1", State: SlotProvided, Files: []string{"CC7.2/users copy #2.csv", "CC7.2/empty.txt", "CC8.1/ticket?id=7&x=%41.json"},
					Links: []string{"https://tickets.example.com/7", "javascript:alert(1)"}},
				{Period: "2026-Q2", State: SlotNotApplicable, Statement: "No alerts in scope"},
			}},
		}},
	}}
}

// buildPackage writes the fixture package and returns its bytes.
func buildPackage(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, testKey, testMeta)
	for _, f := range testFiles() {
		if _, _, err := w.Add(f.name, bytes.NewReader(f.data), testMeta.CreatedAt); err != nil {
			t.Fatalf("Add(%q): %v", f.name, err)
		}
	}
	if err := w.AddIndex(testIndex()); err != nil {
		t.Fatalf("AddIndex: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

func TestAddReturnsHashAndSize(t *testing.T) {
	t.Parallel()
	w := NewWriter(io.Discard, testKey, testMeta)
	sum, n, err := w.Add("a.txt", strings.NewReader("abc"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if sum != want || n != 3 {
		t.Errorf("Add = %s, %d; want %s, 3", sum, n, want)
	}
}

func TestAddRejectsNames(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, why string }{
		{"", "empty"},
		{"/etc/passwd", "absolute"},
		{"../secret", "parent"},
		{"a/../../b", "parent inside"},
		{"a/./b", "dot segment"},
		{`a\b.txt`, "backslash"},
		{"a\x00b", "NUL"},
		{"a\nb", "newline"},
		{"a\u0085b", "C1 control"},
		{"a//b", "empty segment"},
		{"dir/", "trailing slash"},
		{"C:/x.txt", "drive letter"},
		{"bad\xffutf8", "invalid UTF-8"},
		{strings.Repeat("x", 256), "segment too long"},
		{"manifest.json", "reserved"},
		{"Index.HTML", "reserved, other case"},
		{"taken.txt", "duplicate"},
		{"TAKEN.txt", "duplicate by case"},
		{"folder", "file over a folder"},
		{"taken.txt/inner", "folder over a file"},
	}
	w := NewWriter(io.Discard, testKey, testMeta)
	for _, name := range []string{"taken.txt", "folder/inside.txt"} {
		if _, _, err := w.Add(name, strings.NewReader("x"), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		_, _, err := w.Add(tt.name, strings.NewReader("x"), time.Time{})
		if attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("%s: Add(%q) = %v, want EINVALID", tt.why, tt.name, err)
		}
	}
	// A refused name leaves the writer usable.
	if _, _, err := w.Add("after.txt", strings.NewReader("x"), time.Time{}); err != nil {
		t.Errorf("Add after a refused name: %v", err)
	}
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()
	t.Run("bad key", func(t *testing.T) {
		w := NewWriter(io.Discard, nil, testMeta)
		if _, _, err := w.Add("a", strings.NewReader(""), time.Time{}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("Add = %v, want EINVALID", err)
		}
		if err := w.Close(); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("Close = %v, want EINVALID", err)
		}
	})
	t.Run("read error is sticky", func(t *testing.T) {
		var buf bytes.Buffer
		w := NewWriter(&buf, testKey, testMeta)
		boom := errors.New("disk on fire")
		if _, _, err := w.Add("a", iotest.ErrReader(boom), time.Time{}); !errors.Is(err, boom) {
			t.Fatalf("Add = %v, want %v", err, boom)
		}
		if _, _, err := w.Add("b", strings.NewReader("x"), time.Time{}); !errors.Is(err, boom) {
			t.Errorf("Add after a failure = %v, want %v", err, boom)
		}
		if err := w.Close(); !errors.Is(err, boom) {
			t.Errorf("Close after a failure = %v, want %v", err, boom)
		}
		if bytes.Contains(buf.Bytes(), []byte(ManifestName)) {
			t.Error("a manifest was written for a damaged package")
		}
	})
	t.Run("closed twice", func(t *testing.T) {
		w := NewWriter(io.Discard, testKey, testMeta)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err == nil {
			t.Error("second Close succeeded")
		}
	})
}

func TestEmptyPackageVerifies(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := NewWriter(&buf, testKey, testMeta).Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), VerifyOptions{PublicKey: testKey.Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Files != 0 {
		t.Errorf("Verify = %+v, want OK with no files", rep)
	}
}

func TestPackageLayout(t *testing.T) {
	t.Parallel()
	data := buildPackage(t)
	if again := buildPackage(t); !bytes.Equal(data, again) {
		t.Error("the same input gave two different packages")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if reserved[f.Name] {
			continue
		}
		if f.Method != zip.Store {
			t.Errorf("%s: method %d, want Store", f.Name, f.Method)
		}
	}
	if last := zr.File[len(zr.File)-1].Name; last != SignatureName {
		t.Errorf("last entry %s, want %s", last, SignatureName)
	}
	m, err := decodeManifest(readEntry(t, data, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != len(testFiles())+2 {
		t.Errorf("manifest lists %d files, want %d", len(m.Files), len(testFiles())+2)
	}
	for i := 1; i < len(m.Files); i++ {
		if m.Files[i-1].Name >= m.Files[i].Name {
			t.Errorf("manifest not sorted: %s before %s", m.Files[i-1].Name, m.Files[i].Name)
		}
	}
	if m.Meta != testMeta {
		t.Errorf("manifest meta = %+v, want %+v", m.Meta, testMeta)
	}
}

// readEntry returns the content of one entry of a package.
func readEntry(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
