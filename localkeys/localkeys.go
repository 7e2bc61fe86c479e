// Package localkeys finds the public keys this machine holds (key files in
// ~/.ssh and the save folder, and the ssh-agent) and tells which EC2 key
// pair each one is.
package localkeys

import (
	"context"
	"errors"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
)

// Where a local key was found (the source field of list --json's localKeys).
const (
	SourceFile  = "file"
	SourceAgent = "agent"
)

// MaxFileSize is the largest file looked at (DESIGN.md: files over 1 MiB are skipped).
const MaxFileSize = 1 << 20

// Key is one public key held here.
type Key struct {
	// Path is the file's path, or for an agent key its comment.
	Path   string `json:"path"`
	Source string `json:"source"` // SourceFile or SourceAgent
	// PublicKey is the key; Encrypted says the file is passphrase-protected
	// (only its public half was read).
	PublicKey ssh.PublicKey `json:"-"`
	Encrypted bool          `json:"-"`
	// EC2Fingerprints are every fingerprint EC2 could show for this key:
	// the imported one (RSA MD5 of the DER public key, ED25519 SHA-256) and,
	// for an RSA private key in the clear, the created one (SHA-1 of PKCS#8).
	EC2Fingerprints []string `json:"-"`
}

// Options say where to look. Dirs are searched (not following symlinks out
// of them); AgentSocket is SSH_AUTH_SOCK ("" = no agent).
type Options struct {
	Dirs        []string
	AgentSocket string
	MaxFileSize int64 // 0 = MaxFileSize
}

// Found is what a search found.
type Found struct {
	Keys []Key
	// Skipped counts files that could not be read or parsed as a key
	// (never fatal); AgentError says why the agent could not be asked.
	Skipped    int
	AgentError error
}

// Find searches opts.Dirs and the agent. A missing folder is not an error.
func Find(ctx context.Context, opts Options) (*Found, error) {
	return nil, errors.New("localkeys: not built yet")
}

// Index matches key pairs to local keys; build it once per search.
type Index struct{}

// NewIndex indexes keys for Match.
func NewIndex(keys []Key) *Index { return &Index{} }

// Match returns the local keys that are the pair: by public key when EC2
// returned one, else by the EC2 fingerprint.
func (ix *Index) Match(p awsapi.KeyPairInfo) []Key { return nil }
