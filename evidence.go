package attest

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// EvidenceKind is what an evidence item holds.
type EvidenceKind string

// Evidence kinds: a stored file, a link to where the proof lives, or a
// written statement.
const (
	EvidenceFile      EvidenceKind = "file"
	EvidenceLink      EvidenceKind = "link"
	EvidenceStatement EvidenceKind = "statement"
)

// EvidenceLinkRef ties an item to one evidence need of one control: need
// is the index of the need in the control's Evidence list.
type EvidenceLinkRef struct {
	ControlID string `json:"control_id"`
	Need      int    `json:"need"`
}

// Evidence is one item of proof. Items are immutable: a new version is a
// new item that supersedes the old one, and both remain. A file's bytes
// live in the blob store under SHA256.
type Evidence struct {
	ID          int64        `json:"id"`
	Kind        EvidenceKind `json:"kind"`
	Title       string       `json:"title"`
	SHA256      string       `json:"sha256,omitempty"`
	Size        int64        `json:"size,omitempty"`
	ContentType string       `json:"content_type,omitempty"`
	FileName    string       `json:"file_name,omitempty"`
	URL         string       `json:"url,omitempty"`
	Statement   string       `json:"statement,omitempty"`
	// Source is "manual" or the integration that collected the item.
	Source      string    `json:"source"`
	ProvidedBy  string    `json:"provided_by"`
	CollectedAt time.Time `json:"collected_at"`
	// PeriodStart and PeriodEnd are the days the item is proof for.
	PeriodStart Date `json:"period_start"`
	PeriodEnd   Date `json:"period_end"`
	// ValidUntil is when the item stops being proof (a penetration test
	// report is good for a year); empty means it does not expire.
	ValidUntil   Date              `json:"valid_until,omitempty"`
	Supersedes   int64             `json:"supersedes,omitempty"`
	SupersededBy int64             `json:"superseded_by,omitempty"`
	Links        []EvidenceLinkRef `json:"links"`
	CreatedAt    time.Time         `json:"created_at"`
}

// Expired reports whether the item is no longer valid on day.
func (e *Evidence) Expired(day Date) bool { return !e.ValidUntil.IsZero() && e.ValidUntil.Before(day) }

// Validate checks an item before it is stored; it returns EINVALID naming
// the problem.
func (e *Evidence) Validate() error {
	e.Title = strings.TrimSpace(e.Title)
	if e.Source == "" {
		e.Source = "manual"
	}
	switch {
	case e.Title == "":
		return Errorf(EINVALID, "evidence needs a title")
	case len(e.Title) > 300:
		return Errorf(EINVALID, "the evidence title is longer than 300 characters")
	case !e.PeriodStart.Valid() || !e.PeriodEnd.Valid() || !e.ValidUntil.Valid():
		return Errorf(EINVALID, "dates must have the form YYYY-MM-DD")
	case e.PeriodStart.IsZero() || e.PeriodEnd.IsZero():
		return Errorf(EINVALID, "evidence needs the period it covers")
	case e.PeriodEnd.Before(e.PeriodStart):
		return Errorf(EINVALID, "the period ends (%s) before it starts (%s)", e.PeriodEnd, e.PeriodStart)
	case len(e.Links) == 0:
		return Errorf(EINVALID, "evidence must serve at least one control")
	}
	switch e.Kind {
	case EvidenceFile:
		if len(e.SHA256) != 64 {
			return Errorf(EINVALID, "a file item needs the file's SHA-256")
		}
	case EvidenceLink:
		u, err := url.Parse(strings.TrimSpace(e.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Errorf(EINVALID, "a link must be an http:// or https:// address")
		}
		e.URL = u.String()
	case EvidenceStatement:
		e.Statement = strings.TrimSpace(e.Statement)
		if e.Statement == "" {
			return Errorf(EINVALID, "a statement needs its text")
		}
		if len(e.Statement) > 10000 {
			return Errorf(EINVALID, "a statement is limited to 10,000 characters")
		}
	default:
		return Errorf(EINVALID, "unknown evidence kind %q", e.Kind)
	}
	return nil
}

// CheckPeriodBegun compares the item's period with today. A period that
// has not begun is refused (EINVALID): evidence proves what has happened.
// A period that runs past today is allowed with a warning, since the item
// will count only for the periods that have begun by the day it is given
// (see Covers).
func (e *Evidence) CheckPeriodBegun(today Date) (warning string, err error) {
	if today.Before(e.PeriodStart) {
		return "", Errorf(EINVALID, "the period starts on %s, which has not begun: evidence can only prove a period that has started (give it for the period so far and add more when the next one begins)", e.PeriodStart)
	}
	if today.Before(e.PeriodEnd) {
		return fmt.Sprintf("the period runs to %s, after today: the item counts only for the periods that have begun by %s; give evidence for later periods once they begin", e.PeriodEnd, today), nil
	}
	return "", nil
}

// SanitizeFileName makes an uploaded file's name safe to store and to
// offer back as a download: the last path element only, no control or
// format characters, no leading dots, at most 120 bytes, and "file" when
// nothing is left.
func SanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		case r == '/' || r == ':' || r == '"' || r == '<' || r == '>' || r == '|' || r == '*' || r == '?':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if len(out) > 120 {
		cut := 120
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	if out == "" || out == "." || out == ".." {
		return "file"
	}
	return out
}

// EvidenceService stores evidence records; the bytes of files are in a
// blob store.
type EvidenceService interface {
	// CreateEvidence stores an item (EINVALID for a bad one, ENOTFOUND for
	// an unknown control or need). With Supersedes set it replaces that
	// item, which must not already be superseded (ECONFLICT).
	CreateEvidence(ctx context.Context, orgID int64, e *Evidence) error
	// FindEvidenceByID returns one item.
	FindEvidenceByID(ctx context.Context, orgID, id int64) (*Evidence, error)
	// FindEvidence returns the items serving a control ("" for all),
	// newest first, superseded ones included.
	FindEvidence(ctx context.Context, orgID int64, controlID string) ([]*Evidence, error)
	// RecentEvidence returns the newest limit items serving a control and
	// how many serve it in all.
	RecentEvidence(ctx context.Context, orgID int64, controlID string, limit int) ([]*Evidence, int, error)
	// EvidenceTitles returns the titles of the items named, by ID; IDs the
	// organization does not have are left out.
	EvidenceTitles(ctx context.Context, orgID int64, ids []int64) (map[int64]string, error)
}

// BlobReader opens stored evidence bytes.
type BlobReader interface {
	Open(ctx context.Context, sha256 string) (io.ReadCloser, error)
}
