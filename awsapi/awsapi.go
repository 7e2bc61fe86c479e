// Package awsapi is keypair's door to EC2: the four key pair calls behind a
// small interface on aws-sdk-go-v2, what uses a pair (instances, launch
// templates, Auto Scaling launch configurations, Spot requests: usage.go),
// the account's regions and a client per region, errors classified into
// kinds a user can act on, and server text cleaned of control bytes before
// anyone prints it.
package awsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// API is the set of EC2 key pair calls keypair makes. *Client implements it;
// tests may fake it.
type API interface {
	CreateKeyPair(ctx context.Context, in CreateInput) (*CreateOutput, error)
	ImportKeyPair(ctx context.Context, in ImportInput) (*ImportOutput, error)
	DescribeKeyPairs(ctx context.Context, in DescribeInput) ([]KeyPairInfo, error)
	DeleteKeyPair(ctx context.Context, in DeleteInput) (*DeleteOutput, error)
}

// DryRunResult is the answer to a request sent with DryRun=true: EC2 never
// acts, it only says whether the caller may.
type DryRunResult struct {
	Permitted bool
	// Message is EC2's explanation (cleaned), e.g. which action was denied.
	Message string
	// Ignored says the endpoint carried the request out instead of only
	// checking it (an EC2 look-alike that ignores DryRun): something WAS
	// made or deleted, and Permitted is false.
	Ignored bool
}

// CreateInput is a CreateKeyPair request.
type CreateInput struct {
	Name   string
	Type   keys.Type
	Format keys.Format
	Tags   []pair.Tag
	DryRun bool
}

// CreateOutput is EC2's answer to CreateKeyPair. With DryRun set, only DryRun is filled.
type CreateOutput struct {
	KeyName        string
	KeyPairID      string
	KeyFingerprint string
	KeyMaterial    []byte // the private key file, exactly as EC2 returned it
	Tags           []pair.Tag
	DryRun         *DryRunResult
	// RequestID is EC2's request id for the call ("" when none was sent).
	RequestID string
}

// ImportInput is an ImportKeyPair request. PublicKey is the raw public key
// file bytes (the SDK base64-encodes them; never pre-encode).
type ImportInput struct {
	Name      string
	PublicKey []byte
	Tags      []pair.Tag
	DryRun    bool
}

// ImportOutput is EC2's answer to ImportKeyPair. With DryRun set, only DryRun is filled.
type ImportOutput struct {
	KeyName        string
	KeyPairID      string
	KeyFingerprint string
	Tags           []pair.Tag
	DryRun         *DryRunResult
	// RequestID is EC2's request id for the call ("" when none was sent).
	RequestID string
}

// DescribeInput selects key pairs by name or by key pair id; empty Names
// and IDs mean all in the region.
type DescribeInput struct {
	Names            []string
	IDs              []string // key pair ids, "key-…"
	IncludePublicKey bool
}

// KeyPairInfo is one key pair as DescribeKeyPairs lists it.
type KeyPairInfo struct {
	KeyName        string     `json:"keyName"`
	KeyPairID      string     `json:"keyPairId"`
	KeyFingerprint string     `json:"keyFingerprint"`
	KeyType        string     `json:"keyType"`
	CreateTime     time.Time  `json:"createTime"`
	PublicKey      string     `json:"publicKey,omitempty"`
	Tags           []pair.Tag `json:"tags"`
}

// DeleteInput names the pair to delete.
type DeleteInput struct {
	Name   string
	DryRun bool
}

// DeleteOutput is EC2's answer to DeleteKeyPair. EC2 answers success even
// for a name that does not exist.
type DeleteOutput struct {
	KeyPairID string
	DryRun    *DryRunResult
	// RequestID is EC2's request id for the call ("" when none was sent).
	RequestID string
}

