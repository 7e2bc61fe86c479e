package keys

import (
	"testing"

	"github.com/keypair-dev/keypair/internal/patterntest"
)

// The pattern isOurTempName is written from.
var ourTempPattern = patterntest.Compile(`^\.keypair-(?:[0-9a-f]{16}|[0-9]{1,10})\.tmp$`)

func TestOurTempNameMatchesPattern(t *testing.T) {
	ourTempPattern.Check(t, isOurTempName,
		".keypair-0123456789abcdef.tmp", ".keypair-1.tmp", ".keypair-1234567890.tmp",
		".keypair-12345678901.tmp", ".keypair-.tmp", ".keypair-0123456789ABCDEF.tmp",
		".keypair-0123456789abcdeg.tmp", ".keypair-0123456789abcde.tmp", "keypair-1.tmp",
		".keypair-1.tmp.pem", ".keypair-1.tm", ".keypair-tmp", ".keypair-.tmp.tmp",
		".keypair-1\n.tmp", "x.keypair-1.tmp", ".keypair--1.tmp", ".keypair-0123456789abcdef0.tmp")
}

func FuzzOurTempName(f *testing.F) {
	f.Add(".keypair-0123456789abcdef.tmp")
	f.Add(".keypair-42.tmp")
	f.Fuzz(func(t *testing.T, name string) { ourTempPattern.Check(t, isOurTempName, name) })
}
