package ui

import (
	"context"
	"os"
	"testing"

	"github.com/charmbracelet/colorprofile"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/pair"
)

// TestFlowThroughRealClient runs the app on the real awsapi.Client (SDK,
// SigV4, wire format) against the stand-in EC2 endpoint: the name check,
// CreateKeyPair (aws) and ImportKeyPair (local) end in pairs the endpoint
// holds, with the fingerprints the app showed.
func TestFlowThroughRealClient(t *testing.T) {
	for _, source := range []string{"aws", "local"} {
		t.Run(source, func(t *testing.T) {
			srv, client := standInClient(t, "")
			ctx := context.Background()
			if _, err := client.CreateKeyPair(ctx, awsapi.CreateInput{Name: "taken", Type: keys.ED25519, Format: keys.PEM}); err != nil {
				t.Fatal(err)
			}

			opts := testOptions(t, nil)
			opts.Request.Source = pair.Source(source)
			opts.Client = client
			opts.NewPipeline = func(context.Context) (*maker.Pipeline, error) {
				return &maker.Pipeline{API: client, Region: client.Region()}, nil
			}
			s := startSession(t, opts, colorprofile.ANSI256)
			s.waitFor("region us-east-1", "credentials: ok")
			s.send("taken")
			s.waitFor("already exists in us-east-1")
			s.send("-ui", kCtrlS)
			s.waitFor("Save the private key")
			s.send(kEnter)
			s.waitFor("✓ Saved taken-ui")
			res := s.end("q")

			got := res.Saved[0]
			var pair *ec2test.KeyPair
			for _, p := range srv.KeyPairs("us-east-1") {
				if p.Name == "taken-ui" {
					p := p
					pair = &p
				}
			}
			if pair == nil {
				t.Fatalf("the endpoint holds no pair taken-ui: %+v", srv.KeyPairs("us-east-1"))
			}
			if pair.Fingerprint != got.KeyFingerprint || pair.ID != got.KeyPairID || got.Region != "us-east-1" {
				t.Fatalf("endpoint %+v, app %+v", pair, got)
			}
			data, err := os.ReadFile(got.Path)
			if err != nil {
				t.Fatal(err)
			}
			kf, err := keys.ParseKeyFile(data)
			if err != nil {
				t.Fatal(err)
			}
			if keys.FingerprintSHA256(kf.Public) != got.SHA256Fingerprint {
				t.Fatal("saved file does not match the fingerprint shown")
			}
		})
	}
}