// Options say how to reach EC2. Empty fields fall back to the AWS SDK's own
// environment and files (AWS_REGION, AWS_PROFILE, ~/.aws/config, SSO,
// instance roles, AWS_ENDPOINT_URL_EC2, AWS_CA_BUNDLE).
type Options struct {
	Region      string
	Profile     string
	EndpointURL string
	// AppVersion is keypair's version, put in the User-Agent.
	AppVersion string
	// CredentialTimeout bounds credential resolution (0 means 10s).
	CredentialTimeout time.Duration

	// MaxAttempts overrides the SDK's retry attempts (0 = the SDK's, i.e. 3
	// or AWS_MAX_ATTEMPTS / max_attempts).
	MaxAttempts int
	// MaxBackoff caps the SDK's retry backoff (0 = the SDK's 20s). Tests
	// shorten it so retried calls stay fast.
	MaxBackoff time.Duration
	// HTTPClient replaces the SDK's HTTP client (nil = the SDK's, which
	// honours AWS_CA_BUNDLE, with Timeouts applied). Tests use it to feed
	// canned answers. Answers are capped at MaxResponseBytes either way.
	HTTPClient *http.Client
	// Timeouts bound connecting, the TLS handshake, the wait for the first
	// byte and the whole call; zero fields take the defaults (see Timeouts).
	Timeouts Timeouts

	// Trace, when not nil, gets every attempt of every request of this
	// client and of the other services' clients it builds, in the layout of
	// Trace.String (one whole block per Write, secrets redacted):
	// keypair --trace. OnTrace, when not nil, gets each Trace as a value.
	// Both are called on the calling goroutine, after the answer; a context
	// can add its own sink with WithTrace.
	Trace   io.Writer
	OnTrace func(Trace)

	// AutoScalingEndpointURL overrides the Auto Scaling endpoint (the
	// launch configurations of UsedBy and Usage). When empty, the SDK's own
	// override applies (AWS_ENDPOINT_URL_AUTO_SCALING, AWS_ENDPOINT_URL, the
	// config file's services section); when there is none either and EC2's
	// endpoint is overridden (EndpointURL, AWS_ENDPOINT_URL_EC2), Auto
	// Scaling goes to EC2's endpoint: a client pointed at an EC2 look-alike
	// (the stand-in, LocalStack, moto: all serve both on one URL) never
	// asks real AWS.
	AutoScalingEndpointURL string
}

// DefaultCredentialTimeout bounds credential resolution when
// Options.CredentialTimeout is 0. It also keeps an off-EC2 instance-metadata
// probe from stalling a call.
const DefaultCredentialTimeout = 10 * time.Second

// Client talks to EC2 through aws-sdk-go-v2.
type Client struct {
	region      string
	endpoint    string
	profile     string // the shared config profile in effect ("" = none found)
	credTimeout time.Duration
	timeouts    Timeouts
	creds       aws.CredentialsProvider
	ec2         *ec2.Client
	autoscaling *autoscaling.Client
	asEndpoint  string // Auto Scaling's endpoint override in effect ("" = the SDK's regional default)

	// What New was asked for, to build the same clients for another region.
	endpointURL, asEndpointURL string

	// cfg and apiOptions build every other service's client (Auto Scaling,
	// SSM) the same way as ec2: same credentials, retries, HTTP client, and
	// the same middleware (user agent, attempt recorder, tracing).
	cfg        aws.Config
	apiOptions []func(*middleware.Stack) error

	ssm         *ssm.Client // newSSM (ssm.go); calls name c.region, so a copy for another region works
	ssmEndpoint string
}

var _ API = (*Client)(nil)

