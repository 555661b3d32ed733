// Package conformance is the suite every collector's tests run: the
// resources it emits are well formed, and it behaves under the faults a
// real system produces. HTTP collectors face timeouts, 5xx answers,
// dropped connections, 429 with Retry-After, wrong credentials, an
// unreachable host, a cancelled context and a malformed answer at every
// request of a run; collectors of other systems face a cancelled context,
// an unreachable host and wrong credentials.
package conformance

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
)

// Now is the clock the suite gives collectors; every resource's
// CollectedAt must equal it.
var Now = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// Sleeps records the waits a collector asked for instead of spending them.
type Sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

// Sleep is a collect.Config.Sleep that records d and returns at once.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

// All returns the recorded waits.
func (s *Sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// Run collects with cfg and returns what was emitted and the error.
func Run(ctx context.Context, t testing.TB, k collect.Kind, cfg collect.Config) ([]collect.Resource, error) {
	t.Helper()
	c, err := k.New(cfg)
	if err != nil {
		t.Fatalf("%s: New: %v", k.Name, err)
	}
	var got []collect.Resource
	err = c.Collect(ctx, func(r collect.Resource) error {
		got = append(got, r)
		return nil
	})
	return got, err
}

// CheckResources fails t for a resource that breaks the contract: a type
// the kind does not declare, an empty or repeated ID, a CollectedAt other
// than now, or an attribute that is not a plain JSON value.
func CheckResources(t testing.TB, k collect.Kind, rs []collect.Resource, now time.Time) {
	t.Helper()
	types := map[string]bool{}
	for _, rt := range k.ResourceTypes {
		types[rt] = true
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if !types[r.Type] {
			t.Errorf("%s: resource %q has type %q, not one of %v", k.Name, r.ID, r.Type, k.ResourceTypes)
		}
		if r.ID == "" {
			t.Errorf("%s: a %s resource has no ID", k.Name, r.Type)
		}
		if seen[r.Type+"\x00"+r.ID] {
			t.Errorf("%s: %s %q emitted twice", k.Name, r.Type, r.ID)
		}
		seen[r.Type+"\x00"+r.ID] = true
		if !r.CollectedAt.Equal(now) {
			t.Errorf("%s: %s %q collected at %v, want the configured clock's %v", k.Name, r.Type, r.ID, r.CollectedAt, now)
		}
		if err := collect.CheckValue(r.Type+"/"+r.ID, map[string]any(r.Attributes)); err != nil {
			t.Errorf("%s: %v", k.Name, err)
		}
	}
	CheckContract(t, rs)
}

// NoSecret fails t when err's message holds one of the secrets.
func NoSecret(t testing.TB, err error, secrets map[string]string) {
	t.Helper()
	if err == nil {
		return
	}
	for name, v := range secrets {
		if len(v) >= 4 && strings.Contains(err.Error(), v) {
			t.Errorf("the error shows the secret %s: %v", name, err)
		}
	}
}

var kindName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// CheckKind checks a kind's declaration and that New refuses a
// configuration missing any required field, naming it. good must be a
// configuration New accepts.
func CheckKind(t *testing.T, k collect.Kind, good collect.Config) {
	t.Helper()
	if !kindName.MatchString(k.Name) || k.Title == "" || len(k.ResourceTypes) == 0 || k.New == nil {
		t.Fatalf("kind %q: want a lower-case name, a title, resource types and New", k.Name)
	}
	for _, rt := range k.ResourceTypes {
		if !strings.Contains(rt, ".") {
			t.Errorf("%s: resource type %q is not dotted (system.thing)", k.Name, rt)
		}
	}
	secretish := regexp.MustCompile(`password|token|secret|key$|_key|credential`)
	for _, f := range k.Fields {
		if f.Name == "" || f.Label == "" {
			t.Errorf("%s: field %+v lacks a name or label", k.Name, f)
		}
		if secretish.MatchString(f.Name) && !f.Secret && !strings.HasSuffix(f.Name, "_id") {
			t.Errorf("%s: field %s looks like a credential but is not Secret", k.Name, f.Name)
		}
	}
	if _, err := k.New(good); err != nil {
		t.Fatalf("%s: New(good config): %v", k.Name, err)
	}
	for _, f := range k.Fields {
		if !f.Required {
			continue
		}
		cfg := good
		cfg.Settings = without(good.Settings, f.Name)
		cfg.Secrets = without(good.Secrets, f.Name)
		_, err := k.New(cfg)
		if err == nil || !strings.Contains(err.Error(), f.Name) {
			t.Errorf("%s: New without required %s: got %v, want an error naming it", k.Name, f.Name, err)
		}
		NoSecret(t, err, good.Secrets)
	}
}

func without(m map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// Service runs the suite for a collector of a non-HTTP system (a
// database, a directory, a host).
type Service struct {
	Kind             collect.Kind
	Good             collect.Config  // a working configuration
	Want             int             // at least this many resources
	Unreachable      *collect.Config // nil when there is no host to miss
	WrongCredentials *collect.Config // nil when there are no credentials
}

// RunService runs the non-HTTP suite.
func RunService(t *testing.T, s Service) {
	s.Good.Now = func() time.Time { return Now }
	CheckKind(t, s.Kind, s.Good)
	t.Run("good", func(t *testing.T) {
		rs, err := Run(t.Context(), t, s.Kind, s.Good)
		if err != nil {
			t.Fatalf("collect: %v", err)
		}
		if len(rs) < s.Want {
			t.Fatalf("collected %d resources, want at least %d", len(rs), s.Want)
		}
		CheckResources(t, s.Kind, rs, Now)
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		rs, err := Run(ctx, t, s.Kind, s.Good)
		if !errors.Is(err, context.Canceled) || len(rs) != 0 {
			t.Fatalf("got %d resources and %v, want none and context.Canceled", len(rs), err)
		}
	})
	fault := func(name string, cfg *collect.Config, want error) {
		if cfg == nil {
			return
		}
		t.Run(name, func(t *testing.T) {
			cfg.Now = s.Good.Now
			rs, err := Run(t.Context(), t, s.Kind, *cfg)
			if !errors.Is(err, want) || len(rs) != 0 {
				t.Fatalf("got %d resources and %v, want none and %q", len(rs), err, want)
			}
			NoSecret(t, err, s.Good.Secrets)
			NoSecret(t, err, cfg.Secrets)
			c, _ := s.Kind.New(*cfg)
			if tc, ok := c.(collect.Tester); ok {
				err := tc.Test(t.Context())
				if !errors.Is(err, want) {
					t.Fatalf("Test: got %v, want %q", err, want)
				}
				NoSecret(t, err, cfg.Secrets)
			}
			t.Logf("%s: %v", name, err)
		})
	}
	fault("unreachable", s.Unreachable, collect.ErrUnreachable)
	fault("wrong credentials", s.WrongCredentials, collect.ErrCredentials)
	if c, _ := s.Kind.New(s.Good); c != nil {
		if tc, ok := c.(collect.Tester); ok {
			if err := tc.Test(t.Context()); err != nil {
				t.Errorf("Test with the good configuration: %v", err)
			}
		}
	}
}
