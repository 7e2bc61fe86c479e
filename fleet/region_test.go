package fleet

import (
	"regexp"
	"testing"
)

// The pattern ValidRegion is written out from; the regexp lives only here.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)

func TestValidRegionMatchesPattern(t *testing.T) {
	for _, s := range []string{
		"us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "us-isob-east-1",
		"us-iso-east-1", "us-isof-south-1", "ap-southeast-10", "us-east-100", "us-east-",
		"us--1", "use-east-1", "u-east-1", "US-east-1", "us-gov-1", "us-isobb-east-1",
		"us-isob-east-1-x", "us-east-1\n", "us-gov-west-1a", "-us-east-1", "us-iso-", "us-ab-cd-1",
		"us-gove-west-1", "", "us-east-a",
	} {
		if got, want := ValidRegion(s), regionPattern.MatchString(s); got != want {
			t.Errorf("ValidRegion(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}

func FuzzValidRegion(f *testing.F) {
	f.Add("us-east-1")
	f.Add("us-isob-east-1")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidRegion(s), regionPattern.MatchString(s); got != want {
			t.Fatalf("ValidRegion(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
