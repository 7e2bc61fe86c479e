package maker

import (
	"fmt"
	"strings"

	"charm.land/ssh"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// Made is a key pair in the making: after Make it holds the private key in
// memory; after Save, the path it was written to; once EC2 knows the pair,
// its ID.
type Made struct {
	Request pair.Request
	// Key is the private key; nil when EC2 sent material that does not
	// parse (File still holds it, to be saved as received).
	Key *keys.PrivateKey
	// File is the private key file to save, exactly as it will be written.
	File []byte
	// PublicKey is the authorized_keys line (with a final newline).
	PublicKey string
	// KeyFingerprint is the one fingerprint the EC2 console shows (or will
	// show once imported) for this pair; KeyFingerprintKind says which it is.
	KeyFingerprint string
	Fingerprints   keys.Fingerprints
	KeyPairID      string // set once EC2 knows the pair
	Path           string // set once saved ("-" for standard output)
	// Parameter is the SSM parameter the key is kept in, once written there.
	Parameter string
	// Region is where the pair lives in EC2 ("" for offline).
	Region string
	// InEC2 says EC2 holds the pair now.
	InEC2 bool
	// Warnings are things the user should know that did not stop the run,
	// e.g. a fingerprint from EC2 that differs from the one computed here.
	// Each is a sentence; every front end shows all of them.
	Warnings []string
}

// Saved reports whether the private key has been written somewhere: a
// file, standard output, or an SSM parameter.
func (m *Made) Saved() bool { return m != nil && (m.Path != "" || m.Parameter != "") }

// Orphan reports whether EC2 holds the pair while its private key exists
// only in memory: losing the key now leaves a pair nobody can use, so it
// must be saved, or the pair deleted (Discard).
// A public key imported with no private key here (source login) is never one.
func (m *Made) Orphan() bool {
	return m != nil && m.InEC2 && !m.Saved() && (m.Key != nil || len(m.File) > 0)
}

// Unsaved reports whether a private key exists only in memory.
func (m *Made) Unsaved() bool { return m != nil && len(m.File) > 0 && !m.Saved() }

func (m *Made) describe() error {
	pub := m.Key.SSHPublicKey()
	m.PublicKey = keys.AuthorizedKey(pub, m.Request.Name)
	fps, err := keys.FingerprintsOf(pub, m.Key)
	if err != nil {
		return fmt.Errorf("fingerprint: %w", err)
	}
	m.Fingerprints = fps
	if ActionFor(m.Request.Source) != ActionCreate {
		m.Fingerprints.AWSCreated = ""
	}
	return nil
}

func (m *Made) setImportedFingerprint(fp string) {
	if fp == "" {
		return
	}
	if fp != m.KeyFingerprint {
		m.Warnings = append(m.Warnings, fmt.Sprintf(
			"EC2 reported the fingerprint %s, but %s was computed here.", fp, m.KeyFingerprint))
	}
	m.KeyFingerprint = fp
}

// FingerprintKind names how the fingerprint EC2 shows for a pair is made.
type FingerprintKind int

// The three fingerprints EC2 shows (aws-keypairs.md §6).
const (
	FingerprintCreatedRSA  FingerprintKind = iota // SHA-1 of the PKCS#8 private key
	FingerprintImportedRSA                        // MD5 of the DER public key
	FingerprintED25519                            // base64 SHA-256 of the public key
)

// KeyFingerprintKind says which fingerprint KeyFingerprint is.
func (m *Made) KeyFingerprintKind() FingerprintKind {
	return FingerprintKindOf(m.Request.Type, m.Request.Source)
}

// FingerprintKindOf says which fingerprint EC2 shows for a pair of type t made by source s.
func FingerprintKindOf(t keys.Type, s pair.Source) FingerprintKind {
	switch {
	case t == keys.ED25519:
		return FingerprintED25519
	case ActionFor(s) == ActionCreate:
		return FingerprintCreatedRSA
	}
	return FingerprintImportedRSA
}

// FingerprintKindOfPair says which of EC2's fingerprints an existing pair's
// KeyFingerprint is, from its key type and the fingerprint's shape: for RSA,
// EC2 shows the MD5 of the public key (16 bytes, colon hex) for a pair it
// imported and the SHA-1 of the private key (20 bytes) for one it created.
func FingerprintKindOfPair(keyType, fingerprint string) FingerprintKind {
	switch {
	case strings.EqualFold(keyType, string(keys.ED25519)):
		return FingerprintED25519
	case len(fingerprint) == 16*3-1:
		return FingerprintImportedRSA
	}
	return FingerprintCreatedRSA
}

// String describes the fingerprint in words, as both front ends label it.
func (k FingerprintKind) String() string {
	switch k {
	case FingerprintCreatedRSA:
		return "SHA-1 of the private key, as EC2 shows RSA keys it created"
	case FingerprintImportedRSA:
		return "MD5 of the public key, as EC2 shows imported RSA keys"
	}
	return "SHA-256 of the public key, as EC2 shows ED25519 keys"
}

// Summary is what a user or script needs to know of a made key pair: the
// object `keypair create --json` prints (DESIGN.md), and what the
// interactive app returns for each saved key.
type Summary struct {
	KeyName           string     `json:"keyName"`
	KeyPairID         string     `json:"keyPairId"`
	KeyFingerprint    string     `json:"keyFingerprint"`
	KeyType           string     `json:"keyType"`
	KeyFormat         string     `json:"keyFormat"`
	Source            string     `json:"source"`
	Region            string     `json:"region"`
	Path              string     `json:"path"`
	Parameter         string     `json:"parameter,omitempty"`
	PublicKey         string     `json:"publicKey"`
	SHA256Fingerprint string     `json:"sha256Fingerprint"`
	MD5Fingerprint    string     `json:"md5Fingerprint"`
	Tags              []pair.Tag `json:"tags"`
	Warnings          []string   `json:"warnings"`
}

// Summary returns the summary of m.
func (m *Made) Summary() Summary {
	tags := m.Request.Tags
	if tags == nil {
		tags = []pair.Tag{}
	}
	warnings := m.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return Summary{
		KeyName:           m.Request.Name,
		KeyPairID:         m.KeyPairID,
		KeyFingerprint:    m.KeyFingerprint,
		KeyType:           string(m.Request.Type),
		KeyFormat:         string(m.Request.Format),
		Source:            string(m.Request.Source),
		Region:            m.Region,
		Path:              m.Path,
		Parameter:         m.Parameter,
		PublicKey:         strings.TrimSpace(m.PublicKey),
		SHA256Fingerprint: m.Fingerprints.SHA256,
		MD5Fingerprint:    m.Fingerprints.MD5,
		Tags:              tags,
		Warnings:          warnings,
	}
}

// DryRunResult is EC2's answer to a dry run: whether the call would be
// permitted. Nothing was made.
type DryRunResult struct {
	Action    Action
	KeyName   string
	Source    pair.Source
	Region    string
	Permitted bool
	// Message is EC2's explanation, cleaned.
	Message string
}

// Discarded says what Discard did.
type Discarded struct {
	Name, Region string
	// InEC2 says the pair was in EC2 when the key was discarded.
	InEC2 bool
	// Deleted says the pair was deleted from EC2 again.
	Deleted bool
	// Err is why the delete failed (InEC2 and not Deleted).
	Err error
}

// MayStillExist reports whether the pair may be left in EC2 without its key.
func (d *Discarded) MayStillExist() bool { return d.InEC2 && !d.Deleted }

// publicKey is the pair's public key: the one made here, or the one given
// (sources login and public-key).
func (m *Made) publicKey() ssh.PublicKey {
	if m.Key != nil {
		return m.Key.SSHPublicKey()
	}
	return m.Request.PublicKey
}
