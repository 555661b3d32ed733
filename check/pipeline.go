package check

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/attest-dev/attest/collect"
)

// batchSize is how many resources are evaluated in one tight loop before
// their rows are emitted: enough for the processor to overlap the memory
// reads of neighbouring resources' attribute maps, few enough for the
// batch to stay in the core's cache.
const batchSize = 512

// batch is a run of resources evaluated together and what the checks
// said of them. The goroutine that reads the source fills res and attrs
// and later emits the rows; evaluating, perhaps on another core, reads
// only attrs (and res where an expression names the resource's type, id
// or name) and writes a byte per row and the reasons of the rows that
// have one, so little passes between the two cores' caches.
type batch struct {
	res     []collect.Resource
	attrs   []map[string]any
	status  []status   // by resource, then by check
	reasons []reasonAt // in row order
	done    chan struct{}
	helped  bool // a helper evaluates it: wait for done before emitting
}

// status is a row's Status as a byte.
type status uint8

const (
	statusPass status = iota
	statusFail
	statusSkip
	statusError
)

var statuses = [...]Status{statusPass: Pass, statusFail: Fail, statusSkip: Skip, statusError: Error}

func statusOf(s Status) status {
	switch s {
	case Pass:
		return statusPass
	case Fail:
		return statusFail
	case Skip:
		return statusSkip
	}
	return statusError
}

// reasonAt is the reason of the batch's row number row.
type reasonAt struct {
	row    int
	reason string
}

// batches recycles batches across types and runs: a run at a million
// resources would otherwise allocate and clear fresh batch memory for
// every type only to drop it at the end.
var batches sync.Pool

func getBatch(rowsPer int) *batch {
	b, _ := batches.Get().(*batch)
	if b == nil {
		b = &batch{done: make(chan struct{}, 1)}
	}
	if cap(b.res) < batchSize {
		b.res = make([]collect.Resource, 0, batchSize)
		b.attrs = make([]map[string]any, 0, batchSize)
	}
	if cap(b.status) < batchSize*rowsPer {
		b.status = make([]status, 0, batchSize*rowsPer)
	}
	b.res, b.attrs, b.status, b.reasons, b.helped = b.res[:0], b.attrs[:0], b.status[:0], b.reasons[:0], false
	return b
}

// putBatch returns an emitted batch, dropping its references to the
// resources and their reasons.
func putBatch(b *batch) {
	clear(b.res)
	clear(b.attrs)
	clear(b.reasons)
	batches.Put(b)
}

// add appends a resource read from the source.
func (b *batch) add(r collect.Resource) {
	b.res = append(b.res, r)
	b.attrs = append(b.attrs, r.Attributes)
}

// evaluate gives every check's outcome on every resource of b.
func (b *batch) evaluate(act *activation, checks []*Check, lts []ref.Val) {
	b.status, b.reasons = b.status[:0], b.reasons[:0]
	for i, attrs := range b.attrs {
		act.setAt(&b.res[i], attrs)
		for j, c := range checks {
			act.lookups = lts[j]
			o := c.evaluate(act)
			if o.Reason != "" {
				b.reasons = append(b.reasons, reasonAt{len(b.status), o.Reason})
			}
			b.status = append(b.status, statusOf(o.Status))
		}
	}
}

// pipe is one type's evaluation: the calling goroutine reads the source
// into batches and emits rows in order; each full batch goes to a helper
// (one per further core) when a helper has room for it, and is otherwise
// evaluated by the caller there and then. The caller thus never waits
// for a helper while it has work of its own, the helpers stay busy while
// the source keeps them fed, and on one core there is no hand-off at all.
type pipe struct {
	checks  []*Check
	lts     []ref.Val
	act     *activation
	emit    func(Result) error
	work    chan *batch // batches for the helpers; nil without helpers
	queue   []*batch    // batches read and not yet emitted, in order
	cur     *batch      // the batch being filled
	stop    atomic.Bool // the run is over: helpers skip what is left
	emitErr error
	wg      sync.WaitGroup
}

// maxQueued bounds the batches read ahead of the oldest one not yet
// emitted, per helper.
const maxQueued = 4

// runType evaluates the checks selecting typ over its resources and
// emits their rows in the source's order.
func runType(ctx context.Context, typ string, checks []*Check, lts []ref.Val, src Source, emit func(Result) error, now types.Timestamp) error {
	p := &pipe{checks: checks, lts: lts, act: newActivation(now), emit: emit}
	if helpers := runtime.GOMAXPROCS(0) - 1; helpers > 0 {
		p.work = make(chan *batch, helpers)
		p.wg.Add(helpers)
		for range helpers {
			go p.help(now)
		}
	}
	defer p.close()
	p.cur = getBatch(len(checks))
	err := src.Resources(ctx, typ, func(r collect.Resource) error {
		p.cur.add(r)
		if len(p.cur.res) < batchSize {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return p.dispatch()
	})
	if err == nil && len(p.cur.res) > 0 {
		err = p.dispatch()
	}
	if err == nil {
		err = p.drain(0)
	}
	switch {
	case p.emitErr != nil:
		return p.emitErr
	case err != nil:
		return fmt.Errorf("read %s resources: %w", typ, err)
	}
	return ctx.Err()
}

// help evaluates batches from the work channel until it closes.
func (p *pipe) help(now types.Timestamp) {
	defer p.wg.Done()
	act := newActivation(now)
	for b := range p.work {
		if !p.stop.Load() {
			b.evaluate(act, p.checks, p.lts)
		}
		b.done <- struct{}{}
	}
}

// dispatch queues the full batch, gives it to a helper or evaluates it,
// and emits whatever is ready.
func (p *pipe) dispatch() error {
	b := p.cur
	p.cur = getBatch(len(p.checks))
	p.queue = append(p.queue, b)
	b.helped = true
	select {
	case p.work <- b: // a nil channel (no helpers) is never ready
	default:
		b.helped = false
		b.evaluate(p.act, p.checks, p.lts)
	}
	return p.drain(maxQueued * cap(p.work))
}

// drain emits the queued batches that are done, in order, waiting for
// helpers while more than keep batches are queued.
func (p *pipe) drain(keep int) error {
	for len(p.queue) > 0 {
		b := p.queue[0]
		if b.helped {
			if len(p.queue) > keep {
				<-b.done
			} else {
				select {
				case <-b.done:
				default:
					return nil
				}
			}
			b.helped = false
		}
		if err := p.emitRows(b); err != nil {
			p.stop.Store(true)
			p.emitErr = err
			return err
		}
		p.queue[0] = nil
		p.queue = p.queue[1:]
		putBatch(b)
	}
	return nil
}

// emitRows emits the rows of an evaluated batch.
func (p *pipe) emitRows(b *batch) error {
	k, next := 0, 0
	for i := range b.res {
		r := &b.res[i]
		for _, c := range p.checks {
			row := Result{CheckID: c.ID, ResourceType: r.Type, ResourceID: r.ID, ResourceName: r.Name, Status: statuses[b.status[k]]}
			if next < len(b.reasons) && b.reasons[next].row == k {
				row.Reason = b.reasons[next].reason
				next++
			}
			if err := p.emit(row); err != nil {
				return err
			}
			k++
		}
	}
	return nil
}

// close stops the helpers and waits for them, so no goroutine outlives
// the run.
func (p *pipe) close() {
	p.stop.Store(true)
	if p.work != nil {
		close(p.work)
		p.wg.Wait()
	}
	if p.cur != nil && len(p.cur.res) == 0 {
		putBatch(p.cur)
	}
}
