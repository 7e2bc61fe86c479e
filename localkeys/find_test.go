//go:build unix

package localkeys

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/keys"
)

// Every format package keys reads, one file each in one folder: what Find
// keeps, whether it says the file is encrypted, and which EC2
// fingerprints it computes.
func TestFindFormats(t *testing.T) {
	testKeys(t)
	rfc4716 := func(k *keys.PrivateKey) []byte {
		b64 := base64.StdEncoding.EncodeToString(k.SSHPublicKey().Marshal())
		var lines []string
		for len(b64) > 70 {
			lines, b64 = append(lines, b64[:70]), b64[70:]
		}
		lines = append(lines, b64)
		return []byte("---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"x\"\n" + strings.Join(lines, "\n") + "\n---- END SSH2 PUBLIC KEY ----\n")
	}
	spki := func(k *keys.PrivateKey) []byte {
		der, err := x509.MarshalPKIXPublicKey(k.Key.Public())
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	tests := []struct {
		name      string
		data      []byte
		key       *keys.PrivateKey
		encrypted bool
		created   bool // the EC2-created fingerprint is known (RSA private key in the clear)
	}{
		{"rsa.pkcs1.pem", mustPEM(t, rsaKey), rsaKey, false, true},
		{"rsa.pkcs8.pem", mustPKCS8(t, rsaKey.Key), rsaKey, false, true},
		{"rsa_openssh", mustOpenSSH(t, rsaKey, ""), rsaKey, false, true},
		{"rsa.v2.ppk", mustPPK(t, rsaKey, 2), rsaKey, false, true},
		{"rsa.v3.ppk", mustPPK(t, rsaKey, 3), rsaKey, false, true},
		{"rsa_crlf.pem", bytes.ReplaceAll(mustPEM(t, rsaKey), []byte("\n"), []byte("\r\n")), rsaKey, false, true},
		{"rsa_encrypted_openssh", mustOpenSSH(t, rsaKey, "secret"), rsaKey, true, false},
		{"rsa.pub", pubLine(rsaKey), rsaKey, false, false},
		{"rsa_rfc4716.pub", rfc4716(rsaKey), rsaKey, false, false},
		{"rsa_spki.pem", spki(rsaKey), rsaKey, false, false},
		{"ed_openssh", mustPEM(t, edKey), edKey, false, false},
		{"ed.pkcs8.pem", mustPKCS8(t, edKey.Key), edKey, false, false},
		{"ed.v2.ppk", mustPPK(t, edKey, 2), edKey, false, false},
		{"ed.v3.ppk", mustPPK(t, edKey, 3), edKey, false, false},
		{"ed_encrypted_openssh", mustOpenSSH(t, edKey, "secret"), edKey, true, false},
		{"ed.pub", pubLine(edKey), edKey, false, false},
		{"ed_bom.pub", append([]byte("\ufeff"), pubLine(edKey)...), edKey, false, false},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		write(t, filepath.Join(dir, tc.name), tc.data)
	}
	f := find(t, Options{Dirs: []string{dir}})
	if f.Skipped != 0 || len(f.Keys) != len(tests) {
		t.Fatalf("found %q, skipped %v; want %d keys, none skipped", paths(f.Keys), f.Skips, len(tests))
	}
	if !slices.IsSortedFunc(f.Keys, func(a, b Key) int { return strings.Compare(a.Path, b.Path) }) {
		t.Errorf("keys not sorted by path: %q", paths(f.Keys))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := keyAt(t, f, filepath.Join(dir, tc.name))
			if k.Source != SourceFile || k.Encrypted != tc.encrypted || !samePub(k.PublicKey, tc.key.SSHPublicKey()) {
				t.Fatalf("got source %q encrypted %v key %s; want file, %v, %s", k.Source, k.Encrypted,
					ssh.FingerprintSHA256(k.PublicKey), tc.encrypted, ssh.FingerprintSHA256(tc.key.SSHPublicKey()))
			}
			want := []string{fpOf(t, tc.key, false)}
			if tc.created {
				want = append(want, fpOf(t, tc.key, true))
			}
			if !slices.Equal(k.EC2Fingerprints, want) {
				t.Fatalf("EC2Fingerprints %q, want %q", k.EC2Fingerprints, want)
			}
		})
	}
}

