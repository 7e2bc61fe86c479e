package keys

import (
	"bytes"
	"crypto/dsa" //nolint:staticcheck // only to name a refused key type
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/internal/termtext"
)

// ParsePrivateKey parses any unencrypted private key file an admin may hold:
// PKCS#1, PKCS#8 and OpenSSH PEM, and PPK v2/v3 (MAC checked). An encrypted
// file gives an error wrapping ErrEncrypted. Only RSA and ED25519 keys are
// accepted; others get an error that names the type. RSA keys come back with
// primes ordered p > q.
func ParsePrivateKey(data []byte) (*PrivateKey, error) {
	data = normalizeText(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("keys: parse private key: the file is empty")
	}
	if isPPK(data) {
		return parsePPK(data)
	}
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "EC PARAMETERS": // written before "EC PRIVATE KEY" by openssl ecparam
			continue
		case "PUBLIC KEY", "RSA PUBLIC KEY":
			return nil, fmt.Errorf("keys: parse private key: the file holds a public key (%s), not a private key", block.Type)
		}
		return parsePrivatePEM(block)
	}
	if looksLikePublicKey(data) {
		return nil, errors.New("keys: parse private key: the file holds a public key, not a private key")
	}
	return nil, errors.New("keys: parse private key: no private key found (expected a PEM block such as \"-----BEGIN RSA PRIVATE KEY-----\" or a PuTTY key file)")
}

func parsePrivatePEM(block *pem.Block) (*PrivateKey, error) {
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		// Unlike the OpenSSH and PPK formats, an encrypted PEM file keeps no
		// public key in the clear: without the passphrase there is nothing
		// to fingerprint or import.
		return nil, fmt.Errorf("keys: parse %s: %w, and this format keeps no public key in the clear; give the matching .pub file instead, or remove the passphrase (openssl rsa -in FILE -out PLAIN, or ssh-keygen -p)", printable(block.Type), ErrEncrypted)
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("keys: parse PKCS#1 RSA private key: %w", err)
		}
		return rsaPrivate(k, "PKCS#1 RSA private key")
	case "PRIVATE KEY":
		return parsePKCS8(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("keys: parse PKCS#8 private key: %w, and this format keeps no public key in the clear; give the matching .pub file instead, or remove the passphrase (openssl pkey -in FILE -out PLAIN)", ErrEncrypted)
	case "OPENSSH PRIVATE KEY":
		return parseOpenSSH(block)
	case "EC PRIVATE KEY":
		return nil, fmt.Errorf("keys: parse private key: %w", refusedKeyType(&ecdsa.PrivateKey{}))
	case "DSA PRIVATE KEY":
		return nil, fmt.Errorf("keys: parse private key: %w", refusedKeyType(&dsa.PrivateKey{}))
	}
	return nil, fmt.Errorf("keys: parse private key: unsupported PEM block %q (expected RSA PRIVATE KEY, PRIVATE KEY or OPENSSH PRIVATE KEY)", printable(block.Type))
}

func rsaPrivate(k *rsa.PrivateKey, what string) (*PrivateKey, error) {
	if len(k.Primes) != 2 {
		return nil, fmt.Errorf("keys: parse %s: RSA keys with %d primes are not supported (EC2 and OpenSSH use two)", what, len(k.Primes))
	}
	return &PrivateKey{Key: OrderPrimes(k)}, nil
}

// PKCS#8 algorithm identifiers, used to name a key type Go does not parse.
var pkcs8Names = map[string]string{
	"1.2.840.113549.1.1.1": "RSA",
	"1.3.101.112":          "ED25519",
	"1.2.840.10045.2.1":    "ECDSA",
	"1.2.840.10040.4.1":    "DSA",
	"1.3.101.110":          "X25519",
	"1.3.101.111":          "X448",
	"1.3.101.113":          "ED448",
}

