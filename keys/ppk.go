package keys

// PuTTY private key files (PPK), versions 2 and 3, unencrypted only.
// Layout: PuTTY manual appendix C (doc/pubkeyfmt.but) and sshpubk.c
// ppk_save_sb / ppk_load_s; summarised in aws-keypairs.md §7.5.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/internal/termtext"
)

const ppkMagicPrefix = "PuTTY-User-Key-File-"

// ppkV2MACKey is SHA-1("putty-private-key-file-mac-key" || passphrase) with
// an empty passphrase: the v2 MAC key of every unencrypted file.
var ppkV2MACKey = func() []byte {
	s := sha1.Sum([]byte("putty-private-key-file-mac-key"))
	return s[:]
}()

// ppkMAC computes the Private-MAC of an unencrypted file: HMAC over
// string(alg) string(encryption) string(comment) string(public) string(private).
// v2 uses HMAC-SHA-1 keyed as above; v3 HMAC-SHA-256 with an empty key
// (Argon2 yields zero-length MAC key material when encryption is "none").
func ppkMAC(version int, alg, encryption, comment string, pub, priv []byte) []byte {
	var m hash.Hash
	if version == 2 {
		m = hmac.New(sha1.New, ppkV2MACKey)
	} else {
		m = hmac.New(sha256.New, nil)
	}
	for _, field := range [][]byte{[]byte(alg), []byte(encryption), []byte(comment), pub, priv} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(field)))
		m.Write(n[:])
		m.Write(field)
	}
	return m.Sum(nil)
}

// ppkPrivateBlob is the private half in PuTTY's own order:
// RSA mpint d, p, q, iqmp (crypto/rsa.c rsa2_private_blob);
// ED25519 string(32-byte seed) (crypto/ecc-ssh.c eddsa_private_blob).
func ppkPrivateBlob(k *PrivateKey) ([]byte, error) {
	switch key := k.Key.(type) {
	case *rsa.PrivateKey:
		key = OrderPrimes(key)
		if len(key.Primes) != 2 {
			return nil, errors.New("RSA keys with more than two primes have no PPK form")
		}
		var b []byte
		for _, n := range []*big.Int{key.D, key.Primes[0], key.Primes[1], key.Precomputed.Qinv} {
			b = appendMPInt(b, n)
		}
		return b, nil
	case ed25519.PrivateKey:
		return appendString(nil, key.Seed()), nil
	}
	return nil, fmt.Errorf("unsupported key type %T (only RSA and ED25519)", k.Key)
}

func encodePPK(k *PrivateKey, version int) ([]byte, error) {
	if version != 2 && version != 3 {
		return nil, fmt.Errorf("keys: encode PPK: version must be 2 or 3, not %d", version)
	}
	if k == nil || k.Key == nil {
		return nil, errors.New("keys: encode PPK: no key")
	}
	if strings.ContainsAny(k.Comment, "\r\n") {
		return nil, errors.New("keys: encode PPK: the comment must not contain line breaks")
	}
	priv, err := ppkPrivateBlob(k)
	if err != nil {
		return nil, fmt.Errorf("keys: encode PPK: %w", err)
	}
	pubKey := k.SSHPublicKey()
	pub := pubKey.Marshal()
	alg := pubKey.Type()

	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%d: %s\n", ppkMagicPrefix, version, alg)
	b.WriteString("Encryption: none\n")
	fmt.Fprintf(&b, "Comment: %s\n", k.Comment)
	writePPKLines(&b, "Public-Lines", pub)
	writePPKLines(&b, "Private-Lines", priv)
	fmt.Fprintf(&b, "Private-MAC: %s\n", hex.EncodeToString(ppkMAC(version, alg, "none", k.Comment, pub, priv)))
	return b.Bytes(), nil
}

// writePPKLines writes "NAME: n" and the base64 of blob in lines of 64
// characters (48 bytes each), as PuTTY's base64_encode_s does.
func writePPKLines(b *bytes.Buffer, name string, blob []byte) {
	n := (len(blob) + 47) / 48
	fmt.Fprintf(b, "%s: %d\n", name, n)
	for i := 0; i < len(blob); i += 48 {
		b.WriteString(base64.StdEncoding.EncodeToString(blob[i:min(i+48, len(blob))]))
		b.WriteByte('\n')
	}
}

// appendString appends an SSH string (RFC 4251 §5): uint32 length, bytes.
func appendString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendMPInt appends a non-negative SSH mpint (RFC 4251 §5): minimal
// big-endian bytes with a leading zero when the top bit is set.
func appendMPInt(b []byte, n *big.Int) []byte {
	v := n.Bytes()
	if len(v) > 0 && v[0]&0x80 != 0 {
		v = append([]byte{0}, v...)
	}
	return appendString(b, v)
}