// The test vectors of package keys, whose fingerprints OpenSSL, OpenSSH
// and puttygen computed (keys/testdata/fingerprints.txt): independent
// values for the imported RSA (MD5 of SPKI), created RSA (SHA-1 of PKCS#8)
// and ED25519 (padded base64 SHA-256) forms.
func TestFindVectors(t *testing.T) {
	const (
		rsaImported = "53:f4:fb:bf:2c:ab:91:f9:e3:7b:7e:ea:16:c4:9a:b1"
		rsaCreated  = "4d:dd:6b:19:05:de:96:b9:2a:e1:da:75:d5:cf:7c:a5:80:75:59:11"
		edEC2       = "ZZwO320XSyYboakxNrptOJUfNnoGQYs34+qtB8RX2KY="
	)
	src := filepath.Join("..", "keys", "testdata")
	dir := t.TempDir()
	names := []string{"rsa2048.pem", "rsa2048.pub", "rsa2048.v2.ppk", "rsa2048.v3.ppk", "ed25519.pem", "ed25519.pub", "ed25519.v2.ppk", "ed25519.v3.ppk"}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, n), data)
	}
	f := find(t, Options{Dirs: []string{dir}})
	want := map[string][]string{
		"rsa2048.pem":    {rsaImported, rsaCreated},
		"rsa2048.pub":    {rsaImported},
		"rsa2048.v2.ppk": {rsaImported, rsaCreated},
		"rsa2048.v3.ppk": {rsaImported, rsaCreated},
		"ed25519.pem":    {edEC2},
		"ed25519.pub":    {edEC2},
		"ed25519.v2.ppk": {edEC2},
		"ed25519.v3.ppk": {edEC2},
	}
	if len(f.Keys) != len(want) || f.Skipped != 0 {
		t.Fatalf("found %q, skipped %v", paths(f.Keys), f.Skips)
	}
	for n, fps := range want {
		if got := keyAt(t, f, filepath.Join(dir, n)).EC2Fingerprints; !slices.Equal(got, fps) {
			t.Errorf("%s: %q, want %q", n, got, fps)
		}
	}
}

