package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/attest-dev/attest"
)

// A form that refuses its input is shown again, with everything as it was
// typed and the reason beside the field it is about, with status 422: the
// user corrects one field instead of starting over. Handlers build a form
// from what was posted, and on an EINVALID error from the domain call
// refuse, then render the page they came from with the form in its data.

// form is a form's values as typed and the messages about them.
type form struct {
	Values url.Values
	// Errors maps a field's name to what is wrong with it; "" holds a
	// message about the form as a whole.
	Errors map[string]string
}

// newForm returns a form holding v (which it keeps, not copies).
func newForm(v url.Values) *form {
	if v == nil {
		v = url.Values{}
	}
	return &form{Values: v, Errors: map[string]string{}}
}

// Get returns a field's first value; a nil form has none.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether a field (a checkbox, a radio button, an option of a
// select) holds value.
func (f *form) Has(name, value string) bool {
	return f != nil && slices.Contains(f.Values[name], value)
}

// Err returns the message about a field, or "".
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Field is a field's name, value and message, for the "field-error" and
// "text-field" partials.
func (f *form) Field(name string) formField {
	return formField{Name: name, Value: f.Get(name), Err: f.Err(name)}
}

// Invalid reports whether the form holds a message.
func (f *form) Invalid() bool { return f != nil && len(f.Errors) > 0 }

// refuse records err beside its field when it is a mistake in the input
// (EINVALID) and reports whether it did; any other error is the caller's
// to return. An error naming no field, or a field the page does not show,
// is shown above the form.
func (f *form) refuse(err error, shown ...string) bool {
	if attest.ErrorCode(err) != attest.EINVALID {
		return false
	}
	field := attest.ErrorField(err)
	if len(shown) > 0 && !slices.Contains(shown, field) {
		field = ""
	}
	f.Errors[field] = attest.ErrorMessage(err)
	return true
}

// formField is one field of a form, for a partial.
type formField struct {
	Name, Value, Err string
}

// refusedStatus is the status of a page that shows a refused form again.
const refusedStatus = http.StatusUnprocessableEntity
