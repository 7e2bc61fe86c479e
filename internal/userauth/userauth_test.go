package userauth

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func newKey(t testing.TB) ssh.PublicKey {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func line(k ssh.PublicKey) string { return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) }

func TestParse(t *testing.T) {
	a, b := newKey(t), newKey(t)
	data := "password\npublickey " + line(a) + "\nkeyboard-interactive\npublickey " + line(b) + "\n"
	got, err := Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0].Marshal()) != string(a.Marshal()) || string(got[1].Marshal()) != string(b.Marshal()) {
		t.Fatalf("got %d keys", len(got))
	}
	if _, err := Parse([]byte("publickey ssh-ed25519 AAAAnotbase64!\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a bad line: %v", err)
	}
	if _, err := Parse([]byte("publickey " + line(a) + "\npublickey garbage\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a bad second line: %v", err)
	}
}

func TestParseCertificateGivesInnerKey(t *testing.T) {
	caPub, caPriv, _ := ed25519.GenerateKey(rand.Reader)
	_ = caPub
	signer, err := ssh.NewSignerFromKey(caPriv)
	if err != nil {
		t.Fatal(err)
	}
	inner := newKey(t)
	cert := &ssh.Certificate{Key: inner, CertType: ssh.UserCert, ValidPrincipals: []string{"u"}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, signer); err != nil {
		t.Fatal(err)
	}
	got, err := Parse([]byte("publickey " + line(cert) + "\n"))
	if err != nil || len(got) != 1 || string(got[0].Marshal()) != string(inner.Marshal()) {
		t.Fatalf("want the inner key: %v %v", got, err)
	}
}

func TestLoginKey(t *testing.T) {
	dir := t.TempDir()
	a, b := newKey(t), newKey(t)
	p := filepath.Join(dir, "auth")
	if err := os.WriteFile(p, []byte("publickey "+line(a)+"\npublickey "+line(b)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SSH_USER_AUTH": p}
	k, err := LoginKey(func(s string) string { return env[s] })
	if err != nil || k == nil || string(k.Marshal()) != string(b.Marshal()) {
		t.Fatalf("want the last key: %v %v", k, err)
	}
	k, err = LoginKey(func(string) string { return "" })
	if k != nil || err != nil {
		t.Fatal("unset: no key, no error")
	}
	env["SSH_USER_AUTH"] = dir
	if _, err := LoginKey(func(s string) string { return env[s] }); err == nil {
		t.Fatal("a folder must be refused")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("publickey " + line(newKey(f)) + "\npassword\n"))
	f.Add([]byte("publickey ssh-rsa AAAA\n"))
	f.Add([]byte("publickey \x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := Parse(data)
		if err != nil && keys != nil {
			t.Fatal("keys with an error")
		}
		for _, k := range keys {
			if _, ok := k.(*ssh.Certificate); ok {
				t.Fatal("a certificate must give its inner key")
			}
		}
	})
}