// What is passed over quietly (not counted) and what is counted.
func TestFindSkips(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	line := pubLine(edKey)
	ecPub := []byte(keys.AuthorizedKey(sshPub(t, &ecdsaKey.PublicKey), "ec"))
	ecPEM, err := x509.MarshalECPrivateKey(ecdsaKey)
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // an encrypted PEM file, as old OpenSSL wrote them
	encBlock, err := x509.EncryptPEMBlock(nilReader{}, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey.Key.(*rsa.PrivateKey)), []byte("pw"), x509.PEMCipherAES128)
	if err != nil {
		t.Fatal(err)
	}
	encPEM := pem.EncodeToMemory(encBlock)
	quiet := map[string][]byte{
		"config":              []byte("Host *\n  IdentityFile ~/.ssh/id_ed25519\n"),
		"known_hosts":         append([]byte("host.example "), line...),
		"known_hosts.old":     append([]byte("host.example "), line...),
		"authorized_keys":     line,
		"authorized_keys2":    line,
		"agent.sock":          line, // a regular file, but by its name a socket
		"environment":         []byte("A=b\n"),
		"notes.txt":           []byte("the prod key is id_ed25519\n"),
		"cert.pem":            []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
		"binary":              {0, 1, 2, 0xff, 0xfe, 0x80},
		"empty":               nil,
		"id_ecdsa":            pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecPEM}),
		"id_ecdsa.pub":        ecPub,
		"id_ed25519-cert.pub": []byte("ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAA c\n"),
		"covered":             encPEM, // encrypted PEM, but covered.pub gives its key
		"covered.pub":         pubLine(rsaKey),
	}
	counted := map[string][]byte{
		"broken.pub":      []byte("not a key at all\n"),
		"two.pub":         append(append([]byte{}, line...), pubLine(rsaKey)...), // a .pub holds one key
		"damaged":         []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"),
		"truncated.ppk":   []byte("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"),
		"encrypted_pem":   encPEM, // no public half in the clear, no .pub next to it
		"huge":            append(mustPEM(t, edKey), bytes.Repeat([]byte("\n"), MaxFileSize)...),
		"bad_base64.pub":  []byte("ssh-ed25519 !!!! c\n"),
		"dsa_damaged.pem": []byte("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"),
	}
	for n, d := range quiet {
		write(t, filepath.Join(dir, n), d)
	}
	for n, d := range counted {
		write(t, filepath.Join(dir, n), d)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := find(t, Options{Dirs: []string{dir}})
	if got := paths(f.Keys); !slices.Equal(got, []string{filepath.Join(dir, "covered.pub")}) {
		t.Errorf("keys %q, want covered.pub only", got)
	}
	var want []string
	for n := range counted {
		want = append(want, filepath.Join(dir, n))
	}
	slices.Sort(want)
	if got := skipPaths(f); !slices.Equal(got, want) {
		t.Errorf("skipped %q\nwant    %q\n(%v)", got, want, f.Skips)
	}
	if !hasSkip(f, filepath.Join(dir, "huge"), "larger than 1048576 bytes") {
		t.Errorf("huge file: %v", f.Skips)
	}
	if !hasSkip(f, filepath.Join(dir, "two.pub"), "more than one public key") {
		t.Errorf("two keys in a .pub: %v", f.Skips)
	}
	edB64 := strings.Fields(string(line))[1]
	for _, s := range f.Skips {
		if strings.Contains(s.Reason, "!!!!") || strings.Contains(s.Reason, "not a key at all") || strings.Contains(s.Reason, edB64[20:40]) {
			t.Errorf("a reason quotes the file: %v", s)
		}
	}
	// A smaller limit, exactly at and just over a file's size.
	small := t.TempDir()
	data := pubLine(edKey)
	write(t, filepath.Join(small, "k.pub"), data)
	if f := find(t, Options{Dirs: []string{small}, MaxFileSize: int64(len(data))}); len(f.Keys) != 1 || f.Skipped != 0 {
		t.Errorf("at the limit: %q %v", paths(f.Keys), f.Skips)
	}
	if f := find(t, Options{Dirs: []string{small}, MaxFileSize: int64(len(data)) - 1}); len(f.Keys) != 0 || f.Skipped != 1 {
		t.Errorf("over the limit: %q %v", paths(f.Keys), f.Skips)
	}
}

type nilReader struct{}

func (nilReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 7
	}
	return len(p), nil
}

