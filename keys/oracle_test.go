package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/internal/oracle"
)

// needTool skips or fails the test when an oracle is missing (see oracle.Need).
func needTool(t testing.TB, name string) { oracle.Need(t, name) }

func needOracles(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ssh-keygen", "openssl", "puttygen"} {
		needTool(t, tool)
	}
}

// Hashes of empty input: what a silently failed pipeline prints (oracles.md §6 trap 1).
const (
	emptySHA1 = "da:39:a3:ee:5e:6b:4b:0d:32:55:bf:ef:95:60:18:90:af:d8:07:09"
	emptyMD5  = "d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e"
)

// sh runs script with bash in dir, with pipefail so that a failing stage
// fails the whole pipeline, and returns its stdout without surrounding space.
func sh(t testing.TB, dir, script string) string {
	t.Helper()
	out, err := shErr(dir, script)
	if err != nil {
		t.Fatalf("oracle script failed: %s\n%v", script, err)
	}
	if out == emptySHA1 || out == emptyMD5 {
		t.Fatalf("oracle script printed the hash of empty input (a stage failed silently): %s", script)
	}
	return out
}

type scriptError struct {
	err    error
	stderr string
}

func (e *scriptError) Error() string { return e.err.Error() + ": " + e.stderr }

func shErr(dir, script string) (string, error) {
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return strings.TrimSpace(stdout.String()), &scriptError{err, stderr.String()}
	}
	return strings.TrimSpace(stdout.String()), nil
}

// writePrivate writes a private key file with mode 0600 (ssh-keygen
// refuses keys that others can read) and returns its path.
func writePrivate(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Oracle recipes from oracles.md §3, run on files in the script's folder.
const (
	recipeAWSCreated   = `openssl pkcs8 -in %s -inform PEM -outform DER -topk8 -nocrypt | openssl sha1 -c | sed 's/^.*= //'`
	recipeAWSImported  = `openssl rsa -in %s -pubout -outform DER 2>/dev/null | openssl md5 -c | sed 's/^.*= //'`
	recipeAWSImportedP = `ssh-keygen -ef %s -m PEM | openssl rsa -RSAPublicKey_in -outform DER 2>/dev/null | openssl md5 -c | sed 's/^.*= //'`
	recipeED25519      = `ssh-keygen -l -f %s | awk '{print $2}' | sed 's/^SHA256://; s/$/=/'`
)

// sameKey reports whether two private keys are the same key, RSA in the same prime order.
func sameKey(a, b *PrivateKey) bool {
	switch ka := a.Key.(type) {
	case *rsa.PrivateKey:
		kb, ok := b.Key.(*rsa.PrivateKey)
		return ok && ka.N.Cmp(kb.N) == 0 && ka.E == kb.E && ka.D.Cmp(kb.D) == 0 &&
			len(ka.Primes) == 2 && len(kb.Primes) == 2 &&
			ka.Primes[0].Cmp(kb.Primes[0]) == 0 && ka.Primes[1].Cmp(kb.Primes[1]) == 0
	case ed25519.PrivateKey:
		kb, ok := b.Key.(ed25519.PrivateKey)
		return ok && bytes.Equal(ka, kb)
	}
	return false
}