func parsePKCS8(der []byte) (*PrivateKey, error) {
	raw, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		var info struct {
			Version    int
			Algo       pkix.AlgorithmIdentifier
			PrivateKey []byte
		}
		if _, aerr := asn1.Unmarshal(der, &info); aerr == nil {
			if name, ok := pkcs8Names[info.Algo.Algorithm.String()]; ok && name != "RSA" && name != "ED25519" {
				return nil, fmt.Errorf("keys: parse PKCS#8 private key: %w", refusedName(name))
			}
		}
		return nil, fmt.Errorf("keys: parse PKCS#8 private key: %w", err)
	}
	switch raw := raw.(type) {
	case *rsa.PrivateKey:
		return rsaPrivate(raw, "PKCS#8 RSA private key")
	case ed25519.PrivateKey:
		k, err := ed25519Private(raw)
		if err != nil {
			return nil, fmt.Errorf("keys: parse PKCS#8 private key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("keys: parse PKCS#8 private key: %w", refusedKeyType(raw))
}

// ed25519Private rebuilds an ED25519 key from its seed and checks that the
// public half stored with it (the last 32 bytes, in the OpenSSH format) is
// the seed's: a file whose halves disagree would sign with one key and show
// the fingerprint of another.
func ed25519Private(raw ed25519.PrivateKey) (*PrivateKey, error) {
	if len(raw) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("the ED25519 private key has %d bytes, not %d", len(raw), ed25519.PrivateKeySize)
	}
	k := ed25519.NewKeyFromSeed(raw.Seed())
	if !bytes.Equal(k[ed25519.SeedSize:], raw[ed25519.SeedSize:]) {
		return nil, errors.New("the ED25519 private key does not belong to the public key stored with it")
	}
	return &PrivateKey{Key: k}, nil
}

// ErrKeyType is wrapped by every error that refuses a key because of its
// type (DSA, ECDSA, security keys, certificates, ...): EC2 takes RSA and
// ED25519 keys only.
var ErrKeyType = errors.New("EC2 accepts RSA and ED25519 keys only")

func refusedName(name string) error {
	return fmt.Errorf("%s keys are not supported: %w", name, ErrKeyType)
}

// refusedKeyType names the type of a parsed key that is not RSA or ED25519.
func refusedKeyType(k any) error {
	switch k := k.(type) {
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return refusedName("ECDSA")
	case *dsa.PrivateKey, *dsa.PublicKey:
		return refusedName("DSA")
	case *ecdh.PrivateKey:
		return fmt.Errorf("%s keys (for key agreement, not signatures) are not supported: %w", strings.ToUpper(fmt.Sprint(k.Curve())), ErrKeyType)
	}
	return fmt.Errorf("keys of Go type %T are not supported: %w", k, ErrKeyType)
}

// acceptableSSHType checks an SSH key type name (RFC 4253 §6.6, OpenSSH
// PROTOCOL.u2f, PROTOCOL.certkeys) against what EC2 imports.
func acceptableSSHType(t string) error {
	switch {
	case t == ssh.KeyAlgoRSA || t == ssh.KeyAlgoED25519:
		return nil
	case t == ssh.KeyAlgoDSA:
		return fmt.Errorf("DSA keys (ssh-dss) are not supported: %w (\"Amazon EC2 does not accept DSA keys\")", ErrKeyType)
	case strings.HasSuffix(t, "-cert-v01@openssh.com"):
		return fmt.Errorf("OpenSSH certificates (%s) are not supported: %w; give the plain public key", t, ErrKeyType)
	case strings.HasPrefix(t, "sk-"):
		return fmt.Errorf("security-key (FIDO) keys (%s) are not supported: %w", t, ErrKeyType)
	case strings.HasPrefix(t, "ecdsa-sha2-"):
		return fmt.Errorf("ECDSA keys (%s) are not supported: %w", t, ErrKeyType)
	}
	return fmt.Errorf("key type %q is not supported: %w", printable(t), ErrKeyType)
}

// printable keeps a name from a file (a key type, cipher, PEM block type)
// safe to put in a message: cleaned of control bytes, escape sequences and
// bidi controls (termtext.Clean), and at most 64 bytes.
func printable(s string) string {
	s = termtext.Clean(s)
	if len(s) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// normalizeText drops a UTF-8 byte order mark and turns CRLF into LF, as
// Windows editors leave them (aws-keypairs.md §12.6).
func normalizeText(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	return data
}

func looksLikePublicKey(data []byte) bool {
	_, _, err := ParsePublicKey(data)
	return err == nil || errors.Is(err, ErrKeyType)
}

// ParsePublicKey parses every public key form ImportKeyPair accepts: an
// OpenSSH authorized_keys line, an RFC 4716 "---- BEGIN SSH2 PUBLIC KEY ----"
// block, and (RSA only) base64 DER (SubjectPublicKeyInfo or PKCS#1), also
// inside a PEM "PUBLIC KEY"/"RSA PUBLIC KEY" block. It returns the key and its
// comment, cleaned for display (termtext.Clean). DSA, ECDSA and sk- keys
// are refused with an explanation.
func ParsePublicKey(data []byte) (pub ssh.PublicKey, comment string, err error) {
	pub, comment, err = parsePublicKey(data)
	return pub, termtext.Clean(comment), err
}

func parsePublicKey(data []byte) (ssh.PublicKey, string, error) {
	text := strings.TrimSpace(string(normalizeText(data)))
	switch {
	case text == "":
		return nil, "", errors.New("keys: parse public key: the file is empty")
	case strings.HasPrefix(text, rfc4716Begin):
		return parseRFC4716(text)
	case strings.HasPrefix(text, "-----BEGIN "):
		return parsePublicPEM([]byte(text))
	}
	first, _, _ := strings.Cut(text, "\n")
	if f := strings.Fields(first); len(f) > 0 && looksLikeSSHType(f[0]) {
		if err := acceptableSSHType(f[0]); err != nil {
			return nil, "", fmt.Errorf("keys: parse public key: %w", err)
		}
		return parseAuthorizedKey(text)
	}
	if der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), "")); err == nil {
		pub, err := parseDERPublicKey(der)
		if err != nil {
			return nil, "", fmt.Errorf("keys: parse base64 DER public key: %w", err)
		}
		return pub, "", nil
	}
	// An authorized_keys line may start with options (from="...",no-pty ...).
	return parseAuthorizedKey(text)
}

