package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/attest-dev/attest"
)

// testStore runs the Store contract against stores made by newStore, each
// new and empty, so that FS and S3 are held to exactly the same behaviour.
// Store-specific hooks (corrupting a blob, finding leftover temp files or
// objects) live in the corrupt and leftovers helpers.
func testStore(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, content := range [][]byte{{}, []byte("hello, auditor"), randomBytes(1, 3<<20)} {
			info := mustPut(t, s, content)
			sum := sha256.Sum256(content)
			if want := (Info{hex.EncodeToString(sum[:]), int64(len(content))}); info != want {
				t.Fatalf("Put = %+v, want %+v", info, want)
			}
			if got := mustRead(t, s, info.SHA256); !bytes.Equal(got, content) {
				t.Fatalf("Open(%s) returned %d different bytes", info.SHA256, len(got))
			}
			if st, err := s.Stat(t.Context(), info.SHA256); err != nil || st != info {
				t.Fatalf("Stat = %+v, %v; want %+v", st, err, info)
			}
			if err := s.Verify(t.Context(), info.SHA256); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		}
	})

	t.Run("Dedupe", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		content := randomBytes(2, 100_000)
		first, second := mustPut(t, s, content), mustPut(t, s, content)
		if first != second {
			t.Fatalf("second Put = %+v, first %+v", second, first)
		}
		wantWalk(t, s, first)
		wantNoLeftovers(t, s)
	})

	t.Run("Limit", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			name        string
			limit, size int64
			tooLarge    bool
		}{
			{"exactly at limit", 1000, 1000, false},
			{"one over limit", 1000, 1001, true},
			{"far over limit", 1000, 5 << 20, true},
			{"zero means none", 0, 100_000, false},
			{"negative means none", -1, 100_000, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				s := newStore(t)
				content := randomBytes(uint64(tt.size), int(tt.size))
				info, err := s.Put(t.Context(), bytes.NewReader(content), tt.limit)
				if !tt.tooLarge {
					if err != nil || info.Size != tt.size {
						t.Fatalf("Put = %+v, %v; want %d bytes stored", info, err, tt.size)
					}
					return
				}
				wantCode(t, err, attest.ETOOLARGE)
				wantWalk(t, s)
				wantNoLeftovers(t, s)
			})
		}
	})

	t.Run("ReaderFailsMidStream", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		errCut := errors.New("connection reset by peer")
		r := io.MultiReader(bytes.NewReader(randomBytes(3, 700_000)), errReader{errCut})
		if _, err := s.Put(t.Context(), r, 0); !errors.Is(err, errCut) {
			t.Fatalf("Put = %v, want %v", err, errCut)
		}
		wantWalk(t, s)
		wantNoLeftovers(t, s)
	})

	t.Run("ContextCancelledMidStream", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		ctx, cancel := context.WithCancel(t.Context())
		r := io.MultiReader(bytes.NewReader(randomBytes(4, 700_000)), cancelReader{cancel}, bytes.NewReader(randomBytes(5, 700_000)))
		if _, err := s.Put(ctx, r, 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put = %v, want context.Canceled", err)
		}
		wantWalk(t, s)
		wantNoLeftovers(t, s)
	})

	t.Run("MalformedHash", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		valid := mustPut(t, s, []byte("x")).SHA256
		for _, sum := range []string{
			"", "../x", "../../../../etc/passwd", "/etc/passwd",
			strings.ToUpper(valid), valid[:63], valid + "0", valid[:62] + "/x",
			"../" + valid[3:], valid[:63] + "g", valid[:63] + "\x00",
		} {
			_, err := s.Open(t.Context(), sum)
			wantCode(t, err, attest.EINVALID)
			_, err = s.Stat(t.Context(), sum)
			wantCode(t, err, attest.EINVALID)
			wantCode(t, s.Verify(t.Context(), sum), attest.EINVALID)
			wantCode(t, s.Delete(t.Context(), sum), attest.EINVALID)
		}
	})

	t.Run("Absent", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		sum := strings.Repeat("ab", 32)
		_, err := s.Open(t.Context(), sum)
		wantCode(t, err, attest.ENOTFOUND)
		_, err = s.Stat(t.Context(), sum)
		wantCode(t, err, attest.ENOTFOUND)
		wantCode(t, s.Verify(t.Context(), sum), attest.ENOTFOUND)
		if err := s.Delete(t.Context(), sum); err != nil {
			t.Fatalf("Delete of an absent blob: %v", err)
		}
	})

	t.Run("Walk", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		var want []Info
		for i := range 7 {
			want = append(want, mustPut(t, s, randomBytes(uint64(100+i), 1000*i)))
		}
		slices.SortFunc(want, func(a, b Info) int { return strings.Compare(a.SHA256, b.SHA256) })
		wantWalk(t, s, want...)

		stop := errors.New("stop")
		calls := 0
		err := s.Walk(t.Context(), func(Info) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Fatalf("Walk with failing fn = %v after %d calls, want %v after 1", err, calls, stop)
		}
	})

	t.Run("VerifyDetectsCorruption", func(t *testing.T) {
		t.Parallel()
		for _, truncate := range []bool{false, true} {
			s := newStore(t)
			info := mustPut(t, s, randomBytes(6, 50_000))
			corrupt(t, s, info.SHA256, truncate)
			if err := s.Verify(t.Context(), info.SHA256); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Verify after corruption (truncate=%v) = %v, want ErrCorrupt", truncate, err)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		content := []byte("retention ends")
		keep, gone := mustPut(t, s, []byte("kept")), mustPut(t, s, content)
		for range 2 {
			if err := s.Delete(t.Context(), gone.SHA256); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		_, err := s.Stat(t.Context(), gone.SHA256)
		wantCode(t, err, attest.ENOTFOUND)
		wantWalk(t, s, keep)
		if again := mustPut(t, s, content); again != gone {
			t.Fatalf("Put after Delete = %+v, want %+v", again, gone)
		}
	})

	t.Run("ConcurrentPutsOfSameContent", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		content := randomBytes(7, 1<<20)
		infos, errs := make([]Info, 10), make([]error, 10)
		var wg sync.WaitGroup
		for i := range infos {
			wg.Go(func() { infos[i], errs[i] = s.Put(t.Context(), bytes.NewReader(content), 0) })
		}
		wg.Wait()
		for i := range infos {
			if errs[i] != nil || infos[i] != infos[0] {
				t.Fatalf("Put %d = %+v, %v; want %+v", i, infos[i], errs[i], infos[0])
			}
		}
		wantWalk(t, s, infos[0])
		wantNoLeftovers(t, s)
		if err := s.Verify(t.Context(), infos[0].SHA256); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	// Not parallel: the heap measurement must not see other tests' memory.
	t.Run("LargePutInConstantMemory", func(t *testing.T) {
		testLargePut(t, newStore(t))
	})
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)}).Read(b)
	return b
}

// errReader fails like a cut connection.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// cancelReader cancels the Put's context part way through the stream.
type cancelReader struct{ cancel context.CancelFunc }

func (r cancelReader) Read([]byte) (int, error) { r.cancel(); return 0, io.EOF }
