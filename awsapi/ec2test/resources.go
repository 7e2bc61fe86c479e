package ec2test

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// This file holds what the stand-in keeps besides key pairs, per region:
// the things that can name a key pair (instances, launch templates and
// their versions, Auto Scaling launch configurations, Spot requests), all
// seeded by tests through the Add* methods (or ec2stand's --seed), and the
// region list DescribeRegions answers.

// DefaultRegions are the 17 regions enabled in every account (opt-in not
// required), the list DescribeRegions returns when Options.Regions is nil.
var DefaultRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// DefaultNotOptedIn are opt-in regions the account has not enabled:
// DescribeRegions lists them only with AllRegions=true, as "not-opted-in".
var DefaultNotOptedIn = []string{"af-south-1", "ap-east-1", "me-south-1"}

// Instance states and their codes, as EC2 reports them.
var instanceStateCodes = map[string]int{
	"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
}

// Instance is one seeded EC2 instance.
type Instance struct {
	ID      string // "" = made up (i- and 17 hex digits)
	State   string // pending, running, shutting-down, terminated, stopping, stopped ("" = running)
	KeyName string // "" = launched without a key pair
	Name    string // the Name tag ("" = none)
	Type    string // instance type ("" = t3.micro)
	Launch  time.Time
}

// LaunchTemplate is one seeded launch template and its versions.
type LaunchTemplate struct {
	ID       string // "" = made up (lt- and 17 hex digits)
	Name     string
	Versions []LaunchTemplateVersion // version numbers are 1, 2, ... in this order
	// Default is the default version number (0 = 1).
	Default int
}

// LaunchTemplateVersion is one version's data.
type LaunchTemplateVersion struct {
	KeyName     string `json:"keyName,omitempty"` // "" = the version names no key pair
	Description string `json:"description,omitempty"`
}

// LaunchConfiguration is one seeded Auto Scaling launch configuration.
type LaunchConfiguration struct {
	Name    string
	KeyName string
	ImageID string // "" = ami- and 17 hex digits
	Created time.Time
}

// SpotRequest is one seeded Spot Instance request.
type SpotRequest struct {
	ID         string // "" = made up (sir- and 8 characters)
	State      string // open, active, closed, cancelled, failed ("" = open)
	KeyName    string
	InstanceID string // for an active request
}

// regionState is everything of one region but its key pairs.
type regionState struct {
	instances []Instance
	templates []*LaunchTemplate
	configs   []LaunchConfiguration
	spots     []SpotRequest
}

func (s *Server) region(name string) *regionState {
	rs := s.others[name]
	if rs == nil {
		rs = &regionState{}
		s.others[name] = rs
	}
	return rs
}

