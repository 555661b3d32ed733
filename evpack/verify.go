package evpack

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// PublicKey, when set, is the key the organization publishes. Without
	// it Verify only proves that the package is intact as signed by the
	// key inside it, which anyone could replace with their own; with it, a
	// package signed by any other key is a problem.
	PublicKey ed25519.PublicKey
}

// Report is the outcome of Verify.
type Report struct {
	// OK is true when there are no problems.
	OK bool
	// Files counts the files listed in the manifest that were found in
	// the zip, and Bytes the content read from them.
	Files int
	Bytes int64
	// Signer is the Fingerprint of the key in the manifest, for the
	// auditor to compare with the one the organization published.
	Signer string
	// Meta is the package description from the manifest.
	Meta Meta
	// Problems each name a file (or "package") and what is wrong with it.
	Problems []string
}

// VerifyFile verifies the package at path; see Verify.
func VerifyFile(path string, opts VerifyOptions) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("verify package: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("verify package: %w", err)
	}
	return Verify(f, st.Size(), opts)
}

// Verify checks the package in r without a database: that manifest.sig is
// a valid signature of manifest.json (by opts.PublicKey, if set), and that
// the zip holds exactly the files the manifest lists, each with its size
// and SHA-256, once. Entries are streamed, so memory does not grow with
// their size.
//
// Verify returns an error only when r cannot be read at all; a damaged,
// tampered or foreign file is a Report with OK false and its Problems.
func Verify(r io.ReaderAt, size int64, opts VerifyOptions) (*Report, error) {
	rep := &Report{}
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		err = nil // such a name is not in a manifest, so it is reported below
	}
	if err != nil {
		if !isFormatError(err) {
			return nil, fmt.Errorf("verify package: %w", err)
		}
		rep.problem("package", "not a complete zip archive (truncated, or not a zip): %v", err)
		return rep, nil
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		if entries[f.Name] != nil {
			rep.problem(f.Name, "appears more than once in the zip")
			continue
		}
		entries[f.Name] = f
	}
	m := verifyManifest(rep, entries, opts)
	if m == nil {
		rep.OK = false
		return rep, nil
	}
	listed := map[string]bool{ManifestName: true, SignatureName: true}
	buf := make([]byte, copyBufferSize)
	for _, mf := range m.Files {
		if listed[mf.Name] {
			rep.problem(mf.Name, "is listed more than once in the manifest")
			continue
		}
		listed[mf.Name] = true
		if err := checkName(mf.Name); err != nil {
			rep.problem(mf.Name, "is not a safe file name")
		}
		f := entries[mf.Name]
		if f == nil {
			rep.problem(mf.Name, "is listed in the manifest but missing from the package")
			continue
		}
		rep.checkFile(f, mf, buf)
	}
	for _, f := range zr.File {
		if !listed[f.Name] {
			listed[f.Name] = true // report each extra name once
			rep.problem(f.Name, "is in the package but not in the manifest")
		}
	}
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

// verifyManifest reads manifest.json and manifest.sig and checks the
// signature and the pinned key. It returns nil when there is no manifest to
// check the files against.
func verifyManifest(rep *Report, entries map[string]*zip.File, opts VerifyOptions) *manifest {
	data, err := readSmall(entries[ManifestName], maxManifestSize)
	if err != nil {
		rep.problem(ManifestName, "%v", err)
		return nil
	}
	m, err := decodeManifest(data)
	if err != nil {
		rep.problem(ManifestName, "%v", err)
		return nil
	}
	pub := ed25519.PublicKey(m.PublicKey)
	rep.Meta = m.Meta
	rep.Signer = Fingerprint(pub)
	sig, err := readSmall(entries[SignatureName], ed25519.SignatureSize)
	switch {
	case err != nil:
		rep.problem(SignatureName, "%v", err)
	case len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, data, sig):
		rep.problem(SignatureName, "is not a valid signature of manifest.json: the manifest or the signature was changed")
	}
	if opts.PublicKey != nil && !pub.Equal(opts.PublicKey) {
		rep.problem(ManifestName, "is signed by key %s, not by the expected key %s", rep.Signer, Fingerprint(opts.PublicKey))
	}
	return m
}

// checkFile streams one entry through SHA-256 and compares it with the
// manifest. A read error is a problem of that file, not a failure of
// Verify: the archive was readable, this entry is damaged.
func (rep *Report) checkFile(f *zip.File, mf manifestFile, buf []byte) {
	rc, err := f.Open()
	if err != nil {
		rep.problem(f.Name, "cannot be read: %v", err)
		return
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, rc, buf)
	rep.Files++
	rep.Bytes += n
	switch {
	case errors.Is(err, zip.ErrChecksum):
		rep.problem(f.Name, "content was changed (the zip checksum does not match)")
	case err != nil:
		rep.problem(f.Name, "cannot be read: %v", err)
	case n != mf.Size:
		rep.problem(f.Name, "is %d bytes, the manifest says %d", n, mf.Size)
	case hex.EncodeToString(h.Sum(nil)) != mf.SHA256:
		rep.problem(f.Name, "content was changed (SHA-256 does not match the manifest)")
	}
}

// readSmall reads a whole entry that must not exceed limit bytes.
func readSmall(f *zip.File, limit int64) ([]byte, error) {
	if f == nil {
		return nil, errors.New("is missing: the package cannot be verified")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(rc, limit+1)); err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	if int64(b.Len()) > limit {
		return nil, fmt.Errorf("is larger than %d bytes", limit)
	}
	return b.Bytes(), nil
}

// isFormatError tells a damaged or foreign archive from a reader that
// fails.
func isFormatError(err error) bool {
	return slices.ContainsFunc([]error{zip.ErrFormat, zip.ErrAlgorithm, zip.ErrChecksum, io.ErrUnexpectedEOF, io.EOF},
		func(target error) bool { return errors.Is(err, target) })
}

// problem records what is wrong with the named file.
func (rep *Report) problem(name, format string, args ...any) {
	rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %s", name, fmt.Sprintf(format, args...)))
}
