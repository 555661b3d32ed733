package attest

import (
	"strings"
	"testing"
)

func TestValidText(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"plain", ""},
		{"Grüße, 監査 ✓", ""},
		{"a\x00b", "title contains a NUL byte"},
		{"\xff\xfe", "title is not valid UTF-8"},
	} {
		err := ValidText("title", c.in)
		if c.want == "" && err != nil || c.want != "" && (ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.want)) {
			t.Errorf("ValidText(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}