// New builds a client. It loads the SDK configuration (files and
// environment) but does not resolve credentials: see Credentials.
func New(ctx context.Context, opts Options) (*Client, error) {
	var load []func(*awsconfig.LoadOptions) error
	if opts.Region != "" {
		load = append(load, awsconfig.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		load = append(load, awsconfig.WithSharedConfigProfile(opts.Profile))
	}
	timeouts := opts.Timeouts.withDefaults()
	if opts.HTTPClient != nil {
		load = append(load, awsconfig.WithHTTPClient(opts.HTTPClient))
	} else {
		load = append(load, awsconfig.WithHTTPClient(newHTTPClient(timeouts)))
	}
	if opts.MaxAttempts > 0 || opts.MaxBackoff > 0 {
		load = append(load, awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				if opts.MaxAttempts > 0 {
					o.MaxAttempts = opts.MaxAttempts
				}
				if opts.MaxBackoff > 0 {
					o.MaxBackoff = opts.MaxBackoff
				}
			})
		}))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		// A missing or broken profile is the usual cause.
		return nil, fmt.Errorf("awsapi: load AWS configuration: %s", termtext.Clean(err.Error()))
	}

	// The cap goes on last, around whatever client the SDK ended up with
	// (AWS_CA_BUNDLE rebuilds the buildable one).
	cfg.HTTPClient = cappedClient{inner: cfg.HTTPClient, limit: responseLimit}

	c := &Client{region: cfg.Region, credTimeout: opts.CredentialTimeout, timeouts: timeouts, profile: profileOf(cfg, opts.Profile)}
	if c.credTimeout <= 0 {
		c.credTimeout = DefaultCredentialTimeout
	}
	if cfg.Credentials != nil {
		cfg.Credentials = &boundedCredentials{inner: cfg.Credentials, timeout: c.credTimeout}
	}
	c.creds = cfg.Credentials

	c.cfg = cfg
	var sinks []func(Trace)
	if opts.Trace != nil {
		sinks = append(sinks, TraceWriter(opts.Trace))
	}
	if opts.OnTrace != nil {
		sinks = append(sinks, opts.OnTrace)
	}
	c.apiOptions = []func(*middleware.Stack) error{userAgent(opts.AppVersion), addAttemptRecorder, addTracer(sinks)}
	c.endpointURL, c.asEndpointURL = opts.EndpointURL, opts.AutoScalingEndpointURL
	c.buildClients()
	return c, nil
}

// buildClients makes the EC2 and Auto Scaling clients from c.cfg (its
// region, credentials and their cache, HTTP client, retryer settings) and
// c.apiOptions, and notes the endpoints in effect.
func (c *Client) buildClients() {
	c.ec2 = ec2.NewFromConfig(c.cfg, func(o *ec2.Options) {
		if c.endpointURL != "" {
			o.BaseEndpoint = aws.String(c.endpointURL)
		}
		o.APIOptions = append(o.APIOptions, c.apiOptions...)
	})
	c.endpoint = ""
	if be := c.ec2.Options().BaseEndpoint; be != nil {
		c.endpoint = *be
	}
	c.autoscaling = autoscaling.NewFromConfig(c.cfg, func(o *autoscaling.Options) {
		// The SDK has put its own override (environment, config file) in
		// o.BaseEndpoint by now.
		switch {
		case c.asEndpointURL != "":
			o.BaseEndpoint = aws.String(c.asEndpointURL)
		case o.BaseEndpoint == nil && c.endpoint != "":
			o.BaseEndpoint = aws.String(c.endpoint)
		}
		o.APIOptions = append(o.APIOptions, c.apiOptions...)
	})
	c.asEndpoint = ""
	if be := c.autoscaling.Options().BaseEndpoint; be != nil {
		c.asEndpoint = *be
	}
	c.newSSM()
}

// AutoScalingEndpoint is the Auto Scaling endpoint URL override in effect
// (see Options.AutoScalingEndpointURL), "" for the SDK's regional default.
func (c *Client) AutoScalingEndpoint() string { return c.asEndpoint }

// Region is the region requests go to ("" when none is configured).
func (c *Client) Region() string { return c.region }

// Endpoint is the EC2 endpoint URL override in effect (--endpoint-url,
// AWS_ENDPOINT_URL_EC2, ...), "" when the SDK picks the regional default.
func (c *Client) Endpoint() string { return c.endpoint }

