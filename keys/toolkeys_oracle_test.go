package keys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeysMadeByOtherTools parses keys that ssh-keygen, openssl and
// puttygen made, in every format they write, and checks the key, its
// comment and every fingerprint against those tools' own answers.
func TestKeysMadeByOtherTools(t *testing.T) {
	needOracles(t)
	cases := []struct {
		name    string
		make    string // writes file k (private) in the folder
		head    string // first line of k, to prove the format under test
		comment string // what the parsed key's comment must be
		// pubCmd prints the authorized_keys line of k ("" = ssh-keygen -y -f k)
		pubCmd string
		// pemCmd writes k.pem as PKCS#1/PKCS#8 for the openssl recipes
		// ("" = k itself is such a file; "-" = none, ED25519)
		pemCmd string
	}{
		{name: "ssh-keygen rsa -m PEM", make: "ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C c1 -f k",
			head: "-----BEGIN RSA PRIVATE KEY-----", comment: ""},
		{name: "ssh-keygen rsa openssh", make: "ssh-keygen -q -t rsa -b 3072 -N '' -C 'c 2' -f k",
			head: "-----BEGIN OPENSSH PRIVATE KEY-----", comment: "c 2",
			pemCmd: "cp k k.pem && ssh-keygen -q -p -N '' -P '' -m PEM -f k.pem"},
		{name: "ssh-keygen ed25519", make: "ssh-keygen -q -t ed25519 -N '' -C ed@host -f k",
			head: "-----BEGIN OPENSSH PRIVATE KEY-----", comment: "ed@host", pemCmd: "-"},
		{name: "openssl genrsa pkcs8", make: "openssl genrsa -out k 2048 2>/dev/null",
			head: "-----BEGIN PRIVATE KEY-----", comment: ""},
		{name: "openssl genrsa traditional", make: "openssl genrsa -traditional -out k 2048 2>/dev/null",
			head: "-----BEGIN RSA PRIVATE KEY-----", comment: ""},
		{name: "openssl genpkey ed25519 pkcs8", make: "openssl genpkey -algorithm ed25519 -out k",
			head: "-----BEGIN PRIVATE KEY-----", comment: "", pemCmd: "-",
			// ssh-keygen cannot read PKCS#8 ED25519 (oracles.md §6 trap 6): take
			// the 32 raw public bytes from openssl and build the line.
			pubCmd: `printf 'ssh-ed25519 %s\n' "$( (printf '\0\0\0\x0bssh-ed25519\0\0\0\x20'; openssl pkey -in k -pubout -outform DER | tail -c 32) | base64 -w0)"`},
		{name: "puttygen rsa v3", make: "puttygen -q -t rsa -b 2048 -C 'putty rsa' -o k --new-passphrase /dev/null",
			head: "PuTTY-User-Key-File-3: ssh-rsa", comment: "putty rsa",
			pubCmd: "puttygen k -O public-openssh -o /dev/stdout", pemCmd: "puttygen k -O private-openssh -o k.pem"},
		{name: "puttygen rsa v2", make: "puttygen -q -t rsa -b 2048 -C 'putty rsa 2' -o k --new-passphrase /dev/null --ppk-param version=2",
			head: "PuTTY-User-Key-File-2: ssh-rsa", comment: "putty rsa 2",
			pubCmd: "puttygen k -O public-openssh -o /dev/stdout", pemCmd: "puttygen k -O private-openssh -o k.pem"},
		{name: "puttygen ed25519 v3", make: "puttygen -q -t ed25519 -C 'putty ed' -o k --new-passphrase /dev/null",
			head: "PuTTY-User-Key-File-3: ssh-ed25519", comment: "putty ed",
			pubCmd: "puttygen k -O public-openssh -o /dev/stdout", pemCmd: "-"},
		{name: "puttygen ed25519 v2", make: "puttygen -q -t ed25519 -C 'putty ed 2' -o k --new-passphrase /dev/null --ppk-param version=2",
			head: "PuTTY-User-Key-File-2: ssh-ed25519", comment: "putty ed 2",
			pubCmd: "puttygen k -O public-openssh -o /dev/stdout", pemCmd: "-"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sh(t, dir, c.make+" && chmod 600 k")
			data, err := os.ReadFile(filepath.Join(dir, "k"))
			if err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(string(data), "\n"); first != c.head {
				t.Fatalf("the tool wrote %q, the test expects %q", first, c.head)
			}
			k, err := ParsePrivateKey(data)
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if k.Comment != c.comment {
				t.Errorf("comment %q, want %q", k.Comment, c.comment)
			}
			pubCmd := c.pubCmd
			if pubCmd == "" {
				pubCmd = "ssh-keygen -y -f k"
			}
			line := strings.Fields(sh(t, dir, pubCmd))
			ours := strings.Fields(AuthorizedKey(k.SSHPublicKey(), ""))
			if len(line) < 2 || line[0] != ours[0] || line[1] != ours[1] {
				t.Fatalf("public key: ours %v, the tool says %v", ours, line)
			}
			if err := os.WriteFile(filepath.Join(dir, "k.pub"), []byte(line[0]+" "+line[1]+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			pemFile := "k"
			switch c.pemCmd {
			case "":
			case "-":
				pemFile = ""
			default:
				sh(t, dir, c.pemCmd)
				pemFile = "k.pem"
			}
			fp, err := FingerprintsOf(nil, k)
			if err != nil {
				t.Fatal(err)
			}
			checkFingerprintsWithOracles(t, dir, pemFile, "k.pub", fp)
			// The file parses the same way through ParseKeyFile.
			kf, err := ParseKeyFile(data)
			if err != nil || kf.Private == nil || !sameKey(kf.Private, k) {
				t.Fatalf("ParseKeyFile: %v", err)
			}
		})
	}
}

// TestEncryptedFilesFromTools checks passphrase-protected files from each
// tool. ParsePrivateKey refuses them all (ErrEncrypted). ParseKeyFile
// returns the public half of the OpenSSH and PPK ones, which those formats
// keep in the clear, with the fingerprint the tool itself reports without a
// passphrase (ssh-keygen -l, puttygen -l); the PEM and PKCS#8 ones keep no
// public half, and the error says to give the .pub file.
func TestEncryptedFilesFromTools(t *testing.T) {
	needOracles(t)
	cases := []struct {
		name, make string
		// fingerprint prints the tool's SHA256 fingerprint of k without a
		// passphrase; "" for a file with no public half in the clear.
		fingerprint, cipher, comment string
	}{
		// ssh-keygen -l reads k.pub when it exists (oracles.md trap 3): remove it.
		{"ssh-keygen ed25519 -N", "ssh-keygen -q -t ed25519 -N secret -C c -f k && rm k.pub", "ssh-keygen -l -f k </dev/null | awk '{print $2}'", "aes256-ctr", ""},
		{"ssh-keygen rsa openssh -N", "ssh-keygen -q -t rsa -b 2048 -N secret -C c -f k && rm k.pub", "ssh-keygen -l -f k </dev/null | awk '{print $2}'", "aes256-ctr", ""},
		{"ssh-keygen rsa -m PEM -N", "ssh-keygen -q -t rsa -b 2048 -m PEM -N secret -f k", "", "", ""},
		{"openssl genrsa -aes256 (pkcs8)", "openssl genrsa -aes256 -passout pass:secret -out k 2048 2>/dev/null", "", "", ""},
		{"openssl genrsa -aes256 -traditional", "openssl genrsa -aes256 -traditional -passout pass:secret -out k 2048 2>/dev/null", "", "", ""},
		{"openssl genpkey ed25519 -aes256", "openssl genpkey -algorithm ed25519 -aes256 -pass pass:secret -out k", "", "", ""},
		{"puttygen ed25519 v3", "printf secret > pass && puttygen -q -t ed25519 -C 'my key' -o k --new-passphrase pass", "puttygen -l k </dev/null | awk '{print $3}'", "aes256-cbc", "my key"},
		{"puttygen rsa v2", "printf secret > pass && puttygen -q -t rsa -b 2048 -C 'my key' -o k --new-passphrase pass --ppk-param version=2", "puttygen -l k </dev/null | awk '{print $3}'", "aes256-cbc", "my key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sh(t, dir, c.make)
			data, err := os.ReadFile(filepath.Join(dir, "k"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParsePrivateKey(data)
			if !errors.Is(err, ErrEncrypted) {
				t.Fatalf("ParsePrivateKey: got %v, want an error wrapping ErrEncrypted", err)
			}
			assertNoKeyMaterial(t, err.Error(), data)
			kf, err := ParseKeyFile(data)
			if c.fingerprint == "" {
				if !errors.Is(err, ErrEncrypted) || !strings.Contains(err.Error(), ".pub file") {
					t.Fatalf("ParseKeyFile: got %v, want ErrEncrypted suggesting the .pub file", err)
				}
				assertNoKeyMaterial(t, err.Error(), data)
				return
			}
			if err != nil {
				t.Fatalf("ParseKeyFile: %v; want the public half", err)
			}
			if kf.Private != nil || !kf.Encrypted || kf.Cipher != c.cipher || kf.Comment != c.comment {
				t.Fatalf("ParseKeyFile: Private %v, Encrypted %v, Cipher %q, Comment %q; want nil, true, %q, %q",
					kf.Private != nil, kf.Encrypted, kf.Cipher, kf.Comment, c.cipher, c.comment)
			}
			fps, err := FingerprintsOf(kf.Public, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := sh(t, dir, c.fingerprint); fps.SHA256 != want {
				t.Fatalf("SHA256 fingerprint %s; the tool says %s", fps.SHA256, want)
			}
		})
	}
}

// TestRefusedKeyTypesFromTools checks that DSA, ECDSA and other keys are
// refused with a message naming the type, private and public.
func TestRefusedKeyTypesFromTools(t *testing.T) {
	needOracles(t)
	cases := []struct {
		name, make, want string
		pub              bool // also check k.pub
	}{
		{"ssh-keygen ecdsa", "ssh-keygen -q -t ecdsa -N '' -f k", "ECDSA", true},
		{"ssh-keygen ecdsa -m PEM", "ssh-keygen -q -t ecdsa -m PEM -N '' -f k", "ECDSA", true},
		{"ssh-keygen dsa", "ssh-keygen -q -t dsa -N '' -f k", "DSA", true},
		{"openssl ecparam", "openssl ecparam -name prime256v1 -genkey -out k", "ECDSA", false},
		{"openssl genpkey ec", "openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out k", "ECDSA", false},
		{"openssl genpkey x25519", "openssl genpkey -algorithm x25519 -out k", "X25519", false},
		{"openssl genpkey ed448", "openssl genpkey -algorithm ed448 -out k", "ED448", false},
		{"openssl dsa", "openssl genpkey -genparam -algorithm dsa -pkeyopt dsa_paramgen_bits:1024 -out p && openssl genpkey -paramfile p -out k", "DSA", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := shErr(dir, c.make); err != nil {
				if c.want == "DSA" && strings.Contains(c.make, "ssh-keygen") {
					t.Skipf("this ssh-keygen cannot make DSA keys any more: %v", err)
				}
				t.Fatal(err)
			}
			files := []string{"k"}
			if c.pub {
				files = append(files, "k.pub")
			}
			for _, f := range files {
				data, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				_, err = ParseKeyFile(data)
				if !errors.Is(err, ErrKeyType) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("%s: got %v, want an ErrKeyType error naming %s", f, err, c.want)
				}
			}
		})
	}
}

// TestPublicFormsFromTools checks every public key form ssh-keygen writes
// for ImportKeyPair: RFC 4716, PKCS#8 (SPKI) PEM, PKCS#1 PEM and bare base64 DER.
func TestPublicFormsFromTools(t *testing.T) {
	needOracles(t)
	dir := t.TempDir()
	sh(t, dir, "ssh-keygen -q -t rsa -b 2048 -N '' -C rsa-c -f rsa && ssh-keygen -q -t ed25519 -N '' -C ed-c -f ed")
	for _, key := range []string{"rsa", "ed"} {
		line, err := os.ReadFile(filepath.Join(dir, key+".pub"))
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := ParsePublicKey(line)
		if err != nil {
			t.Fatal(err)
		}
		forms := map[string]string{"RFC 4716": "ssh-keygen -e -f " + key + ".pub"}
		if key == "rsa" {
			forms["SPKI PEM"] = "ssh-keygen -e -m PKCS8 -f rsa.pub"
			forms["PKCS#1 PEM"] = "ssh-keygen -e -m PEM -f rsa.pub"
			forms["bare base64 SPKI"] = "ssh-keygen -e -m PKCS8 -f rsa.pub | grep -v -- -----"
			forms["bare base64 PKCS#1 one line"] = "ssh-keygen -e -m PEM -f rsa.pub | grep -v -- ----- | tr -d '\\n'"
			forms["RFC 4716 CRLF"] = "ssh-keygen -e -f rsa.pub | sed 's/$/\\r/'"
		}
		for name, cmd := range forms {
			out := sh(t, dir, cmd)
			got, comment, err := ParsePublicKey([]byte(out))
			if err != nil {
				t.Errorf("%s %s: %v\n%s", key, name, err, out)
				continue
			}
			if string(got.Marshal()) != string(want.Marshal()) {
				t.Errorf("%s %s: a different key", key, name)
			}
			if strings.HasPrefix(name, "RFC 4716") {
				if !strings.Contains(comment, "converted by") {
					t.Errorf("%s %s: Comment header not read, got %q", key, name, comment)
				}
			}
		}
	}
}

// assertNoKeyMaterial fails when msg holds a run of the file's base64 text.
func assertNoKeyMaterial(t *testing.T, msg string, data []byte) {
	t.Helper()
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.Contains(line, " ") && strings.Contains(msg, line[:16]) {
			t.Fatalf("the error message contains key material: %s", msg)
		}
	}
}
