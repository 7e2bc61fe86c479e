// Command ec2stand runs the ec2test stand-in EC2 endpoint as a process, for
// whole-process tests and benchmarks. It listens on 127.0.0.1, prints its
// URL on stdout, and serves until killed. It knows the credentials
// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
//
// Faults are injected with --fault NAME[:KEY=VALUE,...] (repeatable; tried
// in the order given). The option flags (--action, --times, --delay,
// --status, --code, --message, --size) set the same option for every
// --fault that does not set it itself.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
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
		fmt.Fprintf(out, "usage: ec2stand [--port N] [--limit N] [--fault NAME[:KEY=VALUE,...]]... [option flags]\n\n")
		fmt.Fprintf(out, "A stand-in EC2 endpoint on 127.0.0.1; prints its URL and serves until killed.\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(out, "\nfaults (KEY is one of action, times, delay, status, code, message, size, body):\n")
		for _, l := range strings.Split(ec2test.FaultHelp, "\n") {
			fmt.Fprintf(out, "  %s\n", l)
		}
		fmt.Fprintf(out, "\nexample: ec2stand --fault drop-after-import --fault throttle:action=DescribeKeyPairs,times=2\n")
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

	s, err := ec2test.Listen(fmt.Sprintf("127.0.0.1:%d", *port), ec2test.Options{KeyPairLimit: *limit})
	if err != nil {
		log.Fatalf("ec2stand: %v", err)
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
