package localkeys

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/internal/oracle"
	"github.com/keypair-dev/keypair/keys"
)

// Passphrase-protected files as ssh-keygen and puttygen write them: Find
// reads their public half without the passphrase, and their EC2
// fingerprints are what the oracles' recipes (oracles.md §3) compute; a
// pair with that fingerprint and no public key matches the file.
func TestFindEncryptedOracles(t *testing.T) {
	for _, tool := range []string{"ssh-keygen", "puttygen", "openssl"} {
		oracle.Need(t, tool)
	}
	const (
		imported = `ssh-keygen -ef k.pub -m PEM | openssl rsa -RSAPublicKey_in -outform DER 2>/dev/null | openssl md5 -c | sed 's/^.*= //'`
		ed25519  = `ssh-keygen -l -f k.pub | awk '{print $2}' | sed 's/^SHA256://; s/$/=/'`
	)
	tests := []struct {
		name, make, pub, fingerprint string
	}{
		{"ssh-keygen ed25519", "ssh-keygen -q -t ed25519 -N pw -C c -f k", "", ed25519},
		{"ssh-keygen rsa", "ssh-keygen -q -t rsa -b 2048 -N pw -C c -f k", "", imported},
		{"ssh-keygen ed25519 aes256-gcm", "ssh-keygen -q -t ed25519 -Z aes256-gcm@openssh.com -N pw -C c -f k", "", ed25519},
		{"puttygen ed25519 v3", "puttygen -q -t ed25519 -C c -o k --new-passphrase pass", "puttygen k --old-passphrase pass -O public-openssh -o k.pub", ed25519},
		{"puttygen ed25519 v2", "puttygen -q -t ed25519 -C c -o k --new-passphrase pass --ppk-param version=2", "puttygen k --old-passphrase pass -O public-openssh -o k.pub", ed25519},
		{"puttygen rsa v3", "puttygen -q -t rsa -b 2048 -C c -o k --new-passphrase pass", "puttygen k --old-passphrase pass -O public-openssh -o k.pub", imported},
		{"puttygen rsa v2", "puttygen -q -t rsa -b 2048 -C c -o k --new-passphrase pass --ppk-param version=2", "puttygen k --old-passphrase pass -O public-openssh -o k.pub", imported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			write(t, filepath.Join(work, "pass"), []byte("pw\n"))
			shell(t, work, tc.make)
			if tc.pub != "" {
				shell(t, work, tc.pub)
			}
			wantFP := shell(t, work, tc.fingerprint)
			pubData, err := os.ReadFile(filepath.Join(work, "k.pub"))
			if err != nil {
				t.Fatal(err)
			}
			wantPub, _, err := keys.ParsePublicKey(pubData)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := os.ReadFile(filepath.Join(work, "k"))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir() // the encrypted file alone: no .pub to lean on
			write(t, filepath.Join(dir, "id_key"), priv)
			f := find(t, Options{Dirs: []string{dir}})
			if len(f.Keys) != 1 || f.Skipped != 0 {
				t.Fatalf("found %q, skipped %v", paths(f.Keys), f.Skips)
			}
			k := f.Keys[0]
			if !k.Encrypted || !samePub(k.PublicKey, wantPub) {
				t.Fatalf("encrypted %v, key matches %s's .pub: %v", k.Encrypted, tc.name, samePub(k.PublicKey, wantPub))
			}
			if len(k.EC2Fingerprints) != 1 || k.EC2Fingerprints[0] != wantFP {
				t.Fatalf("EC2Fingerprints %q, oracle %q", k.EC2Fingerprints, wantFP)
			}
			if m := NewIndex(f.Keys).Match(awsapi.KeyPairInfo{KeyFingerprint: wantFP}); len(m) != 1 {
				t.Fatalf("no match by the oracle's fingerprint %s", wantFP)
			}
		})
	}
}

// The fingerprint EC2 shows for an RSA pair it created (SHA-1 of PKCS#8,
// OpenSSL's recipe) is found for an RSA private key in the clear, and a
// pair with only that fingerprint matches it.
func TestMatchCreatedRSAOracle(t *testing.T) {
	oracle.Need(t, "openssl")
	testKeys(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "web.pem"), mustPEM(t, rsaKey))
	write(t, filepath.Join(dir, "web.ppk"), mustPPK(t, rsaKey, 3))
	created := shell(t, dir, `openssl pkcs8 -in web.pem -inform PEM -outform DER -topk8 -nocrypt | openssl sha1 -c | sed 's/^.*= //'`)
	importedFP := shell(t, dir, `openssl rsa -in web.pem -pubout -outform DER 2>/dev/null | openssl md5 -c | sed 's/^.*= //'`)
	f := find(t, Options{Dirs: []string{dir}})
	ix := NewIndex(f.Keys)
	for _, fp := range []string{created, importedFP} {
		m := ix.Match(awsapi.KeyPairInfo{KeyName: "web", KeyFingerprint: fp})
		if got := fmt.Sprint(paths(m)); got != fmt.Sprint([]string{filepath.Join(dir, "web.pem"), filepath.Join(dir, "web.ppk")}) {
			t.Errorf("fingerprint %s: matched %s", fp, got)
		}
	}
}

// OpenSSH's own agent, keys added with ssh-add: listed as the in-process
// agent's are.
func TestFindOpenSSHAgentOracle(t *testing.T) {
	agentBin := oracle.Need(t, "ssh-agent")
	oracle.Need(t, "ssh-add")
	oracle.Need(t, "ssh-keygen")
	work := t.TempDir()
	sock := filepath.Join(work, "agent.sock")
	cmd := exec.Command(agentBin, "-D", "-a", sock)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// ssh-agent -D prints its SSH_AUTH_SOCK line once it listens.
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatalf("ssh-agent did not start: %v", err)
	}
	shell(t, work, "ssh-keygen -q -t ed25519 -N '' -C 'agent ed' -f ed && ssh-keygen -q -t rsa -b 2048 -N '' -C 'agent rsa' -f rsa && ssh-keygen -q -t ecdsa -N '' -C 'agent ec' -f ec")
	shell(t, work, "SSH_AUTH_SOCK=agent.sock ssh-add -q ed rsa ec")
	f := find(t, Options{AgentSocket: sock})
	if f.AgentError != nil {
		t.Fatal(f.AgentError)
	}
	if got := paths(f.Keys); len(got) != 2 || !slices.Contains(got, "agent ed") || !slices.Contains(got, "agent rsa") {
		t.Fatalf("agent keys %q, want the ED25519 and RSA keys", got)
	}
	for _, k := range f.Keys {
		name := "ed"
		if k.Path == "agent rsa" {
			name = "rsa"
		}
		data, err := os.ReadFile(filepath.Join(work, name+".pub"))
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := keys.ParsePublicKey(data)
		if err != nil {
			t.Fatal(err)
		}
		if k.Source != SourceAgent || !samePub(k.PublicKey, want) {
			t.Errorf("%s: not the key of %s.pub", k.Path, name)
		}
	}
}
