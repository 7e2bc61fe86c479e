package localkeys

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/big"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/keys"
)

// benchSet is what the Pairs screen matches: 200 local keys (20 RSA with
// their private key, so both RSA fingerprints; 180 ED25519) and 5,000
// pairs, 4,000 with a public key (half RSA 2048, half ED25519) and 1,000
// with a fingerprint only; 200 of the pairs are local keys.
func benchSet(b *testing.B) ([]Key, []awsapi.KeyPairInfo) {
	b.Helper()
	testKeys(b)
	var local []Key
	var rsaLocal []*keys.PrivateKey
	for i := 0; i < 20; i++ {
		// One RSA key stands for 20: the modulus is varied (the index
		// needs distinct keys, not valid ones, and RSA generation is slow).
		rk := *rsaKey.Key.(*rsa.PrivateKey)
		rk.PublicKey.N = new(big.Int).Add(rk.PublicKey.N, big.NewInt(int64(2*i)))
		pub, err := ssh.NewPublicKey(&rk.PublicKey)
		if err != nil {
			b.Fatal(err)
		}
		fps := EC2Fingerprints(pub, nil)
		fps = append(fps, fmt.Sprintf("%s:%02x", fpOf(b, rsaKey, true)[:56], i)) // a created-form fingerprint per key
		local = append(local, Key{Path: fmt.Sprintf("/home/u/.ssh/rsa%d", i), Source: SourceFile, PublicKey: pub, EC2Fingerprints: fps})
		rsaLocal = append(rsaLocal, rsaKey)
	}
	for i := 0; i < 180; i++ {
		seed := make([]byte, 32)
		binary.BigEndian.PutUint64(seed, uint64(i+1))
		pub, _ := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed).Public())
		local = append(local, Key{Path: fmt.Sprintf("/home/u/.ssh/ed%d", i), Source: SourceFile, PublicKey: pub, EC2Fingerprints: EC2Fingerprints(pub, nil)})
	}
	pairs := make([]awsapi.KeyPairInfo, 0, 5000)
	modulus := make([]byte, 256)
	for i := 0; i < 5000; i++ {
		name := fmt.Sprintf("pair-%04d", i)
		switch {
		case i < 200: // the local keys, by public key or fingerprint
			k := local[i]
			if i%4 == 3 {
				pairs = append(pairs, awsapi.KeyPairInfo{KeyName: name, KeyFingerprint: k.EC2Fingerprints[len(k.EC2Fingerprints)-1]})
			} else {
				pairs = append(pairs, awsapi.KeyPairInfo{KeyName: name, PublicKey: keys.AuthorizedKey(k.PublicKey, name), KeyFingerprint: k.EC2Fingerprints[0]})
			}
		case i < 4000 && i%2 == 0: // unknown RSA keys
			rand.Read(modulus)
			modulus[0] |= 0x80
			pub, err := ssh.NewPublicKey(&rsa.PublicKey{N: new(big.Int).SetBytes(modulus), E: 65537})
			if err != nil {
				b.Fatal(err)
			}
			pairs = append(pairs, awsapi.KeyPairInfo{KeyName: name, PublicKey: keys.AuthorizedKey(pub, name), KeyFingerprint: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"})
		case i < 4000: // unknown ED25519 keys
			pub, _, _ := ed25519.GenerateKey(rand.Reader)
			sp, _ := ssh.NewPublicKey(pub)
			pairs = append(pairs, awsapi.KeyPairInfo{KeyName: name, PublicKey: keys.AuthorizedKey(sp, name)})
		default: // fingerprint only
			sum := make([]byte, 32)
			rand.Read(sum)
			pairs = append(pairs, awsapi.KeyPairInfo{KeyName: name, KeyFingerprint: base64.StdEncoding.EncodeToString(sum)})
		}
	}
	_ = rsaLocal
	return local, pairs
}

// BenchmarkIndexMatch is one opening of the Pairs screen's matching:
// NewIndex over 200 keys, then Match for 5,000 pairs.
func BenchmarkIndexMatch(b *testing.B) {
	local, pairs := benchSet(b)
	b.ReportAllocs()
	b.ResetTimer()
	matched := 0
	for b.Loop() {
		ix := NewIndex(local)
		matched = 0
		for _, p := range pairs {
			if len(ix.Match(p)) > 0 {
				matched++
			}
		}
	}
	if matched != 200 {
		b.Fatalf("matched %d pairs, want 200", matched)
	}
}

func BenchmarkNewIndex(b *testing.B) {
	local, _ := benchSet(b)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(local)
	}
}

func BenchmarkMatch5000(b *testing.B) {
	local, pairs := benchSet(b)
	ix := NewIndex(local)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pairs {
			ix.Match(p)
		}
	}
}

// BenchmarkFind200 searches a folder of 200 key files (100 ED25519
// private keys in the OpenSSH format and their .pub files) and 20 other
// files, as the Pairs screen does when it opens.
func BenchmarkFind200(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 100; i++ {
		seed := make([]byte, 32)
		binary.BigEndian.PutUint64(seed, uint64(i+1))
		k := &keys.PrivateKey{Key: ed25519.NewKeyFromSeed(seed), Comment: fmt.Sprint("k", i)}
		write(b, fmt.Sprintf("%s/id_%03d", dir, i), mustPEM(b, k))
		write(b, fmt.Sprintf("%s/id_%03d.pub", dir, i), pubLine(k))
	}
	for i := 0; i < 20; i++ {
		write(b, fmt.Sprintf("%s/notes%02d.txt", dir, i), []byte("nothing here\n"))
	}
	b.ReportAllocs()
	for b.Loop() {
		f := find(b, Options{Dirs: []string{dir}})
		if len(f.Keys) != 200 {
			b.Fatalf("%d keys", len(f.Keys))
		}
	}
}
