package ec2test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// A Seed is state to load into a server before it serves: ec2stand's --seed
// FILE reads one from JSON, --seed-demo uses DemoSeed. The JSON is
//
//	{"regions": {"us-east-1": {
//	    "keyPairs":  [{"name": "web", "publicKey": "ssh-ed25519 AAAA… c"}, {"name": "ops", "publicKeyFile": "ops.pub"},
//	                  {"name": "gen", "type": "rsa"}],
//	    "instances": [{"id": "i-…", "state": "running", "keyName": "web", "name": "web-1", "type": "t3.micro"}],
//	    "launchTemplates": [{"name": "web-lt", "default": 1, "versions": [{"keyName": "web", "description": "v1"}]}],
//	    "launchConfigurations": [{"name": "web-asg", "keyName": "web"}],
//	    "spotRequests": [{"state": "open", "keyName": "web"}]}}}
//
// A key pair takes a public key (an authorized_keys line), a public key
// file (relative to the seed file's folder), or neither: then a key of
// "type" (ed25519 when empty) is made and its private half thrown away.
// Unknown fields are refused, so a misspelt name does not pass silently.
type Seed struct {
	Regions map[string]SeedRegion `json:"regions"`
}

// SeedRegion is one region's part of a Seed.
type SeedRegion struct {
	KeyPairs             []SeedKeyPair        `json:"keyPairs,omitempty"`
	Instances            []SeedInstance       `json:"instances,omitempty"`
	LaunchTemplates      []SeedLaunchTemplate `json:"launchTemplates,omitempty"`
	LaunchConfigurations []SeedLaunchConfig   `json:"launchConfigurations,omitempty"`
	SpotRequests         []SeedSpotRequest    `json:"spotRequests,omitempty"`
}

// SeedKeyPair is a key pair of a Seed.
type SeedKeyPair struct {
	Name          string     `json:"name"`
	PublicKey     string     `json:"publicKey,omitempty"`
	PublicKeyFile string     `json:"publicKeyFile,omitempty"`
	Type          keys.Type  `json:"type,omitempty"`
	Tags          []pair.Tag `json:"tags,omitempty"`
}

// SeedInstance is an instance of a Seed (see Instance).
type SeedInstance struct {
	ID      string `json:"id,omitempty"`
	State   string `json:"state,omitempty"`
	KeyName string `json:"keyName,omitempty"`
	Name    string `json:"name,omitempty"`
	Type    string `json:"type,omitempty"`
}

// SeedLaunchTemplate is a launch template of a Seed (see LaunchTemplate).
type SeedLaunchTemplate struct {
	ID       string                  `json:"id,omitempty"`
	Name     string                  `json:"name"`
	Default  int                     `json:"default,omitempty"`
	Versions []LaunchTemplateVersion `json:"versions"`
}

// SeedLaunchConfig is an Auto Scaling launch configuration of a Seed.
type SeedLaunchConfig struct {
	Name    string `json:"name"`
	KeyName string `json:"keyName,omitempty"`
}

// SeedSpotRequest is a Spot request of a Seed (see SpotRequest).
type SeedSpotRequest struct {
	ID         string `json:"id,omitempty"`
	State      string `json:"state,omitempty"`
	KeyName    string `json:"keyName,omitempty"`
	InstanceID string `json:"instanceId,omitempty"`
}

// MaxSeedBytes bounds a seed file.
const MaxSeedBytes = 16 << 20

