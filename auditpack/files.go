package auditpack

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/evpack"
)

// packer adds evidence files to a package and remembers where each item's
// file went, for the index.
type packer struct {
	ctx    context.Context
	pw     *evpack.Writer
	blobs  blob.Store
	byID   map[int64]*attest.Evidence
	fileOf map[int64]string  // item ID → name in the zip
	bySum  map[string]string // SHA-256 → name in the zip: one copy per content
	// popFiles is the population file of each kind (see records.populations).
	popFiles map[string]string
	summary  Summary
}

func newPacker(ctx context.Context, pw *evpack.Writer, blobs blob.Store, items []*attest.Evidence) *packer {
	p := &packer{ctx: ctx, pw: pw, blobs: blobs, byID: make(map[int64]*attest.Evidence, len(items)),
		fileOf: map[int64]string{}, bySum: map[string]string{}}
	for _, it := range items {
		p.byID[it.ID] = it
	}
	return p
}

// addFiles stores every file item that covers a slot, in request-list
// order (control, need, period) so that a package reads like the list, then
// the file items they replaced.
func (p *packer) addFiles(reqs []*attest.EvidenceRequest) error {
	type placed struct {
		it      *attest.Evidence
		control string
		need    int
	}
	var covering []placed
	seen := map[int64]bool{}
	for _, r := range reqs {
		for _, s := range r.Slots {
			for _, id := range s.Evidence {
				it := p.byID[id]
				if it == nil || seen[id] {
					continue
				}
				seen[id] = true
				covering = append(covering, placed{it, r.ControlID, r.Need})
				if it.Kind == attest.EvidenceFile {
					if err := p.add(it, "evidence", r.ControlID, r.Need); err != nil {
						return err
					}
				}
			}
		}
	}
	// Predecessors sit next to their successor's folder, so the history of
	// one need is in one place.
	for _, c := range covering {
		for prev := p.byID[c.it.Supersedes]; prev != nil && !seen[prev.ID]; prev = p.byID[prev.Supersedes] {
			seen[prev.ID] = true
			if prev.Kind == attest.EvidenceFile {
				if err := p.add(prev, "superseded", c.control, c.need); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// add streams one item's file into the package under folder, or points the
// item at an earlier copy of the same content.
func (p *packer) add(it *attest.Evidence, folder, control string, need int) error {
	if name, ok := p.bySum[it.SHA256]; ok {
		p.fileOf[it.ID] = name
		p.summary.Deduplicated++
		return nil
	}
	name := path.Join(folder, attest.SanitizeFileName(control), fmt.Sprintf("need-%d", need),
		fmt.Sprintf("%s_%d_%s", it.PeriodStart, it.ID, attest.SanitizeFileName(it.FileName)))
	rc, err := p.blobs.Open(p.ctx, it.SHA256)
	if attest.ErrorCode(err) == attest.ENOTFOUND {
		return fmt.Errorf("evidence %d %q: %w (sha256 %s)", it.ID, it.Title, ErrMissingBlob, it.SHA256)
	}
	if err != nil {
		return fmt.Errorf("evidence %d %q: open file: %w", it.ID, it.Title, err)
	}
	defer rc.Close()
	modified := it.CollectedAt
	sum, n, err := p.pw.Add(name, ctxReader{p.ctx, rc}, modified)
	if err != nil {
		return fmt.Errorf("evidence %d %q: %w", it.ID, it.Title, err)
	}
	if sum != it.SHA256 {
		// The package is not closed, so it is never signed; the blob
		// store's copy was altered after upload.
		return fmt.Errorf("evidence %d %q: %w: stored as %s, reads as %s", it.ID, it.Title, blob.ErrCorrupt, it.SHA256, sum)
	}
	p.fileOf[it.ID] = name
	p.bySum[it.SHA256] = name
	p.summary.Files++
	p.summary.Bytes += n
	if folder == "superseded" {
		p.summary.Superseded++
	}
	return nil
}

// ctxReader ends a long copy soon after ctx is cancelled: an export of
// gigabytes should stop when the user gives up.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}
