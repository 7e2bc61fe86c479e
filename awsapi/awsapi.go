// Package awsapi is keypair's door to EC2: the four key pair calls behind a
// small interface on aws-sdk-go-v2, errors classified into kinds a user can
// act on, and server text cleaned of control bytes before anyone prints it.
package awsapi

import (
	"context"
	"errors"
	"time"

	"github.com/keypair-dev/keypair/keys"
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
}

// CreateInput is a CreateKeyPair request.
type CreateInput struct {
	Name   string
	Type   keys.Type
	Format keys.Format
	Tags   []keys.Tag
	DryRun bool
}

// CreateOutput is EC2's answer to CreateKeyPair. With DryRun set, only DryRun is filled.
type CreateOutput struct {
	KeyName        string
	KeyPairID      string
	KeyFingerprint string
	KeyMaterial    []byte // the private key file, exactly as EC2 returned it
	Tags           []keys.Tag
	DryRun         *DryRunResult
}

// ImportInput is an ImportKeyPair request. PublicKey is the raw public key
// file bytes (the SDK base64-encodes them; never pre-encode).
type ImportInput struct {
	Name      string
	PublicKey []byte
	Tags      []keys.Tag
	DryRun    bool
}

// ImportOutput is EC2's answer to ImportKeyPair. With DryRun set, only DryRun is filled.
type ImportOutput struct {
	KeyName        string
	KeyPairID      string
	KeyFingerprint string
	Tags           []keys.Tag
	DryRun         *DryRunResult
}

// DescribeInput selects key pairs; empty Names means all in the region.
type DescribeInput struct {
	Names            []string
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
	Tags           []keys.Tag `json:"tags"`
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
}

// Client talks to EC2 through aws-sdk-go-v2.
type Client struct {
	region string
}

var _ API = (*Client)(nil)

// New builds a client. It loads the SDK configuration (files and
// environment) but does not resolve credentials: see Credentials.
func New(ctx context.Context, opts Options) (*Client, error) {
	return nil, errors.New("awsapi: New not implemented")
}

// Region is the region requests go to ("" when none is configured).
func (c *Client) Region() string { return c.region }

// CredentialInfo says what credentials were found.
type CredentialInfo struct {
	Source    string // e.g. "EnvConfigCredentials", "SharedConfigCredentials: ...", "SSOProvider"
	AccessKey string // the access key id, shortened to its last 4 characters for display
	Expires   time.Time
}

// Credentials resolves credentials, bounded by Options.CredentialTimeout,
// and returns an *Error of kind NoCredentials or BadCredentials when none
// can be had. Safe to call in the background.
func (c *Client) Credentials(ctx context.Context) (CredentialInfo, error) {
	return CredentialInfo{}, errors.New("awsapi: not implemented")
}

func (c *Client) CreateKeyPair(ctx context.Context, in CreateInput) (*CreateOutput, error) {
	return nil, errors.New("awsapi: not implemented")
}
func (c *Client) ImportKeyPair(ctx context.Context, in ImportInput) (*ImportOutput, error) {
	return nil, errors.New("awsapi: not implemented")
}
func (c *Client) DescribeKeyPairs(ctx context.Context, in DescribeInput) ([]KeyPairInfo, error) {
	return nil, errors.New("awsapi: not implemented")
}
func (c *Client) DeleteKeyPair(ctx context.Context, in DeleteInput) (*DeleteOutput, error) {
	return nil, errors.New("awsapi: not implemented")
}
