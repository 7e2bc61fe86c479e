package awsapi

import (
	"context"
	"sort"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/keypair-dev/keypair/internal/termtext"
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

var _ Inventory = (*Client)(nil)

// isAutoScalingOp says which operations go to Auto Scaling, not EC2.
func isAutoScalingOp(op string) bool { return op == "DescribeLaunchConfigurations" }

// templateScanConcurrency bounds the DescribeLaunchTemplateVersions calls
// in flight for one region's scan.
const templateScanConcurrency = 4

// UsedBy lists what uses the named pair in the client's region: instances
// in every state but terminated, every version of every launch template
// whose data names the key, Auto Scaling launch configurations, and open
// or active Spot requests. Sorted by kind (in the order of the Use*
// constants) and ID; an empty (non-nil) slice when nothing does. Any
// failed call fails the whole answer (a denied DescribeInstances is an
// error, never "unused").
func (c *Client) UsedBy(ctx context.Context, name string) ([]Use, error) {
	uses, err := c.scan(ctx, name, true)
	if err != nil {
		return nil, err
	}
	out := uses[name]
	if out == nil {
		out = []Use{}
	}
	return out, nil
}

// Usage lists what uses each key name in the client's region: the scan of
// UsedBy for all names at once (instances and Spot requests unfiltered).
// Key names are cleaned as DescribeKeyPairs cleans them, so they match its
// KeyName.
func (c *Client) Usage(ctx context.Context) (map[string][]Use, error) {
	return c.scan(ctx, "", false)
}

// scan runs the four listings concurrently; the first failure cancels the
// rest. With one set, only uses of name are kept (EC2's filters take * and
// ? as wildcards, so every answer is compared exactly as well).
func (c *Client) scan(ctx context.Context, name string, one bool) (map[string][]Use, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		found    = map[string][]Use{}
		firstErr error
		wg       sync.WaitGroup
	)
	add := func(key *string, u Use) {
		raw := aws.ToString(key)
		if raw == "" || one && raw != name {
			return
		}
		k := str(key)
		if one {
			k = name
		}
		u.Detail = termtext.Clean(u.Detail)
		mu.Lock()
		found[k] = append(found[k], u)
		mu.Unlock()
	}
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
		mu.Unlock()
	}
	for _, part := range []func(context.Context, string, bool, func(*string, Use)) error{
		c.scanInstances, c.scanLaunchTemplates, c.scanLaunchConfigurations, c.scanSpotRequests,
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := part(ctx, name, one, add); err != nil {
				fail(err)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	order := map[string]int{UseInstance: 0, UseLaunchTemplate: 1, UseLaunchConfiguration: 2, UseSpotRequest: 3}
	for _, uses := range found {
		sort.Slice(uses, func(i, j int) bool {
			if uses[i].Kind != uses[j].Kind {
				return order[uses[i].Kind] < order[uses[j].Kind]
			}
			return uses[i].ID < uses[j].ID
		})
	}
	return found, nil
}

// page runs one page of a paginated listing through c.call.
func (c *Client) page(ctx context.Context, op, keyName string, do func(context.Context) error) error {
	_, err := c.call(ctx, callInfo{op: op, keyName: keyName}, do)
	return err
}

func (c *Client) scanInstances(ctx context.Context, name string, one bool, add func(*string, Use)) error {
	in := &ec2.DescribeInstancesInput{
		MaxResults: aws.Int32(1000),
		Filters: []types.Filter{{Name: aws.String("instance-state-name"),
			Values: []string{"pending", "running", "shutting-down", "stopping", "stopped"}}},
	}
	if one {
		in.Filters = append(in.Filters, types.Filter{Name: aws.String("key-name"), Values: []string{name}})
	}
	p := ec2.NewDescribeInstancesPaginator(c.ec2, in)
	for p.HasMorePages() {
		var out *ec2.DescribeInstancesOutput
		if err := c.page(ctx, "DescribeInstances", name, func(ctx context.Context) (err error) {
			out, err = p.NextPage(ctx)
			return err
		}); err != nil {
			return err
		}
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				state := ""
				if i.State != nil {
					state = string(i.State.Name)
				}
				if state == string(types.InstanceStateNameTerminated) {
					continue
				}
				detail := state
				for _, t := range i.Tags {
					if aws.ToString(t.Key) == "Name" && aws.ToString(t.Value) != "" {
						detail += ", " + aws.ToString(t.Value)
					}
				}
				add(i.KeyName, Use{Kind: UseInstance, ID: str(i.InstanceId), Detail: detail})
			}
		}
	}
	return nil
}