// CredentialInfo says what credentials were found.
type CredentialInfo struct {
	// Source says in words where they came from: "environment variables",
	// "profile dev (shared credentials file)", "profile dev (config file)",
	// "SSO (profile dev)", "assumed role (profile dev)", "web identity",
	// "instance role (IMDS)", "container role", "credential process
	// (profile dev)", "login session (profile dev)", "static credentials".
	Source string
	// SDKSource is the SDK's own name for the source, e.g.
	// "EnvConfigCredentials", "SharedConfigCredentials: /root/.aws/credentials".
	SDKSource string
	AccessKey string // the access key id, shortened to its last 4 characters for display
	Expires   time.Time
}

// Credentials resolves credentials, bounded by Options.CredentialTimeout,
// and returns an *Error of kind NoCredentials or BadCredentials when none
// can be had. Safe to call in the background.
func (c *Client) Credentials(ctx context.Context) (CredentialInfo, error) {
	ci := callInfo{op: "Credentials", region: c.region, endpoint: c.endpoint}
	if c.creds == nil {
		return CredentialInfo{}, &Error{Kind: NoCredentials, Op: ci.op, Region: c.region}
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return CredentialInfo{}, classify(err, ci)
	}
	if !creds.HasKeys() {
		return CredentialInfo{}, &Error{Kind: NoCredentials, Op: ci.op, Region: c.region}
	}
	if creds.CanExpire && creds.Expired() {
		return CredentialInfo{}, &Error{Kind: BadCredentials, Op: ci.op, Region: c.region,
			Message: "the temporary credentials expired at " + creds.Expires.UTC().Format(time.RFC3339)}
	}
	info := CredentialInfo{
		Source:    describeSource(creds.Source, c.profile),
		SDKSource: termtext.Clean(creds.Source),
		AccessKey: termtext.Clean(creds.AccessKeyID),
	}
	if n := len(info.AccessKey); n > 4 {
		info.AccessKey = "…" + info.AccessKey[n-4:]
	}
	if creds.CanExpire {
		info.Expires = creds.Expires
	}
	return info, nil
}

// profileOf is the shared config profile the SDK loaded: the one asked for,
// else the one its environment named (AWS_PROFILE), else "" when no shared
// config was found.
func profileOf(cfg aws.Config, asked string) string {
	if asked != "" {
		return asked
	}
	for _, src := range cfg.ConfigSources {
		if sc, ok := src.(awsconfig.SharedConfig); ok && sc.Profile != "" {
			return sc.Profile
		}
	}
	for _, src := range cfg.ConfigSources {
		if ec, ok := src.(awsconfig.EnvConfig); ok && ec.SharedConfigProfile != "" {
			return ec.SharedConfigProfile
		}
	}
	return ""
}

// describeSource turns the SDK's aws.Credentials.Source into words. The
// SDK joins nested providers with commas ("SSOProvider,..."); the first
// names the provider that produced the keys.
func describeSource(sdk, profile string) string {
	sdk = termtext.Clean(sdk)
	p := "default"
	if profile != "" {
		p = oneLine(profile)
	}
	ofProfile := " (profile " + p + ")"
	first, _, _ := strings.Cut(sdk, ",")
	switch {
	case first == "EnvConfigCredentials":
		return "environment variables"
	case strings.HasPrefix(first, "SharedConfigCredentials"):
		file := strings.TrimSpace(strings.TrimPrefix(first, "SharedConfigCredentials:"))
		if base := filepath.Base(file); strings.Contains(base, "config") && !strings.Contains(base, "credentials") {
			return "profile " + p + " (config file)"
		}
		return "profile " + p + " (shared credentials file)"
	case strings.HasPrefix(first, "SSO"):
		return "SSO" + ofProfile
	case strings.HasPrefix(first, "AssumeRole"):
		return "assumed role" + ofProfile
	case strings.HasPrefix(first, "WebIdentity"):
		return "web identity"
	case strings.HasPrefix(first, "EC2Role"):
		return "instance role (IMDS)"
	case strings.HasPrefix(first, "CredentialsEndpoint"):
		return "container role"
	case strings.HasPrefix(first, "Process"):
		return "credential process" + ofProfile
	case strings.HasPrefix(first, "Login"):
		return "login session" + ofProfile
	case strings.HasPrefix(first, "StaticCredentials"):
		return "static credentials"
	case first == "":
		return "unknown source"
	}
	return oneLine(first)
}