// ppkFile is a PPK file split into its fields.
type ppkFile struct {
	version    int
	alg        string
	encryption string
	comment    string
	pub, priv  []byte
	mac        []byte
}

// ppkReader hands out the lines of a PPK file with their 1-based numbers,
// for error messages such as "keys: parse ppk line 7: ...".
type ppkReader struct {
	lines []string
	n     int
}

func (r *ppkReader) errorf(format string, args ...any) error {
	return fmt.Errorf("keys: parse ppk line %d: %s", r.n, fmt.Sprintf(format, args...))
}

func (r *ppkReader) next() (string, bool) {
	if r.n >= len(r.lines) {
		return "", false
	}
	r.n++
	return r.lines[r.n-1], true
}

// header reads the next line as "Name: value" and checks the name.
func (r *ppkReader) header(name string) (string, error) {
	line, ok := r.next()
	if !ok {
		r.n++
		return "", r.errorf("the file ends where %q was expected", name+":")
	}
	v, found := strings.CutPrefix(line, name+": ")
	if !found {
		return "", r.errorf("expected the %q header", name+":")
	}
	return v, nil
}

// blob reads "Name-Lines: n" and the n base64 lines that follow.
func (r *ppkReader) blob(name string) ([]byte, error) {
	v, err := r.header(name)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(v)
	// A line holds 48 bytes; 1000 lines is far beyond any RSA or ED25519 key.
	if err != nil || n < 0 || n > 1000 {
		return nil, r.errorf("%q must be a line count", name+":")
	}
	var sb strings.Builder
	for range n {
		line, ok := r.next()
		if !ok {
			r.n++
			return nil, r.errorf("the file ends inside the %d lines announced by %q", n, name+":")
		}
		if strings.IndexFunc(line, notBase64) >= 0 {
			return nil, r.errorf("not a base64 line (announced by %q)", name+":")
		}
		sb.WriteString(line)
	}
	b, err := base64.StdEncoding.DecodeString(sb.String())
	if err != nil {
		return nil, r.errorf("the %d lines announced by %q are not valid base64", n, name+":")
	}
	return b, nil
}

func notBase64(r rune) bool {
	return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/' || r == '=')
}

func isPPK(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, "\ufeff \t\r\n"), []byte(ppkMagicPrefix))
}

// splitPPK reads the fields of a PPK file. CRLF and CR line ends are
// accepted as PuTTY does. Encrypted files stop early with ErrEncrypted.
func splitPPK(data []byte) (*ppkFile, error) {
	text := strings.TrimLeft(string(data), "\ufeff \t\r\n")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	r := &ppkReader{lines: strings.Split(text, "\n")}
	f := &ppkFile{}

	first, _ := r.next()
	rest, _ := strings.CutPrefix(first, ppkMagicPrefix)
	verStr, alg, ok := strings.Cut(rest, ": ")
	if !ok {
		return nil, r.errorf("not a PuTTY key file header")
	}
	switch verStr {
	case "2", "3":
		f.version = int(verStr[0] - '0')
	case "1":
		return nil, r.errorf("PuTTY key file version 1 (PuTTY 0.52 and older) is not supported; convert it with a newer puttygen")
	default:
		return nil, r.errorf("unknown PuTTY key file version %q", printable(verStr))
	}
	f.alg = alg
	var err error
	if f.encryption, err = r.header("Encryption"); err != nil {
		return nil, err
	}
	if f.encryption != "none" {
		// The comment and the public key are stored in the clear (PuTTY
		// appendix C); keep them for ParseKeyFile. The MAC cannot be checked
		// without the passphrase, so they are as trustworthy as the file.
		encErr := fmt.Errorf("keys: parse ppk: %w (Encryption: %s); remove the passphrase in PuTTYgen first", ErrEncrypted, printable(f.encryption))
		if c, err := r.header("Comment"); err == nil {
			if pub, err := r.blob("Public-Lines"); err == nil {
				f.comment, f.pub = c, pub
			}
		}
		return f, encErr
	}
	if f.comment, err = r.header("Comment"); err != nil {
		return nil, err
	}
	if f.pub, err = r.blob("Public-Lines"); err != nil {
		return nil, err
	}
	if f.priv, err = r.blob("Private-Lines"); err != nil {
		return nil, err
	}
	macHex, err := r.header("Private-MAC")
	if err != nil {
		return nil, err
	}
	if f.mac, err = hex.DecodeString(macHex); err != nil {
		return nil, r.errorf("the Private-MAC is not hexadecimal")
	}
	for {
		line, ok := r.next()
		if !ok {
			break
		}
		if strings.TrimSpace(line) != "" {
			return nil, r.errorf("unexpected text after the Private-MAC line")
		}
	}
	return f, nil
}

