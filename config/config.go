// Package config resolves keypair's one Config from, lowest first: built-in
// defaults, $XDG_CONFIG_HOME/keypair/config.toml, the environment, and
// command-line flags.
package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/keypair-dev/keypair/internal/inputfile"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/pair"
)

// Tag is a default tag from the config file.
type Tag = pair.Tag

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
	// Timeouts bound every AWS request; zero fields mean awsapi's defaults.
	Timeouts Timeouts
	// File is the config file that was read ("" when none existed).
	File string
}

// Timeouts bound the phases of an AWS request (config keys
// connect_timeout, tls_timeout, first_byte_timeout, request_timeout, or
// KEYPAIR_CONNECT_TIMEOUT ... in the environment; Go durations like "10s").
type Timeouts struct {
	Connect, TLSHandshake, FirstByte, Request time.Duration
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

// MaxFileSize caps the config file: a real one is a few hundred bytes.
const MaxFileSize = 64 << 10

// Load resolves the configuration. getenv is os.Getenv in production. A
// malformed config file is an error naming the file and line.
func Load(getenv func(string) string, flags Flags) (Config, error) {
	cfg := Defaults()

	if path := Path(getenv); path != "" {
		data, err := inputfile.Read(context.Background(), path, nil, MaxFileSize)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// No file is the common case: defaults apply.
		case err != nil:
			return Config{}, &FileError{File: path, Msg: "cannot be read: " + err.Error()}
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

	ConnectTimeout   *string `toml:"connect_timeout"`
	TLSTimeout       *string `toml:"tls_timeout"`
	FirstByteTimeout *string `toml:"first_byte_timeout"`
	RequestTimeout   *string `toml:"request_timeout"`
}

// timeoutKeys ties each timeout's config key and environment variable to its field.
func (c *Config) timeoutKeys() []struct {
	key, env string
	dst      *time.Duration
} {
	return []struct {
		key, env string
		dst      *time.Duration
	}{
		{"connect_timeout", "KEYPAIR_CONNECT_TIMEOUT", &c.Timeouts.Connect},
		{"tls_timeout", "KEYPAIR_TLS_TIMEOUT", &c.Timeouts.TLSHandshake},
		{"first_byte_timeout", "KEYPAIR_FIRST_BYTE_TIMEOUT", &c.Timeouts.FirstByte},
		{"request_timeout", "KEYPAIR_REQUEST_TIMEOUT", &c.Timeouts.Request},
	}
}

// parseTimeout reads a duration such as "10s" or "2m": positive, at most an hour.
func parseTimeout(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 || d > time.Hour {
		return 0, fmt.Errorf("%s = %q is not valid: want a duration from 1ms to 1h, such as \"10s\" or \"2m\"", name, v)
	}
	return d, nil
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
	fail := func(line int, format string, args ...any) error {
		return &FileError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var fc fileConfig
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fail(pe.Position.Line, "%s", pe.Message)
		}
		return fail(0, "%s", strings.TrimPrefix(err.Error(), "toml: "))
	}
	var tags []Tag
	if md.IsDefined("tags") {
		var line int
		tags, line, err = decodeTags(md, fc.Tags, data)
		if err != nil {
			return fail(line, "%s", err)
		}
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return fail(keyLine(data, undec[0]...), "unknown key %q (known keys: region, profile, endpoint_url, type, format, ppk_version, source, save_dir, tags, connect_timeout, tls_timeout, first_byte_timeout, request_timeout)",
			undec[0].String())
	}

	next := *cfg
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&next.Region, fc.Region)
	set(&next.Profile, fc.Profile)
	set(&next.EndpointURL, fc.EndpointURL)
	set(&next.Type, fc.Type)
	set(&next.Format, fc.Format)
	set(&next.Source, fc.Source)
	set(&next.SaveDir, fc.SaveDir)
	if fc.PPKVersion != nil {
		next.PPKVersion = *fc.PPKVersion
	}
	fileTimeouts := []*string{fc.ConnectTimeout, fc.TLSTimeout, fc.FirstByteTimeout, fc.RequestTimeout}
	for i, k := range next.timeoutKeys() {
		if v := fileTimeouts[i]; v != nil {
			d, err := parseTimeout(k.key, *v)
			if err != nil {
				return fail(keyLine(data, k.key), "%s", err)
			}
			*k.dst = d
		}
	}
	if md.IsDefined("tags") {
		next.Tags = tags
	}
	if key, err := next.validate(); err != nil {
		return fail(keyLine(data, key), "%s", err)
	}
	*cfg = next
	return nil
}

// FileError is a problem in the config file, named by file and line (0
// when no line can be named).
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config file %s line %d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("config file %s: %s", e.File, e.Msg)
}

// keyLine finds the line (from 1) where the key path is set in a TOML
// file: "key = ...", or a table header "[key]" / "[[key]]" for a table.
// The TOML parser keeps key positions to itself, so this walks the lines,
// tracking the current table. 0 means not found.
func keyLine(data []byte, path ...string) int {
	if len(path) == 0 {
		return 0
	}
	want := strings.Join(path, ".")
	table := ""
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case strings.HasPrefix(line, "[["):
			table = unquoteKey(strings.Trim(strings.SplitN(line, "]]", 2)[0], "[ "))
			if table == want {
				return i + 1
			}
			continue
		case strings.HasPrefix(line, "["):
			table = unquoteKey(strings.Trim(strings.SplitN(line, "]", 2)[0], "[ "))
			if table == want {
				return i + 1
			}
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		full := unquoteKey(strings.TrimSpace(k))
		if table != "" {
			full = table + "." + full
		}
		if full == want || strings.HasPrefix(want, full+".") {
			return i + 1
		}
	}
	return 0
}

