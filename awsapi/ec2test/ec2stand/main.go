// Command ec2stand runs the ec2test stand-in EC2 endpoint as a process, for
// whole-process tests and benchmarks. It listens on 127.0.0.1, prints its
// URL on stdout, and serves until killed. It knows the credentials
// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
//
// Faults are injected with --fault NAME[:KEY=VALUE,...] (repeatable; tried
// in the order given). The option flags (--action, --times, --delay,
// --status, --code, --message, --size) set the same option for every
// --fault that does not set it itself.
//
// State to start with: --seed FILE (JSON, see ec2test.Seed; repeatable)
// and --seed-demo (ec2test.DemoSeed: pairs that an instance, a launch
// template, a launch configuration and a Spot request use, and one nothing
// uses). --latency adds a wait to every call, --page-size makes the
// paginated listings answer in small pages, --regions sets what
// DescribeRegions lists. The stand-in also answers Auto Scaling (SigV4
// service autoscaling) on the same URL.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
	"github.com/keypair-dev/keypair/internal/inputfile"
)

// faultFlags collects repeated --fault values.
type faultFlags []string

func (f *faultFlags) String() string     { return strings.Join(*f, " ") }
func (f *faultFlags) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	fs := flag.NewFlagSet("ec2stand", flag.ExitOnError)
	port := fs.Int("port", 0, "port to listen on (0 = any free port)")
	limit := fs.Int("limit", 0, "key pairs per region (0 = 5,000)")
	var faults faultFlags
	fs.Var(&faults, "fault", "inject a fault: NAME[:KEY=VALUE,...] (repeatable; names below)")
	var seeds faultFlags
	fs.Var(&seeds, "seed", "load state from a JSON `FILE`: key pairs, instances, launch templates, launch configurations, Spot requests per region (repeatable; format below)")
	seedDemo := fs.Bool("seed-demo", false, "load the demo state in us-east-1 (below)")
	latency := fs.Duration("latency", 0, "wait this long before answering every call, e.g. 50ms")
	pageSize := fs.Int("page-size", 0, "cap every page of the paginated Describe calls at N items (0 = no cap)")
	regions := fs.String("regions", "", "comma-separated regions DescribeRegions lists as enabled (default: the 17 every account has)")
	defaults := map[string]*string{}
	for _, o := range []struct{ key, help string }{
		{"action", "limit faults to one EC2 action, e.g. CreateKeyPair (default: all, or the one the name says)"},
		{"times", "how many matching requests each fault hits (default 0 = all; drop-after-ACTION: 1)"},
		{"delay", "wait of a slow fault, e.g. 2s (default 5s)"},
		{"status", "HTTP status of a custom-error (default 400)"},
		{"code", "error code of a custom-error"},
		{"message", "error message of a custom-error"},
		{"size", "bytes of a gzip-bomb (decompressed, default 4GiB) or of huge-key-material (default 50MB); suffixes KB MB GB KiB MiB GiB"},
	} {
		defaults[o.key] = fs.String(o.key, "", o.help)
	}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: ec2stand [--port N] [--limit N] [--seed FILE]... [--seed-demo] [--latency D] [--page-size N] [--regions R1,R2]\n"+
			"                [--fault NAME[:KEY=VALUE,...]]... [option flags]\n\n")
		fmt.Fprintf(out, "A stand-in EC2 endpoint on 127.0.0.1; prints its URL and serves until killed.\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(out, "\nfaults (KEY is one of action, times, delay, status, code, message, size, body):\n")
		for _, l := range strings.Split(ec2test.FaultHelp, "\n") {
			fmt.Fprintf(out, "  %s\n", l)
		}
		fmt.Fprintf(out, "\nexample: ec2stand --fault drop-after-import --fault throttle:action=DescribeKeyPairs,times=2\n")
		fmt.Fprintf(out, "\n%s", seedHelp)
	}
	fs.Parse(os.Args[1:])

	var parsed []ec2test.Fault
	for _, spec := range faults {
		f, err := ec2test.ParseFault(spec)
		if err != nil {
			log.Fatalf("ec2stand: --fault %s: %v", spec, err)
		}
		for key, v := range defaults {
			if *v != "" && !strings.Contains(spec, key+"=") && !(key == "action" && f.Action != "") {
				if err := f.Set(key, *v); err != nil {
					log.Fatalf("ec2stand: --%s: %v", key, err)
				}
			}
		}
		parsed = append(parsed, f)
	}

	opts := ec2test.Options{KeyPairLimit: *limit, Latency: *latency, PageSize: *pageSize}
	if *regions != "" {
		for _, r := range strings.Split(*regions, ",") {
			if r = strings.TrimSpace(r); r != "" {
				opts.Regions = append(opts.Regions, r)
			}
		}
	}
	if *latency < 0 || *latency > time.Hour || *pageSize < 0 {
		log.Fatalf("ec2stand: --latency must be between 0 and 1h and --page-size at least 0")
	}
	s, err := ec2test.Listen(fmt.Sprintf("127.0.0.1:%d", *port), opts)
	if err != nil {
		log.Fatalf("ec2stand: %v", err)
	}
	if *seedDemo {
		if err := s.Load(ec2test.DemoSeed(), ""); err != nil {
			log.Fatalf("ec2stand: --seed-demo: %v", err)
		}
	}
	for _, file := range seeds {
		data, err := inputfile.Read(context.Background(), file, nil, ec2test.MaxSeedBytes)
		if err != nil {
			log.Fatalf("ec2stand: --seed %s: %v", file, err)
		}
		seed, err := ec2test.ParseSeed(data)
		if err == nil {
			err = s.Load(seed, filepath.Dir(file))
		}
		if err != nil {
			log.Fatalf("ec2stand: --seed %s: %v", file, err)
		}
	}
	for _, f := range parsed {
		s.Inject(f)
	}
	fmt.Println(s.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	s.Close()
}

const seedHelp = `seed file (--seed FILE), JSON; every list and field is optional but names:
  {"regions": {"us-east-1": {
     "keyPairs": [{"name": "web", "publicKey": "ssh-ed25519 AAAA... me"},
                  {"name": "ops", "publicKeyFile": "ops.pub", "tags": [{"key": "env", "value": "dev"}]},
                  {"name": "made", "type": "rsa"}],
     "instances": [{"id": "i-0123456789abcdef0", "state": "running", "keyName": "web", "name": "web-1"}],
     "launchTemplates": [{"name": "web-lt", "default": 1, "versions": [{"keyName": "web"}, {"description": "no key"}]}],
     "launchConfigurations": [{"name": "web-asg", "keyName": "web"}],
     "spotRequests": [{"state": "open", "keyName": "web"}]}}}
  publicKeyFile is relative to the seed file's folder; a key pair with neither publicKey nor
  publicKeyFile gets a new key of "type" (ed25519 by default) whose private half is not kept.
  instance states: pending running shutting-down terminated stopping stopped (default running);
  Spot request states: open active closed cancelled failed (default open).

demo state (--seed-demo), us-east-1:
  demo-used      used by instance i-0demo0000000000a (running, Name demo-web), Spot request sir-demo0001
                 (open) and version 1 of launch template demo-lt (lt-0demo000000000000)
  demo-template  version 2 of launch template demo-lt
  demo-asg       Auto Scaling launch configuration demo-asg-lc
  demo-stopped   instance i-0demo0000000000c (stopped, Name demo-batch)
  demo-unused    nothing (instance i-0demo0000000000b that used it is terminated)
`
