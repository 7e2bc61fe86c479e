// Command hello is the start-up floor for bench/run.sh: a Go "hello world"
// built the way the release builds keypair (CGO_ENABLED=0, -trimpath,
// -ldflags "-s -w"), so `keypair version` is compared with the least any Go
// program of this toolchain costs.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
