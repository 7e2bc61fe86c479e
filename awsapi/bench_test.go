package awsapi

import (
	"context"
	"io"
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

// BenchmarkDryRunRoundTripTraced is BenchmarkDryRunRoundTrip with a trace
// sink: the tracer's cost on a call (reading and redacting the body,
// formatting the block).
func BenchmarkDryRunRoundTripTraced(b *testing.B) {
	testEnv(b)
	s := ec2test.New(ec2test.Options{})
	defer s.Close()
	c := newClient(b, s, Options{Trace: io.Discard})
	ctx := context.Background()
	in := CreateInput{Name: "bench", Type: keys.ED25519, Format: keys.PEM, DryRun: true,
		Tags: []pair.Tag{{Key: "env", Value: "bench"}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if out, err := c.CreateKeyPair(ctx, in); err != nil || out.DryRun == nil {
			b.Fatalf("dry run = %+v, %v", out, err)
		}
	}
}

// BenchmarkPreviewCreate is what opening the inspector on the form costs:
// one CreateKeyPair serialized by the SDK and stopped before signing.
func BenchmarkPreviewCreate(b *testing.B) {
	testEnv(b)
	c := newClient(b, nil, Options{})
	ctx := context.Background()
	in := CreateInput{Name: "bench", Type: keys.ED25519, Format: keys.PEM, Tags: []pair.Tag{{Key: "env", Value: "bench"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.PreviewCreate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
