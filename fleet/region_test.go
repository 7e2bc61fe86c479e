package fleet

import (
	"testing"

	"github.com/keypair-dev/keypair/internal/patterntest"
)

// The pattern ValidRegion is written from.
var regionPattern = patterntest.Compile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)

func TestValidRegionMatchesPattern(t *testing.T) {
	regionPattern.Check(t, ValidRegion,
		"us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "us-isob-east-1",
		"us-iso-east-1", "us-isof-south-1", "ap-southeast-10", "us-east-100", "us-east-",
		"us--1", "use-east-1", "u-east-1", "US-east-1", "us-gov-1", "us-isobb-east-1",
		"us-isob-east-1-x", "us-east-1\n", "us-gov-west-1a", "-us-east-1", "us-iso-", "us-ab-cd-1",
		"us-gove-west-1", "", "us-east-a")
}

func FuzzValidRegion(f *testing.F) {
	f.Add("us-east-1")
	f.Add("us-isob-east-1")
	f.Fuzz(func(t *testing.T, s string) { regionPattern.Check(t, ValidRegion, s) })
}
