package keys

import (
	"errors"

	"golang.org/x/crypto/ssh"
)

// ParsePrivateKey parses any unencrypted private key file an admin may hold:
// PKCS#1, PKCS#8 and OpenSSH PEM, and PPK v2/v3 (MAC checked). An encrypted
// file gives an error wrapping ErrEncrypted. Only RSA and ED25519 keys are
// accepted; others get an error that names the type. RSA keys come back with
// primes ordered p > q.
func ParsePrivateKey(data []byte) (*PrivateKey, error) {
	return nil, errors.New("keys: ParsePrivateKey not implemented")
}

// ParsePublicKey parses every public key form ImportKeyPair accepts: an
// OpenSSH authorized_keys line, an RFC 4716 "---- BEGIN SSH2 PUBLIC KEY ----"
// block, and (RSA only) base64 DER (SubjectPublicKeyInfo or PKCS#1), also
// inside a PEM "PUBLIC KEY"/"RSA PUBLIC KEY" block. It returns the key and its
// comment. DSA, ECDSA and sk- keys are refused with an explanation.
func ParsePublicKey(data []byte) (pub ssh.PublicKey, comment string, err error) {
	return nil, "", errors.New("keys: ParsePublicKey not implemented")
}

// KeyFile is what ParseKeyFile found in a file: a private key (Private set)
// or a public key only.
type KeyFile struct {
	Private *PrivateKey   // nil for a public key file
	Public  ssh.PublicKey // always set
	Comment string
}

// ParseKeyFile parses a file that holds either a private key or a public key,
// in any form ParsePrivateKey or ParsePublicKey accepts.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	return nil, errors.New("keys: ParseKeyFile not implemented")
}
