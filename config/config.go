// Package config resolves keypair's one Config from, lowest first: built-in
// defaults, $XDG_CONFIG_HOME/keypair/config.toml, the environment, and
// command-line flags.
package config

import "errors"

// Tag is a default tag from the config file.
type Tag struct {
	Key   string
	Value string
}

// Config is the resolved configuration. Empty Region/Profile/EndpointURL
// mean "let the AWS SDK decide" (AWS_REGION, AWS_PROFILE, ~/.aws/config...).
type Config struct {
	Region      string
	Profile     string
	EndpointURL string
	Type        string // "rsa" | "ed25519"; default "rsa"
	Format      string // "pem" | "ppk"; default "pem"
	PPKVersion  int    // 2 | 3; default 3
	Source      string // "aws" | "local" | "offline"; default "aws"
	SaveDir     string // default "~/.ssh"
	Tags        []Tag  // default tags for new key pairs
	// File is the config file that was read ("" when none existed).
	File string
}

// Flags are the command-line overrides; empty fields are unset.
type Flags struct {
	Region      string
	Profile     string
	EndpointURL string
}

// Load resolves the configuration. getenv is os.Getenv in production. A
// malformed config file is an error naming the file and line.
func Load(getenv func(string) string, flags Flags) (Config, error) {
	return Config{}, errors.New("config: not implemented")
}
