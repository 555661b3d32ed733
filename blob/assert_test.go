package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/minio/minio-go/v7"
)

func mustPut(t *testing.T, s Store, content []byte) Info {
	t.Helper()
	info, err := s.Put(t.Context(), bytes.NewReader(content), 0)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return info
}

func mustRead(t *testing.T, s Store, sum string) []byte {
	t.Helper()
	rc, err := s.Open(t.Context(), sum)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read blob: %v", err)
	}
	return b
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := attest.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

// wantWalk checks that Walk reports exactly want, in order.
func wantWalk(t *testing.T, s Store, want ...Info) {
	t.Helper()
	var got []Info
	if err := s.Walk(t.Context(), func(i Info) error { got = append(got, i); return nil }); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Walk = %+v, want %+v", got, want)
	}
}

// wantNoLeftovers checks that no temp file or stray object is left.
func wantNoLeftovers(t *testing.T, s Store) {
	t.Helper()
	var left []string
	switch s := s.(type) {
	case *FS:
		left = dirNames(t, s.tmpDir())
	case *S3:
		left = dirNames(t, s.tempDir)
		for obj := range s.client.ListObjects(t.Context(), s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
			if obj.Err != nil {
				t.Fatalf("list objects: %v", obj.Err)
			}
			if checkHash(strings.TrimPrefix(obj.Key, s.prefix)) != nil {
				left = append(left, obj.Key)
			}
		}
	default:
		t.Fatalf("no leftovers check for %T", s)
	}
	if len(left) > 0 {
		t.Fatalf("left behind: %q", left)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// corrupt changes a stored blob behind the store's back, as bit rot or a
// tampering administrator would: it flips a byte or drops the last one.
func corrupt(t *testing.T, s Store, sum string, truncate bool) {
	t.Helper()
	content := mustRead(t, s, sum)
	if truncate {
		content = content[:len(content)-1]
	} else {
		content[len(content)/2] ^= 0x01
	}
	switch s := s.(type) {
	case *FS:
		p := s.path(sum)
		if err := os.Chmod(p, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o640); err != nil {
			t.Fatal(err)
		}
	case *S3:
		_, err := s.client.PutObject(t.Context(), s.bucket, s.key(sum), bytes.NewReader(content), int64(len(content)), minio.PutObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("no corrupt hook for %T", s)
	}
}

// largeSize is big enough that holding it in memory would be obvious next
// to the 16 MiB allowance, small enough for CI.
const (
	largeSize   = 64 << 20
	heapAllowed = 16 << 20
)

// testLargePut puts 64 MiB generated on the fly and fails if the heap grew
// by more than 16 MiB at any of the sample points: every 4 MiB read by the
// store and right after Put returns. Samples are taken without forcing a
// collection, so garbage counts too; what is bounded is memory, not time.
func testLargePut(t *testing.T, s Store) {
	want := sha256.New()
	io.Copy(want, newGenerator(largeSize, nil))

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	info, err := s.Put(t.Context(), newGenerator(largeSize, sample), 0)
	sample()
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	t.Logf("heap grew by at most %.1f MiB", float64(peak-base)/(1<<20))
	if peak-base > heapAllowed {
		t.Errorf("heap grew by %d MiB putting %d MiB, allowed %d MiB", (peak-base)>>20, largeSize>>20, heapAllowed>>20)
	}
	if w := (Info{hex.EncodeToString(want.Sum(nil)), largeSize}); info != w {
		t.Fatalf("Put = %+v, want %+v", info, w)
	}
	if err := s.Verify(t.Context(), info.SHA256); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// generator yields n pseudo-random bytes without holding them, calling
// sample after every 4 MiB.
type generator struct {
	src    *rand.ChaCha8
	left   int64
	since  int64
	sample func()
}

func newGenerator(n int64, sample func()) *generator {
	return &generator{src: rand.NewChaCha8([32]byte{42}), left: n, sample: sample}
}

func (g *generator) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.left)]
	n, _ := g.src.Read(p)
	g.left -= int64(n)
	if g.since += int64(n); g.since >= 4<<20 && g.sample != nil {
		g.since = 0
		g.sample()
	}
	return n, nil
}
