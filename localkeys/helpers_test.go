package localkeys

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/keys"
)

// Keys made once per test binary (RSA generation is slow).
var (
	keysOnce           sync.Once
	rsaKey, rsaKey2    *keys.PrivateKey
	edKey, edKey2      *keys.PrivateKey
	ecdsaKey           *ecdsa.PrivateKey
	generateKeysFailed error
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		gen := func(typ keys.Type, comment string) *keys.PrivateKey {
			k, err := keys.Generate(typ, 0, nil)
			if err != nil {
				generateKeysFailed = err
				return nil
			}
			k.Comment = comment
			return k
		}
		rsaKey, rsaKey2 = gen(keys.RSA, "rsa one"), gen(keys.RSA, "rsa two")
		edKey, edKey2 = gen(keys.ED25519, "ed one"), gen(keys.ED25519, "ed two")
		var err error
		if ecdsaKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			generateKeysFailed = err
		}
	})
	if generateKeysFailed != nil {
		t.Fatal(generateKeysFailed)
	}
}

func write(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func symlink(t testing.TB, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

func mustPEM(t testing.TB, k *keys.PrivateKey) []byte {
	t.Helper()
	b, err := keys.EncodePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPPK(t testing.TB, k *keys.PrivateKey, v int) []byte {
	t.Helper()
	b, err := keys.EncodePPK(k, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPKCS8(t testing.TB, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// mustOpenSSH writes k in the OpenSSH format, encrypted when pass is set.
func mustOpenSSH(t testing.TB, k *keys.PrivateKey, pass string) []byte {
	t.Helper()
	var (
		b   *pem.Block
		err error
	)
	if pass == "" {
		b, err = ssh.MarshalPrivateKey(k.Key, k.Comment)
	} else {
		b, err = ssh.MarshalPrivateKeyWithPassphrase(k.Key, k.Comment, []byte(pass))
	}
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(b)
}

func pubLine(k *keys.PrivateKey) []byte {
	return []byte(keys.AuthorizedKey(k.SSHPublicKey(), k.Comment))
}

func sshPub(t testing.TB, k any) ssh.PublicKey {
	t.Helper()
	p, err := ssh.NewPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func find(t testing.TB, opts Options) *Found {
	t.Helper()
	f, err := Find(context.Background(), opts)
	if err != nil {
		t.Fatalf("Find: %v", err)
	}
	if f.Skipped != len(f.Skips) {
		t.Fatalf("Skipped %d but %d Skips", f.Skipped, len(f.Skips))
	}
	return f
}

func paths(ks []Key) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Path)
	}
	return out
}

func skipPaths(f *Found) []string {
	var out []string
	for _, s := range f.Skips {
		out = append(out, s.Path)
	}
	return out
}

func keyAt(t testing.TB, f *Found, path string) Key {
	t.Helper()
	for _, k := range f.Keys {
		if k.Path == path {
			return k
		}
	}
	t.Fatalf("no key at %s; found %q (skipped %v)", path, paths(f.Keys), f.Skips)
	return Key{}
}

func samePub(a, b ssh.PublicKey) bool { return bytes.Equal(a.Marshal(), b.Marshal()) }

func fpOf(t testing.TB, k *keys.PrivateKey, created bool) string {
	t.Helper()
	fp, err := keys.AWSFingerprint(nil, k, created)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// shell runs script with bash -euo pipefail in dir and returns its output.
func shell(t testing.TB, dir, script string) string {
	t.Helper()
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

func hasSkip(f *Found, path, reasonPart string) bool {
	return slices.ContainsFunc(f.Skips, func(s Skip) bool {
		return s.Path == path && strings.Contains(s.Reason, reasonPart)
	})
}
