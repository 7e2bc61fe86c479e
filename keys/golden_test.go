package keys

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vector is one of the shared test keys (testdata/README.md), with the
// values OpenSSH, OpenSSL and puttygen computed for it (fingerprints.txt).
type vector struct {
	name      string // file stem in testdata
	comment   string
	typ       Type
	bits      int
	awsCreate string // "" for ED25519
	awsImport string
	sha256    string
	md5       string
}

var vectors = []vector{
	{
		name: "rsa2048", comment: "rsa-vector", typ: RSA, bits: 2048,
		awsCreate: "4d:dd:6b:19:05:de:96:b9:2a:e1:da:75:d5:cf:7c:a5:80:75:59:11",
		awsImport: "53:f4:fb:bf:2c:ab:91:f9:e3:7b:7e:ea:16:c4:9a:b1",
		sha256:    "SHA256:xN3TmxsIkmIuR9EvzclGrTlTczIl/Cr7naF0gyrWfI0",
		md5:       "MD5:cf:b9:58:97:cc:fd:2e:d3:d3:7a:83:1f:cc:d5:73:e0",
	},
	{
		name: "ed25519", comment: "ed25519-vector", typ: ED25519, bits: 256,
		awsImport: "ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY=",
		sha256:    "SHA256:ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY",
		md5:       "MD5:a1:3e:0e:1c:93:47:71:88:f7:c1:f2:bf:22:18:93:b9",
	},
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// randomartFromVectors returns the pictures ssh-keygen -lv drew, as recorded
// in fingerprints.txt, keyed by "rsa2048" and "ed25519".
func randomartFromVectors(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(string(readTestdata(t, "fingerprints.txt")), "\n")
	for i, line := range lines {
		name, ok := strings.CutPrefix(line, "# ssh-keygen -lv -E sha256 -f ")
		if !ok {
			continue
		}
		// header line, then 11 picture lines
		out[strings.TrimSuffix(name, ".pub")] = strings.Join(lines[i+2:i+13], "\n")
	}
	if len(out) != 2 {
		t.Fatalf("found %d randomart pictures in fingerprints.txt, want 2", len(out))
	}
	return out
}

func TestVectorsParseAllForms(t *testing.T) {
	for _, v := range vectors {
		pubLine := readTestdata(t, v.name+".pub")
		for _, file := range []string{v.name + ".pem", v.name + ".v2.ppk", v.name + ".v3.ppk"} {
			k, err := ParsePrivateKey(readTestdata(t, file))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if k.Type() != v.typ || k.Bits() != v.bits {
				t.Errorf("%s: got %s %d, want %s %d", file, k.Type(), k.Bits(), v.typ, v.bits)
			}
			// PKCS#1 has no comment; the others carry the vector's comment.
			wantComment := v.comment
			if file == "rsa2048.pem" {
				wantComment = ""
			}
			if k.Comment != wantComment {
				t.Errorf("%s: comment %q, want %q", file, k.Comment, wantComment)
			}
			got := AuthorizedKey(k.SSHPublicKey(), v.comment)
			if got != string(pubLine) {
				t.Errorf("%s: public line\n got %q\nwant %q", file, got, pubLine)
			}
		}
		pub, comment, err := ParsePublicKey(pubLine)
		if err != nil {
			t.Fatalf("%s.pub: %v", v.name, err)
		}
		if comment != v.comment || AuthorizedKey(pub, comment) != string(pubLine) {
			t.Errorf("%s.pub: round trip gave %q", v.name, AuthorizedKey(pub, comment))
		}
	}
}

func TestVectorsPPKByteForByte(t *testing.T) {
	for _, v := range vectors {
		k, err := ParsePrivateKey(readTestdata(t, v.name+".pem"))
		if err != nil {
			t.Fatal(err)
		}
		k.Comment = v.comment
		for _, version := range []int{2, 3} {
			want := readTestdata(t, v.name+".v"+string(rune('0'+version))+".ppk")
			got, err := EncodePPK(k, version)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s v%d: PPK differs from puttygen's\n got:\n%s\nwant:\n%s", v.name, version, got, want)
			}
		}
	}
}

func TestVectorsPEMRoundTrip(t *testing.T) {
	// The RSA vector is PKCS#1 with p > q as OpenSSL wrote it: ours must be identical.
	want := readTestdata(t, "rsa2048.pem")
	k, err := ParsePrivateKey(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("PKCS#1 re-encoding differs from the OpenSSL original")
	}
}

func TestVectorsFingerprints(t *testing.T) {
	art := randomartFromVectors(t)
	for _, v := range vectors {
		k, err := ParsePrivateKey(readTestdata(t, v.name+".pem"))
		if err != nil {
			t.Fatal(err)
		}
		fp, err := FingerprintsOf(nil, k)
		if err != nil {
			t.Fatal(err)
		}
		want := Fingerprints{
			Type: v.typ, Bits: v.bits, AWSCreated: v.awsCreate, AWSImported: v.awsImport,
			SHA256: v.sha256, MD5: v.md5, Randomart: art[v.name],
		}
		if fp != want {
			t.Errorf("%s:\n got %+v\nwant %+v", v.name, fp, want)
		}
		// From the public key alone, AWSCreated must stay empty.
		fpPub, err := FingerprintsOf(k.SSHPublicKey(), nil)
		if err != nil {
			t.Fatal(err)
		}
		want.AWSCreated = ""
		if fpPub != want {
			t.Errorf("%s from public key:\n got %+v\nwant %+v", v.name, fpPub, want)
		}
		// AWSFingerprint picks the one EC2 shows.
		for _, created := range []bool{true, false} {
			got, err := AWSFingerprint(k.SSHPublicKey(), k, created)
			if err != nil {
				t.Fatal(err)
			}
			wantAWS := v.awsImport
			if created && v.typ == RSA {
				wantAWS = v.awsCreate
			}
			if got != wantAWS {
				t.Errorf("%s AWSFingerprint(created=%v) = %s, want %s", v.name, created, got, wantAWS)
			}
		}
	}
}
