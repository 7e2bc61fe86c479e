package keys

import (
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"io"

	"filippo.io/edwards25519"
)

// generateED25519 makes an ED25519 key from 32 bytes of rand, the same key
// ed25519.GenerateKey(rand) makes, without its first-use cost.
//
// crypto/ed25519 multiplies by the base point through a table of 32x8
// precomputed multiples that it builds on first use (about 1.8 ms on the
// development machines, longer than the rest of key generation, encoding and
// saving together); a process of keypair makes one key, so it always pays
// for the table and never gets to use it twice. A variable-base
// multiplication of the generator gives the same point from an 8-entry
// table built per call, about ten times cheaper cold.
//
// The scalar is secret: ScalarMult is constant time; none of edwards25519's
// VarTime functions may see it.
func generateED25519(rand io.Reader) (ed25519.PrivateKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, err
	}
	return ed25519FromSeed(seed)
}

// ed25519FromSeed returns seed||A, where A is the public key of RFC 8032
// section 5.1.5: the clamped low half of SHA-512(seed) times the base point.
func ed25519FromSeed(seed []byte) (ed25519.PrivateKey, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("the ED25519 seed has %d bytes, not %d", len(seed), ed25519.SeedSize)
	}
	h := sha512.Sum512(seed)
	s, err := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
	if err != nil {
		return nil, err // only for a length other than 32
	}
	pub := new(edwards25519.Point).ScalarMult(s, edwards25519.NewGeneratorPoint()).Bytes()
	clear(h[:])

	k := make(ed25519.PrivateKey, 0, ed25519.PrivateKeySize)
	k = append(k, seed...)
	return append(k, pub...), nil
}
