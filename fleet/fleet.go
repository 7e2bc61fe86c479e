// Package fleet is the one flow for key pairs across regions, for both front
// ends: list a region's (or many regions') pairs with their local keys and
// what uses them, import one public key into many regions, and the check
// before a delete.
package fleet

import (
	"context"
	"errors"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/localkeys"
	"github.com/keypair-dev/keypair/pair"
)

// Client is what fleet needs of one region. *awsapi.Client implements it.
type Client interface {
	awsapi.Inventory
	ImportKeyPair(ctx context.Context, in awsapi.ImportInput) (*awsapi.ImportOutput, error)
}

var _ Client = (*awsapi.Client)(nil)

// Connect returns the client for a region.
type Connect func(region string) (Client, error)

// RegionLister answers "all" (DescribeRegions). *awsapi.Client implements it.
type RegionLister interface {
	Regions(ctx context.Context) ([]string, error)
}

// ResolveRegions turns --regions' value ("all", or "R1,R2,…") into a sorted,
// de-duplicated list; bad names are refused before anything is called.
func ResolveRegions(ctx context.Context, spec string, l RegionLister) ([]string, error) {
	return nil, errors.New("fleet: not built yet")
}

// Status of one region after Import (the status field of import --json).
const (
	StatusImported = "imported" // the key pair was imported
	StatusPresent  = "present"  // the name already holds the same public key
	StatusConflict = "conflict" // the name holds another key: never overwritten
	StatusFailed   = "failed"
)

// ImportRequest is one public key for many regions.
type ImportRequest struct {
	Name      string
	PublicKey []byte // an authorized_keys line (the public half, never a private key)
	Tags      []pair.Tag
	Regions   []string
	// Concurrency bounds the regions in flight (0 = a default).
	Concurrency int
}

// ImportResult is one region's outcome, with import --json's field names.
type ImportResult struct {
	Region         string `json:"region"`
	Status         string `json:"status"`
	KeyPairID      string `json:"keyPairId"`
	KeyFingerprint string `json:"keyFingerprint"`
	Message        string `json:"message"`
}

// Import puts the key into every region, idempotently; results are in the
// order of req.Regions.
func Import(ctx context.Context, connect Connect, req ImportRequest) []ImportResult { return nil }

// Pair is one key pair of one region with what is known about it here.
type Pair struct {
	awsapi.KeyPairInfo
	Region            string
	SHA256Fingerprint string // OpenSSH SHA256:…, "" when EC2 returned no public key
	MD5Fingerprint    string
	LocalKeys         []localkeys.Key
	// UsedBy is nil unless asked for (ListRequest.UsedBy).
	UsedBy []awsapi.Use
}

// ListRequest says which regions to list and what to add.
type ListRequest struct {
	Regions     []string
	UsedBy      bool             // also load what uses each pair
	Index       *localkeys.Index // nil = no local matching
	Concurrency int
}

// RegionError is a region that could not be listed.
type RegionError struct {
	Region string
	Err    error
}

// List lists the pairs of every region (sorted by region, then name).
func List(ctx context.Context, connect Connect, req ListRequest) ([]Pair, []RegionError) {
	return nil, nil
}

// DeleteCheck is what must be known before deleting a pair.
type DeleteCheck struct {
	Exists bool
	UsedBy []awsapi.Use
}

// CheckDelete says whether the pair exists and what uses it.
func CheckDelete(ctx context.Context, inv awsapi.Inventory, name string) (*DeleteCheck, error) {
	return nil, errors.New("fleet: not built yet")
}
