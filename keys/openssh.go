package keys

// The OpenSSH private key container ("openssh-key-v1", OpenSSH PROTOCOL.key).
// x/crypto/ssh parses the key itself; this file reads only what it does not
// hand back: the cipher (to report encryption), the key type (to name a
// refused type) and the comment.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/internal/termtext"
)

const opensshMagic = "openssh-key-v1\x00"

// opensshEnvelope holds the unencrypted fields of an openssh-key-v1 file.
type opensshEnvelope struct {
	cipher  string
	kdf     string
	pub     []byte // public key blob of the (single) key
	private []byte // private section, encrypted unless cipher is "none"
}

func readOpenSSHEnvelope(der []byte) (*opensshEnvelope, error) {
	rest, ok := bytes.CutPrefix(der, []byte(opensshMagic))
	if !ok {
		return nil, errors.New("the OpenSSH key does not start with openssh-key-v1")
	}
	r := &sshReader{b: rest}
	cipher, err := r.string()
	if err != nil {
		return nil, err
	}
	kdf, err := r.string()
	if err != nil {
		return nil, err
	}
	if _, err := r.string(); err != nil { // kdf options
		return nil, err
	}
	n, err := r.uint32()
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return nil, fmt.Errorf("the file holds %d keys; only files with one key are supported", n)
	}
	pub, err := r.string()
	if err != nil {
		return nil, err
	}
	priv, err := r.string()
	if err != nil {
		return nil, err
	}
	return &opensshEnvelope{cipher: string(cipher), kdf: string(kdf), pub: pub, private: priv}, nil
}

// opensshComment reads the comment from an unencrypted private section:
// uint32 check1, uint32 check2, string keytype, key fields, string comment.
func opensshComment(private []byte) (string, error) {
	r := &sshReader{b: private}
	if _, err := r.uint32(); err != nil {
		return "", err
	}
	if _, err := r.uint32(); err != nil {
		return "", err
	}
	t, err := r.string()
	if err != nil {
		return "", err
	}
	var fields int
	switch string(t) {
	case ssh.KeyAlgoRSA:
		fields = 6 // n, e, d, iqmp, p, q
	case ssh.KeyAlgoED25519:
		fields = 2 // public, private
	default:
		return "", fmt.Errorf("unsupported key type %q", t)
	}
	for range fields {
		if _, err := r.string(); err != nil {
			return "", err
		}
	}
	c, err := r.string()
	if err != nil {
		return "", err
	}
	return string(c), nil
}

// parseOpenSSH parses a "BEGIN OPENSSH PRIVATE KEY" block.
func parseOpenSSH(block *pem.Block) (*PrivateKey, error) {
	env, err := readOpenSSHEnvelope(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("keys: parse OpenSSH private key: %w", err)
	}
	if env.cipher != "none" {
		return nil, fmt.Errorf("keys: parse OpenSSH private key: %w (cipher %s, key derivation %s); remove the passphrase with ssh-keygen -p first", ErrEncrypted, printable(env.cipher), printable(env.kdf))
	}
	if pubType, err := (&sshReader{b: env.pub}).string(); err == nil {
		if err := acceptableSSHType(string(pubType)); err != nil {
			return nil, fmt.Errorf("keys: parse OpenSSH private key: %w", err)
		}
	}
	raw, err := ssh.ParseRawPrivateKey(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: block.Bytes}))
	if err != nil {
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("keys: parse OpenSSH private key: %w", ErrEncrypted)
		}
		return nil, fmt.Errorf("keys: parse OpenSSH private key: %w", err)
	}
	var k *PrivateKey
	switch raw := raw.(type) {
	case *rsa.PrivateKey:
		k = &PrivateKey{Key: OrderPrimes(raw)}
	case *ed25519.PrivateKey:
		if k, err = ed25519Private(*raw); err != nil {
			return nil, fmt.Errorf("keys: parse OpenSSH private key: %w", err)
		}
	case ed25519.PrivateKey:
		if k, err = ed25519Private(raw); err != nil {
			return nil, fmt.Errorf("keys: parse OpenSSH private key: %w", err)
		}
	default:
		return nil, fmt.Errorf("keys: parse OpenSSH private key: %w", refusedKeyType(raw))
	}
	if !bytes.Equal(k.SSHPublicKey().Marshal(), env.pub) {
		return nil, errors.New("keys: parse OpenSSH private key: the private key does not match the public key stored beside it")
	}
	comment, err := opensshComment(env.private)
	if err != nil {
		return nil, fmt.Errorf("keys: parse OpenSSH private key: comment: %w", err)
	}
	k.Comment = termtext.Clean(comment)
	return k, nil
}

// opensshPublicHalf reads the public key of an encrypted OpenSSH private
// key file: the container keeps it in the clear (PROTOCOL.key), which is
// how ssh-keygen -l fingerprints such a file without the passphrase. The
// comment is inside the encrypted part, so there is none.
func opensshPublicHalf(block *pem.Block) (*KeyFile, bool) {
	env, err := readOpenSSHEnvelope(block.Bytes)
	if err != nil || env.cipher == "none" {
		return nil, false
	}
	pub, err := ssh.ParsePublicKey(env.pub)
	if err != nil || acceptableSSHType(pub.Type()) != nil {
		return nil, false
	}
	return &KeyFile{Public: pub, Encrypted: true, Cipher: printable(env.cipher)}, true
}
