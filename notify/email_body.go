package notify

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/attest-dev/attest"
	mail "github.com/wneessen/go-mail"
)

// htmlBody is the HTML alternative. html/template escapes every value, so a
// subject or text containing markup shows as text, and filters the link so
// only safe URLs become an href. Inline styles because mail clients drop
// style sheets.
var htmlBody = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1f2933; line-height: 1.5;">
<h2 style="font-size: 18px; margin: 0 0 12px;">{{.Subject}}</h2>
{{- if .Text}}
<div style="white-space: pre-wrap; margin: 0 0 16px;">{{.Text}}</div>
{{- end}}
{{- if .Fields}}
<table style="border-collapse: collapse; margin: 0 0 16px;">
{{- range .Fields}}
<tr><th style="text-align: left; padding: 2px 12px 2px 0; font-weight: 600;">{{.Name}}</th><td style="padding: 2px 0;">{{.Value}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if .URL}}
<p><a href="{{.URL}}" style="color: #1a56db;">Open in Attest</a></p>
{{- end}}
<p style="color: #7b8794; font-size: 12px;">Sent by Attest ({{.Event}}).</p>
</body>
</html>
`))

type htmlField struct{ Name, Value string }

type htmlData struct {
	Event, Subject, Text, URL string
	Fields                    []htmlField
}

// plainBody renders the text part: the text, then the fields one per line,
// then the link, so that it reads well in any client.
func plainBody(msg Message) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(msg.Text, "\n"))
	if len(msg.Fields) > 0 {
		b.WriteString("\n\n")
		for _, k := range msg.sortedFields() {
			fmt.Fprintf(&b, "%s: %s\n", k, msg.Fields[k])
		}
	}
	if msg.URL != "" {
		fmt.Fprintf(&b, "\nOpen in Attest: %s\n", msg.URL)
	}
	fmt.Fprintf(&b, "\n-- \nSent by Attest (%s).\n", msg.Event)
	return strings.TrimLeft(b.String(), "\n")
}

// compose builds the go-mail message. Addresses were validated by Send;
// go-mail checks them again against RFC 5322 and its answer is EINVALID
// too.
func (m *Mailer) compose(to []string, msg Message) (*mail.Msg, error) {
	mm := mail.NewMsg()
	if err := mm.From(m.cfg.From); err != nil {
		return nil, attest.Errorf(attest.EINVALID, "SMTP sender %q is not a valid email address.", m.cfg.From)
	}
	if err := mm.To(to...); err != nil {
		return nil, attest.Errorf(attest.EINVALID, "Recipient list is not valid: %v", err)
	}
	mm.Subject(msg.Subject)
	mm.SetDateWithValue(msg.at())
	mm.SetMessageID()
	mm.SetGenHeader("X-Attest-Event", msg.Event)
	// RFC 3834: tells vacation responders and ticket systems not to answer.
	mm.SetGenHeader("Auto-Submitted", "auto-generated")
	mm.SetBodyString(mail.TypeTextPlain, plainBody(msg))

	data := htmlData{Event: msg.Event, Subject: msg.Subject, Text: msg.Text, URL: msg.URL}
	for _, k := range msg.sortedFields() {
		data.Fields = append(data.Fields, htmlField{Name: k, Value: msg.Fields[k]})
	}
	if err := mm.AddAlternativeHTMLTemplate(htmlBody, data); err != nil {
		return nil, fmt.Errorf("render email html: %w", err)
	}
	return mm, nil
}