// unquoteKey drops the quotes of a quoted TOML key ("aws:x" -> aws:x).
func unquoteKey(k string) string {
	if uq, err := strconv.Unquote(k); err == nil {
		return uq
	}
	return strings.Trim(k, "'")
}

// decodeTags reads the tags key in either of its two shapes and checks them
// with the same rules as --tag and the form (pair.ValidateTags). It returns
// the line of a problem.
func decodeTags(md toml.MetaData, prim toml.Primitive, data []byte) ([]Tag, int, error) {
	var tags []Tag
	var lines []int // the line of each tag
	switch md.Type("tags") {
	case "Hash":
		var m map[string]string
		if err := md.PrimitiveDecode(prim, &m); err != nil {
			return nil, keyLine(data, "tags"), fmt.Errorf("tags: every value must be a string: %s", strings.TrimPrefix(err.Error(), "toml: "))
		}
		// A map has no order; MetaData.Keys lists keys in file order.
		for _, k := range md.Keys() {
			if len(k) == 2 && k[0] == "tags" {
				tags = append(tags, Tag{Key: k[1], Value: m[k[1]]})
				lines = append(lines, keyLine(data, "tags", k[1]))
			}
		}
	case "ArrayHash", "Array": // [[tags]] blocks, or an inline array of {key, value} tables
		var list []struct {
			Key   *string `toml:"key"`
			Value *string `toml:"value"`
		}
		if err := md.PrimitiveDecode(prim, &list); err != nil {
			return nil, keyLine(data, "tags"), fmt.Errorf("tags: %s", strings.TrimPrefix(err.Error(), "toml: "))
		}
		headers := tableLines(data, "tags")
		for i, t := range list {
			line := keyLine(data, "tags")
			if i < len(headers) {
				line = headers[i]
			}
			if t.Key == nil {
				return nil, line, fmt.Errorf("tags: entry %d has no key", i+1)
			}
			v := ""
			if t.Value != nil {
				v = *t.Value
			}
			tags = append(tags, Tag{Key: *t.Key, Value: v})
			lines = append(lines, line)
		}
	default:
		return nil, keyLine(data, "tags"), fmt.Errorf("tags must be a table ([tags] name = \"value\") or an array of {key, value} tables, not %s", md.Type("tags"))
	}
	if len(tags) > pair.MaxTags {
		return nil, keyLine(data, "tags"), fmt.Errorf("tags: %d tags, but EC2 allows at most %d per key pair", len(tags), pair.MaxTags)
	}
	if errs := pair.ValidateTags(tags); len(errs) > 0 {
		fe := errs[0]
		return nil, lines[fe.Tag-1], fmt.Errorf("tag %q: %s", tags[fe.Tag-1].Key, fe.Msg)
	}
	return tags, 0, nil
}

// tableLines lists the lines of every "[[name]]" header, in order.
func tableLines(data []byte, name string) []int {
	var out []int
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "[[") && unquoteKey(strings.Trim(strings.SplitN(line, "]]", 2)[0], "[ ")) == name {
			out = append(out, i+1)
		}
	}
	return out
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
			if _, err := cfg.validate(); err != nil {
				return fmt.Errorf("environment %s: %w", e.name, err)
			}
		}
	}
	for _, k := range cfg.timeoutKeys() {
		if v := getenv(k.env); v != "" {
			d, err := parseTimeout(k.env, v)
			if err != nil {
				return fmt.Errorf("environment %w", err)
			}
			*k.dst = d
		}
	}
	if v := getenv("KEYPAIR_PPK_VERSION"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("environment KEYPAIR_PPK_VERSION=%q: want 2 or 3", v)
		}
		cfg.PPKVersion = n
		if _, err := cfg.validate(); err != nil {
			return fmt.Errorf("environment KEYPAIR_PPK_VERSION: %w", err)
		}
	}
	return nil
}

// validate checks the enumerated settings and names the key of a problem.
func (c *Config) validate() (key string, err error) {
	oneOf := func(key, v string, allowed ...string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("%s = %q is not valid: want %s", key, v, strings.Join(allowed, " or "))
	}
	if err := oneOf("type", c.Type, "rsa", "ed25519"); err != nil {
		return "type", err
	}
	if err := oneOf("format", c.Format, "pem", "ppk"); err != nil {
		return "format", err
	}
	if err := oneOf("source", c.Source, "aws", "local", "offline"); err != nil {
		return "source", err
	}
	if c.PPKVersion != 2 && c.PPKVersion != 3 {
		return "ppk_version", fmt.Errorf("ppk_version = %d is not valid: want 2 or 3", c.PPKVersion)
	}
	if c.SaveDir == "" {
		return "save_dir", errors.New("save_dir is empty")
	}
	return "", nil
}

// Request is the key pair request these settings describe: the layer
// below the command line's flags. Name and DryRun are the caller's.
func (c Config) Request() pair.Request {
	return pair.Request{
		Type:       keys.Type(c.Type),
		Format:     keys.Format(c.Format),
		PPKVersion: c.PPKVersion,
		Source:     pair.Source(c.Source),
		Region:     c.Region,
		Profile:    c.Profile,
		Tags:       append([]pair.Tag(nil), c.Tags...),
	}
}
