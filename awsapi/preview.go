package awsapi

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// A preview runs the real SDK call on the client's own stack (the same
// serializer, endpoint rules, middleware) and stops it in the Finalize step
// just before the tracer and Signing: the request is serialized and its
// endpoint resolved, but it is never signed or sent. GetIdentity comes
// before that point, so the preview call is given fixed placeholder
// credentials: it needs none of the user's and does no credential lookup.

// errPreviewStop ends a preview call before signing.
var errPreviewStop = errors.New("awsapi: preview: stopped before signing")

type previewStop struct{ t *Trace }

func (previewStop) ID() string { return "keypair.PreviewStop" }

func (p previewStop) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, _ middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, errors.New("awsapi: preview: not an HTTP request")
	}
	*p.t = captureRequest(ctx, req)
	p.t.Preview = true
	return middleware.FinalizeOutput{}, middleware.Metadata{}, errPreviewStop
}

// previewCredentials are the placeholder credentials of a preview call:
// nothing is signed with them.
var previewCredentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "PREVIEW", SecretAccessKey: "preview", Source: "keypair preview"}, nil
})

// previewOptions turn one ec2 call into a preview filling t.
func previewOptions(t *Trace) func(*ec2.Options) {
	return func(o *ec2.Options) {
		o.Credentials = previewCredentials
		o.Retryer = aws.NopRetryer{}
		opts := make([]func(*middleware.Stack) error, 0, len(o.APIOptions)+1)
		opts = append(opts, o.APIOptions...)
		o.APIOptions = append(opts, func(stack *middleware.Stack) error {
			for _, before := range []string{tracerID, "Signing"} {
				if _, ok := stack.Finalize.Get(before); ok {
					return stack.Finalize.Insert(previewStop{t}, before, middleware.Before)
				}
			}
			return stack.Finalize.Add(previewStop{t}, middleware.After)
		})
	}
}

// preview runs do as a preview; do must make exactly one ec2 call with opt.
func (c *Client) preview(ctx context.Context, op string, do func(ctx context.Context, opt func(*ec2.Options)) error) (Trace, error) {
	if c.region == "" {
		return Trace{}, &Error{Kind: NoRegion, Op: op, Endpoint: c.endpoint}
	}
	var t Trace
	err := do(ctx, previewOptions(&t))
	if errors.Is(err, errPreviewStop) {
		return t, nil
	}
	if err == nil {
		err = errors.New("the SDK ended the preview without serializing the request")
	}
	return Trace{}, &Error{Kind: InvalidParameter, Op: op, Region: c.region, Endpoint: c.endpoint,
		Cause: "the request could not be serialized: " + termtext.Clean(err.Error())}
}

// PreviewCreate is the exact CreateKeyPair request CreateKeyPair(ctx, in)
// would send first (attempt 1), serialized by the SDK and stopped before it
// is signed: no credentials are needed and nothing is sent.
func (c *Client) PreviewCreate(ctx context.Context, in CreateInput) (Trace, error) {
	return c.preview(ctx, "CreateKeyPair", func(ctx context.Context, opt func(*ec2.Options)) error {
		_, err := c.ec2.CreateKeyPair(ctx, createRequest(in), opt)
		return err
	})
}

// PreviewImport is the exact ImportKeyPair request ImportKeyPair(ctx, in)
// would send first, stopped before signing (see PreviewCreate).
func (c *Client) PreviewImport(ctx context.Context, in ImportInput) (Trace, error) {
	return c.preview(ctx, "ImportKeyPair", func(ctx context.Context, opt func(*ec2.Options)) error {
		_, err := c.ec2.ImportKeyPair(ctx, importRequest(in), opt)
		return err
	})
}

// Previewer is what can show a request before it is sent; *Client has it.
type Previewer interface {
	PreviewCreate(ctx context.Context, in CreateInput) (Trace, error)
	PreviewImport(ctx context.Context, in ImportInput) (Trace, error)
}

var _ Previewer = (*Client)(nil)
