package keys

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// The "drunken bishop" picture of OpenSSH's sshkey.c fingerprint_randomart
// (Dirk Loss, "The drunken bishop", 2009): a 17x9 field; the bishop starts in
// the centre and, for every byte of the digest (low bit pairs first), steps
// diagonally: bit 0 picks left/right, bit 1 up/down, clamped at the walls.
// Each visit raises a cell's count; counts are drawn with the augmentation
// string, 'S' marks the start and 'E' the end.
const (
	randomartWidth  = 17 // FLDSIZE_X = FLDBASE*2 + 1
	randomartHeight = 9  // FLDSIZE_Y = FLDBASE + 1
	randomartChars  = " .o+=*BOX@%&#/^SE"
)

// Randomart draws the picture ssh-keygen -lv draws for pub with SHA256
// (OpenSSH sshkey.c fingerprint_randomart), 11 lines joined by "\n".
func Randomart(pub ssh.PublicKey) string {
	sum := sha256.Sum256(pub.Marshal())
	return drawRandomart(sum[:], randomartTitle(pub), "[SHA256]")
}

// randomartTitle is "[TYPE BITS]" as sshkey_type and sshkey_size name them,
// or "[TYPE]" when that would not fit the frame.
func randomartTitle(pub ssh.PublicKey) string {
	t, bits := typeAndBits(pub)
	name := strings.ToUpper(string(t))
	switch {
	case pub.Type() == ssh.KeyAlgoDSA:
		name = "DSA"
	case strings.HasPrefix(pub.Type(), "ecdsa-sha2-"):
		name = "ECDSA"
	case strings.HasPrefix(pub.Type(), "sk-ecdsa"):
		name = "ECDSA-SK"
	case strings.HasPrefix(pub.Type(), "sk-ssh-ed25519"):
		name = "ED25519-SK"
	}
	title := fmt.Sprintf("[%s %d]", name, bits)
	if bits == 0 || len(title) >= randomartWidth {
		title = "[" + name + "]"
	}
	return title
}

func drawRandomart(digest []byte, title, footer string) string {
	var field [randomartWidth][randomartHeight]int
	top := len(randomartChars) - 1 // index of 'E'; 'S' is top-1
	x, y := randomartWidth/2, randomartHeight/2
	for _, b := range digest {
		for range 4 {
			if b&1 != 0 {
				x++
			} else {
				x--
			}
			if b&2 != 0 {
				y++
			} else {
				y--
			}
			x = max(0, min(x, randomartWidth-1))
			y = max(0, min(y, randomartHeight-1))
			if field[x][y] < top-2 {
				field[x][y]++
			}
			b >>= 2
		}
	}
	field[randomartWidth/2][randomartHeight/2] = top - 1
	field[x][y] = top

	var sb strings.Builder
	sb.WriteString(randomartBorder(title))
	for y := range randomartHeight {
		sb.WriteString("\n|")
		for x := range randomartWidth {
			sb.WriteByte(randomartChars[min(field[x][y], top)])
		}
		sb.WriteByte('|')
	}
	sb.WriteByte('\n')
	sb.WriteString(randomartBorder(footer))
	return sb.String()
}

// randomartBorder centres label in the frame line as OpenSSH does: the
// extra dash, when there is one, goes to the right.
func randomartBorder(label string) string {
	if len(label) > randomartWidth {
		label = label[:randomartWidth]
	}
	left := (randomartWidth - len(label)) / 2
	right := randomartWidth - len(label) - left
	return "+" + strings.Repeat("-", left) + label + strings.Repeat("-", right) + "+"
}
