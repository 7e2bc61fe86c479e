// Package config resolves keypair's one Config from, lowest first: built-in
// defaults, $XDG_CONFIG_HOME/keypair/config.toml, the environment, and
// command-line flags.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

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

// Defaults is the configuration before any file, environment or flag.
func Defaults() Config {
	return Config{
		Type:       "rsa",
		Format:     "pem",
		PPKVersion: 3,
		Source:     "aws",
		SaveDir:    "~/.ssh",
	}
}

// Path returns the config file Load reads: $XDG_CONFIG_HOME/keypair/config.toml,
// or ~/.config/keypair/config.toml when XDG_CONFIG_HOME is unset or relative
// (the XDG spec says to ignore relative paths). It returns "" when no home
// directory can be found either.
func Path(getenv func(string) string) string {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "keypair", "config.toml")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "keypair", "config.toml")
}

// Load resolves the configuration. getenv is os.Getenv in production. A
// malformed config file is an error naming the file and line.
func Load(getenv func(string) string, flags Flags) (Config, error) {
	cfg := Defaults()

	if path := Path(getenv); path != "" {
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// No file is the common case: defaults apply.
		case err != nil:
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		default:
			if err := Parse(path, data, &cfg); err != nil {
				return Config{}, err
			}
			cfg.File = path
		}
	}

	if err := applyEnv(getenv, &cfg); err != nil {
		return Config{}, err
	}

	if flags.Region != "" {
		cfg.Region = flags.Region
	}
	if flags.Profile != "" {
		cfg.Profile = flags.Profile
	}
	if flags.EndpointURL != "" {
		cfg.EndpointURL = flags.EndpointURL
	}
	return cfg, nil
}

// fileConfig is the config file's schema. Pointers tell "absent" from "empty".
type fileConfig struct {
	Region      *string        `toml:"region"`
	Profile     *string        `toml:"profile"`
	EndpointURL *string        `toml:"endpoint_url"`
	Type        *string        `toml:"type"`
	Format      *string        `toml:"format"`
	PPKVersion  *int           `toml:"ppk_version"`
	Source      *string        `toml:"source"`
	SaveDir     *string        `toml:"save_dir"`
	Tags        toml.Primitive `toml:"tags"`
}

// Parse applies the TOML config file data (read from file, used in messages)
// on top of cfg. Keys: region, profile, endpoint_url, type, format,
// ppk_version, source, save_dir, and tags, either a table
//
//	[tags]
//	team = "ops"
//
// (kept in file order) or an array of tables
//
//	[[tags]]
//	key = "team"
//	value = "ops"
//
// Unknown keys and invalid values are errors naming the file (and the line,
// for TOML syntax errors).
func Parse(file string, data []byte, cfg *Config) error {
	var fc fileConfig
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("config: %s line %d: %s", file, pe.Position.Line, pe.Message)
		}
		return fmt.Errorf("config: %s: %w", file, err)
	}

	var tags []Tag
	if md.IsDefined("tags") {
		tags, err = decodeTags(md, fc.Tags)
		if err != nil {
			return fmt.Errorf("config: %s: %w", file, err)
		}
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		names := make([]string, len(undec))
		for i, k := range undec {
			names[i] = strconv.Quote(k.String())
		}
		return fmt.Errorf("config: %s: unknown key %s (known keys: region, profile, endpoint_url, type, format, ppk_version, source, save_dir, tags)",
			file, strings.Join(names, ", "))
	}

	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&cfg.Region, fc.Region)
	set(&cfg.Profile, fc.Profile)
	set(&cfg.EndpointURL, fc.EndpointURL)
	set(&cfg.Type, fc.Type)
	set(&cfg.Format, fc.Format)
	set(&cfg.Source, fc.Source)
	set(&cfg.SaveDir, fc.SaveDir)
	if fc.PPKVersion != nil {
		cfg.PPKVersion = *fc.PPKVersion
	}
	if md.IsDefined("tags") {
		cfg.Tags = tags
	}
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("config: %s: %w", file, err)
	}
	return nil
}

