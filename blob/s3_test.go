package blob

import (
	"crypto/rand"
	"net/http/httptest"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/minio/minio-go/v7"
)

// startFakeS3 runs gofakes3 on a loopback port and returns its host:port.
// The afero backend writes objects to a temp directory rather than memory,
// so the large-Put heap bound measures the client, not the server, which
// shares this process.
func startFakeS3(t testing.TB) string {
	fs, err := s3afero.FsPath(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	backend, err := s3afero.MultiBucket(fs)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// newFakeS3 returns an S3 store on its own fake server, with a bucket that
// NewS3 has to create.
func newFakeS3(t testing.TB) *S3 {
	s, err := NewS3(t.Context(), S3Config{
		Endpoint:     startFakeS3(t),
		Bucket:       "evidence",
		AccessKey:    "test-access",
		SecretKey:    "test-secret",
		Region:       "us-east-1",
		Prefix:       "/blobs/",
		CreateBucket: true,
		TempDir:      t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3(t *testing.T) {
	testStore(t, func(t *testing.T) Store { return newFakeS3(t) })
}

// TestS3External runs the suite against a real server when ATTEST_TEST_S3
// holds its s3:// URL, each store under a fresh prefix that is emptied
// afterwards.
func TestS3External(t *testing.T) {
	raw := os.Getenv("ATTEST_TEST_S3")
	if raw == "" {
		t.Skip("set ATTEST_TEST_S3=s3://ACCESS:SECRET@host:port/bucket?ssl=false to run against a real server")
	}
	testStore(t, func(t *testing.T) Store {
		cfg, err := ParseS3URL(raw)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Prefix = path.Join(cfg.Prefix, "attest-blob-test", rand.Text())
		cfg.TempDir = t.TempDir()
		s, err := NewS3(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			for obj := range s.client.ListObjects(t.Context(), s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
				if obj.Err == nil {
					s.client.RemoveObject(t.Context(), s.bucket, obj.Key, minio.RemoveObjectOptions{})
				}
			}
		})
		return s
	})
}

// TestS3MissingBucket checks that a mistyped bucket fails at start-up
// unless creation was asked for.
func TestS3MissingBucket(t *testing.T) {
	t.Parallel()
	_, err := NewS3(t.Context(), S3Config{
		Endpoint: startFakeS3(t), Bucket: "nope", AccessKey: "a", SecretKey: "b", Region: "us-east-1",
	})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("NewS3 on a missing bucket = %v", err)
	}
}

func BenchmarkPutS3(b *testing.B) {
	benchmarkPut(b, newFakeS3(b))
}
