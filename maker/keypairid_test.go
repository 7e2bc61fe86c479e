package maker

import (
	"testing"

	"github.com/keypair-dev/keypair/internal/patterntest"
)

// The pattern IsKeyPairID is written from.
var keyPairIDPattern = patterntest.Compile(`^key-[0-9a-f]{8,17}$`)

func TestIsKeyPairIDMatchesPattern(t *testing.T) {
	keyPairIDPattern.Check(t, IsKeyPairID,
		"key-0123456789abcdef0", "key-01234567", "key-0123456", "key-0123456789abcdef01",
		"key-0123456789ABCDEF0", "key-", "web", "key-0123456g", "xkey-01234567", "key-01234567\n",
		"key--01234567")
}

func FuzzIsKeyPairID(f *testing.F) {
	f.Add("key-0123456789abcdef0")
	f.Add("web-prod")
	f.Fuzz(func(t *testing.T, s string) { keyPairIDPattern.Check(t, IsKeyPairID, s) })
}
