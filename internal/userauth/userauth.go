// Package userauth reads the file OpenSSH's sshd names in $SSH_USER_AUTH
// when it runs with ExposeAuthInfo yes: one line per authentication method
// that succeeded, "publickey TYPE BASE64" for a key. The local app offers
// the key found there as "import the key you logged in with".
package userauth

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

// MaxFileBytes caps what is read: sshd writes a few lines.
const MaxFileBytes = 64 << 10

// Parse returns the public keys the file lists, in order; for a user
// certificate its inner key. Lines of other methods (password,
// keyboard-interactive) are skipped; a publickey line that does not parse
// is an error naming its line.
func Parse(data []byte) ([]ssh.PublicKey, error) {
	var out []ssh.PublicKey
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		method, rest, _ := bytes.Cut(line, []byte(" "))
		if string(method) != "publickey" {
			continue
		}
		rest = bytes.TrimSpace(rest)
		if bytes.IndexByte(rest, 0) >= 0 {
			return nil, fmt.Errorf("line %d: a NUL byte", i+1)
		}
		key, _, opts, left, err := ssh.ParseAuthorizedKey(rest)
		if err != nil || len(opts) > 0 || len(bytes.TrimSpace(left)) > 0 {
			return nil, fmt.Errorf("line %d: not a public key", i+1)
		}
		if cert, ok := key.(*ssh.Certificate); ok {
			key = cert.Key
		}
		out = append(out, key)
	}
	return out, nil
}

// LoginKey is the key the SSH login authenticated with, read from the file
// $SSH_USER_AUTH names: the last publickey line (with AuthenticationMethods
// asking for two keys, the one that completed the login). nil, nil when the
// variable is unset or lists no key.
func LoginKey(getenv func(string) string) (ssh.PublicKey, error) {
	path := getenv("SSH_USER_AUTH")
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("SSH_USER_AUTH: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("SSH_USER_AUTH: %s is not a regular file", path)
	}
	buf := make([]byte, MaxFileBytes+1)
	n, _ := readAll(f, buf)
	if n > MaxFileBytes {
		return nil, fmt.Errorf("SSH_USER_AUTH: %s is larger than %d bytes", path, MaxFileBytes)
	}
	keys, err := Parse(buf[:n])
	if err != nil {
		return nil, fmt.Errorf("SSH_USER_AUTH %s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	return keys[len(keys)-1], nil
}

func readAll(f *os.File, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := f.Read(b[n:])
		n += m
		if err != nil || m == 0 {
			return n, err
		}
	}
	return n, nil
}