// Symbolic links: followed while they stay inside their folder, never
// read when they lead out, dangling links and loops counted; a file found
// by its own name and through a link is listed once, by its own name.
func TestFindSymlinks(t *testing.T) {
	testKeys(t)
	base := t.TempDir()
	dir := filepath.Join(base, "ssh")
	outside := filepath.Join(base, "outside")
	write(t, filepath.Join(outside, "secret"), mustPEM(t, rsaKey2))
	write(t, filepath.Join(outside, "sub", "k"), mustPEM(t, rsaKey2))
	write(t, filepath.Join(dir, "real"), mustPEM(t, edKey))
	write(t, filepath.Join(dir, "sub", "deep"), mustPEM(t, edKey2))
	symlink(t, "real", filepath.Join(dir, "a_rel"))                             // inside, relative: same file as real
	symlink(t, filepath.Join(dir, "real"), filepath.Join(dir, "a_abs"))         // inside, absolute: same file
	symlink(t, "../outside/secret", filepath.Join(dir, "out_rel"))              // outside, relative
	symlink(t, filepath.Join(outside, "secret"), filepath.Join(dir, "out_abs")) // outside, absolute
	symlink(t, "..", filepath.Join(dir, "parent"))                              // a folder outside
	symlink(t, "../outside/sub", filepath.Join(dir, "outdir"))                  // a folder outside
	symlink(t, "sub", filepath.Join(dir, "subdir"))                             // a folder inside: not descended
	symlink(t, "nothing", filepath.Join(dir, "dangling"))
	symlink(t, "loop2", filepath.Join(dir, "loop1"))
	symlink(t, "loop1", filepath.Join(dir, "loop2"))
	symlink(t, "self", filepath.Join(dir, "self"))
	symlink(t, "sub/../../outside/secret", filepath.Join(dir, "sneaky"))
	symlink(t, "/dev/zero", filepath.Join(dir, "zero"))

	f := find(t, Options{Dirs: []string{dir}})
	wantKeys := []string{filepath.Join(dir, "real"), filepath.Join(dir, "sub", "deep")}
	if got := paths(f.Keys); !slices.Equal(got, wantKeys) {
		t.Errorf("keys %q, want %q", got, wantKeys)
	}
	for _, k := range f.Keys {
		if samePub(k.PublicKey, rsaKey2.SSHPublicKey()) {
			t.Errorf("a key from outside the folder was read: %s", k.Path)
		}
	}
	wantSkips := map[string]string{
		"out_rel":  "leads out of the folder",
		"out_abs":  "leads out of the folder",
		"outdir":   "leads out of the folder",
		"parent":   "leads out of the folder",
		"sneaky":   "leads out of the folder",
		"zero":     "leads out of the folder",
		"dangling": "dangling",
		"loop1":    "loop",
		"loop2":    "loop",
		"self":     "loop",
	}
	for n, reason := range wantSkips {
		if !hasSkip(f, filepath.Join(dir, n), reason) {
			t.Errorf("%s: want a skip with %q; skips: %v", n, reason, f.Skips)
		}
	}
	if f.Skipped != len(wantSkips) {
		t.Errorf("skipped %d, want %d: %v", f.Skipped, len(wantSkips), f.Skips)
	}

	// Links inside to files not otherwise found (the folder's own files
	// only): followed, relative and absolute, and listed by the link's name.
	dir2 := filepath.Join(base, "ssh2")
	write(t, filepath.Join(dir2, "store", "k"), mustPEM(t, edKey2))
	symlink(t, "store/k", filepath.Join(dir2, "id_rel"))
	symlink(t, filepath.Join(dir2, "store", "k"), filepath.Join(dir2, "id_abs"))
	f2 := find(t, Options{Dirs: []string{dir2}, MaxDepth: -1})
	if got := paths(f2.Keys); !slices.Equal(got, []string{filepath.Join(dir2, "id_abs")}) || f2.Skipped != 0 {
		t.Errorf("own files only, two links to one inside file: %q %v (want it once, by the first link)", got, f2.Skips)
	}
	// The folder itself given through a link: searched, and an absolute
	// link spelled through that name stays inside.
	viaLink := filepath.Join(base, "ssh_link")
	symlink(t, dir2, viaLink)
	symlink(t, filepath.Join(viaLink, "store", "k"), filepath.Join(dir2, "id_via"))
	f3 := find(t, Options{Dirs: []string{viaLink}, MaxDepth: -1})
	if len(f3.Keys) != 1 || f3.Skipped != 0 || !samePub(f3.Keys[0].PublicKey, edKey2.SSHPublicKey()) {
		t.Errorf("folder through a link: %q %v", paths(f3.Keys), f3.Skips)
	}
}

// Overlapping and repeated folders, and hard links: each file once.
func TestFindOverlap(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a"), mustPEM(t, edKey))
	write(t, filepath.Join(dir, "keys", "b"), mustPEM(t, edKey2))
	if err := os.Link(filepath.Join(dir, "a"), filepath.Join(dir, "keys", "hard")); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "keys")
	for _, dirs := range [][]string{
		{dir, sub}, {sub, dir}, {dir, dir}, {dir, dir + "/"}, {dir, filepath.Join(sub, "..")},
	} {
		f := find(t, Options{Dirs: dirs})
		if len(f.Keys) != 2 || f.Skipped != 0 {
			t.Errorf("Dirs %q: found %q, skipped %v; want each key once", dirs, paths(f.Keys), f.Skips)
		}
	}
	// A missing folder, and an empty name, are nothing to find.
	f := find(t, Options{Dirs: []string{filepath.Join(dir, "missing"), ""}})
	if len(f.Keys) != 0 || f.Skipped != 0 {
		t.Errorf("missing folder: %q %v", paths(f.Keys), f.Skips)
	}
	// A file where a folder should be: counted.
	f = find(t, Options{Dirs: []string{filepath.Join(dir, "a")}})
	if f.Skipped != 1 || !strings.Contains(f.Skips[0].Reason, "not a folder") {
		t.Errorf("a file as the folder: %v", f.Skips)
	}
}

