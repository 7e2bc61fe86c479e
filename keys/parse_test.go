package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestParsePPKToleratesCRLFAndChecksMAC(t *testing.T) {
	for _, name := range []string{"rsa2048.v2.ppk", "rsa2048.v3.ppk", "ed25519.v2.ppk", "ed25519.v3.ppk"} {
		orig := readTestdata(t, name)
		want, err := ParsePrivateKey(orig)
		if err != nil {
			t.Fatal(err)
		}
		crlf := bytes.ReplaceAll(orig, []byte("\n"), []byte("\r\n"))
		got, err := ParsePrivateKey(crlf)
		if err != nil || !sameKey(got, want) || got.Comment != want.Comment {
			t.Errorf("%s with CRLF: %v", name, err)
		}
		noFinalNewline := bytes.TrimSuffix(orig, []byte("\n"))
		if _, err := ParsePrivateKey(noFinalNewline); err != nil {
			t.Errorf("%s without final newline: %v", name, err)
		}
		edited := bytes.Replace(orig, []byte("Comment: "), []byte("Comment: x"), 1)
		if _, err := ParsePrivateKey(edited); err == nil || !strings.Contains(err.Error(), "MAC") {
			t.Errorf("%s with an edited comment: got %v, want a MAC error", name, err)
		}
		i := bytes.Index(orig, []byte("Private-Lines: "))
		j := i + bytes.IndexByte(orig[i:], '\n') + 5
		tampered := bytes.Clone(orig)
		tampered[j] ^= 'A' ^ 'B'
		if tampered[j] == orig[j] {
			tampered[j] = 'C'
		}
		_, err = ParsePrivateKey(tampered)
		if err == nil {
			t.Errorf("%s with a changed private byte parsed", name)
		} else {
			assertNoKeyMaterial(t, err.Error(), orig)
		}
		enc := bytes.Replace(orig, []byte("Encryption: none"), []byte("Encryption: aes256-cbc"), 1)
		if _, err := ParsePrivateKey(enc); !errors.Is(err, ErrEncrypted) {
			t.Errorf("%s encrypted: got %v, want ErrEncrypted", name, err)
		}
	}
}

