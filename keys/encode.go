package keys

import (
	"errors"

	"golang.org/x/crypto/ssh"
)

// EncodePEM returns the private key as EC2 returns it for KeyFormat=pem:
// RSA as PKCS#1 ("BEGIN RSA PRIVATE KEY"), ED25519 in the OpenSSH format
// ("BEGIN OPENSSH PRIVATE KEY"). LF line endings and a final newline.
func EncodePEM(k *PrivateKey) ([]byte, error) {
	return nil, errors.New("keys: EncodePEM not implemented")
}

// EncodePPK returns the private key as an unencrypted PuTTY key file of the
// given version (2 or 3), byte-identical to what puttygen 0.78 writes for the
// same key and comment (PuTTY manual, appendix C).
func EncodePPK(k *PrivateKey, version int) ([]byte, error) {
	return nil, errors.New("keys: EncodePPK not implemented")
}

// Encode returns the private key file in format f (ppkVersion is used for PPK only; 0 means DefaultPPKVersion).
func Encode(k *PrivateKey, f Format, ppkVersion int) ([]byte, error) {
	return nil, errors.New("keys: Encode not implemented")
}

// AuthorizedKey returns the public key as one authorized_keys line,
// "TYPE BASE64 COMMENT\n" (no trailing space when comment is empty).
func AuthorizedKey(pub ssh.PublicKey, comment string) string {
	return ""
}
