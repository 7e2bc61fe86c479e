package maker

import (
	"regexp"
	"testing"
)

// The pattern IsKeyPairID is written out from; the regexp lives only here.
var keyPairIDPattern = regexp.MustCompile(`^key-[0-9a-f]{8,17}$`)

func TestIsKeyPairIDMatchesPattern(t *testing.T) {
	for _, s := range []string{
		"key-0123456789abcdef0", "key-01234567", "key-0123456", "key-0123456789abcdef01",
		"key-0123456789ABCDEF0", "key-", "web", "key-0123456g", "xkey-01234567", "key-01234567\n",
		"key--01234567",
	} {
		if got, want := IsKeyPairID(s), keyPairIDPattern.MatchString(s); got != want {
			t.Errorf("IsKeyPairID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

func FuzzIsKeyPairID(f *testing.F) {
	f.Add("key-0123456789abcdef0")
	f.Add("web-prod")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsKeyPairID(s), keyPairIDPattern.MatchString(s); got != want {
			t.Fatalf("IsKeyPairID(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
