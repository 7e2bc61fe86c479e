// Package keys holds everything about SSH key pairs that needs no AWS and no
// terminal: generation, private and public key encodings (PKCS#1 PEM,
// OpenSSH, PPK v2/v3), parsing of any key file an admin may hold, the
// fingerprints EC2 and OpenSSH show, the randomart picture, the rules a key
// pair request must follow, and the safe file writer.
package keys

import (
	"crypto"
	"crypto/ed25519"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math/big"

	"golang.org/x/crypto/ssh"
)

// Type is the kind of key pair, spelled as EC2 spells it.
type Type string

// Key types EC2 knows.
const (
	RSA     Type = "rsa"
	ED25519 Type = "ed25519"
)

// Format is the private key file format, spelled as EC2 spells it.
type Format string

// Private key formats EC2 knows.
const (
	PEM Format = "pem" // RSA: PKCS#1 PEM; ED25519: OpenSSH
	PPK Format = "ppk" // PuTTY private key file
)

// Default and allowed RSA sizes. EC2 makes RSA keys of 2048 bits only and
// imports RSA keys of 1024, 2048 or 4096 bits; keypair makes 2048 or 4096.
const (
	DefaultRSABits = 2048
	MaxRSABits     = 4096
)

// DefaultPPKVersion is the PPK version written unless asked otherwise
// (version 2 is for PuTTY 0.74 and older).
const DefaultPPKVersion = 3

// ErrEncrypted is returned for a key file protected by a passphrase.
var ErrEncrypted = errors.New("the key file is encrypted (passphrase-protected), which keypair does not support")

// PrivateKey is a generated or parsed private key with its comment.
// Key is *rsa.PrivateKey (primes ordered p > q) or ed25519.PrivateKey.
type PrivateKey struct {
	Key     crypto.Signer
	Comment string
}

// Generate makes a new key of type t. bits is used for RSA only (0 means
// DefaultRSABits). RSA primes are ordered p > q so one key has one encoding.
//
// rand nil means crypto/rand.Reader. ED25519 seeds are read from rand; note
// that since Go 1.26 crypto/rsa draws from the system's secure source
// regardless of rand (unless GODEBUG says otherwise), so rand cannot make RSA
// keys reproducible.
func Generate(t Type, bits int, rand io.Reader) (*PrivateKey, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	switch t {
	case RSA:
		if bits == 0 {
			bits = DefaultRSABits
		}
		if bits != DefaultRSABits && bits != MaxRSABits {
			return nil, fmt.Errorf("keys: generate: RSA keys are made with %d or %d bits, not %d", DefaultRSABits, MaxRSABits, bits)
		}
		k, err := rsa.GenerateKey(rand, bits)
		if err != nil {
			return nil, fmt.Errorf("keys: generate RSA %d: %w", bits, err)
		}
		return &PrivateKey{Key: OrderPrimes(k)}, nil
	case ED25519:
		if bits != 0 && bits != 256 {
			return nil, fmt.Errorf("keys: generate: ED25519 keys have a fixed size of 256 bits, not %d", bits)
		}
		k, err := generateED25519(rand)
		if err != nil {
			return nil, fmt.Errorf("keys: generate ED25519: %w", err)
		}
		return &PrivateKey{Key: k}, nil
	}
	return nil, fmt.Errorf("keys: generate: unknown key type %q (want %q or %q)", string(t), RSA, ED25519)
}

// OrderPrimes returns k with its two primes ordered p > q, as ssh-keygen,
// OpenSSL and puttygen write them, so that one key has one PKCS#1/PKCS#8
// encoding (and so one EC2 "created" fingerprint, aws-keypairs.md §6 trap 1).
// k itself is returned when it is already ordered (or is not a two-prime
// key); otherwise a reordered copy with fresh precomputed values, leaving k
// untouched.
func OrderPrimes(k *rsa.PrivateKey) *rsa.PrivateKey {
	if len(k.Primes) != 2 || k.Primes[0].Cmp(k.Primes[1]) >= 0 {
		return k
	}
	c := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Set(k.N), E: k.E},
		D:         new(big.Int).Set(k.D),
		Primes:    []*big.Int{new(big.Int).Set(k.Primes[1]), new(big.Int).Set(k.Primes[0])},
	}
	c.Precompute()
	return c
}

// Type reports the key's type.
func (k *PrivateKey) Type() Type {
	switch k.Key.(type) {
	case *rsa.PrivateKey:
		return RSA
	case ed25519.PrivateKey:
		return ED25519
	}
	return Type(fmt.Sprintf("%T", k.Key))
}

// Bits reports the key size: the modulus size for RSA, 256 for ED25519 (as ssh-keygen says).
func (k *PrivateKey) Bits() int {
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		return key.N.BitLen()
	case ed25519.PrivateKey:
		return 256
	}
	return 0
}

// SSHPublicKey returns the public half in SSH form.
func (k *PrivateKey) SSHPublicKey() ssh.PublicKey {
	pub, err := ssh.NewPublicKey(k.Key.Public())
	if err != nil {
		panic("keys: unsupported key type " + fmt.Sprintf("%T", k.Key))
	}
	return pub
}
