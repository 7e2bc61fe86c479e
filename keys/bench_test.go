package keys

import (
	"testing"
)

func benchKey(b *testing.B, t Type) *PrivateKey {
	b.Helper()
	name := map[Type]string{RSA: "rsa2048.pem", ED25519: "ed25519.pem"}[t]
	k, err := ParsePrivateKey(readTestdata(b, name))
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func BenchmarkGenerateRSA2048(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(RSA, 2048, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateED25519(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(ED25519, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, t Type, f Format) {
	k := benchKey(b, t)
	for b.Loop() {
		if _, err := Encode(k, f, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodePEMRSA(b *testing.B)     { benchEncode(b, RSA, PEM) }
func BenchmarkEncodePEMED25519(b *testing.B) { benchEncode(b, ED25519, PEM) }
func BenchmarkEncodePPKRSA(b *testing.B)     { benchEncode(b, RSA, PPK) }
func BenchmarkEncodePPKED25519(b *testing.B) { benchEncode(b, ED25519, PPK) }

func benchFingerprints(b *testing.B, t Type) {
	k := benchKey(b, t)
	pub := k.SSHPublicKey()
	for b.Loop() {
		if _, err := FingerprintsOf(pub, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerprintsRSA(b *testing.B)     { benchFingerprints(b, RSA) }
func BenchmarkFingerprintsED25519(b *testing.B) { benchFingerprints(b, ED25519) }

func benchParse(b *testing.B, name string) {
	data := readTestdata(b, name)
	for b.Loop() {
		if _, err := ParsePrivateKey(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePrivateKeyPKCS1(b *testing.B)      { benchParse(b, "rsa2048.pem") }
func BenchmarkParsePrivateKeyOpenSSH(b *testing.B)    { benchParse(b, "ed25519.pem") }
func BenchmarkParsePrivateKeyPPKRSA(b *testing.B)     { benchParse(b, "rsa2048.v3.ppk") }
func BenchmarkParsePrivateKeyPPKED25519(b *testing.B) { benchParse(b, "ed25519.v3.ppk") }

func BenchmarkParsePublicKey(b *testing.B) {
	data := readTestdata(b, "rsa2048.pub")
	for b.Loop() {
		if _, _, err := ParsePublicKey(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRandomart(b *testing.B) {
	pub := benchKey(b, ED25519).SSHPublicKey()
	for b.Loop() {
		Randomart(pub)
	}
}