func looksLikeSSHType(s string) bool {
	return strings.HasPrefix(s, "ssh-") || strings.HasPrefix(s, "ecdsa-") || strings.HasPrefix(s, "sk-") ||
		strings.HasSuffix(s, "@openssh.com")
}

func parseAuthorizedKey(text string) (ssh.PublicKey, string, error) {
	pub, comment, _, rest, err := ssh.ParseAuthorizedKey([]byte(text))
	if err != nil {
		return nil, "", errors.New("keys: parse public key: not a public key in a form EC2 imports (an OpenSSH line \"ssh-ed25519 AAAA... comment\", an RFC 4716 \"---- BEGIN SSH2 PUBLIC KEY ----\" block, or base64 DER)")
	}
	if err := acceptableSSHType(pub.Type()); err != nil {
		return nil, "", fmt.Errorf("keys: parse public key: %w", err)
	}
	if _, _, _, _, err := ssh.ParseAuthorizedKey(rest); err == nil {
		return nil, "", errors.New("keys: parse public key: the file holds more than one public key; EC2 imports one key at a time")
	}
	return pub, comment, nil
}

func parsePublicPEM(data []byte) (ssh.PublicKey, string, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", errors.New("keys: parse public key: the PEM block is damaged (no matching END line, or bad base64)")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		if strings.HasSuffix(block.Type, "PRIVATE KEY") {
			return nil, "", fmt.Errorf("keys: parse public key: the file holds a private key (%s), not a public key", printable(block.Type))
		}
		return nil, "", fmt.Errorf("keys: parse public key: unsupported PEM block %q (expected PUBLIC KEY or RSA PUBLIC KEY)", block.Type)
	}
	if err != nil {
		return nil, "", fmt.Errorf("keys: parse %s: %w", printable(block.Type), err)
	}
	pub, err := derPublicKey(key)
	if err != nil {
		return nil, "", fmt.Errorf("keys: parse %s: %w", printable(block.Type), err)
	}
	return pub, "", nil
}

// parseDERPublicKey reads a DER SubjectPublicKeyInfo or PKCS#1 RSAPublicKey.
func parseDERPublicKey(der []byte) (ssh.PublicKey, error) {
	if key, err := x509.ParsePKIXPublicKey(der); err == nil {
		return derPublicKey(key)
	}
	if key, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return derPublicKey(key)
	}
	return nil, errors.New("neither a SubjectPublicKeyInfo nor a PKCS#1 RSA public key")
}

// derPublicKey accepts RSA only: EC2 imports DER for RSA keys only.
func derPublicKey(key any) (ssh.PublicKey, error) {
	switch key := key.(type) {
	case *rsa.PublicKey:
		return ssh.NewPublicKey(key)
	case ed25519.PublicKey:
		return nil, errors.New("EC2 imports DER public keys for RSA only; give an ED25519 key as an OpenSSH line (ssh-ed25519 AAAA...)")
	}
	return nil, refusedKeyType(key)
}

