package pair

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/keypair-dev/keypair/keys"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" = valid; else the exact message
	}{
		{"simple", "my-key", ""},
		{"inner spaces", "my key pair", ""},
		{"one char", "k", ""},
		{"all printable ASCII", " !\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~"[1:], ""},
		{"255 chars", strings.Repeat("a", 255), ""},
		{"empty", "", "name: required: give the key pair a name of 1 to 255 characters"},
		{"256 chars", strings.Repeat("a", 256), "name: at most 255 characters (this one has 256)"},
		{"non-ASCII", "caé", `name: only printable ASCII characters are allowed (found "é" at position 3)`},
		{"tab", "a\tb", `name: only printable ASCII characters are allowed (found "\t" at position 2)`},
		{"newline", "ab\n", `name: only printable ASCII characters are allowed (found "\n" at position 3)`},
		{"DEL", "a\x7f", `name: only printable ASCII characters are allowed (found "\x7f" at position 2)`},
		{"invalid UTF-8", "ab\xff", `name: only printable ASCII characters are allowed (found "\xff" at position 3)`},
		{"leading space", " key", "name: no leading or trailing spaces"},
		{"trailing space", "key ", "name: no leading or trailing spaces"},
		{"only a space", " ", "name: no leading or trailing spaces"},
		{"long non-ASCII counts characters", strings.Repeat("é", 256), "name: at most 255 characters (this one has 256)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.in)
			checkErr(t, err, tt.want)
			if err != nil {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != "name" {
					t.Errorf("want a *FieldError for field name, got %#v", err)
				}
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("no error, want %q", want)
	case want != "" && err.Error() != want:
		t.Errorf("error\n got %q\nwant %q", err.Error(), want)
	}
}

func TestValidateTagKeyAndValue(t *testing.T) {
	keyTests := []struct{ in, want string }{
		{"Name", ""},
		{"team/owner:@x+y=z.w_v-u", ""},
		{"ключ", ""},
		{strings.Repeat("k", 127), ""},
		{strings.Repeat("é", 127), ""}, // 254 bytes but 127 characters
		{"", "tag.key: required: a tag needs a key of 1 to 127 characters"},
		{strings.Repeat("k", 128), "tag.key: at most 127 characters (this one has 128)"},
		{"aws:foo", `tag.key: keys starting with "aws:" are reserved by AWS`},
		{"AWS:foo", `tag.key: keys starting with "aws:" are reserved by AWS`},
		{"aWs:", `tag.key: keys starting with "aws:" are reserved by AWS`},
		{"aws", ""},
		{"awsx:foo", ""},
		{"a\x00b", `tag.key: control characters are not allowed (found "\x00" at position 2)`},
		{"a\nb", `tag.key: control characters are not allowed (found "\n" at position 2)`},
		{"a\u0085", `tag.key: control characters are not allowed (found "\u0085" at position 2)`},
		{"ab\xff", `tag.key: must be valid UTF-8 text (found the byte "\xff" at position 3)`},
	}
	for _, tt := range keyTests {
		t.Run("key "+fmt.Sprintf("%q", tt.in), func(t *testing.T) { checkErr(t, ValidateTagKey(tt.in), tt.want) })
	}
	valueTests := []struct{ in, want string }{
		{"", ""},
		{"dev", ""},
		{"aws:anything", ""},
		{strings.Repeat("v", 256), ""},
		{strings.Repeat("ü", 256), ""},
		{strings.Repeat("v", 257), "tag.value: at most 256 characters (this one has 257)"},
		{"a\tb", `tag.value: control characters are not allowed (found "\t" at position 2)`},
		{"\xc3", `tag.value: must be valid UTF-8 text (found the byte "\xc3" at position 1)`},
	}
	for _, tt := range valueTests {
		t.Run("value "+fmt.Sprintf("%q", tt.in), func(t *testing.T) { checkErr(t, ValidateTagValue(tt.in), tt.want) })
	}
}

func TestTagWarning(t *testing.T) {
	tests := []struct {
		in   string
		warn bool
	}{
		{"", false},
		{"Team Name 42", false},
		{"a+b-c=d.e_f:g/h@i", false},
		{"Über-Größe", false}, // letters in any script are portable
		{"a*b", true},
		{"a,b", true},
		{"a#b", true},
		{"emoji 🔑", true},
	}
	for _, tt := range tests {
		w := TagWarning(tt.in)
		if (w != "") != tt.warn {
			t.Errorf("TagWarning(%q) = %q, want warning: %v", tt.in, w, tt.warn)
		}
	}
	if w := TagWarning("a*b"); !strings.Contains(w, `"*" (position 2)`) {
		t.Errorf("the warning should name the character and its position: %q", w)
	}
}

func TestParseTag(t *testing.T) {
	tests := []struct {
		in      string
		want    Tag
		wantErr string
	}{
		{in: "env=dev", want: Tag{"env", "dev"}},
		{in: "env=", want: Tag{"env", ""}},
		{in: "a=b=c", want: Tag{"a", "b=c"}},
		{in: "k= spaced value ", want: Tag{"k", " spaced value "}},
		{in: "env", wantErr: "KEY=VALUE"},
		{in: "", wantErr: "KEY=VALUE"},
		{in: "=dev", wantErr: "may not be empty"},
	}
	for _, tt := range tests {
		got, err := ParseTag(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseTag(%q) error %v, want one mentioning %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTag(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestRequestValidate(t *testing.T) {
	ok := Request{Name: "k", Type: keys.RSA, Format: keys.PEM, Source: SourceAWS}
	with := func(f func(*Request)) Request { r := ok; f(&r); return r }
	manyTags := func(n int) []Tag {
		tags := make([]Tag, n)
		for i := range tags {
			tags[i] = Tag{Key: fmt.Sprintf("k%d", i)}
		}
		return tags
	}
	tests := []struct {
		name string
		req  Request
		want []string // every "field: msg", in order
	}{
		{"valid minimal", ok, nil},
		{"defaults for empty type/format/source", Request{Name: "k"}, nil},
		{"ed25519 ppk v2 local", with(func(r *Request) { r.Type, r.Format, r.PPKVersion, r.Source = keys.ED25519, keys.PPK, 2, SourceLocal }), nil},
		{"ed25519 bits 256", with(func(r *Request) { r.Type, r.Bits = keys.ED25519, 256 }), nil},
		{"ed25519 bits 2048", with(func(r *Request) { r.Type, r.Bits = keys.ED25519, 2048 }),
			[]string{"bits: ED25519 keys have a fixed size (256); leave bits unset, not 2048"}},
		{"aws rsa 2048", with(func(r *Request) { r.Bits = 2048 }), nil},
		{"aws rsa 4096", with(func(r *Request) { r.Bits = 4096 }),
			[]string{"bits: EC2 makes RSA keys of 2048 bits only (for 4096 bits choose source local or offline)"}},
		{"local rsa 4096", with(func(r *Request) { r.Bits, r.Source = 4096, SourceLocal }), nil},
		{"offline rsa 4096", with(func(r *Request) { r.Bits, r.Source = 4096, SourceOffline }), nil},
		{"local rsa 1024", with(func(r *Request) { r.Bits, r.Source = 1024, SourceLocal }),
			[]string{"bits: RSA keys made here have 2048 or 4096 bits, not 1024"}},
		{"local rsa 3072", with(func(r *Request) { r.Bits, r.Source = 3072, SourceLocal }),
			[]string{"bits: RSA keys made here have 2048 or 4096 bits, not 3072"}},
		{"bad type", with(func(r *Request) { r.Type = "dsa" }), []string{`type: must be rsa or ed25519, not "dsa"`}},
		{"bad format", with(func(r *Request) { r.Format = "der" }), []string{`format: must be pem (PKCS#1 for RSA, OpenSSH for ED25519) or ppk (PuTTY), not "der"`}},
		{"bad source", with(func(r *Request) { r.Source = "cloud" }),
			[]string{`source: must be aws (EC2 makes the key), local (made here, then imported) or offline (made here, no AWS); not "cloud"`}},
		{"ppk version 4", with(func(r *Request) { r.Format, r.PPKVersion = keys.PPK, 4 }),
			[]string{"ppk-version: must be 2 (PuTTY 0.74 and older) or 3, not 4"}},
		{"ppk version 1", with(func(r *Request) { r.Format, r.PPKVersion = keys.PPK, 1 }),
			[]string{"ppk-version: must be 2 (PuTTY 0.74 and older) or 3, not 1"}},
		{"ppk version 2 with pem is harmless", with(func(r *Request) { r.PPKVersion = 2 }), nil},
		{"50 tags", with(func(r *Request) { r.Tags = manyTags(50) }), nil},
		{"51 tags", with(func(r *Request) { r.Tags = manyTags(51) }), []string{"tags: at most 50 tags (this request has 51)"}},
		{"reserved tag key", with(func(r *Request) { r.Tags = []Tag{{"a", ""}, {"b", ""}, {"aws:x", "v"}} }),
			[]string{`tag[3].key: keys starting with "aws:" are reserved by AWS`}},
		{"duplicate tag key on the later tag", with(func(r *Request) { r.Tags = []Tag{{"env", "a"}, {"x", ""}, {"env", "b"}} }),
			[]string{`tag[3].key: duplicate key "env" (also tag[1]); each key may appear once`}},
		{"keys are case-sensitive", with(func(r *Request) { r.Tags = []Tag{{"env", "a"}, {"Env", "b"}} }), nil},
		{"empty tag key and long value", with(func(r *Request) { r.Tags = []Tag{{"", strings.Repeat("v", 257)}} }),
			[]string{"tag[1].key: required: a tag needs a key of 1 to 127 characters", "tag[1].value: at most 256 characters (this one has 257)"}},
		{"every field broken, in field order", Request{Name: " x", Type: "x", Bits: 1, Format: "x", PPKVersion: 9, Source: "x", Tags: append(manyTags(51), Tag{"aws:a", "\x01"})},
			[]string{
				"name: no leading or trailing spaces",
				`source: must be aws (EC2 makes the key), local (made here, then imported) or offline (made here, no AWS); not "x"`,
				`type: must be rsa or ed25519, not "x"`,
				`format: must be pem (PKCS#1 for RSA, OpenSSH for ED25519) or ppk (PuTTY), not "x"`,
				"ppk-version: must be 2 (PuTTY 0.74 and older) or 3, not 9",
				"tags: at most 50 tags (this request has 52)",
				`tag[52].key: keys starting with "aws:" are reserved by AWS`,
				`tag[52].value: control characters are not allowed (found "\x01" at position 1)`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range tt.req.Validate() {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Validate():\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
