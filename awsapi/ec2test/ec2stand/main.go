// Command ec2stand runs the ec2test stand-in EC2 endpoint as a process, for
// whole-process tests and benchmarks. It listens on 127.0.0.1, prints its
// URL on stdout, and serves until killed. It knows the credentials
// AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/keypair-dev/keypair/awsapi/ec2test"
)

func main() {
	port := flag.Int("port", 0, "port to listen on (0 = any free port)")
	limit := flag.Int("limit", 0, "key pairs per region (0 = 5,000)")
	flag.Parse()
	s, err := ec2test.Listen(fmt.Sprintf("127.0.0.1:%d", *port), ec2test.Options{KeyPairLimit: *limit})
	if err != nil {
		log.Fatalf("ec2stand: %v", err)
	}
	fmt.Println(s.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	s.Close()
}
