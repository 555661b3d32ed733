package blob

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config configures an S3 store.
type S3Config struct {
	Endpoint string // host:port, without a scheme
	Bucket   string
	// AccessKey and SecretKey sign requests; when both are empty they are
	// read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
	AccessKey string
	SecretKey string
	Region    string // empty: ask the server
	UseSSL    bool
	Prefix    string // key prefix, so one bucket can serve several stores
	// CreateBucket makes the bucket when it is missing; otherwise a
	// missing bucket is an error, which catches a mistyped name early.
	CreateBucket bool
	// TempDir is where Put spools uploads; empty means os.TempDir().
	TempDir string
}

// maxSinglePut is S3's limit for one PUT request. Below it a blob is sent
// in one request, which S3 makes visible atomically and which cannot leave
// an unfinished multipart upload behind; above it minio-go uses multipart
// and aborts the upload on failure.
const maxSinglePut = 5 << 30

// S3 is a Store on an S3-compatible object store; blob abcdef… is the
// object prefix/abcdef….
//
// Put spools the stream to an unlinked temp file on local disk while
// hashing it, and only then uploads to the final key. Streaming straight to
// a temporary object and copying it server-side was rejected: the limit is
// enforced before a byte reaches S3, so an oversized, failed or cancelled
// Put, or a crash, leaves no temp object or unfinished multipart upload to
// clean up (S3 bills those until a lifecycle rule aborts them); content
// already stored costs one HEAD instead of an upload; no CopyObject is
// needed (capped at 5 GiB, and twice the server I/O); and minio-go's
// unknown-length upload buffers a whole part (16 MiB by default) in memory
// per Put, where a file keeps memory constant. The price is local disk
// space for the uploads in flight, at most limit bytes each.
type S3 struct {
	client  *minio.Client
	bucket  string
	prefix  string
	tempDir string
}

var _ Store = (*S3)(nil)

// NewS3 connects to the object store and checks that the bucket exists,
// creating it if cfg.CreateBucket is set.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, attest.Errorf(attest.EINVALID, "s3 blob store needs an endpoint and a bucket")
	}
	creds := credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	if cfg.AccessKey == "" && cfg.SecretKey == "" {
		creds = credentials.NewEnvAWS()
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  creds,
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 endpoint %s: %w", cfg.Endpoint, err)
	}
	s := &S3{client: client, bucket: cfg.Bucket, tempDir: cfg.TempDir}
	if p := strings.Trim(cfg.Prefix, "/"); p != "" {
		s.prefix = p + "/"
	}
	if s.tempDir == "" {
		s.tempDir = os.TempDir()
	}

	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3 bucket %s on %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok && !cfg.CreateBucket {
		return nil, fmt.Errorf("s3 bucket %s on %s does not exist", cfg.Bucket, cfg.Endpoint)
	}
	if !ok {
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou {
			return nil, fmt.Errorf("create s3 bucket %s on %s: %w", cfg.Bucket, cfg.Endpoint, err)
		}
	}
	return s, nil
}

// key is only ever called with a hash that passed checkHash.
func (s *S3) key(sum string) string { return s.prefix + sum }

// s3Error turns a missing object into ENOTFOUND and wraps anything else.
func s3Error(op, sum string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return notFound(sum)
	}
	return fmt.Errorf("%s blob %s: %w", op, sum, err)
}

// Put implements Store; see S3 for why it spools to disk.
func (s *S3) Put(ctx context.Context, r io.Reader, limit int64) (Info, error) {
	f, err := os.CreateTemp(s.tempDir, "attest-blob-*")
	if err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	// Unlink at once: the open file keeps the data and a crash leaves no
	// file behind. Where an open file cannot be unlinked (Windows), the
	// deferred Remove does it after Close.
	name := f.Name()
	unlinked := os.Remove(name) == nil
	defer func() {
		f.Close()
		if !unlinked {
			os.Remove(name)
		}
	}()

	info, err := spool(ctx, f, r, limit)
	if err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	if _, err := s.Stat(ctx, info.SHA256); err == nil {
		return info, nil
	} else if attest.ErrorCode(err) != attest.ENOTFOUND {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	// Concurrent Puts of the same content may all upload; the last one
	// wins and all carry the same bytes. An empty body skips the payload
	// signature: minio-go's streaming signer sends no Content-Length for
	// it over plain HTTP, which S3 rejects.
	_, err = s.client.PutObject(ctx, s.bucket, s.key(info.SHA256), f, info.Size, minio.PutObjectOptions{
		ContentType:          "application/octet-stream",
		DisableMultipart:     info.Size <= maxSinglePut,
		DisableContentSha256: info.Size == 0,
	})
	if err != nil {
		return Info{}, fmt.Errorf("put blob %s: %w", info.SHA256, err)
	}
	return info, nil
}

// Open implements Store. It waits for the response headers so that a
// missing blob is reported here, not on the first Read.
func (s *S3) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	if err := checkHash(sum); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(sum), minio.GetObjectOptions{})
	if err != nil {
		return nil, s3Error("open", sum, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, s3Error("open", sum, err)
	}
	return obj, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, sum string) (Info, error) {
	if err := checkHash(sum); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.key(sum), minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s3Error("stat", sum, err)
	}
	return Info{SHA256: sum, Size: oi.Size}, nil
}

// Walk implements Store. S3 lists keys in lexical order, which under one
// prefix is hash order; keys that are not blob names are skipped.
func (s *S3) Walk(ctx context.Context, fn func(Info) error) error {
	ctx, cancel := context.WithCancel(ctx) // stops the lister if fn fails
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("walk blobs: %w", obj.Err)
		}
		sum := strings.TrimPrefix(obj.Key, s.prefix)
		if checkHash(sum) != nil {
			continue
		}
		if err := fn(Info{SHA256: sum, Size: obj.Size}); err != nil {
			return fmt.Errorf("walk blobs: %w", err)
		}
	}
	return ctx.Err()
}

// Verify implements Store.
func (s *S3) Verify(ctx context.Context, sum string) error {
	rc, err := s.Open(ctx, sum)
	if err != nil {
		return err
	}
	defer rc.Close()
	return verify(ctx, sum, rc)
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, sum string) error {
	if err := checkHash(sum); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.key(sum), minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("delete blob %s: %w", sum, err)
	}
	return nil
}