// scanLaunchTemplates reads every version of every launch template.
// DescribeLaunchTemplateVersions has no key-name filter, so the data of
// each version is read: one account-wide call ($Latest) covers every
// template that has a single version, and each template with more gets its
// own paginated call for all its versions (any version can be launched or
// pinned by an Auto Scaling group, so $Latest and $Default alone would miss
// uses), at most templateScanConcurrency at a time.
func (c *Client) scanLaunchTemplates(ctx context.Context, name string, _ bool, add func(*string, Use)) error {
	var multi []types.LaunchTemplate
	single := false
	p := ec2.NewDescribeLaunchTemplatesPaginator(c.ec2, &ec2.DescribeLaunchTemplatesInput{MaxResults: aws.Int32(200)})
	for p.HasMorePages() {
		var out *ec2.DescribeLaunchTemplatesOutput
		if err := c.page(ctx, "DescribeLaunchTemplates", name, func(ctx context.Context) (err error) {
			out, err = p.NextPage(ctx)
			return err
		}); err != nil {
			return err
		}
		for _, lt := range out.LaunchTemplates {
			if aws.ToInt64(lt.LatestVersionNumber) > 1 {
				multi = append(multi, lt)
			} else {
				single = true
			}
		}
	}
	var seenMu sync.Mutex
	seen := map[string]bool{}
	versions := func(ctx context.Context, in *ec2.DescribeLaunchTemplateVersionsInput) error {
		vp := ec2.NewDescribeLaunchTemplateVersionsPaginator(c.ec2, in)
		for vp.HasMorePages() {
			var out *ec2.DescribeLaunchTemplateVersionsOutput
			if err := c.page(ctx, "DescribeLaunchTemplateVersions", name, func(ctx context.Context) (err error) {
				out, err = vp.NextPage(ctx)
				return err
			}); err != nil {
				return err
			}
			for _, v := range out.LaunchTemplateVersions {
				if v.LaunchTemplateData == nil {
					continue
				}
				id := str(v.LaunchTemplateId) + ":" + strconv.FormatInt(aws.ToInt64(v.VersionNumber), 10)
				seenMu.Lock()
				dup := seen[id]
				seen[id] = true
				seenMu.Unlock()
				if dup {
					continue
				}
				detail := aws.ToString(v.LaunchTemplateName) + " version " + strconv.FormatInt(aws.ToInt64(v.VersionNumber), 10)
				if aws.ToBool(v.DefaultVersion) {
					detail += " (default)"
				}
				add(v.LaunchTemplateData.KeyName, Use{Kind: UseLaunchTemplate, ID: id, Detail: detail})
			}
		}
		return nil
	}
	if single {
		if err := versions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"$Latest"}, MaxResults: aws.Int32(200)}); err != nil {
			return err
		}
	}
	err := eachBounded(ctx, len(multi), templateScanConcurrency, func(ctx context.Context, i int) error {
		return versions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: multi[i].LaunchTemplateId, MaxResults: aws.Int32(200)})
	})
	if _, ok := err.(*Error); err != nil && !ok {
		err = classify(err, callInfo{op: "DescribeLaunchTemplateVersions", region: c.region, endpoint: c.endpoint, keyName: name})
	}
	return err
}

