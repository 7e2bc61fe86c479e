package ec2test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/keys"
)

func TestSeed(t *testing.T) {
	dir := t.TempDir()
	k, err := keys.Generate(keys.ED25519, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ops.pub"), []byte(keys.AuthorizedKey(k.SSHPublicKey(), "me@host")), 0o600); err != nil {
		t.Fatal(err)
	}
	const doc = `{"regions": {"eu-west-1": {
	  "keyPairs": [{"name": "ops", "publicKeyFile": "ops.pub", "tags": [{"key": "env", "value": "dev"}]}, {"name": "made"}],
	  "instances": [{"id": "i-0123456789abcdef0", "state": "stopped", "keyName": "ops", "name": "web-1"}],
	  "launchTemplates": [{"name": "lt", "default": 2, "versions": [{"keyName": "ops"}, {"description": "no key"}]}],
	  "launchConfigurations": [{"name": "asg", "keyName": "made"}],
	  "spotRequests": [{"state": "active", "keyName": "ops", "instanceId": "i-0123456789abcdef0"}]}}}`
	seed, err := ParseSeed([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(Options{})
	if err := s.Load(seed, dir); err != nil {
		t.Fatal(err)
	}
	pairs := s.KeyPairs("eu-west-1")
	if len(pairs) != 2 || pairs[1].Name != "ops" || len(pairs[1].Tags) != 1 || pairs[1].Tags[0].Value != "dev" ||
		!strings.HasPrefix(pairs[1].PublicKey, strings.TrimSuffix(keys.AuthorizedKey(k.SSHPublicKey(), ""), "\n")) ||
		pairs[0].Type != keys.ED25519 {
		t.Errorf("pairs %+v", pairs)
	}
	if in := s.Instances("eu-west-1"); len(in) != 1 || in[0].State != "stopped" || in[0].Name != "web-1" {
		t.Errorf("instances %+v", in)
	}
	if lt := s.templates("eu-west-1"); len(lt) != 1 || lt[0].Default != 2 || lt[0].Versions[1].Description != "no key" {
		t.Errorf("templates %+v", lt)
	}

	for bad, want := range map[string]string{
		`{"regions": {"r": {"instances": [{"colour": "red"}]}}}`:                                    "unknown field",
		`{"regions": {"r": {"keyPairs": [{"name": "a", "publicKey": "x", "publicKeyFile": "y"}]}}}`: "not both",
		`{"regions": {"r": {"keyPairs": [{"name": "a", "type": "dsa"}]}}}`:                          "not rsa or ed25519",
		`{"regions": {}} {}`: "more than one",
		`[1]`:                "not valid",
	} {
		if _, err := ParseSeed([]byte(bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	for bad, want := range map[string]string{
		`{"regions": {"r": {"instances": [{"state": "asleep"}]}}}`:                                 "asleep",
		`{"regions": {"r": {"launchTemplates": [{"name": "x", "versions": []}]}}}`:                 "at least one version",
		`{"regions": {"r": {"launchTemplates": [{"name": "x", "default": 3, "versions": [{}]}]}}}`: "default version 3",
		`{"regions": {"r": {"keyPairs": [{"name": "a", "publicKey": "ssh-dss AAAA"}]}}}`:           "public key",
		`{"regions": {"r": {"keyPairs": [{"name": "a", "publicKeyFile": "nope.pub"}]}}}`:           "nope.pub",
		`{"regions": {"r": {"spotRequests": [{"state": "sleeping"}]}}}`:                            "sleeping",
	} {
		seed, err := ParseSeed([]byte(bad))
		if err == nil {
			err = newServer(Options{}).Load(seed, dir)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if err := newServer(Options{}).Load(DemoSeed(), ""); err != nil {
		t.Errorf("demo: %v", err)
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"web", "web", true}, {"web", "web1", false}, {"web*", "web-1", true}, {"*", "", true}, {"w?b", "wab", true},
		{"w?b", "wb", false}, {"*-prod", "a-prod", true}, {"*-prod", "a-prod2", false}, {"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false}, {"ü?", "üx", true},
	} {
		if got := glob(tc.p, tc.s); got != tc.want {
			t.Errorf("glob(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}

// FuzzParseSeed: any bytes either fail to parse or load (or fail to load)
// without a panic.
func FuzzParseSeed(f *testing.F) {
	f.Add([]byte(`{"regions": {"us-east-1": {"instances": [{"keyName": "web"}], "launchTemplates": [{"name": "x", "versions": [{"keyName": "a"}]}]}}}`))
	f.Add([]byte(`{"regions": {"r": {"keyPairs": [{"name": "a"}], "spotRequests": [{"state": "open"}], "launchConfigurations": [{"name": "c"}]}}}`))
	f.Add([]byte(`{"regions": {"r": {"keyPairs": [{"name": "a", "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc2RyJhaOhsFzW4uGzm9gnsB6I/Y9W+2CzN9YaWBUhq x"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		seed, err := ParseSeed(data)
		if err != nil {
			return
		}
		n := 0
		for _, r := range seed.Regions {
			n += len(r.KeyPairs) + len(r.Instances) + len(r.LaunchTemplates) + len(r.LaunchConfigurations) + len(r.SpotRequests)
			for _, kp := range r.KeyPairs {
				if kp.Type == keys.RSA || kp.PublicKeyFile != "" {
					return // slow key generation, or a file of the machine's
				}
			}
		}
		if n > 100 {
			return
		}
		newServer(Options{}).Load(seed, t.TempDir())
	})
}