// parsePPK parses an unencrypted PPK v2 or v3 file and checks its MAC.
func parsePPK(data []byte) (*PrivateKey, error) {
	f, err := splitPPK(data)
	if err != nil {
		return nil, err
	}
	want := ppkMAC(f.version, f.alg, f.encryption, f.comment, f.pub, f.priv)
	if !hmac.Equal(f.mac, want) {
		return nil, errors.New("keys: parse ppk: the Private-MAC does not match: the file is damaged or was edited (a changed Comment: line also breaks the MAC)")
	}
	pub, err := ssh.ParsePublicKey(f.pub)
	if err != nil {
		return nil, fmt.Errorf("keys: parse ppk: public key: %w", err)
	}
	if pub.Type() != f.alg {
		return nil, fmt.Errorf("keys: parse ppk: the header says %s but the public key is %s", printable(f.alg), pub.Type())
	}
	if err := acceptableSSHType(pub.Type()); err != nil {
		return nil, fmt.Errorf("keys: parse ppk: %w", err)
	}
	cpub := pub.(ssh.CryptoPublicKey).CryptoPublicKey()
	var key *PrivateKey
	switch cpub := cpub.(type) {
	case *rsa.PublicKey:
		key, err = ppkRSA(cpub, f.priv)
	case ed25519.PublicKey:
		key, err = ppkED25519(cpub, f.priv)
	default:
		err = fmt.Errorf("unsupported key type %s", pub.Type())
	}
	if err != nil {
		return nil, fmt.Errorf("keys: parse ppk: private key: %w", err)
	}
	key.Comment = termtext.Clean(f.comment)
	return key, nil
}

// ppkPublicHalf reads the public key of an encrypted PPK file, which is
// stored in the clear, with its comment and Encryption value.
func ppkPublicHalf(data []byte) (*KeyFile, bool) {
	f, err := splitPPK(data)
	if !errors.Is(err, ErrEncrypted) || f == nil || f.pub == nil {
		return nil, false
	}
	pub, err := ssh.ParsePublicKey(f.pub)
	if err != nil || pub.Type() != f.alg || acceptableSSHType(pub.Type()) != nil {
		return nil, false
	}
	return &KeyFile{Public: pub, Comment: termtext.Clean(f.comment), Encrypted: true, Cipher: printable(f.encryption)}, true
}

// sshReader reads SSH wire fields (RFC 4251 §5).
type sshReader struct{ b []byte }

var errShort = errors.New("the data ends too early")

func (r *sshReader) string() ([]byte, error) {
	if len(r.b) < 4 {
		return nil, errShort
	}
	n := binary.BigEndian.Uint32(r.b)
	if uint64(n) > uint64(len(r.b)-4) {
		return nil, errShort
	}
	s := r.b[4 : 4+n]
	r.b = r.b[4+n:]
	return s, nil
}

func (r *sshReader) uint32() (uint32, error) {
	if len(r.b) < 4 {
		return 0, errShort
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v, nil
}

func (r *sshReader) mpint() (*big.Int, error) {
	s, err := r.string()
	if err != nil {
		return nil, err
	}
	if len(s) > 0 && s[0]&0x80 != 0 {
		return nil, errors.New("negative number")
	}
	return new(big.Int).SetBytes(s), nil
}

func ppkRSA(pub *rsa.PublicKey, blob []byte) (*PrivateKey, error) {
	r := &sshReader{b: blob}
	var n [4]*big.Int
	for i := range n {
		v, err := r.mpint()
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	// n[3] (iqmp) is recomputed by Precompute; the key is checked instead.
	k := &rsa.PrivateKey{PublicKey: *pub, D: n[0], Primes: []*big.Int{n[1], n[2]}}
	if pub.N.BitLen() > 16384 || n[0].BitLen() > 16384 || n[1].BitLen() > 8192 || n[2].BitLen() > 8192 {
		return nil, errors.New("RSA key too large")
	}
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("the RSA key is not consistent: %w", err)
	}
	k = OrderPrimes(k)
	k.Precompute()
	return &PrivateKey{Key: k}, nil
}

func ppkED25519(pub ed25519.PublicKey, blob []byte) (*PrivateKey, error) {
	r := &sshReader{b: blob}
	seed, err := r.string()
	if err != nil {
		return nil, err
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("the ED25519 seed has %d bytes, not %d", len(seed), ed25519.SeedSize)
	}
	k := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(k.Public().(ed25519.PublicKey), pub) {
		return nil, errors.New("the private key does not belong to the public key")
	}
	return &PrivateKey{Key: k}, nil
}
