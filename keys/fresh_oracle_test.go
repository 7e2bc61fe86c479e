package keys

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFreshKeysAgainstOracles generates keys and has ssh-keygen, puttygen
// and openssl judge every encoding and fingerprint of each.
func TestFreshKeysAgainstOracles(t *testing.T) {
	needOracles(t)
	cases := []struct {
		typ   Type
		bits  int
		count int
	}{
		{RSA, 2048, 8},
		{RSA, 4096, 2},
		{ED25519, 0, 16},
	}
	if testing.Short() {
		cases = []struct {
			typ   Type
			bits  int
			count int
		}{{RSA, 2048, 2}, {ED25519, 0, 2}}
	}
	for _, c := range cases {
		for i := range c.count {
			t.Run(fmt.Sprintf("%s%d-%d", c.typ, c.bits, i), func(t *testing.T) {
				t.Parallel()
				k, err := Generate(c.typ, c.bits, nil)
				if err != nil {
					t.Fatal(err)
				}
				k.Comment = fmt.Sprintf("fresh %s key #%d (test)", c.typ, i)
				checkKeyWithOracles(t, k)
			})
		}
	}
}

func checkKeyWithOracles(t *testing.T, k *PrivateKey) {
	dir := t.TempDir()
	pub := k.SSHPublicKey()
	pubLine := AuthorizedKey(pub, k.Comment)
	if err := os.WriteFile(filepath.Join(dir, "key.pub"), []byte(pubLine), 0o644); err != nil {
		t.Fatal(err)
	}

	// PEM / OpenSSH: ssh-keygen loads it and derives our public key.
	pem, err := EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(pem, []byte("\n")) || bytes.Contains(pem, []byte("\r")) {
		t.Fatal("PEM must use LF line ends and end with a newline")
	}
	wantHead := map[Type]string{RSA: "-----BEGIN RSA PRIVATE KEY-----\n", ED25519: "-----BEGIN OPENSSH PRIVATE KEY-----\n"}[k.Type()]
	if !bytes.HasPrefix(pem, []byte(wantHead)) {
		t.Fatalf("PEM starts with %q, want %q", bytes.SplitN(pem, []byte("\n"), 2)[0], wantHead)
	}
	writePrivate(t, dir, "key.pem", pem)
	derived := sh(t, dir, "ssh-keygen -y -f key.pem")
	if f := strings.Fields(derived); len(f) < 2 || f[0]+" "+f[1] != strings.Join(strings.Fields(pubLine)[:2], " ") {
		t.Fatalf("ssh-keygen -y derived a different public key:\n got %s\nwant %s", derived, pubLine)
	}
	back, err := ParsePrivateKey(pem)
	if err != nil || !sameKey(back, k) {
		t.Fatalf("parse(EncodePEM(k)) != k (err %v)", err)
	}

	// PPK: puttygen loads the private part (MAC checked), and writes the
	// same bytes for the same key and comment.
	for _, v := range []int{2, 3} {
		ppk, err := EncodePPK(k, v)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("ours%d.ppk", v)
		writePrivate(t, dir, name, ppk)
		sh(t, dir, "puttygen "+name+" -O private-openssh -o /dev/null")
		param := ""
		if v == 2 {
			param = "--ppk-param version=2"
		}
		sh(t, dir, fmt.Sprintf("puttygen key.pem -C %q -O private -o ref%d.ppk %s", k.Comment, v, param))
		ref, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("ref%d.ppk", v)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ppk, ref) {
			t.Fatalf("PPK v%d differs from puttygen's:\n ours:\n%s\nputtygen:\n%s", v, ppk, ref)
		}
		back, err := ParsePrivateKey(ppk)
		if err != nil || !sameKey(back, k) || back.Comment != k.Comment {
			t.Fatalf("parse(EncodePPK(k, %d)) != k (err %v)", v, err)
		}
	}

	// Fingerprints against the openssl / ssh-keygen recipes.
	fp, err := FingerprintsOf(pub, k)
	if err != nil {
		t.Fatal(err)
	}
	checkFingerprintsWithOracles(t, dir, "key.pem", "key.pub", fp)
}

// checkFingerprintsWithOracles compares fp with the oracle recipes.
// pemFile is a PKCS#1/PKCS#8 file for RSA ("" when there is none, then
// AWSCreated is not checked); pubFile an authorized_keys line.
func checkFingerprintsWithOracles(t *testing.T, dir, pemFile, pubFile string, fp Fingerprints) {
	t.Helper()
	want := map[string]string{
		"SHA256": sh(t, dir, "ssh-keygen -l -E sha256 -f "+pubFile+" | awk '{print $2}'"),
		"MD5":    sh(t, dir, "ssh-keygen -l -E md5 -f "+pubFile+" | awk '{print $2}'"),
	}
	got := map[string]string{"SHA256": fp.SHA256, "MD5": fp.MD5}
	switch fp.Type {
	case RSA:
		want["AWSImported"] = sh(t, dir, fmt.Sprintf(recipeAWSImportedP, pubFile))
		got["AWSImported"] = fp.AWSImported
		if pemFile != "" {
			want["AWSImported(pem)"] = sh(t, dir, fmt.Sprintf(recipeAWSImported, pemFile))
			got["AWSImported(pem)"] = fp.AWSImported
			want["AWSCreated"] = sh(t, dir, fmt.Sprintf(recipeAWSCreated, pemFile))
			got["AWSCreated"] = fp.AWSCreated
		}
	case ED25519:
		want["AWSImported"] = sh(t, dir, fmt.Sprintf(recipeED25519, pubFile))
		got["AWSImported"] = fp.AWSImported
		if fp.AWSCreated != "" {
			t.Errorf("ED25519 has no AWSCreated fingerprint, got %q", fp.AWSCreated)
		}
	default:
		t.Fatalf("unexpected type %q", fp.Type)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s fingerprint: got %q, oracle says %q", k, got[k], w)
		}
	}
	lv := sh(t, dir, "ssh-keygen -lv -E sha256 -f "+pubFile)
	lines := strings.Split(lv, "\n")
	if len(lines) != 12 {
		t.Fatalf("ssh-keygen -lv printed %d lines, want 12:\n%s", len(lines), lv)
	}
	if art := strings.Join(lines[1:], "\n"); fp.Randomart != art {
		t.Errorf("randomart differs from ssh-keygen -lv:\n got:\n%s\nwant:\n%s", fp.Randomart, art)
	}
	if bits := strings.Fields(lines[0])[0]; bits != fmt.Sprint(fp.Bits) {
		t.Errorf("bits: got %d, ssh-keygen says %s", fp.Bits, bits)
	}
}
