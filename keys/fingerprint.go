package keys

import (
	"crypto/rsa"
	"errors"

	"golang.org/x/crypto/ssh"
)

// Fingerprints holds every fingerprint of one key, labelled by who shows it.
type Fingerprints struct {
	Type Type
	Bits int
	// AWSCreated is what EC2 shows for an RSA key pair it created: SHA-1 of
	// the DER PKCS#8 private key, colon hex. Empty without the private key or for ED25519.
	AWSCreated string
	// AWSImported is what EC2 shows for an imported key: for RSA, MD5 of the
	// DER SubjectPublicKeyInfo (colon hex); for ED25519 the same value as AWSED25519.
	AWSImported string
	// SHA256 is OpenSSH's "SHA256:..." (unpadded base64) form.
	SHA256 string
	// MD5 is OpenSSH's "MD5:..." form (MD5 of the SSH wire blob, not AWS's MD5).
	MD5 string
	// Randomart is the picture ssh-keygen -lv draws (SHA256), lines joined by "\n", no final newline.
	Randomart string
}

// FingerprintAWSCreated returns the fingerprint EC2 shows for an RSA key pair it created.
func FingerprintAWSCreated(k *rsa.PrivateKey) (string, error) {
	return "", errors.New("keys: not implemented")
}

// FingerprintAWSImported returns the fingerprint EC2 shows for an imported
// key: RSA MD5 of the DER SPKI; ED25519 base64 SHA-256 with padding, no prefix.
func FingerprintAWSImported(pub ssh.PublicKey) (string, error) {
	return "", errors.New("keys: not implemented")
}

// FingerprintSHA256 returns OpenSSH's SHA256 fingerprint ("SHA256:...").
func FingerprintSHA256(pub ssh.PublicKey) string { return ssh.FingerprintSHA256(pub) }

// FingerprintMD5 returns OpenSSH's MD5 fingerprint ("MD5:aa:bb:...").
func FingerprintMD5(pub ssh.PublicKey) string { return "MD5:" + ssh.FingerprintLegacyMD5(pub) }

// AWSFingerprint returns the one fingerprint the EC2 console shows (or will
// show once imported) for this key: for RSA made by EC2 (createdByAWS) the
// SHA-1 of PKCS#8; for RSA imported the MD5 of SPKI; for ED25519 the padded
// base64 SHA-256. priv may be nil when createdByAWS is false.
func AWSFingerprint(pub ssh.PublicKey, priv *PrivateKey, createdByAWS bool) (string, error) {
	return "", errors.New("keys: not implemented")
}

// FingerprintsOf computes every fingerprint of pub (and of priv, when given, for AWSCreated).
func FingerprintsOf(pub ssh.PublicKey, priv *PrivateKey) (Fingerprints, error) {
	return Fingerprints{}, errors.New("keys: not implemented")
}
