package attest

import (
	"errors"
	"testing"
)

func TestCheckPolicyBody(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		line       int // 0: valid; -1: EINVALID without a line
	}{
		{"valid", "# Title\n\nOwned by {{owner}}.\n\tIndented\r\n", 0},
		{"empty", "", -1},
		{"blank", " \n\t\n", -1},
		{"nul", "# Title\n\nab\x00c\n", 3},
		{"invalid utf-8", "# Title\n\xff\xfe\n", 2},
		{"escape", "line\nline\n\x1b[31m\n", 3},
		{"unknown placeholder", "a\nb\n{{ceo}}\n", 3},
		{"unclosed placeholder", "a\n{{owner\n}}\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPolicyBody(tc.body)
			switch {
			case tc.line == 0:
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
			case ErrorCode(err) != EINVALID:
				t.Fatalf("err = %v, want EINVALID", err)
			case tc.line > 0:
				var pe *PlaceholderError
				if !errors.As(err, &pe) || pe.Line != tc.line {
					t.Fatalf("err = %v, want line %d", err, tc.line)
				}
			}
		})
	}
}
