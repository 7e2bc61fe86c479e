package keys

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// EncodePEM returns the private key as EC2 returns it for KeyFormat=pem:
// RSA as PKCS#1 ("BEGIN RSA PRIVATE KEY"), ED25519 in the OpenSSH format
// ("BEGIN OPENSSH PRIVATE KEY"). LF line endings and a final newline.
//
// RSA output is a function of the key alone (primes ordered p > q). The
// OpenSSH container holds two random "check" integers (x/crypto/ssh picks
// them), so two ED25519 encodings of one key differ in those bytes only.
func EncodePEM(k *PrivateKey) ([]byte, error) {
	if k == nil || k.Key == nil {
		return nil, fmt.Errorf("keys: encode PEM: no key")
	}
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(OrderPrimes(key))}
		return pem.EncodeToMemory(block), nil
	case ed25519.PrivateKey:
		block, err := ssh.MarshalPrivateKey(key, k.Comment)
		if err != nil {
			return nil, fmt.Errorf("keys: encode ED25519 key in the OpenSSH format: %w", err)
		}
		return pem.EncodeToMemory(block), nil
	}
	return nil, fmt.Errorf("keys: encode PEM: unsupported key type %T (only RSA and ED25519)", k.Key)
}

// EncodePPK returns the private key as an unencrypted PuTTY key file of the
// given version (2 or 3), byte-identical to what puttygen 0.78 writes for the
// same key and comment (PuTTY manual, appendix C).
func EncodePPK(k *PrivateKey, version int) ([]byte, error) {
	return encodePPK(k, version)
}

// Encode returns the private key file in format f (ppkVersion is used for PPK only; 0 means DefaultPPKVersion).
func Encode(k *PrivateKey, f Format, ppkVersion int) ([]byte, error) {
	switch f {
	case PEM:
		return EncodePEM(k)
	case PPK:
		if ppkVersion == 0 {
			ppkVersion = DefaultPPKVersion
		}
		return EncodePPK(k, ppkVersion)
	}
	return nil, fmt.Errorf("keys: encode: unknown format %q (want %q or %q)", string(f), PEM, PPK)
}

// AuthorizedKey returns the public key as one authorized_keys line,
// "TYPE BASE64 COMMENT\n" (no trailing space when comment is empty).
// Line breaks and other control characters in the comment become spaces,
// so the result is always exactly one line.
func AuthorizedKey(pub ssh.PublicKey, comment string) string {
	line := strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(pub)), "\n")
	comment = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, comment))
	if comment != "" {
		line += " " + comment
	}
	return line + "\n"
}
