package keys

import (
	"bytes"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/internal/termtext"
)

var fuzzSeedFiles = []string{
	"rsa2048.pem", "rsa2048.pub", "rsa2048.v2.ppk", "rsa2048.v3.ppk",
	"ed25519.pem", "ed25519.pub", "ed25519.v2.ppk", "ed25519.v3.ppk",
}

func addSeeds(f *testing.F) {
	for _, name := range fuzzSeedFiles {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a \\\ncontinued\"\nAAAA\n---- END SSH2 PUBLIC KEY ----\n"))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Add([]byte("PuTTY-User-Key-File-3: ssh-ed25519\r\nEncryption: none\r\n"))
	// Encrypted files, whose public half ParseKeyFile returns.
	f.Add(bytes.Replace(readTestdata(f, "ed25519.v3.ppk"), []byte("Encryption: none"), []byte("Encryption: aes256-cbc"), 1))
	f.Add(bytes.Replace(readTestdata(f, "rsa2048.v2.ppk"), []byte("Encryption: none"), []byte("Encryption: aes256-cbc"), 1))
}

// FuzzParsePrivateKey: never panics; whatever parses re-encodes (PEM and
// PPK) and parses back to the same key and comment.
func FuzzParsePrivateKey(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePrivateKey(data)
		if err != nil {
			if k != nil {
				t.Fatal("a key and an error")
			}
			return
		}
		pemData, err := EncodePEM(k)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePrivateKey(pemData)
		if err != nil || !sameKey(back, k) {
			t.Fatalf("PEM round trip: %v", err)
		}
		if strings.ContainsAny(k.Comment, "\r\n") {
			return // cannot be a PPK comment
		}
		for _, v := range []int{2, 3} {
			ppk, err := EncodePPK(k, v)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParsePrivateKey(ppk)
			if err != nil || !sameKey(back, k) || back.Comment != k.Comment {
				t.Fatalf("PPK v%d round trip: %v", v, err)
			}
		}
		if _, err := FingerprintsOf(nil, k); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParsePublicKey: never panics; whatever parses is RSA or ED25519 and
// its authorized_keys line parses back to the same key.
func FuzzParsePublicKey(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, comment, err := ParsePublicKey(data)
		if err != nil {
			return
		}
		if tp := pub.Type(); tp != "ssh-rsa" && tp != "ssh-ed25519" {
			t.Fatalf("accepted a %s key", tp)
		}
		line := AuthorizedKey(pub, comment)
		back, _, err := ParsePublicKey([]byte(line))
		if err != nil || !bytes.Equal(back.Marshal(), pub.Marshal()) {
			t.Fatalf("round trip of %q: %v", line, err)
		}
		if _, err := FingerprintsOf(pub, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseKeyFile: never panics; a result always has a public key that
// matches its private key.
func FuzzParseKeyFile(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := ParseKeyFile(data)
		if err != nil {
			return
		}
		if kf.Public == nil {
			t.Fatal("no public key")
		}
		if kf.Private != nil && !bytes.Equal(kf.Private.SSHPublicKey().Marshal(), kf.Public.Marshal()) {
			t.Fatal("public and private keys differ")
		}
		if kf.Encrypted && kf.Private != nil {
			t.Fatal("an encrypted file with a private key")
		}
		if termtext.Clean(kf.Comment) != kf.Comment || termtext.Clean(kf.Cipher) != kf.Cipher {
			t.Fatalf("uncleaned text from the file: comment %q, cipher %q", kf.Comment, kf.Cipher)
		}
	})
}
