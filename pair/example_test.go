package pair_test

import (
	"fmt"

	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// The rules of a request, as the command line and the form check them.
func ExampleRequest_Validate() {
	req := pair.Request{Name: " web", Type: keys.RSA, Bits: 4096, Source: pair.SourceAWS,
		Tags: []pair.Tag{{Key: "aws:owner", Value: "me"}}}
	for _, e := range req.Validate() {
		fmt.Println(e)
	}
	// Output:
	// name: no leading or trailing spaces
	// bits: EC2 makes RSA keys of 2048 bits only (for 4096 bits choose source local or offline)
	// tag[1].key: keys starting with "aws:" are reserved by AWS
}
