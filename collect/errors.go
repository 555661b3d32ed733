package collect

import (
	"context"
	"errors"
	"net"
	"time"
)

// Errors a collector wraps so the runner and the browser can tell the
// usual failures apart; the wrapping message says which system and what
// happened, in plain words and without a credential.
var (
	// ErrCredentials: the system refused the configured credentials.
	ErrCredentials = errors.New("the system refused the credentials")
	// ErrUnreachable: the system could not be reached at all.
	ErrUnreachable = errors.New("the system could not be reached")
	// ErrMalformed: the system answered something the collector cannot
	// read; the run fails so the last good state stays.
	ErrMalformed = errors.New("malformed answer")
)

// SleepFor waits for d using c.Sleep when set, else a real timer; it returns
// early with ctx.Err() when ctx is done.
func (c Config) SleepFor(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Clock returns c.Now when set, else time.Now.
func (c Config) Clock() func() time.Time {
	if c.Now != nil {
		return c.Now
	}
	return time.Now
}

// NetDialer is the dialer a collector connects with: the configured one,
// or a plain one with a ten-second timeout.
func (c Config) NetDialer() *net.Dialer {
	if c.Dialer != nil {
		return c.Dialer
	}
	return &net.Dialer{Timeout: 10 * time.Second}
}