// ParseSeed reads a Seed from JSON (one document, no unknown fields).
func ParseSeed(data []byte) (*Seed, error) {
	if len(data) > MaxSeedBytes {
		return nil, fmt.Errorf("the seed is %d bytes, more than the %d a seed may be", len(data), MaxSeedBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Seed
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("the seed is not valid: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("the seed is not valid: more than one JSON document")
	}
	for region, r := range s.Regions {
		if region == "" {
			return nil, fmt.Errorf("the seed names a region \"\"")
		}
		for _, kp := range r.KeyPairs {
			if kp.PublicKey != "" && kp.PublicKeyFile != "" {
				return nil, fmt.Errorf("key pair %q in %s: give publicKey or publicKeyFile, not both", kp.Name, region)
			}
			if kp.Type != "" && kp.Type != keys.RSA && kp.Type != keys.ED25519 {
				return nil, fmt.Errorf("key pair %q in %s: type %q is not rsa or ed25519", kp.Name, region, kp.Type)
			}
		}
	}
	return &s, nil
}

// Load applies a seed to the server: every region in name order, each
// kind in the order above. dir is where publicKeyFile paths are relative
// to. It stops at the first thing the server refuses.
func (s *Server) Load(seed *Seed, dir string) error {
	var regions []string
	for r := range seed.Regions {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, region := range regions {
		r := seed.Regions[region]
		for _, kp := range r.KeyPairs {
			pub := kp.PublicKey
			if kp.PublicKeyFile != "" {
				path := kp.PublicKeyFile
				if !filepath.IsAbs(path) {
					path = filepath.Join(dir, path)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("key pair %q in %s: %w", kp.Name, region, err)
				}
				pub = string(b)
			}
			if pub == "" {
				typ := kp.Type
				if typ == "" {
					typ = keys.ED25519
				}
				s.randMu.Lock()
				k, err := keys.Generate(typ, 0, s.opts.Rand)
				s.randMu.Unlock()
				if err != nil {
					return fmt.Errorf("key pair %q in %s: %w", kp.Name, region, err)
				}
				pub = keys.AuthorizedKey(k.SSHPublicKey(), kp.Name)
			}
			if _, err := s.AddKeyPair(region, kp.Name, pub, kp.Tags...); err != nil {
				return fmt.Errorf("key pair %q in %s: %w", kp.Name, region, err)
			}
		}
		for _, in := range r.Instances {
			if _, err := s.AddInstance(region, Instance{ID: in.ID, State: in.State, KeyName: in.KeyName, Name: in.Name, Type: in.Type}); err != nil {
				return fmt.Errorf("instance in %s: %w", region, err)
			}
		}
		for _, lt := range r.LaunchTemplates {
			if _, err := s.AddLaunchTemplate(region, LaunchTemplate{ID: lt.ID, Name: lt.Name, Default: lt.Default, Versions: lt.Versions}); err != nil {
				return fmt.Errorf("launch template in %s: %w", region, err)
			}
		}
		for _, lc := range r.LaunchConfigurations {
			if err := s.AddLaunchConfiguration(region, LaunchConfiguration{Name: lc.Name, KeyName: lc.KeyName}); err != nil {
				return fmt.Errorf("launch configuration in %s: %w", region, err)
			}
		}
		for _, sr := range r.SpotRequests {
			if _, err := s.AddSpotRequest(region, SpotRequest{ID: sr.ID, State: sr.State, KeyName: sr.KeyName, InstanceID: sr.InstanceID}); err != nil {
				return fmt.Errorf("Spot request in %s: %w", region, err)
			}
		}
	}
	return nil
}

// DemoSeed is ec2stand's --seed-demo, in us-east-1 (IDs fixed, so tests
// may name them):
//
//   - key pair "demo-used": instance i-0demo0000000000a (running, Name
//     "demo-web") and Spot request sir-demo0001 (open) use it;
//   - key pair "demo-template": version 2 of launch template "demo-lt"
//     (lt-0demo000000000000) names it, version 1 names "demo-used";
//   - key pair "demo-asg": Auto Scaling launch configuration "demo-asg-lc";
//   - key pair "demo-unused": nothing uses it (a terminated instance
//     i-0demo0000000000b did);
//   - key pair "demo-stopped": a stopped instance i-0demo0000000000c.
//
// The key pairs' private keys are not kept: import your own public key
// with --seed to have a pair that matches a local file.
func DemoSeed() *Seed {
	return &Seed{Regions: map[string]SeedRegion{"us-east-1": {
		KeyPairs: []SeedKeyPair{{Name: "demo-used"}, {Name: "demo-template"}, {Name: "demo-asg"}, {Name: "demo-unused"},
			{Name: "demo-stopped"}},
		Instances: []SeedInstance{
			{ID: "i-0demo0000000000a", KeyName: "demo-used", Name: "demo-web"},
			{ID: "i-0demo0000000000b", KeyName: "demo-unused", State: "terminated"},
			{ID: "i-0demo0000000000c", KeyName: "demo-stopped", State: "stopped", Name: "demo-batch"},
		},
		LaunchTemplates: []SeedLaunchTemplate{{ID: "lt-0demo000000000000", Name: "demo-lt", Default: 1,
			Versions: []LaunchTemplateVersion{{KeyName: "demo-used"}, {KeyName: "demo-template"}}}},
		LaunchConfigurations: []SeedLaunchConfig{{Name: "demo-asg-lc", KeyName: "demo-asg"}},
		SpotRequests:         []SeedSpotRequest{{ID: "sir-demo0001", KeyName: "demo-used"}},
	}}}
}
