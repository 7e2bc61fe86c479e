package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/edwards25519"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 8032 section 7.1 TESTs 1-3 (pure Ed25519: seed, public key, message,
// signature) and the key of section 7.3 (Ed25519ph, public key only).
var rfc8032Vectors = []struct{ name, seed, pub, msg, sig string }{
	{"TEST 1",
		"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		"",
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"TEST 2",
		"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
		"72",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"TEST 3",
		"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
		"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
		"af82",
		"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
	{"7.3 Ed25519ph key",
		"833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
		"ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
		"", ""},
}

func TestED25519FromSeedRFC8032(t *testing.T) {
	for _, v := range rfc8032Vectors {
		t.Run(v.name, func(t *testing.T) {
			seed, pub := mustHex(t, v.seed), mustHex(t, v.pub)
			k, err := ed25519FromSeed(seed)
			if err != nil {
				t.Fatal(err)
			}
			if want := append(append([]byte{}, seed...), pub...); !bytes.Equal(k, want) {
				t.Fatalf("key\n got %x\nwant %x", []byte(k), want)
			}
			if v.sig == "" {
				return
			}
			// Ed25519 signatures are deterministic: the RFC's exact bytes.
			if got := ed25519.Sign(k, mustHex(t, v.msg)); !bytes.Equal(got, mustHex(t, v.sig)) {
				t.Fatalf("signature\n got %x\nwant %s", got, v.sig)
			}
		})
	}
}

// checkSameAsStdlib fails unless seed gives the key crypto/ed25519 makes,
// and (if sign) a signature made with it verifies under its public half.
func checkSameAsStdlib(t *testing.T, seed []byte, sign bool) {
	t.Helper()
	got, err := ed25519FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	if want := ed25519.NewKeyFromSeed(seed); !bytes.Equal(got, want) {
		t.Fatalf("seed %x:\n got %x\nwant %x", seed, []byte(got), []byte(want))
	}
	if !sign {
		return
	}
	msg := []byte("keypair " + hex.EncodeToString(seed))
	if !ed25519.Verify(got.Public().(ed25519.PublicKey), msg, ed25519.Sign(got, msg)) {
		t.Fatalf("seed %x: signature does not verify", seed)
	}
}

func TestED25519FromSeedFixedSeeds(t *testing.T) {
	for _, b := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
		checkSameAsStdlib(t, bytes.Repeat([]byte{b}, ed25519.SeedSize), true)
	}
	counting := make([]byte, ed25519.SeedSize)
	for i := range counting {
		counting[i] = byte(i)
	}
	checkSameAsStdlib(t, counting, true)
}

func TestED25519FromSeedMatchesStdlib(t *testing.T) {
	// Every key is compared byte for byte; every 25th also signs and
	// verifies (signing all 5,000 takes ~20 s under -race on 2 busy cores).
	seed := make([]byte, ed25519.SeedSize)
	for i := range 5000 {
		rand.Read(seed)
		checkSameAsStdlib(t, seed, i%25 == 0)
	}
}

func TestED25519FromSeedBadLength(t *testing.T) {
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := ed25519FromSeed(make([]byte, n)); err == nil {
			t.Errorf("a seed of %d bytes was accepted", n)
		}
	}
}

// Generate takes the seed from rand, as ed25519.GenerateKey(rand) does, so a
// caller's reader still decides the key.
func TestGenerateED25519ReadsSeedFromRand(t *testing.T) {
	seed := mustHex(t, rfc8032Vectors[0].seed)
	k, err := Generate(ED25519, 0, bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	if want := ed25519.NewKeyFromSeed(seed); !bytes.Equal(k.Key.(ed25519.PrivateKey), want) {
		t.Fatalf("got %x, want %x", k.Key, []byte(want))
	}
	if _, err := Generate(ED25519, 0, bytes.NewReader(seed[:16])); err == nil {
		t.Fatal("a reader with 16 bytes made a key")
	}
}

// The ways to make an ED25519 public key, as the cold benchmark compares them.
var coldWays = map[string]func(seed []byte) []byte{
	// crypto/ed25519: fixed-base multiplication, a 32x8 table built on first use.
	"stdlib": func(seed []byte) []byte { return ed25519.NewKeyFromSeed(seed)[32:] },
	// What keys.Generate does: variable-base ScalarMult of the generator.
	"scalarmult": func(seed []byte) []byte {
		k, _ := ed25519FromSeed(seed)
		return k[32:]
	},
	// edwards25519's own fixed-base multiplication: the same kind of table.
	"scalarbasemult": func(seed []byte) []byte {
		h := sha512.Sum512(seed)
		s, _ := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
		return new(edwards25519.Point).ScalarBaseMult(s).Bytes()
	},
	// For comparison only, never for a key: variable time in the scalar, so
	// it would leak the secret through timing. Its table is 8 points.
	"vartime": func(seed []byte) []byte {
		h := sha512.Sum512(seed)
		s, _ := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
		return new(edwards25519.Point).VarTimeDoubleScalarBaseMult(edwards25519.NewScalar(), edwards25519.NewIdentityPoint(), s).Bytes()
	},
}

const coldEnv = "KEYPAIR_ED25519_COLD"

// TestED25519ColdChild is the child process of BenchmarkED25519Cold: it makes
// the first ED25519 public key of its process one way and prints how long
// that took. It asserts only that the key is right.
func TestED25519ColdChild(t *testing.T) {
	way := os.Getenv(coldEnv)
	if way == "" {
		t.Skip("runs only as BenchmarkED25519Cold's child process")
	}
	f := coldWays[way]
	if f == nil {
		t.Fatalf("%s=%q: no such way", coldEnv, way)
	}
	seed := make([]byte, ed25519.SeedSize)
	rand.Read(seed)
	start := time.Now()
	pub := f(seed)
	d := time.Since(start)
	fmt.Printf("cold-ns %d\n", d.Nanoseconds())
	if want := ed25519.NewKeyFromSeed(seed)[32:]; !bytes.Equal(pub, want) {
		t.Fatalf("%s: public key %x, want %x", way, pub, []byte(want))
	}
}

// BenchmarkED25519Cold measures the first ED25519 key of a process, the only
// one keypair makes: each iteration re-runs this test binary and takes the
// child's own timing of that one key (cold-ns/key); ns/op is the whole child
// process and means little. BenchmarkGenerateED25519 is the warm cost.
func BenchmarkED25519Cold(b *testing.B) {
	if os.Getenv(coldEnv) != "" {
		b.Skip("child process")
	}
	for _, way := range []string{"stdlib", "scalarmult", "scalarbasemult", "vartime"} {
		b.Run(way, func(b *testing.B) {
			var total time.Duration
			n := 0
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^TestED25519ColdChild$", "-test.count=1", "-test.v=false")
				cmd.Env = append(os.Environ(), coldEnv+"="+way)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				_, rest, ok := strings.Cut(string(out), "cold-ns ")
				ns, err := strconv.ParseInt(strings.Fields(rest + " ")[0], 10, 64)
				if !ok || err != nil {
					b.Fatalf("child printed no timing:\n%s", out)
				}
				total += time.Duration(ns)
				n++
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(n), "cold-ns/key")
		})
	}
}
