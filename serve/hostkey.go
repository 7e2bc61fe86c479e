package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
)

// DefaultHostKeyPath is $XDG_STATE_HOME/keypair/ssh_host_ed25519_key
// (XDG_STATE_HOME defaults to ~/.local/state).
func DefaultHostKeyPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home folder for the host key (%v): give --host-key", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "keypair", "ssh_host_ed25519_key"), nil
}

// LoadOrCreateHostKey reads the host key at path, or makes an ED25519 one
// there (mode 0600, the folder 0700, never overwriting) when none exists.
// A key file others may read is refused: it would let them pose as this
// server.
func LoadOrCreateHostKey(path string) (signer ssh.Signer, created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, fmt.Errorf("host key folder: %w", err)
		}
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, err
		}
		block, err := ssh.MarshalPrivateKey(priv, "keypair serve host key")
		if err != nil {
			return nil, false, err
		}
		if err := keys.WriteNewFile(path, pem.EncodeToMemory(block)); err != nil {
			return nil, false, fmt.Errorf("write the host key: %w", err)
		}
		signer, err := ssh.NewSignerFromKey(priv)
		return signer, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("the host key %s may be read by group or others (mode %04o): run chmod 600 %s",
			termtext.Clean(path), fi.Mode().Perm(), termtext.ShellQuote(path))
	}
	signer, err = ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("the host key %s cannot be read: %v", termtext.Clean(path), err)
	}
	return signer, false, nil
}
