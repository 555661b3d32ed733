package aws

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// expect returns an API option that refuses a successful answer whose
// body does not open as the protocol's documents do ('<' for the XML
// protocols, '{' or '[' for JSON). The SDK reads a body with no XML in it
// as an empty answer, which would make garbage look like "no users".
func expect(opening ...byte) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("attestExpectBody",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				resp, ok := out.RawResponse.(*smithyhttp.Response)
				if !ok || resp.StatusCode < 200 || resp.StatusCode > 299 || resp.Body == nil {
					return out, md, err
				}
				data, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
				resp.Body.Close()
				if rerr != nil {
					return out, md, &smithy.DeserializationError{Err: rerr}
				}
				resp.Body = io.NopCloser(bytes.NewReader(data))
				trimmed := bytes.TrimSpace(data)
				if len(trimmed) == 0 || bytes.IndexByte(opening, trimmed[0]) >= 0 {
					return out, md, nil
				}
				return out, md, &smithy.DeserializationError{Err: fmt.Errorf("the answer is not a %q document", string(opening))}
			}), middleware.After)
	}
}

var (
	xmlBody  = expect('<')
	jsonBody = expect('{', '[')
)
