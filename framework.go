package attest

import "strings"

// Category is a Trust Services Criteria category (security, availability,
// processing integrity, confidentiality, privacy) or its equivalent in
// another framework.
type Category struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Required categories are always in an engagement's scope.
	Required bool `json:"required"`
}

// Series groups criteria within a category, such as CC6 (logical and
// physical access).
type Series struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Title    string `json:"title"`
}

// Criterion is one requirement of a framework, such as SOC 2's CC6.1.
type Criterion struct {
	ID            string   `json:"id"`
	Category      string   `json:"category"`
	Series        string   `json:"series"`
	Title         string   `json:"title"`
	Guidance      string   `json:"guidance,omitempty"`
	PointsOfFocus []string `json:"points_of_focus,omitempty"`
}

// Framework is a compliance framework with its categories, series, criteria
// and the control library that addresses them. It is built-in content,
// loaded once and never changed at run time.
type Framework struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Title      string      `json:"title"`
	Version    string      `json:"version"`
	Categories []Category  `json:"categories"`
	Series     []Series    `json:"series"`
	Criteria   []Criterion `json:"criteria"`
	// Controls is the built-in control library; every organization starts
	// with a copy of it.
	Controls []*Control `json:"-"`

	criterionByID map[string]*Criterion
	categoryByID  map[string]*Category
	position      map[string]int
}

// Index builds the look-up tables; loaders call it once after filling the
// slices.
func (f *Framework) Index() {
	f.criterionByID = make(map[string]*Criterion, len(f.Criteria))
	f.position = make(map[string]int, len(f.Criteria))
	for i := range f.Criteria {
		f.criterionByID[f.Criteria[i].ID] = &f.Criteria[i]
		f.position[f.Criteria[i].ID] = i
	}
	f.categoryByID = make(map[string]*Category, len(f.Categories))
	for i := range f.Categories {
		f.categoryByID[f.Categories[i].ID] = &f.Categories[i]
	}
}

// Criterion returns the criterion with the id, or nil.
func (f *Framework) Criterion(id string) *Criterion { return f.criterionByID[id] }

// LookupCriterion finds a criterion by its ID as a person types it: case
// and surrounding space do not matter ("cc6.1 " is CC6.1). It returns nil
// for an unknown ID.
func (f *Framework) LookupCriterion(typed string) *Criterion {
	return f.criterionByID[strings.ToUpper(strings.TrimSpace(typed))]
}

// Position returns where the criterion stands in the framework's order;
// unknown IDs sort last.
func (f *Framework) Position(id string) int {
	if p, ok := f.position[id]; ok {
		return p
	}
	return len(f.Criteria)
}

// Category returns the category with the id, or nil.
func (f *Framework) Category(id string) *Category { return f.categoryByID[id] }

// CheckCriteria returns EINVALID naming the first id that is not a
// criterion of f.
func (f *Framework) CheckCriteria(ids []string) error {
	for _, id := range ids {
		if f.Criterion(id) == nil {
			return Errorf(EINVALID, "unknown criterion %q", id)
		}
	}
	return nil
}

// NormalizeCategories validates category ids, adds the required ones, and
// returns them in the framework's order without duplicates.
func (f *Framework) NormalizeCategories(ids []string) ([]string, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		if f.Category(id) == nil {
			return nil, Errorf(EINVALID, "unknown category %q (known: %s)", id, f.categoryList())
		}
		want[id] = true
	}
	out := make([]string, 0, len(f.Categories))
	for _, c := range f.Categories {
		if c.Required || want[c.ID] {
			out = append(out, c.ID)
		}
	}
	return out, nil
}

// CriteriaIn returns the criteria of the categories, in framework order.
func (f *Framework) CriteriaIn(categories []string) []*Criterion {
	in := make(map[string]bool, len(categories))
	for _, c := range categories {
		in[c] = true
	}
	var out []*Criterion
	for i := range f.Criteria {
		if in[f.Criteria[i].Category] {
			out = append(out, &f.Criteria[i])
		}
	}
	return out
}

func (f *Framework) categoryList() string {
	s := ""
	for i, c := range f.Categories {
		if i > 0 {
			s += ", "
		}
		s += c.ID
	}
	return s
}
