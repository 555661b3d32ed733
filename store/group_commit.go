package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
)

// Group commit. Every change of an organization locks its audit head, so
// on PostgreSQL an organization's writers queue on one row, each holding
// it through its commit's flush to disk: the commit, not the work, bounds
// the organization's writes per second. Changes of one organization that
// arrive while another is being committed therefore wait together and are
// then run by one of them in a single transaction, each inside its own
// savepoint, and committed with one flush. A change that fails rolls back
// to its savepoint alone and gets its own error; the others commit. The
// order of the chain is still the order in which changes ran, and each
// change reads what the one before it left, as in a transaction of its
// own.

// maxGroup caps the changes committed together, so no change waits long
// behind a large group.
const maxGroup = 64

// groupCommitter keeps the queues of changes waiting per organization.
type groupCommitter struct {
	mu     sync.Mutex
	queues map[int64]*changeQueue
	// largest is the most changes committed together yet, for tests.
	largest int
}

// changeQueue is an organization's waiting changes; running says a leader
// is committing them.
type changeQueue struct {
	waiting []*queuedChange
	running bool
}

// queuedChange is one caller's change, where its outcome goes, and the
// signal that makes its caller the next leader.
type queuedChange struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
	lead chan struct{}
}

// groupChange runs fn as part of a group of the organization's changes
// (see change). The caller who finds no group under way leads: it takes
// the waiting changes (its own first), commits them, and hands the lead to
// the first change still waiting, so no caller serves others for longer
// than one group.
func (s *DB) groupChange(ctx context.Context, orgID int64, fn func(tx *sql.Tx) error) error {
	c := &queuedChange{ctx: ctx, fn: fn, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g := &s.group
	g.mu.Lock()
	if g.queues == nil {
		g.queues = map[int64]*changeQueue{}
	}
	q := g.queues[orgID]
	if q == nil {
		q = &changeQueue{}
		g.queues[orgID] = q
	}
	q.waiting = append(q.waiting, c)
	if !q.running {
		q.running = true
		c.lead <- struct{}{}
	}
	g.mu.Unlock()
	select {
	case err := <-c.done:
		return err
	case <-c.lead:
	}
	// c is first in the queue: only leaders take changes, from the front.
	g.mu.Lock()
	batch := q.waiting[:min(len(q.waiting), maxGroup):min(len(q.waiting), maxGroup)]
	q.waiting = q.waiting[len(batch):]
	g.largest = max(g.largest, len(batch))
	g.mu.Unlock()
	s.commitGroup(orgID, batch)
	g.mu.Lock()
	if len(q.waiting) == 0 {
		q.running = false
		delete(g.queues, orgID)
	} else {
		q.waiting[0].lead <- struct{}{}
	}
	g.mu.Unlock()
	return <-c.done
}

// commitGroup runs a group of changes in one transaction and tells each
// its outcome.
func (s *DB) commitGroup(orgID int64, batch []*queuedChange) {
	if len(batch) == 1 {
		c := batch[0]
		c.done <- s.changeAlone(c.ctx, orgID, c.fn)
		return
	}
	// The transaction serves several callers: it is not cancelled with
	// the leader's request. Each change still runs with its own context.
	ctx := context.WithoutCancel(batch[0].ctx)
	errs := make([]error, len(batch))
	var appended bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		seq, hash, err := s.lockAuditHead(ctx, tx, orgID)
		if err != nil {
			return err
		}
		h := &txHead{org: orgID, seq: seq, hash: hash}
		s.heads.Store(tx, h)
		defer s.heads.Delete(tx)
		// Between two changes one round trip ends the last savepoint and
		// starts the next; audit entries are written once, at the end.
		savepoint := `SAVEPOINT change`
		for i, c := range batch {
			if err := c.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			if _, err := tx.ExecContext(ctx, savepoint); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			savepoint = `RELEASE SAVEPOINT change; SAVEPOINT change`
			seq0, hash0 := h.seq, h.hash
			// The entries not yet written: a flush inside the change (a
			// large one) writes them within its savepoint, so they are
			// kept here to be written again if it rolls back.
			pending0 := slices.Clone(h.pending)
			if err := c.fn(tx); err != nil {
				if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT change`); rerr != nil {
					return fmt.Errorf("roll back a failed change: %w", rerr)
				}
				h.seq, h.hash, h.pending = seq0, hash0, pending0
				errs[i] = err
			}
		}
		if appended = h.seq != seq; !appended {
			return nil
		}
		return s.flushAudit(ctx, tx, h, true)
	})
	if err == nil && appended {
		s.changed(orgID)
	}
	for i, c := range batch {
		if errs[i] == nil {
			errs[i] = err // the group's commit is each change's
		}
		c.done <- errs[i]
	}
}
