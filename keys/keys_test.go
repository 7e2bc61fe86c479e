package keys

import (
	"bytes"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestGenerate(t *testing.T) {
	for _, c := range []struct {
		typ  Type
		bits int
		want int
	}{{RSA, 0, 2048}, {RSA, 2048, 2048}, {ED25519, 0, 256}, {ED25519, 256, 256}} {
		k, err := Generate(c.typ, c.bits, nil)
		if err != nil {
			t.Fatal(err)
		}
		if k.Type() != c.typ || k.Bits() != c.want {
			t.Errorf("Generate(%s, %d): %s %d", c.typ, c.bits, k.Type(), k.Bits())
		}
		if rk, ok := k.Key.(*rsa.PrivateKey); ok {
			if rk.Primes[0].Cmp(rk.Primes[1]) <= 0 {
				t.Error("RSA primes not ordered p > q")
			}
			if err := rk.Validate(); err != nil {
				t.Error(err)
			}
		}
	}
	for _, c := range []struct {
		typ  Type
		bits int
	}{{RSA, 1024}, {RSA, 3072}, {ED25519, 2048}, {"dsa", 0}} {
		if _, err := Generate(c.typ, c.bits, nil); err == nil {
			t.Errorf("Generate(%s, %d) succeeded", c.typ, c.bits)
		}
	}
}

// Go leaves p < q about half the time; OrderPrimes must make every key
// p > q with consistent CRT values, and one key must have one encoding.
func TestOrderPrimesOneEncoding(t *testing.T) {
	k := mustVectorRSA(t)
	swapped := &rsa.PrivateKey{PublicKey: k.PublicKey, D: k.D, Primes: []*big.Int{k.Primes[1], k.Primes[0]}}
	swapped.Precompute()
	o := OrderPrimes(swapped)
	if o == swapped || o.Primes[0].Cmp(k.Primes[0]) != 0 || o.Precomputed.Qinv.Cmp(k.Precomputed.Qinv) != 0 {
		t.Fatal("OrderPrimes did not reorder into a fresh copy with recomputed CRT values")
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if OrderPrimes(k) != k {
		t.Error("an ordered key should come back unchanged")
	}
	a, _ := EncodePEM(&PrivateKey{Key: k})
	b, _ := EncodePEM(&PrivateKey{Key: swapped})
	fa, _ := FingerprintAWSCreated(k)
	fb, _ := FingerprintAWSCreated(swapped)
	if !bytes.Equal(a, b) || fa != fb {
		t.Error("the same key in two prime orders encodes or fingerprints differently")
	}
}

func mustVectorRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := ParsePrivateKey(readTestdata(t, "rsa2048.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return k.Key.(*rsa.PrivateKey)
}

func TestAuthorizedKey(t *testing.T) {
	k, err := ParsePrivateKey(readTestdata(t, "ed25519.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pub := k.SSHPublicKey()
	base := strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(pub)), "\n")
	for comment, want := range map[string]string{
		"":                   base + "\n",
		"me@host":            base + " me@host\n",
		"two words":          base + " two words\n",
		"evil\nssh-rsa AAAA": base + " evil ssh-rsa AAAA\n",
	} {
		if got := AuthorizedKey(pub, comment); got != want {
			t.Errorf("AuthorizedKey(%q) = %q, want %q", comment, got, want)
		}
	}
}

func TestEncodeRefusals(t *testing.T) {
	k, _ := Generate(ED25519, 0, nil)
	if _, err := EncodePPK(k, 1); err == nil {
		t.Error("PPK version 1 accepted")
	}
	if _, err := Encode(k, "der", 0); err == nil {
		t.Error("format der accepted")
	}
	k.Comment = "a\nb"
	if _, err := EncodePPK(k, 3); err == nil {
		t.Error("a PPK comment with a line break was accepted")
	}
	if _, err := EncodePEM(&PrivateKey{}); err == nil {
		t.Error("an empty key was encoded")
	}
}

func TestFingerprintErrors(t *testing.T) {
	k := &PrivateKey{Key: mustVectorRSA(t)}
	other, _ := Generate(ED25519, 0, nil)
	if _, err := FingerprintsOf(other.SSHPublicKey(), k); err == nil {
		t.Error("mismatched public and private keys accepted")
	}
	if _, err := AWSFingerprint(k.SSHPublicKey(), nil, true); err == nil {
		t.Error("an EC2-created RSA fingerprint without the private key")
	}
	if _, err := FingerprintsOf(nil, nil); err == nil {
		t.Error("no key accepted")
	}
	ed, _, _ := ParsePublicKey([]byte(string(readTestdata(t, "ed25519.pub"))))
	if got, err := AWSFingerprint(ed, nil, true); err != nil || got != vectors[1].awsImport {
		t.Errorf("ED25519 created-by-EC2 fingerprint = %q, %v", got, err)
	}
}

func TestRandomartFrames(t *testing.T) {
	// Frame lines as OpenSSH centres them (extra dash on the right).
	for label, want := range map[string]string{
		"[RSA 2048]":    "+---[RSA 2048]----+",
		"[RSA 4096]":    "+---[RSA 4096]----+",
		"[ED25519 256]": "+--[ED25519 256]--+",
		"[SHA256]":      "+----[SHA256]-----+",
	} {
		if got := randomartBorder(label); got != want {
			t.Errorf("border %q = %q, want %q", label, got, want)
		}
	}
	// All-zero digest: the bishop walks up-left, leaving one visit per cell, into
	// the corner, where it stays (and ends).
	art := drawRandomart(make([]byte, 32), "[X]", "[SHA256]")
	lines := strings.Split(art, "\n")
	if len(lines) != 11 || lines[1] != "|E....            |" || lines[2] != "|     .           |" || lines[5] != "|        S        |" {
		t.Errorf("zero-digest picture:\n%s", art)
	}
}

// A cell visited more than 14 times saturates at '^' (OpenSSH stops
// counting at len-2 so that only the start and end draw 'S' and 'E').
func TestRandomartSaturates(t *testing.T) {
	digest := append(make([]byte, 16), 0xff) // 64 steps into the corner, then 4 down-right
	lines := strings.Split(drawRandomart(digest, "[X]", "[Y]"), "\n")
	if lines[1] != "|^....            |" || lines[2] != "| .   .           |" || lines[5] != "|    E   S        |" {
		t.Errorf("got:\n%s", strings.Join(lines, "\n"))
	}
}