// credentialError marks a failure to get credentials (as opposed to AWS
// refusing them).
type credentialError struct{ err error }

func (e *credentialError) Error() string { return "get AWS credentials: " + e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

func isCredentialError(err error) bool {
	var ce *credentialError
	return errors.As(err, &ce)
}

// boundedCredentials bounds every credential lookup (the SDK's chain may end
// at the EC2 instance metadata service, which off EC2 only fails after its
// own timeouts) and marks failures as credential errors.
type boundedCredentials struct {
	inner   aws.CredentialsProvider
	timeout time.Duration
}

func (b *boundedCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	creds, err := b.inner.Retrieve(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			err = fmt.Errorf("no credentials found within %s: %w", b.timeout, err)
		}
		return creds, &credentialError{err: err}
	}
	return creds, nil
}

// call runs one SDK call with attempt recording and classifies its error.
// It returns handled=true with a DryRunResult when err is a dry run answer.
func (c *Client) call(ctx context.Context, ci callInfo, do func(context.Context) error) (*DryRunResult, error) {
	ci.region, ci.endpoint = c.region, c.endpointFor(ci.op)
	ci.timeouts = c.timeouts
	if c.region == "" {
		return nil, &Error{Kind: NoRegion, Op: ci.op, KeyName: termtext.Clean(ci.keyName), DryRun: ci.dryRun,
			Endpoint: ci.endpoint, TagsSent: ci.tags}
	}
	var a attempts
	opCtx, cancel := context.WithTimeout(ctx, c.timeouts.Request)
	defer cancel()
	err := do(withAttempts(opCtx, &a))
	if err == nil {
		return nil, nil
	}
	ci.attempts, ci.mayHaveActed = a.count()
	ci.bodyTooLarge = a.wasTooLarge()
	ci.opTimedOut = errors.Is(opCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
	if ci.dryRun {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			switch apiErr.ErrorCode() {
			case "DryRunOperation":
				return &DryRunResult{Permitted: true, Message: termtext.Sentences(apiErr.ErrorMessage())}, nil
			case "UnauthorizedOperation":
				return &DryRunResult{Permitted: false, Message: termtext.Sentences(apiErr.ErrorMessage())}, nil
			}
		}
	}
	return nil, classify(err, ci)
}

func tagSpecs(tags []pair.Tag) []types.TagSpecification {
	if len(tags) == 0 {
		return nil
	}
	ts := make([]types.Tag, len(tags))
	for i, t := range tags {
		ts[i] = types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)}
	}
	return []types.TagSpecification{{ResourceType: types.ResourceTypeKeyPair, Tags: ts}}
}

func cleanTags(in []types.Tag) []pair.Tag {
	if len(in) == 0 {
		return nil
	}
	out := make([]pair.Tag, len(in))
	for i, t := range in {
		out[i] = pair.Tag{Key: termtext.Clean(aws.ToString(t.Key)), Value: termtext.Clean(aws.ToString(t.Value))}
	}
	return out
}

// answerRequestID is the request id of an answer, cleaned ("" when none).
func answerRequestID(md middleware.Metadata) string {
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	return termtext.Clean(id)
}

func str(p *string) string { return termtext.Clean(aws.ToString(p)) }

func dryRunIgnored() *DryRunResult {
	return &DryRunResult{Ignored: true, Message: "the endpoint carried out the request instead of only checking it (it ignored DryRun)"}
}

// createRequest is the SDK input of CreateKeyPair (and of its preview).
func createRequest(in CreateInput) *ec2.CreateKeyPairInput {
	return &ec2.CreateKeyPairInput{
		KeyName:           aws.String(in.Name),
		KeyType:           types.KeyType(in.Type),
		KeyFormat:         types.KeyFormat(in.Format),
		TagSpecifications: tagSpecs(in.Tags),
		DryRun:            aws.Bool(in.DryRun),
	}
}