// decodeTags reads the tags key in either of its two shapes.
func decodeTags(md toml.MetaData, prim toml.Primitive) ([]Tag, error) {
	var tags []Tag
	switch md.Type("tags") {
	case "Hash":
		var m map[string]string
		if err := md.PrimitiveDecode(prim, &m); err != nil {
			return nil, fmt.Errorf("tags: every value must be a string: %w", err)
		}
		// A map has no order; MetaData.Keys lists keys in file order.
		for _, k := range md.Keys() {
			if len(k) == 2 && k[0] == "tags" {
				tags = append(tags, Tag{Key: k[1], Value: m[k[1]]})
			}
		}
	case "ArrayHash", "Array": // [[tags]] blocks, or an inline array of {key, value} tables
		var list []struct {
			Key   *string `toml:"key"`
			Value *string `toml:"value"`
		}
		if err := md.PrimitiveDecode(prim, &list); err != nil {
			return nil, fmt.Errorf("tags: %w", err)
		}
		for i, t := range list {
			if t.Key == nil {
				return nil, fmt.Errorf("tags: entry %d has no key", i+1)
			}
			v := ""
			if t.Value != nil {
				v = *t.Value
			}
			tags = append(tags, Tag{Key: *t.Key, Value: v})
		}
	default:
		return nil, fmt.Errorf("tags must be a table ([tags] name = \"value\") or an array of {key, value} tables, not %s", md.Type("tags"))
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if err := validateTag(t); err != nil {
			return nil, err
		}
		if seen[t.Key] {
			return nil, fmt.Errorf("tags: key %q is given twice", t.Key)
		}
		seen[t.Key] = true
	}
	if len(tags) > 50 {
		return nil, fmt.Errorf("tags: %d tags, but EC2 allows at most 50 per key pair", len(tags))
	}
	return tags, nil
}

// validateTag applies EC2's tag limits (aws-keypairs.md §8).
func validateTag(t Tag) error {
	switch {
	case t.Key == "":
		return errors.New("tags: a tag key is empty")
	case !utf8.ValidString(t.Key) || !utf8.ValidString(t.Value):
		return fmt.Errorf("tags: tag %q is not valid UTF-8", t.Key)
	case utf8.RuneCountInString(t.Key) > 127:
		return fmt.Errorf("tags: tag key %q is longer than 127 characters", t.Key)
	case utf8.RuneCountInString(t.Value) > 256:
		return fmt.Errorf("tags: the value of tag %q is longer than 256 characters", t.Key)
	case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
		return fmt.Errorf("tags: tag key %q starts with \"aws:\", which AWS reserves", t.Key)
	}
	return nil
}

// applyEnv layers the environment over cfg. AWS_ENDPOINT_URL_EC2 is left to
// the SDK, which honours it (and its precedence rules) itself.
func applyEnv(getenv func(string) string, cfg *Config) error {
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	if v := first("AWS_REGION", "AWS_DEFAULT_REGION"); v != "" {
		cfg.Region = v
	}
	if v := first("AWS_PROFILE", "AWS_DEFAULT_PROFILE"); v != "" {
		cfg.Profile = v
	}
	env := []struct {
		name string
		dst  *string
	}{
		{"KEYPAIR_TYPE", &cfg.Type},
		{"KEYPAIR_FORMAT", &cfg.Format},
		{"KEYPAIR_SOURCE", &cfg.Source},
		{"KEYPAIR_SAVE_DIR", &cfg.SaveDir},
	}
	for _, e := range env {
		if v := getenv(e.name); v != "" {
			*e.dst = v
			if err := cfg.validate(); err != nil {
				return fmt.Errorf("config: environment %s: %w", e.name, err)
			}
		}
	}
	if v := getenv("KEYPAIR_PPK_VERSION"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("config: environment KEYPAIR_PPK_VERSION=%q: want 2 or 3", v)
		}
		cfg.PPKVersion = n
		if err := cfg.validate(); err != nil {
			return fmt.Errorf("config: environment KEYPAIR_PPK_VERSION: %w", err)
		}
	}
	return nil
}

// validate checks the enumerated settings.
func (c *Config) validate() error {
	oneOf := func(key, v string, allowed ...string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("%s = %q is not valid: want %s", key, v, strings.Join(allowed, " or "))
	}
	if err := oneOf("type", c.Type, "rsa", "ed25519"); err != nil {
		return err
	}
	if err := oneOf("format", c.Format, "pem", "ppk"); err != nil {
		return err
	}
	if err := oneOf("source", c.Source, "aws", "local", "offline"); err != nil {
		return err
	}
	if c.PPKVersion != 2 && c.PPKVersion != 3 {
		return fmt.Errorf("ppk_version = %d is not valid: want 2 or 3", c.PPKVersion)
	}
	if c.SaveDir == "" {
		return errors.New("save_dir is empty")
	}
	return nil
}