// Depth and entry bounds.
func TestFindBounds(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	deep := dir
	for i := 0; i <= MaxDepth+1; i++ {
		write(t, filepath.Join(deep, "k.pub"), pubLine(edKey))
		deep = filepath.Join(deep, "d")
	}
	f := find(t, Options{Dirs: []string{dir}})
	if len(f.Keys) != MaxDepth+1 {
		t.Errorf("found %d keys, want %d (the folder and %d below): %q", len(f.Keys), MaxDepth+1, MaxDepth, paths(f.Keys))
	}
	if f := find(t, Options{Dirs: []string{dir}, MaxDepth: -1}); len(f.Keys) != 1 {
		t.Errorf("own files only: %q", paths(f.Keys))
	}
	if f := find(t, Options{Dirs: []string{dir}, MaxEntries: 3}); !f.Truncated || len(f.Keys) >= MaxDepth+1 {
		t.Errorf("3 entries: truncated %v, %q", f.Truncated, paths(f.Keys))
	}
	if f.Truncated {
		t.Error("truncated without a bound reached")
	}
}

// An unreadable file is counted, never fatal. As root (who reads any file)
// the permission case cannot be made, so it runs only for other users; the
// race cases below fail for root too: between the listing and the open the
// file is replaced by a named pipe, a folder, or a link out of the folder.
func TestFindUnreadable(t *testing.T) {
	testKeys(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "good"), mustPEM(t, edKey))
	write(t, filepath.Join(dir, "to_fifo"), mustPEM(t, edKey2))
	write(t, filepath.Join(dir, "to_dir"), mustPEM(t, edKey2))
	write(t, filepath.Join(dir, "to_link"), mustPEM(t, edKey2))
	write(t, filepath.Join(dir, "to_inside"), mustPEM(t, rsaKey)) // swapped for a link inside: still fine
	outside := write(t, filepath.Join(t.TempDir(), "secret"), mustPEM(t, rsaKey2))
	testBeforeOpen = func(p string) {
		switch filepath.Base(p) {
		case "to_fifo":
			os.Remove(p)
			syscall.Mkfifo(p, 0o600)
		case "to_dir":
			os.Remove(p)
			os.Mkdir(p, 0o700)
		case "to_link":
			os.Remove(p)
			os.Symlink(outside, p)
		case "to_inside":
			os.Remove(p)
			os.Symlink("good", p)
		}
	}
	t.Cleanup(func() { testBeforeOpen = nil })
	f := find(t, Options{Dirs: []string{dir}})
	if got := paths(f.Keys); !slices.Equal(got, []string{filepath.Join(dir, "good")}) {
		t.Errorf("keys %q", got)
	}
	for n, reason := range map[string]string{"to_fifo": "named pipe", "to_dir": "folder", "to_link": "cannot be opened"} {
		if !hasSkip(f, filepath.Join(dir, n), reason) {
			t.Errorf("%s: want skip %q: %v", n, reason, f.Skips)
		}
	}
	if f.Skipped != 3 {
		t.Errorf("skipped %v", f.Skips)
	}
	testBeforeOpen = nil

	if os.Geteuid() == 0 {
		t.Log("running as root, who can read a file of mode 000: the permission case is not checked")
		return
	}
	dir2 := t.TempDir()
	write(t, filepath.Join(dir2, "ok.pub"), pubLine(edKey))
	locked := write(t, filepath.Join(dir2, "locked"), mustPEM(t, edKey2))
	os.Chmod(locked, 0)
	lockedDir := filepath.Join(dir2, "lockeddir")
	write(t, filepath.Join(lockedDir, "k"), mustPEM(t, rsaKey))
	os.Chmod(lockedDir, 0)
	t.Cleanup(func() { os.Chmod(lockedDir, 0o700) })
	f = find(t, Options{Dirs: []string{dir2}})
	if len(f.Keys) != 1 || !hasSkip(f, locked, "permission denied") || !hasSkip(f, lockedDir, "permission denied") {
		t.Errorf("mode 000: %q %v", paths(f.Keys), f.Skips)
	}
}

func TestFindCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Find(ctx, Options{Dirs: []string{t.TempDir()}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}
