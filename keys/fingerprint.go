package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"

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
// The primes are ordered p > q first (OpenSSL's order), since the SHA-1 is
// over an encoding and differs with the order (aws-keypairs.md §6 trap 1).
func FingerprintAWSCreated(k *rsa.PrivateKey) (string, error) {
	if k == nil {
		return "", errors.New("keys: AWS-created fingerprint: no RSA private key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(OrderPrimes(k))
	if err != nil {
		return "", fmt.Errorf("keys: AWS-created fingerprint: %w", err)
	}
	sum := sha1.Sum(der)
	return colonHex(sum[:]), nil
}

// FingerprintAWSImported returns the fingerprint EC2 shows for an imported
// key: RSA MD5 of the DER SPKI; ED25519 base64 SHA-256 with padding, no prefix.
func FingerprintAWSImported(pub ssh.PublicKey) (string, error) {
	if pub == nil {
		return "", errors.New("keys: AWS fingerprint: no public key")
	}
	switch pub.Type() {
	case ssh.KeyAlgoED25519:
		sum := sha256.Sum256(pub.Marshal())
		return base64.StdEncoding.EncodeToString(sum[:]), nil
	case ssh.KeyAlgoRSA:
		cpub, ok := pub.(ssh.CryptoPublicKey)
		if !ok {
			return "", errors.New("keys: AWS fingerprint: the RSA key has no crypto form")
		}
		spki, err := x509.MarshalPKIXPublicKey(cpub.CryptoPublicKey())
		if err != nil {
			return "", fmt.Errorf("keys: AWS fingerprint: %w", err)
		}
		sum := md5.Sum(spki)
		return colonHex(sum[:]), nil
	}
	return "", fmt.Errorf("keys: AWS fingerprint: %w", acceptableSSHType(pub.Type()))
}

// FingerprintSHA256 returns OpenSSH's SHA256 fingerprint ("SHA256:...").
func FingerprintSHA256(pub ssh.PublicKey) string { return ssh.FingerprintSHA256(pub) }

// FingerprintMD5 returns OpenSSH's MD5 fingerprint ("MD5:aa:bb:...").
func FingerprintMD5(pub ssh.PublicKey) string { return "MD5:" + ssh.FingerprintLegacyMD5(pub) }

// AWSFingerprint returns the one fingerprint the EC2 console shows (or will
// show once imported) for this key: for RSA made by EC2 (createdByAWS) the
// SHA-1 of PKCS#8; for RSA imported the MD5 of SPKI; for ED25519 the padded
// base64 SHA-256. priv may be nil when createdByAWS is false.
// pub may be nil when priv is given; when both are given they must match.
func AWSFingerprint(pub ssh.PublicKey, priv *PrivateKey, createdByAWS bool) (string, error) {
	pub, err := publicOf(pub, priv)
	if err != nil {
		return "", err
	}
	if pub.Type() == ssh.KeyAlgoRSA && createdByAWS {
		if priv == nil {
			return "", errors.New("keys: AWS fingerprint: an RSA key pair created by EC2 is fingerprinted from its private key, which was not given")
		}
		return FingerprintAWSCreated(priv.Key.(*rsa.PrivateKey))
	}
	return FingerprintAWSImported(pub)
}

// FingerprintsOf computes every fingerprint of pub (and of priv, when given, for AWSCreated).
// pub may be nil when priv is given; when both are given they must match.
func FingerprintsOf(pub ssh.PublicKey, priv *PrivateKey) (Fingerprints, error) {
	pub, err := publicOf(pub, priv)
	if err != nil {
		return Fingerprints{}, err
	}
	fp := Fingerprints{
		SHA256:    FingerprintSHA256(pub),
		MD5:       FingerprintMD5(pub),
		Randomart: Randomart(pub),
	}
	fp.Type, fp.Bits = typeAndBits(pub)
	if fp.AWSImported, err = FingerprintAWSImported(pub); err != nil {
		return Fingerprints{}, err
	}
	if rk, ok := privKey(priv).(*rsa.PrivateKey); ok {
		if fp.AWSCreated, err = FingerprintAWSCreated(rk); err != nil {
			return Fingerprints{}, err
		}
	}
	return fp, nil
}

func privKey(priv *PrivateKey) any {
	if priv == nil {
		return nil
	}
	return priv.Key
}

// publicOf returns pub, or priv's public key when pub is nil, and checks
// that the two belong together.
func publicOf(pub ssh.PublicKey, priv *PrivateKey) (ssh.PublicKey, error) {
	if priv != nil {
		switch priv.Key.(type) {
		case *rsa.PrivateKey, ed25519.PrivateKey:
		default:
			return nil, fmt.Errorf("keys: fingerprint: %w", refusedKeyType(priv.Key))
		}
		own := priv.SSHPublicKey()
		if pub == nil {
			return own, nil
		}
		if !bytes.Equal(own.Marshal(), pub.Marshal()) {
			return nil, errors.New("keys: fingerprint: the public key does not belong to the private key")
		}
	}
	if pub == nil {
		return nil, errors.New("keys: fingerprint: no key given")
	}
	return pub, nil
}

// typeAndBits reports the key type and size as ssh-keygen -l does
// (RSA modulus bits; 256 for ED25519).
func typeAndBits(pub ssh.PublicKey) (Type, int) {
	switch pub.Type() {
	case ssh.KeyAlgoRSA:
		if cpub, ok := pub.(ssh.CryptoPublicKey); ok {
			if rk, ok := cpub.CryptoPublicKey().(*rsa.PublicKey); ok {
				return RSA, rk.N.BitLen()
			}
		}
		return RSA, 0
	case ssh.KeyAlgoED25519:
		return ED25519, 256
	}
	return Type(pub.Type()), 0
}

// colonHex is lowercase hex, one byte per pair, joined by ':' (EC2's form).
func colonHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, len(b)*3)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}