// importRequest is the SDK input of ImportKeyPair (and of its preview).
func importRequest(in ImportInput) *ec2.ImportKeyPairInput {
	return &ec2.ImportKeyPairInput{
		KeyName:           aws.String(in.Name),
		PublicKeyMaterial: in.PublicKey,
		TagSpecifications: tagSpecs(in.Tags),
		DryRun:            aws.Bool(in.DryRun),
	}
}

// CreateKeyPair asks EC2 to make a key pair. KeyMaterial keeps its line
// breaks but loses every other control byte and any carriage return.
func (c *Client) CreateKeyPair(ctx context.Context, in CreateInput) (*CreateOutput, error) {
	req := createRequest(in)
	var resp *ec2.CreateKeyPairOutput
	dr, err := c.call(ctx, callInfo{op: "CreateKeyPair", keyName: in.Name, tags: len(in.Tags) > 0, dryRun: in.DryRun},
		func(ctx context.Context) (err error) {
			resp, err = c.ec2.CreateKeyPair(ctx, req)
			return err
		})
	if err != nil {
		return nil, err
	}
	if dr != nil {
		return &CreateOutput{DryRun: dr}, nil
	}
	if n := len(aws.ToString(resp.KeyMaterial)); n > MaxKeyMaterialBytes {
		// EC2 made the pair; the caller must delete it again.
		return nil, &Error{Kind: BadAnswer, Op: "CreateKeyPair", KeyName: termtext.Clean(in.Name), Region: c.region,
			Endpoint: c.endpoint, TagsSent: len(in.Tags) > 0, Status: 200, MayHaveActed: true,
			Cause: fmt.Sprintf("its key material is %s, more than the %s a private key can take",
				byteSize(int64(n)), byteSize(MaxKeyMaterialBytes))}
	}
	out := &CreateOutput{
		KeyName:        str(resp.KeyName),
		KeyPairID:      str(resp.KeyPairId),
		KeyFingerprint: str(resp.KeyFingerprint),
		KeyMaterial:    []byte(termtext.CleanMultiline(aws.ToString(resp.KeyMaterial))),
		Tags:           cleanTags(resp.Tags),
		RequestID:      answerRequestID(resp.ResultMetadata),
	}
	if in.DryRun {
		out.DryRun = dryRunIgnored()
	}
	return out, nil
}

// ImportKeyPair uploads a public key (the raw file bytes; the SDK base64-encodes them).
func (c *Client) ImportKeyPair(ctx context.Context, in ImportInput) (*ImportOutput, error) {
	req := importRequest(in)
	var resp *ec2.ImportKeyPairOutput
	dr, err := c.call(ctx, callInfo{op: "ImportKeyPair", keyName: in.Name, tags: len(in.Tags) > 0, dryRun: in.DryRun},
		func(ctx context.Context) (err error) {
			resp, err = c.ec2.ImportKeyPair(ctx, req)
			return err
		})
	if err != nil {
		return nil, err
	}
	if dr != nil {
		return &ImportOutput{DryRun: dr}, nil
	}
	out := &ImportOutput{
		KeyName:        str(resp.KeyName),
		KeyPairID:      str(resp.KeyPairId),
		KeyFingerprint: str(resp.KeyFingerprint),
		Tags:           cleanTags(resp.Tags),
		RequestID:      answerRequestID(resp.ResultMetadata),
	}
	if in.DryRun {
		out.DryRun = dryRunIgnored()
	}
	return out, nil
}

