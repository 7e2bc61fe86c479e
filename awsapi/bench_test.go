package awsapi

import (
	"context"
	"testing"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// BenchmarkDryRunRoundTrip measures one signed CreateKeyPair dry run against
// the in-process stand-in: SDK serialisation, SigV4 signing, loopback HTTP,
// the stand-in's signature check, and classifying the 412 answer.
func BenchmarkDryRunRoundTrip(b *testing.B) {
	testEnv(b)
	s := ec2test.New(ec2test.Options{})
	defer s.Close()
	c := newClient(b, s, Options{})
	ctx := context.Background()
	in := CreateInput{Name: "bench", Type: keys.ED25519, Format: keys.PEM, DryRun: true,
		Tags: []pair.Tag{{Key: "env", Value: "bench"}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := c.CreateKeyPair(ctx, in)
		if err != nil || out.DryRun == nil || !out.DryRun.Permitted {
			b.Fatalf("dry run = %+v, %v", out, err)
		}
	}
}
