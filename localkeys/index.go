package localkeys

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
)

// EC2Fingerprints returns every fingerprint EC2 could show for the key, in
// EC2's spelling: the imported form (RSA: MD5 of the DER public key, colon
// hex; ED25519: base64 SHA-256 with padding, which EC2 shows for created
// and imported ED25519 pairs alike), then, when priv is an RSA key, the
// created form (SHA-1 of its PKCS#8 encoding, colon hex). priv may be nil;
// pub must be RSA or ED25519 (else nil).
func EC2Fingerprints(pub ssh.PublicKey, priv *keys.PrivateKey) []string {
	if pub == nil {
		return nil
	}
	imported, err := keys.FingerprintAWSImported(pub)
	if err != nil {
		return nil
	}
	out := []string{imported}
	if priv != nil && pub.Type() == ssh.KeyAlgoRSA {
		if rk, ok := priv.Key.(*rsa.PrivateKey); ok {
			if created, err := keys.FingerprintAWSCreated(rk); err == nil {
				out = append(out, created)
			}
		}
	}
	return out
}

func newIndex(in []Key) *Index {
	ks := make([]Key, 0, len(in))
	for _, k := range in {
		if k.PublicKey == nil {
			continue
		}
		if t := k.PublicKey.Type(); t != ssh.KeyAlgoRSA && t != ssh.KeyAlgoED25519 {
			continue
		}
		ks = append(ks, k)
	}
	// Files first, then the agent; each sorted by path (stable: keys of
	// one path keep their order).
	slices.SortStableFunc(ks, func(a, b Key) int {
		if fa, fb := a.Source != SourceAgent, b.Source != SourceAgent; fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	ix := &Index{
		keys:   ks,
		byBlob: make(map[string][]int, len(ks)),
		byFP:   make(map[string][]int, 2*len(ks)),
	}
	for i, k := range ks {
		if c, ok := canonicalBlob(k.PublicKey.Marshal()); ok {
			ix.byBlob[c] = append(ix.byBlob[c], i)
		}
		fps := k.EC2Fingerprints
		if len(fps) == 0 {
			fps = EC2Fingerprints(k.PublicKey, nil)
		}
		for _, fp := range fps {
			n := normalizeFingerprint(fp)
			if n == "" || slices.Contains(ix.byFP[n], i) {
				continue
			}
			ix.byFP[n] = append(ix.byFP[n], i)
		}
	}
	return ix
}

func (ix *Index) match(p awsapi.KeyPairInfo) []Key {
	if ix == nil || len(ix.keys) == 0 {
		return nil
	}
	var hits []int
	if c, ok := pairBlob(p.PublicKey); ok {
		hits = ix.byBlob[c]
	} else {
		hits = ix.byFP[normalizeFingerprint(p.KeyFingerprint)]
	}
	if len(hits) == 0 {
		return nil
	}
	out := make([]Key, len(hits))
	for i, h := range hits {
		out[i] = ix.keys[h]
	}
	return out
}

// Len is how many keys the index holds (RSA and ED25519 keys only).
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.keys)
}

// pairBlob reads the public key EC2 returned, an authorized_keys line
// "TYPE BASE64 [COMMENT]" (EC2 appends the pair's name), into its
// canonical form. False when there is none or it cannot be read: the pair
// is then matched by fingerprint.
func pairBlob(line string) (string, bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", false
	}
	typ, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimLeft(rest, " \t")
	b64, _, _ := strings.Cut(rest, " ")
	b64, _, _ = strings.Cut(b64, "\t")
	b64 = strings.TrimRight(b64, "\r\n")
	if typ != ssh.KeyAlgoRSA && typ != ssh.KeyAlgoED25519 {
		return "", false
	}
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", false
	}
	c, ok := canonicalBlob(blob)
	if !ok || !strings.HasPrefix(c, typ+"\x00") {
		return "", false
	}
	return c, true
}

// canonicalBlob turns an SSH wire-format public key into a map key that is
// the same for every encoding of one key: the type, then for RSA the
// exponent and modulus without leading zero bytes (an mpint may carry
// them), for ED25519 the 32-byte point. Each part is length-prefixed, so
// the form is unambiguous. False for other types and damaged blobs.
func canonicalBlob(blob []byte) (string, bool) {
	typ, rest, ok := wireString(blob)
	if !ok {
		return "", false
	}
	var b strings.Builder
	switch string(typ) {
	case ssh.KeyAlgoRSA:
		e, rest, ok := wireString(rest)
		if !ok {
			return "", false
		}
		n, rest, ok := wireString(rest)
		if !ok || len(rest) != 0 {
			return "", false
		}
		e, n = trimZeros(e), trimZeros(n)
		if len(e) == 0 || len(n) == 0 {
			return "", false
		}
		b.Grow(len(typ) + 9 + len(e) + len(n))
		b.Write(typ)
		b.WriteByte(0)
		writePart(&b, e)
		writePart(&b, n)
	case ssh.KeyAlgoED25519:
		k, rest, ok := wireString(rest)
		if !ok || len(rest) != 0 || len(k) != 32 {
			return "", false
		}
		b.Grow(len(typ) + 37)
		b.Write(typ)
		b.WriteByte(0)
		writePart(&b, k)
	default:
		return "", false
	}
	return b.String(), true
}

func wireString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func writePart(b *strings.Builder, p []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(p)))
	b.Write(n[:])
	b.Write(p)
}

// normalizeFingerprint makes the forms of one fingerprint equal: colon
// hex (EC2's SHA-1 and MD5) in lower case; base64 (EC2's ED25519 SHA-256,
// case-sensitive) without an OpenSSH "SHA256:" prefix and without the "="
// padding EC2 may or may not add.
func normalizeFingerprint(fp string) string {
	fp = strings.TrimSpace(fp)
	if isColonHex(fp) {
		return strings.ToLower(fp)
	}
	fp = strings.TrimPrefix(fp, "SHA256:")
	return strings.TrimRight(fp, "=")
}

func isColonHex(s string) bool {
	if len(s) < 2 || (len(s)+1)%3 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
