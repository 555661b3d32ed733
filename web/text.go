package web

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/attest-dev/attest"
)

// checkRequestText refuses a request whose path, query parameters or
// url-encoded form fields hold a NUL byte or invalid UTF-8, naming the
// field, before any handler sees them. JSON bodies are checked as they
// are decoded (decode); multipart uploads by their handler.
func checkRequestText(r *http.Request) error {
	if err := attest.ValidText("the path", r.URL.Path); err != nil {
		return err
	}
	for k, vs := range r.URL.Query() {
		if err := checkValues("query parameter", k, vs); err != nil {
			return err
		}
	}
	if r.Method == "GET" || r.Method == "HEAD" || isMultipart(r) {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	for k, vs := range r.PostForm {
		if err := checkValues("field", k, vs); err != nil {
			return err
		}
	}
	return nil
}

func checkValues(kind, name string, values []string) error {
	if err := attest.ValidText(kind+" name", name); err != nil {
		return err
	}
	for _, v := range values {
		if err := attest.ValidText(kind+" "+name, v); err != nil {
			return err
		}
	}
	return nil
}

// checkJSONText walks a decoded JSON value and refuses any string with a
// NUL byte (JSON's \u0000), naming its field by its JSON path.
func checkJSONText(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkJSONText(v.Elem(), field)
		}
	case reflect.String:
		return attest.ValidText(strings.TrimPrefix(field, "."), v.String())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				name = ""
			}
			if err := checkJSONText(v.Field(i), joinField(field, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes, not text
		}
		for i := 0; i < v.Len(); i++ {
			if err := checkJSONText(v.Index(i), field); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if iter.Key().Kind() == reflect.String {
				if err := attest.ValidText(strings.TrimPrefix(field+" key", "."), iter.Key().String()); err != nil {
					return err
				}
			}
			if err := checkJSONText(iter.Value(), joinField(field, iter.Key().String())); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinField(parent, name string) string {
	switch {
	case name == "":
		return parent
	case parent == "":
		return name
	}
	return parent + "." + name
}
