package awsapi

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// What can use a key pair (the kind field of list --json's usedBy).
const (
	UseInstance            = "instance"
	UseLaunchTemplate      = "launch-template"
	UseLaunchConfiguration = "launch-configuration"
	UseSpotRequest         = "spot-request"
)

// Use is one thing that names a key pair: an instance in any state but
// terminated, a launch template version, an Auto Scaling launch
// configuration, or an open Spot request.
type Use struct {
	Kind   string `json:"kind"`   // one of the Use* constants
	ID     string `json:"id"`     // i-…, lt-…:VERSION, the launch configuration's name, sir-…
	Detail string `json:"detail"` // for people: state, template name, … (cleaned)
}

// Inventory is what the Pairs screen and list/delete need of a region.
// *Client implements it; tests may fake it.
type Inventory interface {
	Describer
	// UsedBy lists what uses the named pair ([] when nothing does).
	UsedBy(ctx context.Context, name string) ([]Use, error)
	// Usage lists, for every key name used by anything in the region, what
	// uses it: one scan for list --used-by/--unused instead of one per pair.
	Usage(ctx context.Context) (map[string][]Use, error)
}

var errScaffold = errors.New("awsapi: not built yet")

// UsedBy lists what uses the named pair in the client's region.
func (c *Client) UsedBy(ctx context.Context, name string) ([]Use, error) { return nil, errScaffold }

// Usage lists what uses each key name in the client's region.
func (c *Client) Usage(ctx context.Context) (map[string][]Use, error) { return nil, errScaffold }

// Regions lists the regions enabled for the account (DescribeRegions), sorted.
func (c *Client) Regions(ctx context.Context) ([]string, error) { return nil, errScaffold }

// InRegion is a client for another region with the same configuration,
// credentials (and their cache) and endpoint rules.
func (c *Client) InRegion(region string) *Client {
	cp := *c
	cp.region = region
	cp.cfg.Region = region
	// The EC2 client signs for and resolves its endpoint from its own
	// Region: rebuild it from its options (credentials cache, HTTP client,
	// retryer and middleware are shared through them).
	cp.ec2 = ec2.New(c.ec2.Options(), func(o *ec2.Options) { o.Region = region })
	return &cp
}
