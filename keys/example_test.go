package keys_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/keypair-dev/keypair/keys"
)

// Generate a key and encode it in each file format keypair writes.
func Example_generateAndEncode() {
	k, err := keys.Generate(keys.ED25519, 0, nil)
	if err != nil {
		panic(err)
	}
	k.Comment = "my-key"

	pem, _ := keys.Encode(k, keys.PEM, 0) // OpenSSH format for ED25519
	ppk, _ := keys.Encode(k, keys.PPK, 0) // PPK version 3
	ppk2, _ := keys.EncodePPK(k, 2)       // for PuTTY 0.74 and older
	line := keys.AuthorizedKey(k.SSHPublicKey(), k.Comment)

	fmt.Println(strings.SplitN(string(pem), "\n", 2)[0])
	fmt.Println(strings.SplitN(string(ppk), "\n", 2)[0])
	fmt.Println(strings.SplitN(string(ppk2), "\n", 2)[0])
	fmt.Println(strings.Fields(line)[0], strings.Fields(line)[2])
	// Output:
	// -----BEGIN OPENSSH PRIVATE KEY-----
	// PuTTY-User-Key-File-3: ssh-ed25519
	// PuTTY-User-Key-File-2: ssh-ed25519
	// ssh-ed25519 my-key
}

// Every fingerprint of a key file, as the EC2 console and OpenSSH show them.
func ExampleFingerprintsOf() {
	data, err := os.ReadFile("testdata/rsa2048.pem")
	if err != nil {
		panic(err)
	}
	kf, err := keys.ParseKeyFile(data)
	if err != nil {
		panic(err)
	}
	fp, err := keys.FingerprintsOf(kf.Public, kf.Private)
	if err != nil {
		panic(err)
	}
	fmt.Println(fp.Type, fp.Bits)
	fmt.Println("EC2, created by EC2 (SHA-1 of PKCS#8):", fp.AWSCreated)
	fmt.Println("EC2, imported (MD5 of SPKI):         ", fp.AWSImported)
	fmt.Println("OpenSSH:", fp.SHA256)
	fmt.Println(fp.Randomart)
	// Output:
	// rsa 2048
	// EC2, created by EC2 (SHA-1 of PKCS#8): 4d:dd:6b:19:05:de:96:b9:2a:e1:da:75:d5:cf:7c:a5:80:75:59:11
	// EC2, imported (MD5 of SPKI):          53:f4:fb:bf:2c:ab:91:f9:e3:7b:7e:ea:16:c4:9a:b1
	// OpenSSH: SHA256:xN3TmxsIkmIuR9EvzclGrTlTczIl/Cr7naF0gyrWfI0
	// +---[RSA 2048]----+
	// |      ..   o...  |
	// |       o.o..Bo.  |
	// |      + =*o=o*.  |
	// |     + o..%. o.o |
	// |    . o So o..+  |
	// |     o    . .. o |
	// |         o ooo=  |
	// |        o +oE+.+ |
	// |       . ..oo o  |
	// +----[SHA256]-----+
}
