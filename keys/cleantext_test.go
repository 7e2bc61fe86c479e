package keys

import (
	"bytes"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// hostile is text a key file can carry that would drive a terminal: an OSC
// title change ended by BEL, a CSI colour, a bare BEL and a right-to-left
// override (U+202E).
const hostile = "ev\x1b]0;owned\x07il\x1b[31m\a\u202etxt"

func assertClean(t *testing.T, what, s string) {
	t.Helper()
	if strings.ContainsAny(s, "\x1b\a\u202e") || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' }) >= 0 {
		t.Errorf("%s carries control text from the file: %q", what, s)
	}
}

// TestTextFromFilesIsCleaned: whatever keys returns or puts in an error
// that came from a file (comments, a PPK Encryption value, OpenSSH cipher
// and kdf names) is cleaned with termtext.Clean.
func TestTextFromFilesIsCleaned(t *testing.T) {
	t.Run("PPK Encryption and Comment of an encrypted file", func(t *testing.T) {
		data := readTestdata(t, "ed25519.v3.ppk")
		data = bytes.Replace(data, []byte("Encryption: none"), []byte("Encryption: aes256"+hostile), 1)
		data = bytes.Replace(data, []byte("Comment: ed25519-vector"), []byte("Comment: "+hostile), 1)
		_, err := ParsePrivateKey(data)
		if !errors.Is(err, ErrEncrypted) {
			t.Fatalf("ParsePrivateKey: %v", err)
		}
		assertClean(t, "the error", err.Error())
		if !strings.Contains(err.Error(), "aes256evil") {
			t.Errorf("the error %q should still name the cipher", err)
		}
		kf, err := ParseKeyFile(data)
		if err != nil || !kf.Encrypted {
			t.Fatalf("ParseKeyFile: %+v, %v", kf, err)
		}
		assertClean(t, "Cipher", kf.Cipher)
		assertClean(t, "Comment", kf.Comment)
	})
	t.Run("PPK and OpenSSH comments", func(t *testing.T) {
		k, err := ParsePrivateKey(readTestdata(t, "ed25519.pem"))
		if err != nil {
			t.Fatal(err)
		}
		k.Comment = hostile
		ppk, err := EncodePPK(k, 3)
		if err != nil {
			t.Fatal(err)
		}
		openssh, err := EncodePEM(k)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"PPK": ppk, "OpenSSH": openssh} {
			got, err := ParsePrivateKey(data) // the PPK MAC covers the raw comment
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			assertClean(t, name+" comment", got.Comment)
			if got.Comment != "eviltxt" {
				t.Errorf("%s comment cleaned to %q, want %q", name, got.Comment, "eviltxt")
			}
			kf, err := ParseKeyFile(data)
			if err != nil {
				t.Fatal(err)
			}
			assertClean(t, name+" KeyFile comment", kf.Comment)
		}
	})
	t.Run("public key comment", func(t *testing.T) {
		line := strings.Join(strings.Fields(string(readTestdata(t, "ed25519.pub")))[:2], " ") + " " + hostile + "\n"
		_, comment, err := ParsePublicKey([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		assertClean(t, "comment", comment)
	})
	t.Run("OpenSSH cipher and kdf names", func(t *testing.T) {
		k, err := ParsePrivateKey(readTestdata(t, "ed25519.pem"))
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		b = append(b, opensshMagic...)
		b = appendString(b, []byte("aes256"+hostile))
		b = appendString(b, []byte("bcrypt"+hostile))
		b = appendString(b, nil)
		b = append(b, 0, 0, 0, 1)
		b = appendString(b, k.SSHPublicKey().Marshal())
		b = appendString(b, make([]byte, 64))
		data := pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: b})
		_, err = ParsePrivateKey(data)
		if !errors.Is(err, ErrEncrypted) {
			t.Fatalf("ParsePrivateKey: %v", err)
		}
		assertClean(t, "the error", err.Error())
		kf, err := ParseKeyFile(data)
		if err != nil || !kf.Encrypted {
			t.Fatalf("ParseKeyFile: %+v, %v", kf, err)
		}
		assertClean(t, "Cipher", kf.Cipher)
	})
	t.Run("PEM block type in an error", func(t *testing.T) {
		data := "-----BEGIN X" + hostile + " PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END X" + hostile + " PRIVATE KEY-----\n"
		_, err := ParsePrivateKey([]byte(data))
		if err == nil {
			t.Fatal("parsed")
		}
		assertClean(t, "the error", err.Error())
	})
}
