package localkeys

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
)

// FuzzMatch feeds Match what DescribeKeyPairs may return (outside input):
// it never panics, only matches keys whose public key or fingerprint is
// the pair's, and always matches a pair that is an indexed key's line.
func FuzzMatch(f *testing.F) {
	testKeys(f)
	local := []Key{
		{Path: "rsa", Source: SourceFile, PublicKey: rsaKey.SSHPublicKey(), EC2Fingerprints: EC2Fingerprints(rsaKey.SSHPublicKey(), rsaKey)},
		{Path: "ed", Source: SourceFile, PublicKey: edKey.SSHPublicKey()},
	}
	ix := NewIndex(local)
	for _, k := range local {
		f.Add(keys.AuthorizedKey(k.PublicKey, "name"), "")
	}
	f.Add("", fpOf(f, rsaKey, true))
	f.Add("", fpOf(f, edKey, false))
	f.Add("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ== x", "AA:BB")
	f.Add("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", "SHA256:x")
	f.Fuzz(func(t *testing.T, publicKey, fingerprint string) {
		m := ix.Match(awsapi.KeyPairInfo{PublicKey: publicKey, KeyFingerprint: fingerprint})
		for _, k := range m {
			ok := false
			if pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(publicKey)); err == nil && samePub(pub, k.PublicKey) {
				ok = true
			}
			if c, isKey := pairBlob(nil, publicKey); isKey {
				if lc, _ := canonicalBlob(nil, k.PublicKey.Marshal()); string(lc) != string(c) {
					t.Fatalf("matched %s by a public key that is not its own: %q", k.Path, publicKey)
				}
				ok = true
			}
			for _, fp := range NewIndex([]Key{k}).keys[0].EC2Fingerprints {
				if normalizeFingerprint(fp) == normalizeFingerprint(fingerprint) {
					ok = true
				}
			}
			if k.EC2Fingerprints == nil {
				for _, fp := range EC2Fingerprints(k.PublicKey, nil) {
					if normalizeFingerprint(fp) == normalizeFingerprint(fingerprint) {
						ok = true
					}
				}
			}
			if !ok {
				t.Fatalf("matched %s for %q / %q", k.Path, publicKey, fingerprint)
			}
		}
		// A line that names an indexed key, whatever follows it, matches it.
		for _, k := range local {
			line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.PublicKey))) + " " + strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' {
					return ' '
				}
				return r
			}, publicKey)
			if got := ix.Match(awsapi.KeyPairInfo{PublicKey: line, KeyFingerprint: fingerprint}); len(got) != 1 || got[0].Path != k.Path {
				t.Fatalf("the line of %s with comment %q: matched %q", k.Path, publicKey, paths(got))
			}
		}
	})
}

// FuzzFileContents feeds the file parser what a file under ~/.ssh may
// hold: it never panics, keeps RSA and ED25519 keys only, and either keeps
// a key, counts the file, or passes over it, never more than one of these.
func FuzzFileContents(f *testing.F) {
	testKeys(f)
	f.Add(mustPEM(f, edKey), "id_ed25519")
	f.Add(mustPEM(f, rsaKey), "id_rsa")
	f.Add(mustPPK(f, edKey, 3), "k.ppk")
	f.Add(mustPPK(f, rsaKey, 2), "k.ppk")
	f.Add(mustOpenSSH(f, edKey, "pw"), "enc")
	f.Add(pubLine(edKey), "k.pub")
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----\n"), "x")
	f.Add([]byte("PuTTY-User-Key-File-2: ssh-rsa\nEncryption: aes256-cbc\n"), "x.ppk")
	f.Add([]byte("ssh-rsa AAAA"), "x")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		w := newWalker(context.Background(), Options{})
		w.parse("/d/"+name, data)
		kept, counted := len(w.keys), len(w.skips)+len(w.encrypted)
		if kept+counted > 1 {
			t.Fatalf("kept %d and counted %d for one file", kept, counted)
		}
		for _, k := range w.keys {
			if typ := k.PublicKey.Type(); typ != ssh.KeyAlgoRSA && typ != ssh.KeyAlgoED25519 {
				t.Fatalf("kept a %s key", typ)
			}
			if len(k.EC2Fingerprints) == 0 {
				t.Fatal("a key without its EC2 fingerprint")
			}
		}
	})
}
