// Package blob stores evidence bytes: screenshots, exports and documents
// attached to controls and engagements. Blobs are content-addressed by their
// SHA-256, so identical content is stored once, and immutable, so an auditor
// can re-hash any file years later and get the name it was filed under.
//
// Two stores implement Store: FS on a local directory and S3 on any
// S3-compatible object store (AWS S3, MinIO, Ceph, R2, ...). Open picks one
// from a single configuration string:
//
//	/var/lib/attest/blobs                  a plain path: FS
//	file:///var/lib/attest/blobs           the same, as a URL
//	s3://ACCESS:SECRET@host:port/bucket/prefix?ssl=false&region=eu-west-1&create=true
//
// In the s3 form the path after the bucket is an optional key prefix; ssl
// defaults to true; region defaults to asking the server; create=true makes
// the bucket when it is missing. Credentials are URL userinfo and must be
// percent-encoded (a "/" in a secret is "%2F"); without userinfo they are
// read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which keeps secrets
// out of configuration files. Secrets never appear in errors.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/attest-dev/attest"
)

// DefaultLimit is the upload limit callers should pass to Put when they have
// no better figure: large enough for a screen recording, small enough that
// one upload cannot fill a disk.
const DefaultLimit = 50 << 20

// Info describes one stored blob.
type Info struct {
	SHA256 string // lowercase hex, the blob's name
	Size   int64  // in bytes
}

// Store holds immutable blobs named by the SHA-256 of their content.
// Methods taking a hash return an EINVALID *attest.Error unless it is 64
// lowercase hex digits, and ENOTFOUND when no such blob is stored.
type Store interface {
	// Put streams r into the store, hashing as it goes, in constant memory.
	// More than limit bytes (limit <= 0: no limit) is an ETOOLARGE error.
	// If Put fails for any reason (too large, r or ctx failing mid-stream)
	// nothing is stored and no temporary file or object remains. Putting
	// content that is already stored returns the same Info and stores no
	// second copy.
	Put(ctx context.Context, r io.Reader, limit int64) (Info, error)

	// Open returns the content of a blob; the caller closes it.
	Open(ctx context.Context, sha256 string) (io.ReadCloser, error)

	// Stat returns a blob's Info without reading it.
	Stat(ctx context.Context, sha256 string) (Info, error)

	// Walk calls fn for every stored blob in hash order, stopping at the
	// first error fn returns.
	Walk(ctx context.Context, fn func(Info) error) error

	// Verify re-reads a blob and returns an error wrapping ErrCorrupt if its
	// bytes no longer hash to its name (altered, truncated, bit rot).
	Verify(ctx context.Context, sha256 string) error

	// Delete removes a blob, for retention policies. Deleting a blob that
	// is not stored is not an error, so a retried purge succeeds.
	Delete(ctx context.Context, sha256 string) error
}

// ErrCorrupt is wrapped by Verify's error when a blob's content no longer
// matches its name. It is not an *attest.Error: it means lost evidence, an
// operator's problem, not a user's.
var ErrCorrupt = errors.New("blob content does not match its hash")

// checkHash rejects anything but a well-formed name. Every method calls it
// before building a path or key, so "../x" can never reach the filesystem.
func checkHash(sum string) error {
	ok := len(sum) == sha256.Size*2
	for i := 0; ok && i < len(sum); i++ {
		c := sum[i]
		ok = '0' <= c && c <= '9' || 'a' <= c && c <= 'f'
	}
	if !ok {
		if len(sum) > 80 {
			sum = sum[:80] + "..."
		}
		return attest.Errorf(attest.EINVALID, "invalid blob hash %q: want 64 lowercase hex digits", sum)
	}
	return nil
}

// copyBufSize is the unit of streaming: big enough that syscalls and
// hashing dominate, small enough to be nothing next to the content.
const copyBufSize = 256 << 10

// spool copies r to w while hashing, enforcing limit and honouring ctx
// between reads. It reads one byte past limit so that content of exactly
// limit bytes passes and limit+1 fails without reading the whole stream.
func spool(ctx context.Context, w io.Writer, r io.Reader, limit int64) (Info, error) {
	h := sha256.New()
	src := io.Reader(ctxReader{ctx, r})
	if limit > 0 {
		src = io.LimitReader(src, limit+1)
	}
	n, err := io.CopyBuffer(io.MultiWriter(w, h), src, make([]byte, copyBufSize))
	if err != nil {
		return Info{}, err
	}
	if limit > 0 && n > limit {
		return Info{}, attest.Errorf(attest.ETOOLARGE, "upload is larger than the limit of %s", formatSize(limit))
	}
	return Info{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// formatSize writes n for people: "50 MiB" rather than "52428800 bytes".
func formatSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ctxReader stops a copy at the next read once ctx is done. A Read already
// blocked is the underlying reader's to cancel (an HTTP request body is
// closed when its request's context ends).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// verify hashes r and compares the result with the blob's name.
func verify(ctx context.Context, sum string, r io.Reader) error {
	h := sha256.New()
	n, err := io.CopyBuffer(h, ctxReader{ctx, r}, make([]byte, copyBufSize))
	if err != nil {
		return fmt.Errorf("verify %s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("verify %s: %w: %d bytes hash to %s", sum, ErrCorrupt, n, got)
	}
	return nil
}