// AddInstance seeds an instance in region and returns its ID.
func (s *Server) AddInstance(region string, in Instance) (string, error) {
	if in.State == "" {
		in.State = "running"
	}
	if _, ok := instanceStateCodes[in.State]; !ok {
		return "", fmt.Errorf("ec2test: instance state %q is not one of pending, running, shutting-down, terminated, stopping, stopped", in.State)
	}
	if in.ID == "" {
		in.ID = "i-" + s.randomHex(9)[:17]
	}
	if in.Type == "" {
		in.Type = "t3.micro"
	}
	if in.Launch.IsZero() {
		in.Launch = s.opts.Now().UTC().Truncate(time.Second)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.region(region)
	rs.instances = append(rs.instances, in)
	return in.ID, nil
}

// AddLaunchTemplate seeds a launch template in region and returns its ID.
// It needs a name and at least one version.
func (s *Server) AddLaunchTemplate(region string, lt LaunchTemplate) (string, error) {
	if lt.Name == "" || len(lt.Versions) == 0 {
		return "", fmt.Errorf("ec2test: a launch template needs a name and at least one version")
	}
	if lt.Default == 0 {
		lt.Default = 1
	}
	if lt.Default < 1 || lt.Default > len(lt.Versions) {
		return "", fmt.Errorf("ec2test: launch template %s: default version %d does not exist", lt.Name, lt.Default)
	}
	if lt.ID == "" {
		lt.ID = "lt-" + s.randomHex(9)[:17]
	}
	lt.Versions = append([]LaunchTemplateVersion(nil), lt.Versions...)
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.region(region)
	for _, t := range rs.templates {
		if t.Name == lt.Name {
			return "", fmt.Errorf("ec2test: launch template %s already exists in %s", lt.Name, region)
		}
	}
	rs.templates = append(rs.templates, &lt)
	return lt.ID, nil
}

// AddLaunchConfiguration seeds an Auto Scaling launch configuration in region.
func (s *Server) AddLaunchConfiguration(region string, lc LaunchConfiguration) error {
	if lc.Name == "" {
		return fmt.Errorf("ec2test: a launch configuration needs a name")
	}
	if lc.ImageID == "" {
		lc.ImageID = "ami-" + s.randomHex(9)[:17]
	}
	if lc.Created.IsZero() {
		lc.Created = s.opts.Now().UTC().Truncate(time.Second)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.region(region)
	for _, c := range rs.configs {
		if c.Name == lc.Name {
			return fmt.Errorf("ec2test: launch configuration %s already exists in %s", lc.Name, region)
		}
	}
	rs.configs = append(rs.configs, lc)
	return nil
}

// AddSpotRequest seeds a Spot Instance request in region and returns its ID.
func (s *Server) AddSpotRequest(region string, sr SpotRequest) (string, error) {
	if sr.State == "" {
		sr.State = "open"
	}
	switch sr.State {
	case "open", "active", "closed", "cancelled", "failed":
	default:
		return "", fmt.Errorf("ec2test: Spot request state %q is not one of open, active, closed, cancelled, failed", sr.State)
	}
	if sr.ID == "" {
		sr.ID = "sir-" + s.randomHex(4)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.region(region)
	rs.spots = append(rs.spots, sr)
	return sr.ID, nil
}

// AddKeyPair seeds a key pair in region from a public key (an
// authorized_keys line), as if imported: fingerprint, ID and public key are
// computed as ImportKeyPair does. It is the quick way to fill a region with
// thousands of pairs.
func (s *Server) AddKeyPair(region, name, publicKey string, tags ...pair.Tag) (KeyPair, error) {
	if e := checkName(name); e != nil {
		return KeyPair{}, fmt.Errorf("ec2test: %s", e.message)
	}
	pub, _, err := keys.ParsePublicKey([]byte(strings.TrimSpace(publicKey)))
	if err != nil {
		return KeyPair{}, fmt.Errorf("ec2test: public key of %s: %w", name, err)
	}
	typ := pair.TypeOf(pub)
	if typ == "" {
		return KeyPair{}, fmt.Errorf("ec2test: public key of %s: EC2 takes RSA and ED25519 keys, not %s", name, pub.Type())
	}
	fp, err := keys.FingerprintAWSImported(pub)
	if err != nil {
		return KeyPair{}, fmt.Errorf("ec2test: %w", err)
	}
	kp := &KeyPair{Name: name, ID: s.newKeyPairID(), Fingerprint: fp, Type: typ, Imported: true,
		PublicKey: strings.TrimSuffix(keys.AuthorizedKey(pub, name), "\n"), Created: s.opts.Now().UTC(),
		Tags: append([]pair.Tag(nil), tags...)}
	if e := s.store(region, kp); e != nil {
		return KeyPair{}, fmt.Errorf("ec2test: %s", e.message)
	}
	return *kp, nil
}

// Instances returns copies of the instances seeded in region, in order.
func (s *Server) Instances(region string) []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Instance(nil), s.region(region).instances...)
}

// SetInstanceState changes a seeded instance's state (e.g. to terminated).
func (s *Server) SetInstanceState(region, id, state string) error {
	if _, ok := instanceStateCodes[state]; !ok {
		return fmt.Errorf("ec2test: instance state %q is not known", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.region(region)
	for i := range rs.instances {
		if rs.instances[i].ID == id {
			rs.instances[i].State = state
			return nil
		}
	}
	return fmt.Errorf("ec2test: no instance %s in %s", id, region)
}

// regionList is what DescribeRegions knows: enabled regions, then the
// opt-in ones not enabled.
func (s *Server) regionList() (enabled, notOptedIn []string) {
	enabled = s.opts.Regions
	if enabled == nil {
		enabled = DefaultRegions
	}
	notOptedIn = s.opts.NotOptedIn
	if notOptedIn == nil {
		notOptedIn = DefaultNotOptedIn
	}
	enabled = append([]string(nil), enabled...)
	sort.Strings(enabled)
	return enabled, notOptedIn
}
