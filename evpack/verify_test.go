package evpack

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var (
	testPub   = testKey.Public().(ed25519.PublicKey)
	otherKey  = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	pinnedKey = VerifyOptions{PublicKey: testPub}
)

func TestVerify(t *testing.T) {
	t.Parallel()
	const victim = "CC6.1/users.csv"
	tests := []struct {
		name   string
		tamper func(t *testing.T, data []byte) []byte
		opts   VerifyOptions
		// want are substrings that must each be in some problem; none
		// means the package must verify.
		want   []string
		signer ed25519.PublicKey
	}{
		{name: "intact", tamper: keep, signer: testPub},
		{name: "intact, pinned", tamper: keep, opts: pinnedKey, signer: testPub},
		{name: "byte changed and zip rewritten", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return mapFile(fs, victim, func(b []byte) []byte { b[5] ^= 0x40; return b })
		}), want: []string{victim + ": content was changed (SHA-256"}},
		{name: "byte flipped in raw stored data", tamper: flipRaw(victim),
			want: []string{victim + ": content was changed (the zip checksum"}},
		{name: "byte flipped in a large file", tamper: flipRaw("CC6.1/access-review Q1.pdf"),
			want: []string{"CC6.1/access-review Q1.pdf: content was changed"}},
		{name: "empty file filled", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return mapFile(fs, "CC7.2/empty.txt", func([]byte) []byte { return []byte("x") })
		}), want: []string{"CC7.2/empty.txt: is 1 bytes, the manifest says 0"}},
		{name: "file added", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return append(fs, testFile{"CC6.1/backdated.pdf", []byte("%PDF")})
		}), want: []string{"CC6.1/backdated.pdf: is in the package but not in the manifest"}},
		{name: "file removed", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return slices.DeleteFunc(fs, func(f testFile) bool { return f.name == victim })
		}), want: []string{victim + ": is listed in the manifest but missing"}},
		{name: "duplicate entry", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return append(fs, testFile{victim, []byte("second copy")})
		}), want: []string{victim + ": appears more than once"}},
		{name: "manifest changed", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return mapFile(fs, ManifestName, func(b []byte) []byte {
				return bytes.Replace(b, []byte("Acme"), []byte("Acne"), 1)
			})
		}), want: []string{SignatureName + ": is not a valid signature"}},
		{name: "file and manifest changed together", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			fs = mapFile(fs, victim, func(b []byte) []byte { return append(b, '!') })
			return rehash(t, fs, nil)
		}), want: []string{SignatureName + ": is not a valid signature"}},
		{name: "signature changed", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return mapFile(fs, SignatureName, func(b []byte) []byte { b[0] ^= 1; return b })
		}), want: []string{SignatureName + ": is not a valid signature"}},
		{name: "signature flipped in raw data", tamper: flipRaw(SignatureName),
			want: []string{SignatureName + ": cannot be read"}},
		{name: "signature removed", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return slices.DeleteFunc(fs, func(f testFile) bool { return f.name == SignatureName })
		}), want: []string{SignatureName + ": is missing"}},
		{name: "manifest removed", tamper: edit(func(t *testing.T, fs []testFile) []testFile {
			return slices.DeleteFunc(fs, func(f testFile) bool { return f.name == ManifestName })
		}), want: []string{ManifestName + ": is missing"}},
		{name: "manifest flipped in raw data", tamper: flipRaw(ManifestName),
			want: []string{ManifestName + ": cannot be read"}},
		{name: "re-signed by another key, pinned", tamper: resignedFile, opts: pinnedKey,
			want: []string{ManifestName + ": is signed by key " + Fingerprint(otherKey.Public().(ed25519.PublicKey))}},
		// Without a pin, a consistent re-signed package verifies: Signer is
		// what tells the auditor it is not the organization's key.
		{name: "re-signed by another key, not pinned", tamper: resignedFile, signer: otherKey.Public().(ed25519.PublicKey)},
		{name: "truncated to half", tamper: func(_ *testing.T, d []byte) []byte { return d[:len(d)/2] },
			want: []string{"package: not a complete zip archive"}},
		{name: "truncated by 10 bytes", tamper: func(_ *testing.T, d []byte) []byte { return d[:len(d)-10] },
			want: []string{"package: not a complete zip archive"}},
		{name: "not a zip", tamper: func(*testing.T, []byte) []byte { return []byte("%PDF-1.7\n% not a zip at all\n") },
			want: []string{"package: not a complete zip archive"}},
		{name: "empty file", tamper: func(*testing.T, []byte) []byte { return nil },
			want: []string{"package: not a complete zip archive"}},
	}
	pkg := buildPackage(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := tt.tamper(t, bytes.Clone(pkg))
			rep, err := Verify(bytes.NewReader(data), int64(len(data)), tt.opts)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(tt.want) == 0 {
				if !rep.OK || len(rep.Problems) > 0 {
					t.Fatalf("Verify found problems in a good package: %q", rep.Problems)
				}
				if rep.Files != len(testFiles())+2 || rep.Meta != testMeta || rep.Signer != Fingerprint(tt.signer) {
					t.Errorf("Report = %+v", rep)
				}
				return
			}
			if rep.OK {
				t.Fatalf("Verify says OK; want problems %q", tt.want)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("no problem contains %q; got %q", w, rep.Problems)
				}
			}
		})
	}
}

func TestVerifyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "evidence.zip")
	if err := os.WriteFile(path, buildPackage(t), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyFile(path, pinnedKey)
	if err != nil || !rep.OK {
		t.Fatalf("VerifyFile = %+v, %v", rep, err)
	}
	if _, err := VerifyFile(filepath.Join(t.TempDir(), "nope.zip"), pinnedKey); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("VerifyFile of a missing file = %v, want ErrNotExist", err)
	}
	boom := errors.New("bad sector")
	if _, err := Verify(failingReaderAt{boom}, 1000, pinnedKey); !errors.Is(err, boom) {
		t.Errorf("Verify of an unreadable file = %v, want %v", err, boom)
	}
}

// failingReaderAt fails every read.
type failingReaderAt struct{ err error }

func (f failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func keep(_ *testing.T, data []byte) []byte { return data }

// edit rewrites the package with archive/zip after changing its entries.
func edit(change func(*testing.T, []testFile) []testFile) func(*testing.T, []byte) []byte {
	return func(t *testing.T, data []byte) []byte {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var fs []testFile
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, testFile{f.Name, b})
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range change(t, fs) {
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fw.Write(f.data); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
}

// mapFile replaces the content of the named file with change(content).
func mapFile(fs []testFile, name string, change func([]byte) []byte) []testFile {
	for i := range fs {
		if fs[i].name == name {
			fs[i].data = change(fs[i].data)
		}
	}
	return fs
}

// rehash rewrites the manifest to match the files, and signs it with key;
// with a nil key it keeps the old signature.
func rehash(t *testing.T, fs []testFile, key ed25519.PrivateKey) []testFile {
	var m *manifest
	for _, f := range fs {
		if f.name == ManifestName {
			var err error
			if m, err = decodeManifest(f.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, mf := range m.Files {
		for _, f := range fs {
			if f.name == mf.Name {
				sum := sha256.Sum256(f.data)
				m.Files[i] = manifestFile{Name: f.name, Size: int64(len(f.data)), SHA256: hex.EncodeToString(sum[:])}
			}
		}
	}
	if key != nil {
		m.PublicKey = key.Public().(ed25519.PublicKey)
	}
	data, err := m.encode()
	if err != nil {
		t.Fatal(err)
	}
	fs = mapFile(fs, ManifestName, func([]byte) []byte { return data })
	if key != nil {
		fs = mapFile(fs, SignatureName, func([]byte) []byte { return ed25519.Sign(key, data) })
	}
	return fs
}

// resignedFile changes a file and re-signs a consistent manifest with
// another key: what a forger without the organization's key can do.
var resignedFile = edit(func(t *testing.T, fs []testFile) []testFile {
	fs = mapFile(fs, "CC6.1/users.csv", func(b []byte) []byte { return append(b, '!') })
	return rehash(t, fs, otherKey)
})

// flipRaw flips a byte in the middle of the named entry's data as stored in
// the zip file, leaving every header as it was.
func flipRaw(name string) func(*testing.T, []byte) []byte {
	return func(t *testing.T, data []byte) []byte {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if f.Name == name {
				off, err := f.DataOffset()
				if err != nil {
					t.Fatal(err)
				}
				data[off+int64(f.CompressedSize64)/2] ^= 0x01
				return data
			}
		}
		t.Fatalf("no entry %s", name)
		return nil
	}
}
