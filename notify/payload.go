package notify

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// jsonPayload is the body of a FormatJSON webhook. Every key is always
// present (fields as {} when empty) so receivers need no null checks.
type jsonPayload struct {
	Event   string            `json:"event"`
	Subject string            `json:"subject"`
	Text    string            `json:"text"`
	URL     string            `json:"url"`
	Fields  map[string]string `json:"fields"`
	At      time.Time         `json:"at"`
}

// payload encodes msg in the webhook's format.
func (h Webhook) payload(msg Message) ([]byte, error) {
	if h.Format == FormatSlack {
		return marshal(slackPayload(msg))
	}
	fields := msg.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return marshal(jsonPayload{
		Event:   msg.Event,
		Subject: msg.Subject,
		Text:    msg.Text,
		URL:     msg.URL,
		Fields:  fields,
		At:      msg.at(),
	})
}

// marshal encodes v without escaping <, > and & as \u003c…: the payload
// is never embedded in HTML, and receivers log and read it.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Slack Block Kit limits; longer values make Slack reject the whole message
// with a 400, which would turn a long text into a lost notification.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackFieldMax   = 2000
	slackFieldsMax  = 10
)

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackMessage struct {
	// Text is the fallback shown in notifications and by clients that do
	// not render blocks.
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackPayload builds an incoming-webhook message: a header with the
// subject, the text, up to ten fields, and a context line with the link
// and the event name.
func slackPayload(msg Message) slackMessage {
	out := slackMessage{Text: slackEscape(msg.Subject)}
	out.Blocks = append(out.Blocks, slackBlock{
		Type: "header",
		Text: &slackText{Type: "plain_text", Text: truncate(msg.Subject, slackHeaderMax)},
	})
	if strings.TrimSpace(msg.Text) != "" {
		out.Blocks = append(out.Blocks, slackBlock{
			Type: "section",
			Text: &slackText{Type: "mrkdwn", Text: truncate(slackEscape(msg.Text), slackSectionMax)},
		})
	}
	var fields []slackText
	for _, k := range msg.sortedFields() {
		if len(fields) == slackFieldsMax {
			break
		}
		text := "*" + slackEscape(k) + "*\n" + slackEscape(msg.Fields[k])
		fields = append(fields, slackText{Type: "mrkdwn", Text: truncate(text, slackFieldMax)})
	}
	if len(fields) > 0 {
		out.Blocks = append(out.Blocks, slackBlock{Type: "section", Fields: fields})
	}
	footer := "`" + msg.Event + "`"
	if msg.URL != "" {
		// The URL was checked to be http(s); "<" and "|" would end the link.
		link := strings.NewReplacer("<", "%3C", ">", "%3E", "|", "%7C").Replace(msg.URL)
		footer = "<" + link + "|Open in Attest> · " + footer
	}
	out.Blocks = append(out.Blocks, slackBlock{
		Type:     "context",
		Elements: []slackText{{Type: "mrkdwn", Text: footer}},
	})
	return out
}

// slackEscape escapes the three characters Slack's mrkdwn treats as markup,
// so that text like "<!channel>" cannot ping a whole channel.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate shortens s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
