package check

import (
	"context"
	"fmt"
	"runtime"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/attest-dev/attest/collect"
)

// batch is a slice of resources evaluated by one worker; done carries its
// rows back to the emitter, which takes batches in order.
type batch struct {
	res  []collect.Resource
	rows []Result
	done chan struct{}
}

// batchSize is how many resources one core evaluates before emitting
// their rows: small enough for the rows to stay in its cache.
// pipeBatchSize is a worker's share in the pipeline, larger so that
// hand-offs between goroutines are rare.
const (
	batchSize     = 512
	pipeBatchSize = 2048
)

// runType evaluates the checks selecting typ over its resources: the
// source feeds batches to one worker per core and the rows are emitted in
// the source's order.
func runType(ctx context.Context, typ string, checks []*Check, lts []ref.Val, src Source, emit func(Result) error, now types.Timestamp) error {
	workers := runtime.GOMAXPROCS(0)
	if workers == 1 {
		return runTypeInline(ctx, typ, checks, lts, src, emit, now)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan *batch, workers)
	inOrder := make(chan *batch, workers*2)
	// Batches are recycled once emitted: the run allocates a bounded set.
	free := make(chan *batch, workers*3+1)
	newBatch := func() *batch {
		select {
		case b := <-free:
			b.res, b.rows, b.done = b.res[:0], b.rows[:0], make(chan struct{})
			return b
		default:
			return &batch{res: make([]collect.Resource, 0, pipeBatchSize), rows: make([]Result, 0, pipeBatchSize*len(checks)), done: make(chan struct{})}
		}
	}
	for range workers {
		go func() {
			act := newActivation(now)
			for b := range work {
				b.rows = b.rows[:0]
				for i := range b.res {
					act.setAt(&b.res[i])
					for j, c := range checks {
						act.lookups = lts[j]
						b.rows = append(b.rows, c.evaluate(act))
					}
				}
				close(b.done)
			}
		}()
	}
	srcErr := make(chan error, 1)
	go func() {
		defer close(inOrder)
		defer close(work)
		cur := newBatch()
		send := func() bool {
			select {
			case inOrder <- cur:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- cur:
			case <-ctx.Done():
				return false
			}
			return true
		}
		err := src.Resources(ctx, typ, func(r collect.Resource) error {
			cur.res = append(cur.res, r)
			if len(cur.res) == pipeBatchSize {
				if !send() {
					return ctx.Err()
				}
				cur = newBatch()
			}
			return nil
		})
		if err == nil && len(cur.res) > 0 && !send() {
			err = ctx.Err()
		}
		srcErr <- err
	}()
	var emitErr error
	for b := range inOrder {
		select {
		case <-b.done:
		case <-ctx.Done():
		}
		if emitErr != nil || ctx.Err() != nil {
			continue
		}
		for _, row := range b.rows {
			if emitErr = emit(row); emitErr != nil {
				cancel()
				break
			}
		}
		clear(b.res) // drop references to attribute maps
		select {
		case free <- b:
		default:
		}
	}
	err := <-srcErr
	switch {
	case emitErr != nil:
		return emitErr
	case err != nil:
		return fmt.Errorf("read %s resources: %w", typ, err)
	}
	return ctx.Err()
}

// runTypeInline is runType on one core, with no goroutine hand-offs:
// resources are gathered in batches, each batch evaluated and then its
// rows emitted. Evaluating a batch in one tight loop lets the processor
// overlap the memory reads of neighbouring resources, which emitting
// after every resource would interleave.
func runTypeInline(ctx context.Context, typ string, checks []*Check, lts []ref.Val, src Source, emit func(Result) error, now types.Timestamp) error {
	act := newActivation(now)
	var emitErr error
	b := &batch{res: make([]collect.Resource, 0, batchSize), rows: make([]Result, 0, batchSize*len(checks))}
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.rows = b.rows[:0]
		for i := range b.res {
			act.setAt(&b.res[i])
			for j, c := range checks {
				act.lookups = lts[j]
				b.rows = append(b.rows, c.evaluate(act))
			}
		}
		clear(b.res) // drop references to attribute maps
		b.res = b.res[:0]
		for _, row := range b.rows {
			if emitErr = emit(row); emitErr != nil {
				return emitErr
			}
		}
		return nil
	}
	err := src.Resources(ctx, typ, func(r collect.Resource) error {
		b.res = append(b.res, r)
		if len(b.res) == batchSize {
			return flush()
		}
		return nil
	})
	if err == nil && len(b.res) > 0 {
		err = flush()
	}
	switch {
	case emitErr != nil:
		return emitErr
	case err != nil:
		return fmt.Errorf("read %s resources: %w", typ, err)
	}
	return ctx.Err()
}
