package evpack

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// copyBufferSize is the chunk evidence is streamed in: large enough that a
// read and a write cost one system call per megabyte, small enough that the
// writer's memory does not depend on the size of the evidence.
const copyBufferSize = 1 << 20

// Writer streams an evidence package into an io.Writer. Memory use is
// constant in the size of the evidence (about copyBufferSize) and grows
// only by a manifest line per file. A Writer is not safe for concurrent use.
type Writer struct {
	zw     *zip.Writer
	key    ed25519.PrivateKey
	meta   Meta
	names  *names
	files  []manifestFile
	byName map[string]int // index into files, for the index pages
	buf    []byte
	err    error // sticky: once the zip is damaged, nothing more is written
	closed bool
}

// NewWriter returns a Writer that writes a package to w, signed with key.
// It does not close w. A key that is not an Ed25519 private key makes every
// later call fail with EINVALID.
func NewWriter(w io.Writer, key ed25519.PrivateKey, meta Meta) *Writer {
	if meta.CreatedAt.IsZero() {
		meta.CreatedAt = time.Now()
	}
	// UTC to the second: the manifest must not depend on the machine's
	// time zone, and the zip's own timestamps have two-second resolution.
	meta.CreatedAt = meta.CreatedAt.UTC().Truncate(time.Second)
	pw := &Writer{
		zw:     zip.NewWriter(w),
		key:    key,
		meta:   meta,
		names:  newNames(),
		byName: map[string]int{},
	}
	if len(key) != ed25519.PrivateKeySize {
		pw.err = attest.Errorf(attest.EINVALID, "the signing key is not an Ed25519 private key")
	}
	return pw
}

// Add streams r into the package as name, hashing it on the way, and
// returns its SHA-256 (hex) and size. The file is stored without
// compression: evidence (PDFs, images, archives) is mostly compressed
// already, and storing keeps the writer close to the speed of the disk.
//
// Add returns EINVALID, and leaves the package usable, for a name that is
// not a clean relative path (see the package documentation), that is
// reserved (manifest.json, manifest.sig, index.html, index.csv), or that
// collides with a name already added. An error reading r or writing the zip
// leaves a partial entry behind, so every later call returns that error and
// Close writes no manifest.
func (w *Writer) Add(name string, r io.Reader, modified time.Time) (sha256hex string, size int64, err error) {
	if err := w.usable(); err != nil {
		return "", 0, err
	}
	if err := checkName(name); err != nil {
		return "", 0, err
	}
	if reserved[strings.ToLower(name)] {
		return "", 0, attest.Errorf(attest.EINVALID, "evidence name %q is reserved for the package itself", name)
	}
	return w.write(name, zip.Store, modified, func(dst io.Writer) error {
		if w.buf == nil {
			w.buf = make([]byte, copyBufferSize)
		}
		// Hide r's WriterTo (os.File has one) so the copy uses our large
		// buffer rather than a 32 KiB one.
		_, err := io.CopyBuffer(dst, struct{ io.Reader }{r}, w.buf)
		return err
	})
}

// write claims name, creates its zip entry and runs fill to produce the
// content, recording size and hash for the manifest.
func (w *Writer) write(name string, method uint16, modified time.Time, fill func(io.Writer) error) (string, int64, error) {
	if err := w.names.claim(name); err != nil {
		return "", 0, err
	}
	fw, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified.UTC()})
	if err != nil {
		w.err = fmt.Errorf("add %s: %w", name, err)
		return "", 0, w.err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(fw, h)}
	if err := fill(cw); err != nil {
		w.err = fmt.Errorf("add %s: %w", name, err)
		return "", 0, w.err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	w.byName[name] = len(w.files)
	w.files = append(w.files, manifestFile{Name: name, Size: cw.n, SHA256: sum})
	return sum, cw.n, nil
}

// Close writes manifest.json and manifest.sig and finishes the zip. It does
// not close the underlying writer. After a failed Add it writes nothing and
// returns that failure: a signed manifest must never vouch for a damaged
// package.
func (w *Writer) Close() error {
	if err := w.usable(); err != nil {
		return err
	}
	w.closed = true
	files := slices.Clone(w.files)
	slices.SortFunc(files, func(a, b manifestFile) int { return strings.Compare(a.Name, b.Name) })
	m := manifest{Format: Format, Meta: w.meta, PublicKey: w.key.Public().(ed25519.PublicKey), Files: files}
	data, err := m.encode()
	if err != nil {
		return err
	}
	sig := ed25519.Sign(w.key, data)
	for _, f := range []struct {
		name   string
		method uint16
		data   []byte
	}{{ManifestName, zip.Deflate, data}, {SignatureName, zip.Store, sig}} {
		fw, err := w.zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: f.method, Modified: w.meta.CreatedAt})
		if err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := w.zw.Close(); err != nil {
		return fmt.Errorf("close package: %w", err)
	}
	return nil
}

// usable returns the error that stops the writer, if any.
func (w *Writer) usable() error {
	if w.closed {
		return errors.New("evidence package is already closed")
	}
	return w.err
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
