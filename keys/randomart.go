package keys

import "golang.org/x/crypto/ssh"

// Randomart draws the picture ssh-keygen -lv draws for pub with SHA256
// (OpenSSH sshkey.c fingerprint_randomart), 11 lines joined by "\n".
func Randomart(pub ssh.PublicKey) string {
	return ""
}