func TestParsePPKErrorsNameTheLine(t *testing.T) {
	orig := string(readTestdata(t, "ed25519.v3.ppk"))
	tests := []struct{ name, data, want string }{
		{"bad line count", strings.Replace(orig, "Public-Lines: 2", "Public-Lines: x", 1), "keys: parse ppk line 4:"},
		{"missing comment", strings.Replace(orig, "Comment: ed25519-vector\n", "", 1), "keys: parse ppk line 3:"},
		{"truncated", orig[:strings.Index(orig, "Private-Lines")], "keys: parse ppk line 7:"},
		{"version 1", strings.Replace(orig, "File-3", "File-1", 1), "version 1"},
		{"bad base64", strings.Replace(orig, "OaxP", "Oa*P", 1), "keys: parse ppk line 6:"},
		{"junk after MAC", orig + "junk\n", "keys: parse ppk line 10:"},
	}
	for _, tt := range tests {
		_, err := ParsePrivateKey([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestParsePrivateKeyForms(t *testing.T) {
	rsaKey, err := ParsePrivateKey(readTestdata(t, "rsa2048.pem"))
	if err != nil {
		t.Fatal(err)
	}
	edKey, err := ParsePrivateKey(readTestdata(t, "ed25519.pem"))
	if err != nil {
		t.Fatal(err)
	}
	rk := rsaKey.Key.(*rsa.PrivateKey)
	if rk.Primes[0].Cmp(rk.Primes[1]) <= 0 {
		t.Fatal("the vector should have p > q")
	}
	// The same RSA key with p < q must come back normalised to p > q.
	swapped := &rsa.PrivateKey{PublicKey: rk.PublicKey, D: rk.D, Primes: []*big.Int{rk.Primes[1], rk.Primes[0]}}
	swapped.Precompute()
	pkcs8RSA, _ := x509.MarshalPKCS8PrivateKey(rk)
	pkcs8Swapped, _ := x509.MarshalPKCS8PrivateKey(swapped)
	pkcs8ED, _ := x509.MarshalPKCS8PrivateKey(edKey.Key)
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	tests := []struct {
		name string
		data []byte
		want *PrivateKey
	}{
		{"PKCS#1", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), rsaKey},
		{"PKCS#1 p<q", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(swapped)), rsaKey},
		{"PKCS#8 RSA", pemOf("PRIVATE KEY", pkcs8RSA), rsaKey},
		{"PKCS#8 RSA p<q", pemOf("PRIVATE KEY", pkcs8Swapped), rsaKey},
		{"PKCS#8 ED25519", pemOf("PRIVATE KEY", pkcs8ED), edKey},
		{"OpenSSH CRLF", bytes.ReplaceAll(readTestdata(t, "ed25519.pem"), []byte("\n"), []byte("\r\n")), edKey},
		{"OpenSSH with BOM and text around", append(append([]byte("\ufeffkey follows\n"), readTestdata(t, "ed25519.pem")...), "trailing words\n"...), edKey},
		{"PKCS#1 no final newline", bytes.TrimSuffix(readTestdata(t, "rsa2048.pem"), []byte("\n")), rsaKey},
	}
	for _, tt := range tests {
		got, err := ParsePrivateKey(tt.data)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !sameKey(got, tt.want) {
			t.Errorf("%s: a different key (or primes not ordered p > q)", tt.name)
		}
	}
	if !bytes.Equal(mustPEM(t, swappedKey(swapped)), readTestdata(t, "rsa2048.pem")) {
		t.Error("EncodePEM of a p<q key must write the p>q encoding")
	}
	if swapped.Primes[0].Cmp(rk.Primes[1]) != 0 {
		t.Error("EncodePEM must not change the caller's key")
	}
}

func swappedKey(k *rsa.PrivateKey) *PrivateKey { return &PrivateKey{Key: k} }

func mustPEM(t *testing.T, k *PrivateKey) []byte {
	t.Helper()
	b, err := EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePrivateKeyRefusals(t *testing.T) {
	pub := readTestdata(t, "rsa2048.pub")
	tests := []struct {
		name, data, want string
		is               error
	}{
		{"empty", "", "empty", nil},
		{"spaces", " \n\t", "empty", nil},
		{"public line", string(pub), "public key, not a private key", nil},
		{"PEM public key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "public key", nil},
		{"garbage", "hello world", "no private key found", nil},
		{"unknown block", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "unsupported PEM block", nil},
		{"proc-type encrypted", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", "", ErrEncrypted},
		{"encrypted pkcs8", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "", ErrEncrypted},
		{"EC block", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "ECDSA", ErrKeyType},
		{"DSA block", "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n", "DSA", ErrKeyType},
		{"bad PKCS#1", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "keys: parse PKCS#1", nil},
	}
	for _, tt := range tests {
		_, err := ParsePrivateKey([]byte(tt.data))
		if err == nil {
			t.Errorf("%s: parsed", tt.name)
			continue
		}
		if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %q, want it to mention %q", tt.name, err, tt.want)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: got %v, want it to wrap %v", tt.name, err, tt.is)
		}
		if !strings.HasPrefix(err.Error(), "keys: ") {
			t.Errorf("%s: error %q should start with \"keys: \"", tt.name, err)
		}
	}
}

// skLine builds an authorized_keys line of a FIDO key (no device needed).
func skLine() string {
	var b []byte
	b = appendString(b, []byte("sk-ssh-ed25519@openssh.com"))
	b = appendString(b, make([]byte, 32))
	b = appendString(b, []byte("ssh:"))
	return "sk-ssh-ed25519@openssh.com " + base64.StdEncoding.EncodeToString(b) + " fido\n"
}

func TestParsePublicKeyForms(t *testing.T) {
	rsaLine := string(readTestdata(t, "rsa2048.pub"))
	edLine := string(readTestdata(t, "ed25519.pub"))
	rsaPub, _, _ := ParsePublicKey([]byte(rsaLine))
	edPub, _, _ := ParsePublicKey([]byte(edLine))
	rsaBlob := base64.StdEncoding.EncodeToString(rsaPub.Marshal())
	spki, _ := x509.MarshalPKIXPublicKey(rsaPub.(ssh.CryptoPublicKey).CryptoPublicKey())
	pkcs1 := x509.MarshalPKCS1PublicKey(rsaPub.(ssh.CryptoPublicKey).CryptoPublicKey().(*rsa.PublicKey))
	edSPKI, _ := x509.MarshalPKIXPublicKey(edPub.(ssh.CryptoPublicKey).CryptoPublicKey().(ed25519.PublicKey))
	wrap := func(s string, n int) string {
		var lines []string
		for len(s) > n {
			lines, s = append(lines, s[:n]), s[n:]
		}
		return strings.Join(append(lines, s), "\n")
	}
	rfc := "---- BEGIN SSH2 PUBLIC KEY ----\n" +
		"Subject: admin\n" +
		"Comment: \"a long comment that \\\n" +
		"continues here\"\n" +
		"x-private: value\n" +
		wrap(rsaBlob, 70) + "\n---- END SSH2 PUBLIC KEY ----\n"
	tests := []struct {
		name, data, comment string
		want                ssh.PublicKey
	}{
		{"OpenSSH RSA", rsaLine, "rsa-vector", rsaPub},
		{"OpenSSH ED25519 CRLF", strings.ReplaceAll(edLine, "\n", "\r\n"), "ed25519-vector", edPub},
		{"OpenSSH no comment, trailing space", strings.Join(strings.Fields(edLine)[:2], " ") + " \n", "", edPub},
		{"options before the key", `from="10.0.0.1",no-pty ` + edLine, "ed25519-vector", edPub},
		{"comment lines first", "# my key\n\n" + edLine, "ed25519-vector", edPub},
		{"RFC 4716 with continuation", rfc, "a long comment that continues here", rsaPub},
		{"RFC 4716 no headers", "---- BEGIN SSH2 PUBLIC KEY ----\n" + wrap(rsaBlob, 70) + "\n---- END SSH2 PUBLIC KEY ----", "", rsaPub},
		{"PEM SPKI", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})), "", rsaPub},
		{"PEM PKCS#1", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})), "", rsaPub},
		{"bare base64 SPKI", base64.StdEncoding.EncodeToString(spki), "", rsaPub},
		{"bare base64 SPKI wrapped", wrap(base64.StdEncoding.EncodeToString(spki), 64), "", rsaPub},
		{"bare base64 PKCS#1", base64.StdEncoding.EncodeToString(pkcs1) + "\n", "", rsaPub},
	}
	for _, tt := range tests {
		got, comment, err := ParsePublicKey([]byte(tt.data))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !bytes.Equal(got.Marshal(), tt.want.Marshal()) || comment != tt.comment {
			t.Errorf("%s: got comment %q (want %q) or a different key", tt.name, comment, tt.comment)
		}
	}

	refusals := []struct{ name, data, want string }{
		{"DSA line", "ssh-dss AAAAB3NzaC1kc3MAAACBAP x\n", "DSA"},
		{"ECDSA line", "ecdsa-sha2-nistp256 AAAAE2VjZHNh x\n", "ECDSA"},
		{"sk line", skLine(), "security-key"},
		{"certificate", "ssh-ed25519-cert-v01@openssh.com AAAA x\n", "certificates"},
		{"ED25519 as DER", base64.StdEncoding.EncodeToString(edSPKI), "RSA only"},
	}
	for _, tt := range refusals {
		_, _, err := ParsePublicKey([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a refusal mentioning %q", tt.name, err, tt.want)
		}
	}
	for _, bad := range []string{"", "hello", rsaLine + edLine, "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"} {
		if _, _, err := ParsePublicKey([]byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "keys: ") {
			t.Errorf("ParsePublicKey(%.30q) = %v, want a keys: error", bad, err)
		}
	}
}

func TestParseKeyFile(t *testing.T) {
	for _, name := range []string{"rsa2048.pem", "ed25519.pem", "rsa2048.v2.ppk", "ed25519.v3.ppk"} {
		kf, err := ParseKeyFile(readTestdata(t, name))
		if err != nil || kf.Private == nil || kf.Public == nil || kf.Comment != kf.Private.Comment {
			t.Errorf("%s: %+v, %v", name, kf, err)
		}
	}
	kf, err := ParseKeyFile(readTestdata(t, "ed25519.pub"))
	if err != nil || kf.Private != nil || kf.Public == nil || kf.Comment != "ed25519-vector" {
		t.Errorf("ed25519.pub: %+v, %v", kf, err)
	}
	// A damaged private key reports the private-key problem, not "not a public key".
	damaged := bytes.Replace(readTestdata(t, "ed25519.v3.ppk"), []byte("Comment: "), []byte("Comment: x"), 1)
	if _, err := ParseKeyFile(damaged); err == nil || !strings.Contains(err.Error(), "MAC") {
		t.Errorf("damaged PPK: %v", err)
	}
	if _, err := ParseKeyFile([]byte("hello")); err == nil {
		t.Error("garbage parsed")
	}
}
