package evpack

import "github.com/attest-dev/attest"

// IndexSummary is the head of index.html: the figures and records an
// auditor asks for before opening any evidence. Every file it names must
// be in the package (AddIndex checks), so its links work once the zip is
// extracted and the manifest vouches for them.
type IndexSummary struct {
	Readiness IndexReadiness
	Scope     IndexScope
	Policies  []IndexPolicy
	// Records are the package's other files worth listing (scope,
	// readiness, approval and acknowledgement records), with a line
	// saying what each holds.
	Records []IndexRecord
}

// IndexReadiness is the readiness and evidence coverage at export time.
type IndexReadiness struct {
	Date                string
	Score               float64
	Ready, Partial, Gap int
	Due, Covered, Total int
	CoveragePercent     float64
	Categories          []IndexCategory
}

// IndexCategory is one category's readiness.
type IndexCategory struct {
	Name  string
	Score float64
}

// IndexScope is what the engagement covers.
type IndexScope struct {
	ReportType    string
	Categories    []string
	Criteria      int
	Controls      []IndexScopeControl
	Systems       []IndexSystem
	NotApplicable []IndexNotApplicable
}

// IndexScopeControl is one control in scope.
type IndexScopeControl struct {
	ID, Name, Status, Owner string
}

// IndexSystem is one system of the system boundary.
type IndexSystem struct {
	Name, Kind, Owner, Description string
}

// IndexNotApplicable is a control, or one period of one, declared not
// applicable, with the organization's justification.
type IndexNotApplicable struct {
	Control, Period, Justification string
}

// IndexPolicy is one published policy and its records.
type IndexPolicy struct {
	Title, Version, Effective string
	Approvers                 string
	Acknowledged, Required    int
	// File is the policy's PDF in the package.
	File string
}

// IndexRecord is a file of the package listed in the summary.
type IndexRecord struct {
	Name, About string
}

// checkSummary returns EINVALID when the summary names a file that is not
// in the package.
func (w *Writer) checkSummary(s *IndexSummary) error {
	if s == nil {
		return nil
	}
	for _, p := range s.Policies {
		if _, ok := w.byName[p.File]; !ok {
			return attest.Errorf(attest.EINVALID, "policy %s: file %q is not in the package", p.Title, p.File)
		}
	}
	for _, r := range s.Records {
		if _, ok := w.byName[r.Name]; !ok {
			return attest.Errorf(attest.EINVALID, "record %q is not in the package", r.Name)
		}
	}
	return nil
}

// summaryFiles resolves the link, size and hash of every file the summary
// names.
func (w *Writer) summaryFiles(s *IndexSummary) map[string]indexFile {
	if s == nil {
		return nil
	}
	out := map[string]indexFile{}
	add := func(name string) {
		f := w.files[w.byName[name]]
		out[name] = indexFile{Name: name, Href: href(name), SHA256: f.SHA256, Size: f.Size}
	}
	for _, p := range s.Policies {
		add(p.File)
	}
	for _, r := range s.Records {
		add(r.Name)
	}
	return out
}
