package ec2test

import (
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Fault
	}{
		{"throttle", Fault{Kind: Throttle}},
		{"drop-after-import", Fault{Kind: DropAfter, Action: "ImportKeyPair", Times: 1}},
		{"drop-after-delete:times=3", Fault{Kind: DropAfter, Action: "DeleteKeyPair", Times: 3}},
		{"slow", Fault{Kind: Delay, Delay: 5 * time.Second}},
		{"slow:delay=250ms,action=DescribeKeyPairs", Fault{Kind: Delay, Delay: 250 * time.Millisecond, Action: "DescribeKeyPairs"}},
		{"custom-error:status=418,code=Teapot,message=short, and stout", Fault{Kind: CustomError, Status: 418, Code: "Teapot", Message: "short, and stout"}},
		{"gzip-bomb:size=2GiB", Fault{Kind: GzipBomb, Size: 2 << 30}},
		{"huge-key-material:size=50MB", Fault{Kind: HugeKeyMaterial, Action: "CreateKeyPair", Size: 50e6}},
		{"hang", Fault{Kind: Hang}},
	} {
		got, err := ParseFault(tc.spec)
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.spec, got, err, tc.want)
		}
	}
	for _, bad := range []string{"nope", "throttle:times", "slow:delay=soon", "gzip-bomb:size=-1", "deny:colour=red"} {
		if _, err := ParseFault(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	for _, n := range FaultNameList() {
		if _, err := ParseFault(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		if !strings.Contains(FaultHelp, n+" ") {
			t.Errorf("FaultHelp does not describe %s", n)
		}
	}
}
