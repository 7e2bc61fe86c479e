package pair

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzValidateName: never panics; a valid name is 1-255 printable ASCII
// without outer spaces, and an invalid one gets a "name" FieldError.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"my-key", " x", "caé", strings.Repeat("a", 256), "a\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateName(name)
		valid := len(name) >= 1 && len(name) <= 255 && name[0] != ' ' && name[len(name)-1] != ' ' &&
			strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r > 0x7e }) < 0
		if (err == nil) != valid {
			t.Fatalf("ValidateName(%q) = %v, want valid=%v", name, err, valid)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "name: ") {
			t.Fatalf("error %q does not name the field", err)
		}
	})
}

// FuzzTag: ParseTag and the tag rules never panic; ParseTag splits at the
// first '='; a key that passes is 1-127 runes of valid UTF-8 without "aws:".
func FuzzTag(f *testing.F) {
	for _, s := range []string{"env=dev", "a=b=c", "=x", "nokey", "aws:x=1", "k=\x00", "ключ=значение"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := ParseTag(s)
		if err == nil {
			if tag.Key+"="+tag.Value != s || strings.Contains(tag.Key, "=") || tag.Key == "" {
				t.Fatalf("ParseTag(%q) = %+v", s, tag)
			}
		}
		TagWarning(s)
		if ValidateTagValue(s) == nil && (!utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxTagValueLen) {
			t.Fatalf("value %q accepted", s)
		}
		if ValidateTagKey(s) == nil {
			if !utf8.ValidString(s) || s == "" || utf8.RuneCountInString(s) > MaxTagKeyLen || strings.HasPrefix(strings.ToLower(s), "aws:") {
				t.Fatalf("key %q accepted", s)
			}
		}
		r := Request{Name: "k", Tags: []Tag{tag, tag}}
		for _, e := range r.Validate() {
			if e.Field == "" || e.Msg == "" {
				t.Fatalf("empty FieldError %+v", e)
			}
		}
	})
}
