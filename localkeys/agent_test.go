package localkeys

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/keypair-dev/keypair/internal/agenttest"
)

func TestFindAgent(t *testing.T) {
	testKeys(t)
	ring := agent.NewKeyring()
	for _, k := range []agent.AddedKey{
		{PrivateKey: edKey.Key, Comment: "ed@laptop"},
		{PrivateKey: rsaKey.Key, Comment: "rsa \x1b[31mred\x1b[0m"},
		{PrivateKey: ecdsaKey, Comment: "ecdsa: not an EC2 key"},
	} {
		if err := ring.Add(k); err != nil {
			t.Fatal(err)
		}
	}
	// A certificate too: left out (its plain key is what EC2 knows).
	cert := &ssh.Certificate{Key: edKey2.SSHPublicKey(), CertType: ssh.UserCert, ValidPrincipals: []string{"u"}, ValidBefore: ssh.CertTimeInfinity}
	signer, err := ssh.NewSignerFromKey(rsaKey2.Key)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.SignCert(rand.Reader, signer); err != nil {
		t.Fatal(err)
	}
	if err := ring.Add(agent.AddedKey{PrivateKey: edKey2.Key, Certificate: cert, Comment: "cert"}); err != nil {
		t.Fatal(err)
	}
	sock := agenttest.Serve(t, ring)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "id_ed25519"), mustPEM(t, edKey))

	f := find(t, Options{Dirs: []string{dir}, AgentSocket: sock})
	if f.AgentError != nil {
		t.Fatal(f.AgentError)
	}
	var agentKeys []Key
	for _, k := range f.Keys {
		if k.Source == SourceAgent {
			agentKeys = append(agentKeys, k)
		}
	}
	if f.Keys[0].Source != SourceFile || f.Keys[0].Path != filepath.Join(dir, "id_ed25519") {
		t.Errorf("files come first: %q", paths(f.Keys))
	}
	got := paths(agentKeys)
	if !slices.Contains(got, "ed@laptop") || len(got) != 2 {
		t.Fatalf("agent keys %q, want the ED25519 and the RSA key only", got)
	}
	for _, k := range agentKeys {
		if strings.ContainsRune(k.Path, 0x1b) {
			t.Errorf("comment not cleaned: %q", k.Path)
		}
		want := edKey.SSHPublicKey()
		if k.PublicKey.Type() == ssh.KeyAlgoRSA {
			want = rsaKey.SSHPublicKey()
		}
		if !samePub(k.PublicKey, want) || len(k.EC2Fingerprints) != 1 || k.Encrypted {
			t.Errorf("%s: %v %q", k.Path, ssh.FingerprintSHA256(k.PublicKey), k.EC2Fingerprints)
		}
	}

	// The agent's keys match pairs as the file's do: the ED25519 pair
	// matches the file and the agent, file first.
	ix := NewIndex(f.Keys)
	m := ix.Match(pairOf(edKey.SSHPublicKey(), "web"))
	if len(m) != 2 || m[0].Source != SourceFile || m[1].Source != SourceAgent {
		t.Errorf("match %q", paths(m))
	}
}

func TestFindAgentUnreachable(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "k.pub"), pubLine(edKey))
	notSocket := write(t, filepath.Join(dir, "plain"), []byte("x"))
	for name, sock := range map[string]string{
		"missing":    filepath.Join(dir, "no-such.sock"),
		"not socket": notSocket,
	} {
		f := find(t, Options{Dirs: []string{dir}, AgentSocket: sock})
		if f.AgentError == nil || !strings.Contains(f.AgentError.Error(), "could not reach the ssh-agent") || len(f.Keys) != 1 {
			t.Errorf("%s: agent error %v, keys %q", name, f.AgentError, paths(f.Keys))
		}
	}
	// An agent that accepts and never answers: the bound ends the wait
	// (the answer can never come, so the outcome does not depend on the
	// machine's speed), and the files are still found.
	sock := filepath.Join(t.TempDir(), "silent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	conns := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	f := find(t, Options{Dirs: []string{dir}, AgentSocket: sock, AgentTimeout: 20 * time.Millisecond})
	if f.AgentError == nil || !strings.Contains(f.AgentError.Error(), "did not answer") || len(f.Keys) != 1 {
		t.Errorf("silent agent: %v, %q", f.AgentError, paths(f.Keys))
	}
	(<-conns).Close()
	// Cancelling the search while the agent is being asked ends the wait
	// too, and Find says so. (Were the cancel not seen, this would hang.)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Find(ctx, Options{AgentSocket: sock, AgentTimeout: time.Hour})
		done <- err
	}()
	c := <-conns
	defer c.Close()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
