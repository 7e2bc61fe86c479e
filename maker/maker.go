// Package maker is the one pipeline that turns a keys.Request into a saved
// key pair, shared by the batch command line and the interactive app:
// make (EC2 CreateKeyPair, or generate here), save safely, and for the local
// source import the public key after the private key is safe on disk.
package maker

import (
	"context"
	"errors"
	"io"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
)

// Maker runs requests. API may be nil when only the offline source is used.
type Maker struct {
	API  awsapi.API
	Rand io.Reader // nil means crypto/rand
}

// Made is a key pair in the making: after Make it holds the private key in
// memory; after Save, the path it was written to; after Import (local), the
// key pair ID EC2 gave it.
type Made struct {
	Request keys.Request
	Key     *keys.PrivateKey
	// File is the private key file to save, exactly as it will be written.
	File []byte
	// PublicKey is the authorized_keys line (with a final newline).
	PublicKey string
	// KeyFingerprint is the one fingerprint the EC2 console shows (or will
	// show once imported) for this pair.
	KeyFingerprint string
	Fingerprints   keys.Fingerprints
	KeyPairID      string // set once EC2 knows the pair
	Path           string // set once saved ("-" for stdout)
	// DryRun is set (and nothing else) when the request was a dry run.
	DryRun *awsapi.DryRunResult
	// Region is where the pair lives in EC2 ("" for offline).
	Region string
}

// Make makes the key pair: for SourceAWS it calls CreateKeyPair and parses
// the returned material; for SourceLocal and SourceOffline it generates the
// key here. A dry run (aws or local) asks EC2 whether the call is permitted
// and returns with only DryRun set. The request must be valid (Validate).
func (m *Maker) Make(ctx context.Context, req keys.Request) (*Made, error) {
	return nil, errors.New("maker: not implemented")
}

// Save writes the private key to path with keys.WriteNewFile ("-" writes to
// stdout) and records the path. It never overwrites; on failure the key is
// still in memory and Save may be called again with another path.
func (m *Maker) Save(made *Made, path string, stdout io.Writer) error {
	return errors.New("maker: not implemented")
}

// Import uploads the public key for SourceLocal (a no-op for other sources).
// If the import fails, the saved private key file is removed so that neither
// half exists, and the error says so.
func (m *Maker) Import(ctx context.Context, made *Made) error {
	return errors.New("maker: not implemented")
}

// DefaultPath is where the private key of req is saved unless told
// otherwise: DIR/NAME.pem or DIR/NAME.ppk (DIR defaults to ~/.ssh).
func DefaultPath(dir string, req keys.Request) string {
	return ""
}
