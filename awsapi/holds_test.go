package awsapi

import (
	stdrsa "crypto/rsa"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/keys"
)

func TestKeyPairInfoHolds(t *testing.T) {
	gen := func(typ keys.Type) *keys.PrivateKey {
		k, err := keys.Generate(typ, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rsa, ed, other := gen(keys.RSA), gen(keys.ED25519), gen(keys.ED25519)
	rsaFP, _ := keys.FingerprintAWSImported(rsa.SSHPublicKey())
	edFP, _ := keys.FingerprintAWSImported(ed.SSHPublicKey())
	created, _ := keys.FingerprintAWSCreated(rsa.Key.(*stdrsa.PrivateKey))
	for _, tc := range []struct {
		name        string
		info        KeyPairInfo
		key         *keys.PrivateKey
		same, known bool
	}{
		{"public key, EC2's own comment", KeyPairInfo{PublicKey: keys.AuthorizedKey(ed.SSHPublicKey(), "from-ec2")}, ed, true, true},
		{"another public key", KeyPairInfo{PublicKey: keys.AuthorizedKey(other.SSHPublicKey(), "")}, ed, false, true},
		{"unreadable public key", KeyPairInfo{PublicKey: "ssh-ed25519 !!!"}, ed, false, false},
		{"RSA MD5, any case", KeyPairInfo{KeyFingerprint: strings.ToUpper(rsaFP)}, rsa, true, true},
		{"ED25519 SHA-256", KeyPairInfo{KeyFingerprint: edFP}, ed, true, true},
		{"ED25519 SHA-256 is case-sensitive", KeyPairInfo{KeyFingerprint: strings.ToLower(edFP)}, ed, false, true},
		{"another fingerprint", KeyPairInfo{KeyFingerprint: edFP}, other, false, true},
		{"EC2-created RSA: SHA-1 of the private key", KeyPairInfo{KeyFingerprint: created}, rsa, false, false},
		{"nothing to compare", KeyPairInfo{}, ed, false, false},
	} {
		same, known := tc.info.Holds(tc.key.SSHPublicKey())
		if same != tc.same || known != tc.known {
			t.Errorf("%s: Holds = %v, %v; want %v, %v", tc.name, same, known, tc.same, tc.known)
		}
	}
	if same, known := (KeyPairInfo{PublicKey: "x"}).Holds(nil); same || known {
		t.Error("a nil key is held")
	}
}
