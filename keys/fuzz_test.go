package keys

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
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
	})
}

// FuzzValidateName: never panics; a valid name is 1-255 printable ASCII
// without outer spaces, and an invalid one gets a "name" FieldError.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"my-key", " x", "caé", strings.Repeat("a", 256), "a\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateName(name)
		valid := len(name) >= 1 && len(name) <= 255 && name[0] != ' ' && name[len(name)-1] != ' ' &&
			strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r > 0x7e }) < 0
		if (err == nil) != valid {
			t.Fatalf("ValidateName(%q) = %v, want valid=%v", name, err, valid)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "name: ") {
			t.Fatalf("error %q does not name the field", err)
		}
	})
}

// FuzzTag: ParseTag and the tag rules never panic; ParseTag splits at the
// first '='; a key that passes is 1-127 runes of valid UTF-8 without "aws:".
func FuzzTag(f *testing.F) {
	for _, s := range []string{"env=dev", "a=b=c", "=x", "nokey", "aws:x=1", "k=\x00", "ключ=значение"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := ParseTag(s)
		if err == nil {
			if tag.Key+"="+tag.Value != s || strings.Contains(tag.Key, "=") || tag.Key == "" {
				t.Fatalf("ParseTag(%q) = %+v", s, tag)
			}
		}
		TagWarning(s)
		if ValidateTagValue(s) == nil && (!utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxTagValueLen) {
			t.Fatalf("value %q accepted", s)
		}
		if ValidateTagKey(s) == nil {
			if !utf8.ValidString(s) || s == "" || utf8.RuneCountInString(s) > MaxTagKeyLen || strings.HasPrefix(strings.ToLower(s), "aws:") {
				t.Fatalf("key %q accepted", s)
			}
		}
		r := Request{Name: "k", Tags: []Tag{tag, tag}}
		for _, e := range r.Validate() {
			if e.Field == "" || e.Msg == "" {
				t.Fatalf("empty FieldError %+v", e)
			}
		}
	})
}