const (
	rfc4716Begin = "---- BEGIN SSH2 PUBLIC KEY ----"
	rfc4716End   = "---- END SSH2 PUBLIC KEY ----"
)

// parseRFC4716 reads the SSH public key file format of RFC 4716 §3: header
// lines "Tag: value" (a line ending in '\' continues on the next), then the
// base64 body. Only the Comment header is used.
func parseRFC4716(text string) (ssh.PublicKey, string, error) {
	lines := strings.Split(text, "\n")
	var (
		body    strings.Builder
		comment string
		ended   bool
		headers = true
	)
	for i := 1; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == rfc4716End {
			ended = true
			break
		}
		if headers && strings.Contains(line, ":") {
			for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
				i++
				line = line[:len(line)-1] + strings.TrimSpace(lines[i])
			}
			tag, value, _ := strings.Cut(line, ":")
			if strings.EqualFold(strings.TrimSpace(tag), "Comment") {
				value = strings.TrimSpace(value)
				if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
					value = value[1 : len(value)-1]
				}
				comment = value
			}
			continue
		}
		headers = false
		body.WriteString(line)
	}
	if !ended {
		return nil, "", fmt.Errorf("keys: parse RFC 4716 public key: no %q line", rfc4716End)
	}
	blob, err := base64.StdEncoding.DecodeString(body.String())
	if err != nil {
		return nil, "", errors.New("keys: parse RFC 4716 public key: the body is not valid base64")
	}
	if t, err := (&sshReader{b: blob}).string(); err == nil {
		if err := acceptableSSHType(string(t)); err != nil {
			return nil, "", fmt.Errorf("keys: parse RFC 4716 public key: %w", err)
		}
	}
	pub, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return nil, "", fmt.Errorf("keys: parse RFC 4716 public key: %w", err)
	}
	return pub, comment, nil
}

// KeyFile is what ParseKeyFile found in a file: a private key (Private set),
// a public key only, or the public half of a passphrase-protected private
// key (Private nil, Encrypted true).
type KeyFile struct {
	Private *PrivateKey   // nil for a public key file and an encrypted private key
	Public  ssh.PublicKey // always set
	Comment string        // cleaned for display; "" for encrypted OpenSSH files (it is encrypted too)
	// Encrypted: the file is a passphrase-protected OpenSSH or PPK private
	// key whose public half (stored in the clear) is Public. As with
	// ssh-keygen -l, no passphrase is needed, and none is asked for.
	Encrypted bool
	Cipher    string // the file's cipher (aes256-ctr, aes256-cbc, ...), cleaned for display
}

// ParseKeyFile parses a file that holds either a private key or a public key,
// in any form ParsePrivateKey or ParsePublicKey accepts, or a
// passphrase-protected OpenSSH or PPK private key, of which it returns the
// public half (Encrypted set). An encrypted PEM or PKCS#8 file has no
// public half in the clear: its error says to give the .pub file. When neither parser
// accepts it, the error is the private key parser's if the file looks like a
// private key (a PRIVATE KEY block or a PuTTY file), else the public one's.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	k, privErr := ParsePrivateKey(data)
	if privErr == nil {
		return &KeyFile{Private: k, Public: k.SSHPublicKey(), Comment: k.Comment}, nil
	}
	if errors.Is(privErr, ErrEncrypted) {
		if kf, ok := encryptedPublicHalf(data); ok {
			return kf, nil
		}
		return nil, privErr
	}
	if isPPK(data) || bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		return nil, privErr
	}
	pub, comment, pubErr := ParsePublicKey(data)
	if pubErr != nil {
		return nil, pubErr
	}
	return &KeyFile{Public: pub, Comment: comment}, nil
}

// encryptedPublicHalf returns the public half of an encrypted OpenSSH or
// PPK private key file, which both formats keep in the clear.
func encryptedPublicHalf(data []byte) (*KeyFile, bool) {
	data = normalizeText(data)
	if isPPK(data) {
		return ppkPublicHalf(data)
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, false
		}
		if block.Type == "OPENSSH PRIVATE KEY" {
			return opensshPublicHalf(block)
		}
	}
}