// eachBounded runs do(0..n-1) with at most limit at a time and returns the
// first error (after which the rest see a cancelled context).
func eachBounded(ctx context.Context, n, limit int, do func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, limit)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := do(ctx, i); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		// The caller's context ended before every item was started: the
		// scan is not complete.
		return ctx.Err()
	}
	return firstErr
}

func (c *Client) scanLaunchConfigurations(ctx context.Context, name string, _ bool, add func(*string, Use)) error {
	p := autoscaling.NewDescribeLaunchConfigurationsPaginator(c.autoscaling,
		&autoscaling.DescribeLaunchConfigurationsInput{MaxRecords: aws.Int32(100)})
	for p.HasMorePages() {
		var out *autoscaling.DescribeLaunchConfigurationsOutput
		if err := c.page(ctx, "DescribeLaunchConfigurations", name, func(ctx context.Context) (err error) {
			out, err = p.NextPage(ctx)
			return err
		}); err != nil {
			return err
		}
		for _, lc := range out.LaunchConfigurations {
			detail := "Auto Scaling launch configuration"
			if lc.CreatedTime != nil {
				detail += ", created " + lc.CreatedTime.UTC().Format("2006-01-02")
			}
			add(lc.KeyName, Use{Kind: UseLaunchConfiguration, ID: str(lc.LaunchConfigurationName), Detail: detail})
		}
	}
	return nil
}

func (c *Client) scanSpotRequests(ctx context.Context, name string, one bool, add func(*string, Use)) error {
	in := &ec2.DescribeSpotInstanceRequestsInput{
		MaxResults: aws.Int32(1000),
		Filters:    []types.Filter{{Name: aws.String("state"), Values: []string{"open", "active"}}},
	}
	if one {
		in.Filters = append(in.Filters, types.Filter{Name: aws.String("launch.key-name"), Values: []string{name}})
	}
	p := ec2.NewDescribeSpotInstanceRequestsPaginator(c.ec2, in)
	for p.HasMorePages() {
		var out *ec2.DescribeSpotInstanceRequestsOutput
		if err := c.page(ctx, "DescribeSpotInstanceRequests", name, func(ctx context.Context) (err error) {
			out, err = p.NextPage(ctx)
			return err
		}); err != nil {
			return err
		}
		for _, sr := range out.SpotInstanceRequests {
			if sr.State != types.SpotInstanceStateOpen && sr.State != types.SpotInstanceStateActive {
				continue
			}
			if sr.LaunchSpecification == nil {
				continue
			}
			detail := string(sr.State)
			if id := aws.ToString(sr.InstanceId); id != "" {
				detail += ", instance " + id
			}
			add(sr.LaunchSpecification.KeyName, Use{Kind: UseSpotRequest, ID: str(sr.SpotInstanceRequestId), Detail: detail})
		}
	}
	return nil
}

// Regions lists the regions enabled for the account (DescribeRegions:
// opt-in not required, or opted in), sorted.
func (c *Client) Regions(ctx context.Context) ([]string, error) {
	var resp *ec2.DescribeRegionsOutput
	if _, err := c.call(ctx, callInfo{op: "DescribeRegions"}, func(ctx context.Context) (err error) {
		resp, err = c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		return err
	}); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range resp.Regions {
		switch aws.ToString(r.OptInStatus) {
		case "opt-in-not-required", "opted-in", "":
		default:
			continue
		}
		if n := str(r.RegionName); n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// InRegion is a client for another region with the same configuration:
// the same credentials (and their cache: one resolution serves every
// region), HTTP client and connection pool, retry settings, middleware,
// timeouts and endpoint rules. c is not changed; safe for concurrent use.
func (c *Client) InRegion(region string) *Client {
	cp := &Client{
		region: region, profile: c.profile, credTimeout: c.credTimeout, timeouts: c.timeouts, creds: c.creds,
		cfg: c.cfg.Copy(), apiOptions: c.apiOptions, endpointURL: c.endpointURL, asEndpointURL: c.asEndpointURL,
	}
	cp.cfg.Region = region
	cp.buildClients()
	return cp
}
