package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeConfig writes body as $XDG_CONFIG_HOME/keypair/config.toml in a temp
// dir and returns a getenv that sees env plus that XDG_CONFIG_HOME.
func writeConfig(t *testing.T, body string, env map[string]string) (func(string) string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "keypair", "config.toml")
	if body != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	all := map[string]string{"XDG_CONFIG_HOME": dir, "HOME": filepath.Join(dir, "nohome")}
	for k, v := range env {
		all[k] = v
	}
	return func(k string) string { return all[k] }, path
}

func TestLoad(t *testing.T) {
	full := `
region = "eu-west-1"
profile = "work"
type = "ed25519"
format = "ppk"
ppk_version = 2
source = "local"
save_dir = "/keys"

[tags]
team = "ops"
env = "dev"
cost-center = "42"
`
	tests := []struct {
		name  string
		file  string
		env   map[string]string
		flags Flags
		want  Config
	}{
		{
			name: "defaults without a file",
			want: Defaults(),
		},
		{
			name: "file over defaults, tags in file order",
			file: full,
			want: Config{Region: "eu-west-1", Profile: "work", Type: "ed25519", Format: "ppk", PPKVersion: 2,
				Source: "local", SaveDir: "/keys",
				Tags: []Tag{{Key: "team", Value: "ops"}, {Key: "env", Value: "dev"}, {Key: "cost-center", Value: "42"}}},
		},
		{
			name: "inline array of tags",
			file: "tags = [{key = \"k\", value = \"v\"}]\n",
			want: func() Config { c := Defaults(); c.Tags = []Tag{{Key: "k", Value: "v"}}; return c }(),
		},
		{
			name: "array of tags",
			file: "[[tags]]\nkey = \"Name\"\nvalue = \"a b\"\n[[tags]]\nkey = \"empty\"\n",
			want: func() Config {
				c := Defaults()
				c.Tags = []Tag{{Key: "Name", Value: "a b"}, {Key: "empty", Value: ""}}
				return c
			}(),
		},
		{
			name: "environment over file",
			file: full,
			env: map[string]string{"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "ignored",
				"AWS_DEFAULT_PROFILE": "other", "KEYPAIR_TYPE": "rsa", "KEYPAIR_FORMAT": "pem",
				"KEYPAIR_SOURCE": "offline", "KEYPAIR_SAVE_DIR": "/tmp/k", "KEYPAIR_PPK_VERSION": "3"},
			want: Config{Region: "us-west-2", Profile: "other", Type: "rsa", Format: "pem", PPKVersion: 3,
				Source: "offline", SaveDir: "/tmp/k",
				Tags: []Tag{{Key: "team", Value: "ops"}, {Key: "env", Value: "dev"}, {Key: "cost-center", Value: "42"}}},
		},
		{
			name: "AWS_DEFAULT_REGION when AWS_REGION unset; AWS_PROFILE beats AWS_DEFAULT_PROFILE",
			env:  map[string]string{"AWS_DEFAULT_REGION": "ap-south-1", "AWS_PROFILE": "p1", "AWS_DEFAULT_PROFILE": "p2"},
			want: func() Config { c := Defaults(); c.Region = "ap-south-1"; c.Profile = "p1"; return c }(),
		},
		{
			name:  "flags over environment",
			file:  full,
			env:   map[string]string{"AWS_REGION": "us-west-2", "AWS_PROFILE": "envp"},
			flags: Flags{Region: "sa-east-1", Profile: "flagp", EndpointURL: "http://127.0.0.1:1"},
			want: Config{Region: "sa-east-1", Profile: "flagp", EndpointURL: "http://127.0.0.1:1", Type: "ed25519",
				Format: "ppk", PPKVersion: 2, Source: "local", SaveDir: "/keys",
				Tags: []Tag{{Key: "team", Value: "ops"}, {Key: "env", Value: "dev"}, {Key: "cost-center", Value: "42"}}},
		},
		{
			name: "AWS_ENDPOINT_URL_EC2 is left to the SDK",
			env:  map[string]string{"AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:9"},
			want: Defaults(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, path := writeConfig(t, tt.file, tt.env)
			got, err := Load(getenv, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.file != "" {
				want.File = path
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"syntax error names file and line", "region = \"a\"\ntype = \n", nil, []string{"config.toml line 2"}},
		{"unterminated string", "region = \"a\nformat = \"pem\"\n", nil, []string{"config.toml line 1"}},
		{"unknown key", "type = \"rsa\"\nregoin = \"us-east-1\"\n", nil, []string{"config.toml line 2", `unknown key "regoin"`}},
		{"unknown key in tag array", "[[tags]]\nkey = \"a\"\nvalu = \"b\"\n", nil, []string{"config.toml line 3", `unknown key "tags.valu"`}},
		{"reserved tag names its line", "[tags]\nteam = \"ops\"\n\"aws:x\" = \"1\"\n", nil, []string{"config.toml line 3", `"aws:x"`, "reserved"}},
		{"tag value too long", "[tags]\nk = \"" + strings.Repeat("v", 257) + "\"\n", nil, []string{"config.toml line 2", "256"}},
		{"invalid type", "region = \"x\"\n\ntype = \"dsa\"\n", nil, []string{"config.toml line 3", `type = "dsa"`, "rsa or ed25519"}},
		{"invalid format", "format = \"der\"\n", nil, []string{`format = "der"`}},
		{"invalid source", "source = \"cloud\"\n", nil, []string{`source = "cloud"`}},
		{"invalid ppk version", "ppk_version = 4\n", nil, []string{"ppk_version = 4"}},
		{"wrong value type", "region = 5\n", nil, []string{"config.toml"}},
		{"tags not strings", "[tags]\na = 1\n", nil, []string{"config.toml", "tags"}},
		{"tags wrong shape", "tags = \"x\"\n", nil, []string{"tags must be a table"}},
		{"reserved tag", "[tags]\n\"aws:x\" = \"1\"\n", nil, []string{`"aws:x"`}},
		{"duplicate tag in array", "[[tags]]\nkey = \"a\"\n[[tags]]\nkey = \"a\"\n", nil, []string{"config.toml line 3", `duplicate key "a"`}},
		{"tag without key", "[[tags]]\nvalue = \"a\"\n", nil, []string{"no key"}},
		{"env type", "", map[string]string{"KEYPAIR_TYPE": "dsa"}, []string{"KEYPAIR_TYPE", `"dsa"`}},
		{"env ppk version", "", map[string]string{"KEYPAIR_PPK_VERSION": "three"}, []string{"KEYPAIR_PPK_VERSION"}},
		{"env ppk version range", "", map[string]string{"KEYPAIR_PPK_VERSION": "1"}, []string{"KEYPAIR_PPK_VERSION", "2 or 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, _ := writeConfig(t, tt.file, tt.env)
			_, err := Load(getenv, Flags{})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestPathFallback(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	if got, want := Path(func(k string) string { return env[k] }), "/home/u/.config/keypair/config.toml"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	env["XDG_CONFIG_HOME"] = "relative/dir" // ignored, per the XDG spec
	if got, want := Path(func(k string) string { return env[k] }), "/home/u/.config/keypair/config.toml"; got != want {
		t.Errorf("Path with relative XDG = %q, want %q", got, want)
	}
	env["XDG_CONFIG_HOME"] = "/x"
	if got, want := Path(func(k string) string { return env[k] }), "/x/keypair/config.toml"; got != want {
		t.Errorf("Path with XDG = %q, want %q", got, want)
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be: reading fails with something other than not-exist.
	if err := os.MkdirAll(filepath.Join(dir, "keypair", "config.toml"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Load(func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return ""
	}, Flags{})
	if err == nil || !strings.Contains(err.Error(), "config.toml") {
		t.Fatalf("err = %v, want an error naming the file", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("region = \"us-east-1\"\n[tags]\na = \"b\"\n"))
	f.Add([]byte("[[tags]]\nkey = \"a\"\nvalue = \"b\"\n"))
	f.Add([]byte("type = \"ed25519\"\nppk_version = 2\n"))
	f.Add([]byte("tags = [{key = \"x\"}]\n"))
	f.Add([]byte("= broken"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := Defaults()
		err := Parse("fuzz.toml", data, &cfg)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if _, err := cfg.validate(); err != nil {
			t.Fatalf("Parse accepted an invalid config: %v", err)
		}
		seen := map[string]bool{}
		for _, tag := range cfg.Tags {
			if tag.Key == "" || seen[tag.Key] {
				t.Fatalf("bad tag list %v", cfg.Tags)
			}
			seen[tag.Key] = true
		}
	})
}

// Issue 9, item 7: a config file that blocks or never ends is refused,
// never read forever.
func TestLoadRefusesFilesThatBlockOrNeverEnd(t *testing.T) {
	for name, make := range map[string]func(path string) error{
		"fifo":      func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"/dev/zero": func(p string) error { return os.Symlink("/dev/zero", p) },
		"huge":      func(p string) error { return os.WriteFile(p, bytes.Repeat([]byte("# x\n"), MaxFileSize), 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			getenv, path := writeConfig(t, "", nil)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := make(path); err != nil {
				t.Fatal(err)
			}
			_, err := Load(getenv, Flags{})
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("Load = %v, want an error naming %s", err, path)
			}
		})
	}
}

func TestTimeouts(t *testing.T) {
	getenv, _ := writeConfig(t, "connect_timeout = \"3s\"\nrequest_timeout = \"2m\"\n", map[string]string{"KEYPAIR_REQUEST_TIMEOUT": "90s"})
	cfg, err := Load(getenv, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeouts != (Timeouts{Connect: 3 * time.Second, Request: 90 * time.Second}) {
		t.Errorf("timeouts %+v", cfg.Timeouts)
	}
	getenv, _ = writeConfig(t, "region = \"x\"\nfirst_byte_timeout = \"soon\"\n", nil)
	if _, err := Load(getenv, Flags{}); err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "first_byte_timeout") {
		t.Errorf("bad timeout: %v", err)
	}
}
