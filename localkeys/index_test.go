package localkeys

import (
	"encoding/base64"
	"encoding/binary"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
)

// pairOf is a pair as DescribeKeyPairs with IncludePublicKey returns it:
// the public key line with the pair's name appended.
func pairOf(pub ssh.PublicKey, name string) awsapi.KeyPairInfo {
	fp, _ := keys.FingerprintAWSImported(pub)
	return awsapi.KeyPairInfo{KeyName: name, KeyFingerprint: fp, PublicKey: keys.AuthorizedKey(pub, name)}
}

func TestMatch(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b_rsa.pem"), mustPEM(t, rsaKey))
	write(t, filepath.Join(dir, "a_rsa.pub"), pubLine(rsaKey))
	write(t, filepath.Join(dir, "ed_enc"), mustOpenSSH(t, edKey, "pw"))
	write(t, filepath.Join(dir, "rsa2.pub"), pubLine(rsaKey2))
	write(t, filepath.Join(dir, "rsa2_enc"), mustOpenSSH(t, rsaKey2, "pw"))
	f := find(t, Options{Dirs: []string{dir}})
	agentEd := Key{Path: "ed@agent", Source: SourceAgent, PublicKey: edKey.SSHPublicKey()} // no fingerprints: NewIndex computes them
	aAgent := Key{Path: "a@agent", Source: SourceAgent, PublicKey: edKey.SSHPublicKey()}
	ix := NewIndex(append(append([]Key{agentEd}, f.Keys...), aAgent))
	if ix.Len() != 7 {
		t.Fatalf("Len %d", ix.Len())
	}
	p := func(s string) string { return filepath.Join(dir, s) }

	rsaImported := fpOf(t, rsaKey, false)
	rsaCreated := fpOf(t, rsaKey, true)
	rsa2Created := fpOf(t, rsaKey2, true)
	edFP := fpOf(t, edKey, false)
	wire := rsaKey.SSHPublicKey().Marshal()
	// The same RSA key with a needless zero byte before the modulus (an
	// mpint may carry one): the same key.
	eLen := binary.BigEndian.Uint32(wire[4+7:])
	nAt := 4 + 7 + 4 + int(eLen)
	nLen := binary.BigEndian.Uint32(wire[nAt:])
	padded := slices.Concat(wire[:nAt], binary.BigEndian.AppendUint32(nil, nLen+1), []byte{0}, wire[nAt+4:])
	if _, err := ssh.ParsePublicKey(padded); err != nil {
		t.Fatalf("padded blob: %v", err)
	}
	tests := []struct {
		name string
		pair awsapi.KeyPairInfo
		want []string
	}{
		{"rsa by public key", pairOf(rsaKey.SSHPublicKey(), "web"), []string{p("a_rsa.pub"), p("b_rsa.pem")}},
		{"rsa by public key, no comment", awsapi.KeyPairInfo{PublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(rsaKey.SSHPublicKey())))}, []string{p("a_rsa.pub"), p("b_rsa.pem")}},
		{"rsa by public key, mpint with a leading zero", awsapi.KeyPairInfo{PublicKey: "ssh-rsa " + base64.StdEncoding.EncodeToString(padded) + " x"}, []string{p("a_rsa.pub"), p("b_rsa.pem")}},
		{"ed25519 by public key, file then agent", pairOf(edKey.SSHPublicKey(), "ed"), []string{p("ed_enc"), "a@agent", "ed@agent"}},
		{"public key wins over the fingerprint", awsapi.KeyPairInfo{PublicKey: keys.AuthorizedKey(edKey2.SSHPublicKey(), "x"), KeyFingerprint: edFP}, nil},
		{"rsa imported fingerprint", awsapi.KeyPairInfo{KeyFingerprint: rsaImported}, []string{p("a_rsa.pub"), p("b_rsa.pem")}},
		{"rsa imported fingerprint, upper case", awsapi.KeyPairInfo{KeyFingerprint: strings.ToUpper(rsaImported)}, []string{p("a_rsa.pub"), p("b_rsa.pem")}},
		{"rsa created fingerprint: the private key in the clear only", awsapi.KeyPairInfo{KeyFingerprint: rsaCreated}, []string{p("b_rsa.pem")}},
		{"rsa created fingerprint of a key held encrypted or public: unknown", awsapi.KeyPairInfo{KeyFingerprint: rsa2Created}, nil},
		{"ed25519 fingerprint, padded", awsapi.KeyPairInfo{KeyFingerprint: edFP}, []string{p("ed_enc"), "a@agent", "ed@agent"}},
		{"ed25519 fingerprint, unpadded", awsapi.KeyPairInfo{KeyFingerprint: strings.TrimRight(edFP, "=")}, []string{p("ed_enc"), "a@agent", "ed@agent"}},
		{"ed25519 fingerprint, OpenSSH form", awsapi.KeyPairInfo{KeyFingerprint: ssh.FingerprintSHA256(edKey.SSHPublicKey())}, []string{p("ed_enc"), "a@agent", "ed@agent"}},
		{"ed25519 fingerprint, wrong case: base64 is case-sensitive", awsapi.KeyPairInfo{KeyFingerprint: strings.ToLower(edFP)}, nil},
		{"damaged public key: the fingerprint decides", awsapi.KeyPairInfo{PublicKey: "ssh-rsa !!!", KeyFingerprint: rsaImported}, []string{p("a_rsa.pub"), p("b_rsa.pem")}},
		{"type and blob disagree: the fingerprint decides", awsapi.KeyPairInfo{PublicKey: "ssh-rsa " + base64.StdEncoding.EncodeToString(edKey.SSHPublicKey().Marshal()), KeyFingerprint: "00:11"}, nil},
		{"unknown key", pairOf(edKey2.SSHPublicKey(), "other"), nil},
		{"nothing", awsapi.KeyPairInfo{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := paths(ix.Match(tc.pair))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	// The result is the caller's: changing it changes nothing in the index.
	m := ix.Match(awsapi.KeyPairInfo{KeyFingerprint: edFP})
	m[0].Path = "changed"
	if got := ix.Match(awsapi.KeyPairInfo{KeyFingerprint: edFP}); got[0].Path != p("ed_enc") {
		t.Errorf("the index was changed through a result: %q", paths(got))
	}
	// An empty and a nil index match nothing.
	if NewIndex(nil).Match(pairOf(edKey.SSHPublicKey(), "x")) != nil || (*Index)(nil).Match(awsapi.KeyPairInfo{KeyFingerprint: edFP}) != nil {
		t.Error("empty index matched")
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	for in, want := range map[string]string{
		"AB:cd:EF":      "ab:cd:ef",
		" ab:cd \n":     "ab:cd",
		"SHA256:abc":    "abc",
		"abc=":          "abc",
		"Ab+/==":        "Ab+/",
		"AB:CD:":        "AB:CD:", // not colon hex: left as it is
		"":              "",
		"MD5:aa:bb":     "MD5:aa:bb",
		"g1:00":         "g1:00",
		"aa:bb:cc:dd:e": "aa:bb:cc:dd:e",
	} {
		if got := normalizeFingerprint(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestSkipByName(t *testing.T) {
	for name, want := range map[string]bool{
		"config": true, "known_hosts": true, "known_hosts.old": true, "authorized_keys": true,
		"authorized_keys2": true, "agent.sock": true, "environment": true, "rc": true, "allowed_signers": true,
		"id_ed25519": false, "id_rsa.pub": false, "config.pub": false, "my_known_hosts": false, "web.pem": false,
	} {
		if got := skipByName(name); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}
