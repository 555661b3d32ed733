package evpack

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// fuzzFiles is a package small enough for the fuzzer to mutate quickly.
var fuzzFiles = map[string]string{
	"CC6.1/users.csv":  "email,role\nana@example.com,admin\n",
	"CC7.2/alerts.txt": "disk > 90% pages the on-call engineer\n",
}

// FuzzVerify: whatever the bytes, Verify reports rather than fails or
// panics, and a package it passes under the pinned key holds exactly the
// signed content: no change to a file's bytes goes unnoticed.
func FuzzVerify(f *testing.F) {
	var buf bytes.Buffer
	w := NewWriter(&buf, testKey, testMeta)
	for name, data := range fuzzFiles {
		if _, _, err := w.Add(name, bytes.NewReader([]byte(data)), testMeta.CreatedAt); err != nil {
			f.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	opts := pinnedKey
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			t.Fatalf("Verify failed on bytes in memory: %v", err)
		}
		if !rep.OK {
			if len(rep.Problems) == 0 {
				t.Fatal("not OK, but no problem named")
			}
			return
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("passed, but is no zip: %v", err)
		}
		for _, zf := range zr.File {
			want, ours := fuzzFiles[zf.Name]
			if !ours {
				continue // the manifest and signature
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatalf("passed, but %s does not open: %v", zf.Name, err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || string(got) != want {
				t.Fatalf("passed with %s changed to %q (%v)", zf.Name, got, err)
			}
		}
	})
}
