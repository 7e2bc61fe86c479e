// Package patterntest holds a hand-written matcher to the regular expression
// it was written from, for tests. The program checks names with plain
// functions, since a package-level regexp is compiled at every start of
// every command; the regexp stays here, in the tests, as the oracle.
package patterntest

import (
	"regexp"
	"testing"
)

// Pattern is the regular expression a matcher was written from.
type Pattern struct{ re *regexp.Regexp }

// Compile compiles re, which must be valid.
func Compile(re string) Pattern { return Pattern{regexp.MustCompile(re)} }

// Check reports an error on t for every input on which match and the
// pattern disagree.
func (p Pattern) Check(t testing.TB, match func(string) bool, inputs ...string) {
	t.Helper()
	for _, s := range inputs {
		if got, want := match(s), p.re.MatchString(s); got != want {
			t.Errorf("%q: the matcher says %v, %s says %v", s, got, p.re, want)
		}
	}
}
