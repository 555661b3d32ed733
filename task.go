package attest

import (
	"context"
	"strings"
	"time"
)

// TaskStatus is where a remediation task stands.
type TaskStatus string

// Task statuses.
const (
	TaskOpen       TaskStatus = "open"
	TaskInProgress TaskStatus = "in_progress"
	TaskDone       TaskStatus = "done"
)

// Valid reports whether s is a known task status.
func (s TaskStatus) Valid() bool {
	return s == TaskOpen || s == TaskInProgress || s == TaskDone
}

// Task is a piece of remediation work, usually tied to a control.
type Task struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// OwnerID is the member who does the task (0: nobody); Owner is that
	// member as shown, filled when the task is read. OwnerNote keeps a
	// free-text name that is not a member; it grants nothing.
	OwnerID      int64      `json:"-"`
	Owner        *Person    `json:"owner"`
	OwnerNote    string     `json:"owner_note,omitempty"`
	DueDate      Date       `json:"due_date,omitempty"`
	Status       TaskStatus `json:"status"`
	ControlID    string     `json:"control_id,omitempty"`
	EngagementID int64      `json:"engagement_id,omitempty"`
	Notes        string     `json:"notes,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
}

// Overdue reports whether the task is not done and its due date has passed.
func (t *Task) Overdue(today Date) bool {
	return t.Status != TaskDone && !t.DueDate.IsZero() && t.DueDate.Before(today)
}

// Validate checks the task's fields; it returns EINVALID naming the problem.
func (t *Task) Validate() error {
	t.Title = strings.TrimSpace(t.Title)
	t.OwnerNote = strings.TrimSpace(t.OwnerNote)
	if t.Title == "" {
		return Errorf(EINVALID, "a task needs a title")
	}
	if len(t.Title) > 300 {
		return Errorf(EINVALID, "task title is longer than 300 characters")
	}
	if len(t.Description) > 20000 {
		return Errorf(EINVALID, "task description is longer than 20,000 characters")
	}
	if len(t.OwnerNote) > 200 {
		return Errorf(EINVALID, "the owner note is longer than 200 characters")
	}
	if t.Status == "" {
		t.Status = TaskOpen
	}
	if !t.Status.Valid() {
		return Errorf(EINVALID, "unknown task status %q (known: open, in_progress, done)", t.Status)
	}
	if !t.DueDate.Valid() {
		return Errorf(EINVALID, "due date %q is not YYYY-MM-DD", t.DueDate)
	}
	return nil
}

// TaskUpdate holds the task fields that may change; nil means unchanged.
// OwnerID names a member already resolved (see PersonService), 0 nobody;
// ControlID "" detaches the task from its control.
type TaskUpdate struct {
	Title       *string     `json:"title"`
	Description *string     `json:"description"`
	OwnerID     *int64      `json:"-"`
	OwnerNote   *string     `json:"owner_note"`
	DueDate     *Date       `json:"due_date"`
	Status      *TaskStatus `json:"status"`
	ControlID   *string     `json:"control_id"`
	Notes       *string     `json:"notes"`
}

// Apply sets the update's fields on t, keeps ClosedAt in step with the
// status, and validates the result.
func (u TaskUpdate) Apply(t *Task, now time.Time) error {
	if u.Title != nil {
		t.Title = *u.Title
	}
	if u.Description != nil {
		t.Description = *u.Description
	}
	if u.OwnerID != nil {
		if *u.OwnerID != t.OwnerID {
			t.Owner = nil // filled again by whoever stores the task
		}
		t.OwnerID = *u.OwnerID
	}
	if u.OwnerID != nil && *u.OwnerID != 0 && u.OwnerNote == nil {
		t.OwnerNote = "" // a member owns it now: the free-text owner is moot
	}
	if u.OwnerNote != nil {
		t.OwnerNote = *u.OwnerNote
	}
	if u.ControlID != nil {
		t.ControlID = strings.TrimSpace(*u.ControlID)
	}
	if u.DueDate != nil {
		d, err := ParseDate(string(*u.DueDate))
		if err != nil {
			return err
		}
		t.DueDate = d
	}
	if u.Notes != nil {
		t.Notes = *u.Notes
	}
	if u.Status != nil {
		t.Status = *u.Status
	}
	switch {
	case t.Status == TaskDone && t.ClosedAt == nil:
		t.ClosedAt = &now
	case t.Status != TaskDone:
		t.ClosedAt = nil
	}
	return t.Validate()
}

// TaskFilter selects tasks; zero fields match everything.
type TaskFilter struct {
	Status TaskStatus
	// OwnerID selects one member's tasks.
	OwnerID      int64
	ControlID    string
	EngagementID int64
	// Scoped limits the tasks to those of Engagements (none when it is
	// empty): an auditor sees only the engagements granted to them.
	Scoped      bool
	Engagements []int64
	// Open selects tasks that are not done.
	Open bool
	// Search matches tasks whose title or control ID holds the text, in
	// any case.
	Search string
	// Limit caps the number returned; 0 means no limit.
	Limit int
}

// TaskService manages an organization's remediation tasks.
type TaskService interface {
	// FindTaskByID returns ENOTFOUND if the organization has no such task.
	FindTaskByID(ctx context.Context, orgID, id int64) (*Task, error)
	// FindTasks returns the matching tasks, soonest due first.
	FindTasks(ctx context.Context, orgID int64, f TaskFilter) ([]*Task, error)
	// FindOpenTasksOf returns up to limit open tasks the member owns,
	// soonest due first: a home page's "my tasks". Callers must not change
	// what they get.
	FindOpenTasksOf(ctx context.Context, orgID, ownerID int64, limit int) ([]*Task, error)
	// CreateTask validates and stores t; a control or engagement it names
	// must exist in the organization (EINVALID otherwise).
	CreateTask(ctx context.Context, orgID int64, t *Task) error
	// UpdateTask changes a task; closing is an update to status done and
	// reopening one to open. A control it names must exist and an owner
	// must be a member who may own things (EINVALID otherwise).
	UpdateTask(ctx context.Context, orgID, id int64, u TaskUpdate) (*Task, error)
	// FindTaskPage returns one page of the matching tasks, sorted as the
	// page asks (soonest due first by default, undated last; ties by ID),
	// and how many match in all. EINVALID for a column not in TaskSorts.
	FindTaskPage(ctx context.Context, orgID int64, f TaskFilter, p Page) ([]*Task, int, error)
}
