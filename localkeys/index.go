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
		if c, ok := canonicalBlob(nil, k.PublicKey.Marshal()); ok {
			ix.byBlob[string(c)] = append(ix.byBlob[string(c)], i)
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
	var (
		hits []int
		buf  [600]byte // the canonical form of an RSA key of up to 4096 bits, on the stack
	)
	if c, ok := pairBlob(buf[:0], p.PublicKey); ok {
		hits = ix.byBlob[string(c)]
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
// canonical form, appended to buf. False when there is none or it cannot be
// read: the pair is then matched by fingerprint.
func pairBlob(buf []byte, line string) ([]byte, bool) {
	line = strings.TrimSpace(line)
	typ, rest, _ := strings.Cut(line, " ")
	if typ != ssh.KeyAlgoRSA && typ != ssh.KeyAlgoED25519 {
		return buf, false
	}
	rest = strings.TrimLeft(rest, " \t")
	if i := strings.IndexAny(rest, " \t\r\n"); i >= 0 {
		rest = rest[:i]
	}
	// Decode into a buffer of the caller's (on its stack for keys of up to
	// 8192 bits): a miss, the common case, allocates nothing.
	var blobBuf [1200]byte
	blob := blobBuf[:0]
	if n := base64.StdEncoding.DecodedLen(len(rest)); n > len(blobBuf) {
		blob = make([]byte, n)
	} else {
		blob = blobBuf[:n]
	}
	n, err := base64.StdEncoding.Decode(blob, []byte(rest))
	if err != nil {
		return buf, false
	}
	out, ok := canonicalBlob(buf, blob[:n])
	if !ok || len(out) <= len(typ) || string(out[len(buf):len(buf)+len(typ)]) != typ || out[len(buf)+len(typ)] != 0 {
		return buf, false
	}
	return out, true
}

// canonicalBlob turns an SSH wire-format public key into a map key that is
// the same for every encoding of one key, appended to buf: the type, a zero
// byte, then for RSA the exponent and modulus without leading zero bytes
// (an mpint may carry them), for ED25519 the 32-byte point, each
// length-prefixed, so the form is unambiguous. False for other types and
// damaged blobs.
func canonicalBlob(buf, blob []byte) ([]byte, bool) {
	typ, rest, ok := wireString(blob)
	if !ok {
		return buf, false
	}
	switch string(typ) {
	case ssh.KeyAlgoRSA:
		e, rest, ok := wireString(rest)
		if !ok {
			return buf, false
		}
		n, rest, ok := wireString(rest)
		if !ok || len(rest) != 0 {
			return buf, false
		}
		e, n = trimZeros(e), trimZeros(n)
		if len(e) == 0 || len(n) == 0 {
			return buf, false
		}
		out := append(append(buf, typ...), 0)
		out = appendPart(out, e)
		return appendPart(out, n), true
	case ssh.KeyAlgoED25519:
		k, rest, ok := wireString(rest)
		if !ok || len(rest) != 0 || len(k) != ed25519Size {
			return buf, false
		}
		out := append(append(buf, typ...), 0)
		return appendPart(out, k), true
	}
	return buf, false
}

const ed25519Size = 32

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

func appendPart(b, p []byte) []byte {
	return append(binary.BigEndian.AppendUint32(b, uint32(len(p))), p...)
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
