package attest

import (
	"errors"
	"strings"
	"testing"
)

// FuzzPolicyBody: CheckPolicyBody either refuses a text as EINVALID, at a
// line the text has, or accepts a text in which every placeholder fills.
func FuzzPolicyBody(f *testing.F) {
	f.Add("# Access\n\nOwned by {{owner}} of {{organization}}.\n")
	f.Add("{{owner")
	f.Add("a\n{{ceo}}\n")
	f.Add("\x00")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, body string) {
		err := CheckPolicyBody(body)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			var pe *PlaceholderError
			if errors.As(err, &pe) && (pe.Line < 1 || pe.Line > strings.Count(body, "\n")+1) {
				t.Fatalf("line %d outside a text of %d lines", pe.Line, strings.Count(body, "\n")+1)
			}
			return
		}
		values := map[string]string{}
		for _, p := range PolicyPlaceholders {
			values[p] = "X"
		}
		out, err := FillPlaceholders(body, values)
		if err != nil {
			t.Fatalf("an accepted text does not fill: %v", err)
		}
		for _, p := range PolicyPlaceholders {
			if strings.Contains(out, "{{"+p+"}}") && !strings.Contains(body, "{{{{"+p+"}}") {
				t.Fatalf("{{%s}} is left after filling: %q", p, out)
			}
		}
	})
}
