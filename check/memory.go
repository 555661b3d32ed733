package check

import (
	"context"

	"github.com/attest-dev/attest/collect"
)

// MemorySource is a Source over resources held in memory, grouped by type
// (a file of resources, a test's fixtures, a benchmark's organization).
type MemorySource struct {
	byType map[string][]collect.Resource
}

// NewMemorySource groups rs by type, keeping their order within a type.
func NewMemorySource(rs []collect.Resource) *MemorySource {
	m := &MemorySource{byType: map[string][]collect.Resource{}}
	for _, r := range rs {
		m.Add(r)
	}
	return m
}

// Add appends one resource.
func (m *MemorySource) Add(r collect.Resource) {
	m.byType[r.Type] = append(m.byType[r.Type], r)
}

// Len is the number of resources held.
func (m *MemorySource) Len() int {
	n := 0
	for _, rs := range m.byType {
		n += len(rs)
	}
	return n
}

// Resources implements Source.
func (m *MemorySource) Resources(ctx context.Context, typ string, fn func(collect.Resource) error) error {
	for i, r := range m.byType[typ] {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