// DescribeKeyPairs lists key pairs (all in the region when in.Names is empty).
func (c *Client) DescribeKeyPairs(ctx context.Context, in DescribeInput) ([]KeyPairInfo, error) {
	req := &ec2.DescribeKeyPairsInput{KeyNames: in.Names, KeyPairIds: in.IDs}
	if in.IncludePublicKey {
		req.IncludePublicKey = aws.Bool(true)
	}
	var resp *ec2.DescribeKeyPairsOutput
	keyName := ""
	if len(in.Names) == 1 {
		keyName = in.Names[0]
	}
	_, err := c.call(ctx, callInfo{op: "DescribeKeyPairs", keyName: keyName},
		func(ctx context.Context) (err error) {
			resp, err = c.ec2.DescribeKeyPairs(ctx, req)
			return err
		})
	if err != nil {
		return nil, err
	}
	out := make([]KeyPairInfo, 0, len(resp.KeyPairs))
	for _, kp := range resp.KeyPairs {
		out = append(out, KeyPairInfo{
			KeyName:        str(kp.KeyName),
			KeyPairID:      str(kp.KeyPairId),
			KeyFingerprint: str(kp.KeyFingerprint),
			KeyType:        termtext.Clean(string(kp.KeyType)),
			CreateTime:     aws.ToTime(kp.CreateTime),
			PublicKey:      str(kp.PublicKey),
			Tags:           cleanTags(kp.Tags),
		})
	}
	return out, nil
}

// DeleteKeyPair deletes a key pair by name. EC2 answers success for a name
// that does not exist.
func (c *Client) DeleteKeyPair(ctx context.Context, in DeleteInput) (*DeleteOutput, error) {
	req := &ec2.DeleteKeyPairInput{KeyName: aws.String(in.Name), DryRun: aws.Bool(in.DryRun)}
	var resp *ec2.DeleteKeyPairOutput
	dr, err := c.call(ctx, callInfo{op: "DeleteKeyPair", keyName: in.Name, dryRun: in.DryRun},
		func(ctx context.Context) (err error) {
			resp, err = c.ec2.DeleteKeyPair(ctx, req)
			return err
		})
	if err != nil {
		return nil, err
	}
	if dr != nil {
		return &DeleteOutput{DryRun: dr}, nil
	}
	out := &DeleteOutput{KeyPairID: str(resp.KeyPairId), RequestID: answerRequestID(resp.ResultMetadata)}
	if in.DryRun {
		out.DryRun = dryRunIgnored()
	}
	return out, nil
}

// Describer is the one call KeyPairExists needs; *Client and every fake API have it.
type Describer interface {
	DescribeKeyPairs(ctx context.Context, in DescribeInput) ([]KeyPairInfo, error)
}

// KeyPairExists reports whether the region has a key pair named name.
// EC2 answers a lookup of a missing name with InvalidKeyPair.NotFound, not
// with an empty list; that knowledge stays here.
func KeyPairExists(ctx context.Context, d Describer, name string) (bool, error) {
	pairs, err := d.DescribeKeyPairs(ctx, DescribeInput{Names: []string{name}})
	if KindOf(err) == NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, p := range pairs {
		if p.KeyName == name {
			return true, nil
		}
	}
	return false, nil
}

// Holds says whether the pair is pub: by the public key when EC2 returned
// one (parsed and compared, since EC2 writes its own comment), else by the
// EC2 fingerprint an imported key has (RSA: MD5 of the DER public key;
// ED25519: SHA-256). known is false when neither could tell (no public key
// in the answer and no fingerprint to compare).
func (p KeyPairInfo) Holds(pub ssh.PublicKey) (same, known bool) {
	if pub == nil {
		return false, false
	}
	if p.PublicKey != "" {
		theirs, _, err := keys.ParsePublicKey([]byte(p.PublicKey))
		if err != nil {
			return false, false
		}
		return bytes.Equal(theirs.Marshal(), pub.Marshal()), true
	}
	got := termtext.Clean(p.KeyFingerprint)
	if got == "" || len(got) == 20*3-1 {
		// None, or the SHA-1 of the private key EC2 shows for an RSA pair it
		// made: nothing a public key can be compared with.
		return false, false
	}
	fp, err := keys.FingerprintAWSImported(pub)
	if err != nil {
		return false, false
	}
	if pub.Type() == ssh.KeyAlgoRSA {
		return strings.EqualFold(got, fp), true // colon hex
	}
	return got == fp, true // base64: case matters
}
