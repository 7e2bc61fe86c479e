// Package pair is a key pair request and EC2's rules for it: the name, the
// tags, which sources exist and which type, size and format each may make.
// It is the one place those rules live; the pipeline, the form and the
// config file all ask it.
package pair

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/keypair-dev/keypair/keys"
	"golang.org/x/crypto/ssh"
)

// Source says where a key pair is made.
type Source string

// The three sources (see DESIGN.md).
const (
	SourceAWS     Source = "aws"     // CreateKeyPair: EC2 makes the pair and returns the private key once
	SourceLocal   Source = "local"   // made here, saved, then ImportKeyPair
	SourceOffline Source = "offline" // made here and saved; no AWS at all
	// SourceLogin imports a public key the user already holds the private
	// key of (the key an SSH login authenticated with): ImportKeyPair of
	// Request.PublicKey, and no private key exists here at all.
	SourceLogin Source = "login"
	// SourcePublicKey imports a public key given as text (pasted into the
	// form): ImportKeyPair of Request.PublicKey; no private key here either.
	SourcePublicKey Source = "public-key"
)

// Store says where the private key is kept besides a file (DESIGN.md, "Custody").
type Store string

// The stores: none (a file only), or SSM Parameter Store, where
// CloudFormation's AWS::EC2::KeyPair and CDK keep it.
const (
	StoreNone Store = ""
	StoreSSM  Store = "ssm" // a SecureString parameter at /ec2/keypair/<key pair id>
)

// MaxKMSKeyIDLen is the longest KMS key id SSM's KeyId takes (an ARN of an alias fits).
const MaxKMSKeyIDLen = 2048

// GivenKey reports whether s imports a public key that exists already
// (login, public-key): nothing is generated, no private key is here.
func GivenKey(s Source) bool { return s == SourceLogin || s == SourcePublicKey }

// ImportedByTag is the tag key that records, on a pair imported from a
// login key, the SHA256 fingerprint of the key that imported it.
const ImportedByTag = "keypair:imported-by"

// Tag is one EC2 tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Request is everything needed to make one key pair.
type Request struct {
	Name       string
	Type       keys.Type
	Bits       int // keys.RSA only; 0 means keys.DefaultRSABits
	Format     keys.Format
	PPKVersion int // keys.PPK only; 0 means keys.DefaultPPKVersion
	Tags       []Tag
	DryRun     bool
	Source     Source
	Region     string
	Profile    string
	// Store keeps the private key in SSM Parameter Store too (sources aws
	// and local), encrypted with KMSKeyID ("" = the account's aws/ssm key).
	Store    Store
	KMSKeyID string
	// PublicKey is the key SourceLogin imports; Type follows from it, and
	// Bits, Format and PPKVersion mean nothing there.
	PublicKey ssh.PublicKey
}

// FieldError is one broken rule, named by the field it belongs to: Field is
// "name", "type", "bits", "format", "ppk-version", "source", "tags" (their
// number), "dry-run", "store", "kms-key", or "tag" for one tag, which Tag (counted from 1, as
// --tag order and the form's rows count) and Part ("key" or "value") name.
type FieldError struct {
	Field string
	Tag   int
	Part  string
	Msg   string
}

// Key is the field's name as the command line shows it: "name", or
// "tag[3].key" for a tag.
func (e *FieldError) Key() string {
	if e.Field == "tag" && e.Tag == 0 {
		return "tag." + e.Part // one tag checked on its own
	}
	if e.Field == "tag" {
		return fmt.Sprintf("tag[%d].%s", e.Tag, e.Part)
	}
	return e.Field
}

func (e *FieldError) Error() string { return e.Key() + ": " + e.Msg }

// Limits from the EC2 API reference and user guide (aws-keypairs.md §8).
const (
	MaxNameLen     = 255
	MaxTags        = 50
	MaxTagKeyLen   = 127
	MaxTagValueLen = 256
)

// ValidateName checks an EC2 key pair name: 1-255 printable ASCII
// characters, no leading or trailing space.
// The error is a *FieldError for the field "name".
func ValidateName(name string) error {
	fail := func(format string, args ...any) error {
		return &FieldError{Field: "name", Msg: fmt.Sprintf(format, args...)}
	}
	n := utf8.RuneCountInString(name)
	switch {
	case name == "":
		return fail("required: give the key pair a name of 1 to %d characters", MaxNameLen)
	case n > MaxNameLen:
		return fail("at most %d characters (this one has %d)", MaxNameLen, n)
	}
	if c, pos, ok := firstOutside(name, func(r rune) bool { return r >= 0x20 && r <= 0x7e }); !ok {
		return fail("only printable ASCII characters are allowed (found %s at position %d)", c, pos)
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' {
		return fail("no leading or trailing spaces")
	}
	return nil
}

// firstOutside finds the first character of s for which ok is false and
// returns it quoted (invalid UTF-8 shows as its byte, "\xff") and its
// 1-based position in characters.
func firstOutside(s string, ok func(rune) bool) (quoted string, pos int, allOK bool) {
	pos = 0
	for i, r := range s {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return strconv.Quote(s[i : i+1]), pos, false
			}
		}
		if !ok(r) {
			return strconv.Quote(string(r)), pos, false
		}
	}
	return "", 0, true
}

// tagText checks what keys and values share: valid UTF-8, no control characters.
func tagText(s string) string {
	if !utf8.ValidString(s) {
		c, pos, _ := firstOutside(s, func(rune) bool { return true })
		return fmt.Sprintf("must be valid UTF-8 text (found the byte %s at position %d)", c, pos)
	}
	if c, pos, ok := firstOutside(s, func(r rune) bool { return !unicode.IsControl(r) }); !ok {
		return fmt.Sprintf("control characters are not allowed (found %s at position %d)", c, pos)
	}
	return ""
}

// ValidateTagKey checks one tag key: 1-127 characters, no "aws:" prefix, valid UTF-8, no control characters.
// Lengths count characters (runes), as AWS does. The error is a *FieldError
// for the field "tag", part "key"; Validate adds the tag's number.
func ValidateTagKey(key string) error {
	fail := func(format string, args ...any) error {
		return &FieldError{Field: "tag", Part: "key", Msg: fmt.Sprintf(format, args...)}
	}
	if key == "" {
		return fail("required: a tag needs a key of 1 to %d characters", MaxTagKeyLen)
	}
	if n := utf8.RuneCountInString(key); n > MaxTagKeyLen {
		return fail("at most %d characters (this one has %d)", MaxTagKeyLen, n)
	}
	if msg := tagText(key); msg != "" {
		return fail("%s", msg)
	}
	if len(key) >= 4 && strings.EqualFold(key[:4], "aws:") {
		return fail("keys starting with \"aws:\" are reserved by AWS")
	}
	return nil
}

// ValidateTagValue checks one tag value: 0-256 characters, valid UTF-8, no control characters.
// The error is a *FieldError for the field "tag", part "value"; Validate
// adds the tag's number.
func ValidateTagValue(value string) error {
	if n := utf8.RuneCountInString(value); n > MaxTagValueLen {
		return &FieldError{Field: "tag", Part: "value", Msg: fmt.Sprintf("at most %d characters (this one has %d)", MaxTagValueLen, n)}
	}
	if msg := tagText(value); msg != "" {
		return &FieldError{Field: "tag", Part: "value", Msg: msg}
	}
	return nil
}

// portableTagRune reports whether r is in the tag character set every AWS
// service accepts: letters, digits, spaces and + - = . _ : / @.
func portableTagRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || strings.ContainsRune("+-=._:/@", r)
}

// TagWarning returns a non-empty advisory when s uses characters outside the
// portable tag set (letters, digits, spaces, + - = . _ : / @) that other AWS
// services refuse; EC2 itself accepts them, so this is not an error.
func TagWarning(s string) string {
	if !utf8.ValidString(s) {
		return "" // an error, reported by ValidateTagKey/ValidateTagValue
	}
	c, pos, ok := firstOutside(s, portableTagRune)
	if ok {
		return ""
	}
	return fmt.Sprintf("%s (position %d) is accepted by EC2 but not by some other AWS services; the portable characters are letters, digits, spaces and + - = . _ : / @", c, pos)
}

// ParseTag parses "KEY=VALUE" as given on the command line (VALUE may be empty; KEY may not).
// It splits at the first '=', so a value may itself contain '='. The key and
// value are not validated here; Request.Validate does that.
func ParseTag(s string) (Tag, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return Tag{}, errors.New("a tag is written KEY=VALUE (VALUE may be empty, as in KEY=), but there is no '='")
	}
	if k == "" {
		return Tag{}, errors.New("a tag is written KEY=VALUE and the KEY before '=' may not be empty")
	}
	return Tag{Key: k, Value: v}, nil
}

// Validate checks every rule for the request and returns every broken one,
// in field order; nil means the request may be submitted. Tags: at most 50,
// keys unique, each key and value valid. Type/format/bits: EC2-made keys.RSA is
// always 2048; local/offline keys.RSA is 2048 or 4096; keys.PPK version 2 or 3 (only
// meaningful where the key is made here).
//
// Field order: name, source, dry-run, type, bits, format, ppk-version, store, kms-key, tags, then
// tag[N].key and tag[N].value with N counted from 1, as the tags are
// given (--tag) and numbered in the form. A duplicate key is
// reported on the later tag. An empty Source counts as SourceAWS, an empty
// Type as keys.RSA and an empty Format as keys.PEM (EC2's defaults).
//
// keys.PPK version 2 or 3 with format pem is accepted and means nothing: a
// default version from the config file must not block a keys.PEM request. With
// source aws it is accepted too: the maker re-encodes the keys.PPK EC2 returns.
func (r Request) Validate() []*FieldError {
	var errs []*FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if err := ValidateName(r.Name); err != nil {
		errs = append(errs, err.(*FieldError))
	}

	source := r.Source
	switch source {
	case "":
		source = SourceAWS
	case SourceAWS, SourceLocal, SourceOffline:
	case SourceLogin:
		if r.PublicKey == nil {
			add("source", "source login imports the key this session logged in with, and there is none")
		} else if err := CheckImportable(r.PublicKey); err != nil {
			add("source", "the key you logged in with cannot be imported: %s; log in with an RSA or ED25519 key to import one", err.(*FieldError).Msg)
		}
	case SourcePublicKey:
		if r.PublicKey == nil {
			errs = append(errs, &FieldError{Field: "public-key", Msg: "required: paste the public key to import (one line such as ssh-ed25519 AAAA… comment)"})
		} else if err := CheckImportable(r.PublicKey); err != nil {
			errs = append(errs, err.(*FieldError))
		}
	default:
		add("source", "must be aws (EC2 makes the key), local (made here, then imported) or offline (made here, no AWS); not %q", string(r.Source))
	}

	if r.DryRun && source == SourceOffline {
		add("dry-run", "a dry run asks EC2 whether the call is permitted, and source offline makes no AWS call: choose source aws or local, or no dry run")
	}

	if GivenKey(source) {
		// The key exists: its type and size are what they are (checked
		// above), and no private key file is written or stored.
		if r.Store != StoreNone || r.KMSKeyID != "" {
			add("store", "source %s imports a public key: there is no private key here to keep in SSM", string(source))
		}
		errs = append(errs, r.tagErrs()...)
		return errs
	}

	typ := r.Type
	switch typ {
	case "":
		typ = keys.RSA
	case keys.RSA, keys.ED25519:
	default:
		add("type", "must be rsa or ed25519, not %q", string(r.Type))
	}

	switch {
	case typ == keys.ED25519:
		if r.Bits != 0 && r.Bits != 256 {
			add("bits", "ED25519 keys have a fixed size (256); leave bits unset, not %d", r.Bits)
		}
	case typ == keys.RSA && source == SourceAWS:
		if r.Bits != 0 && r.Bits != keys.DefaultRSABits {
			add("bits", "EC2 makes RSA keys of 2048 bits only (for %d bits choose source local or offline)", r.Bits)
		}
	case typ == keys.RSA:
		if r.Bits != 0 && r.Bits != keys.DefaultRSABits && r.Bits != keys.MaxRSABits {
			add("bits", "RSA keys made here have 2048 or 4096 bits, not %d", r.Bits)
		}
	}

	format := r.Format
	switch format {
	case "":
		format = keys.PEM
	case keys.PEM, keys.PPK:
	default:
		add("format", "must be pem (PKCS#1 for RSA, OpenSSH for ED25519) or ppk (PuTTY), not %q", string(r.Format))
	}

	switch r.PPKVersion {
	case 0, 2, 3:
	default:
		add("ppk-version", "must be 2 (PuTTY 0.74 and older) or 3, not %d", r.PPKVersion)
	}

	switch r.Store {
	case StoreNone:
		if r.KMSKeyID != "" {
			add("kms-key", "a KMS key encrypts the SSM parameter, so it needs store ssm")
		}
	case StoreSSM:
		if source == SourceOffline {
			add("store", "store ssm keeps the private key in SSM Parameter Store, and source offline makes no AWS call: choose source aws or local")
		}
		if err := ValidateKMSKeyID(r.KMSKeyID); err != nil {
			errs = append(errs, err.(*FieldError))
		}
	default:
		add("store", "must be ssm (SSM Parameter Store) or empty (a file only), not %q", string(r.Store))
	}

	return append(errs, r.tagErrs()...)
}

func (r Request) tagErrs() []*FieldError {
	var errs []*FieldError
	if len(r.Tags) > MaxTags {
		errs = append(errs, &FieldError{Field: "tags", Msg: fmt.Sprintf("at most %d tags (this request has %d)", MaxTags, len(r.Tags))})
	}
	return append(errs, ValidateTags(r.Tags)...)
}

// TypeOf is the keys.Type of an SSH public key ("" for a type EC2 does not import).
func TypeOf(pub ssh.PublicKey) keys.Type {
	switch pub.Type() {
	case ssh.KeyAlgoRSA:
		return keys.RSA
	case ssh.KeyAlgoED25519:
		return keys.ED25519
	}
	return ""
}

// ValidateKMSKeyID checks a KMS key as SSM's KeyId takes it: a key id, a
// key ARN, alias/NAME or an alias ARN ("" = the account's aws/ssm key).
// Whether the key exists only KMS can tell.
func ValidateKMSKeyID(id string) error {
	if id == "" {
		return nil
	}
	if len(id) > MaxKMSKeyIDLen {
		return &FieldError{Field: "kms-key", Msg: fmt.Sprintf("a KMS key id has at most %d characters", MaxKMSKeyIDLen)}
	}
	for i, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":/_-", r)) {
			return &FieldError{Field: "kms-key", Msg: fmt.Sprintf("a KMS key is a key id, a key ARN, alias/NAME or an alias ARN (letters, digits and : / _ -); %q at position %d is none of those", r, i+1)}
		}
	}
	return nil
}

// ValidateTags checks a list of tags as a request carries them: each key and
// value valid, and each key once. A duplicate key is reported on the later
// tag, naming the first; nothing is merged. The config file's default tags
// and the form's rows are checked by this same function.
func ValidateTags(tags []Tag) []*FieldError {
	var errs []*FieldError
	seen := make(map[string]int, len(tags))
	for i, t := range tags {
		if err := ValidateTagKey(t.Key); err != nil {
			fe := err.(*FieldError)
			fe.Tag = i + 1
			errs = append(errs, fe)
		} else if first, dup := seen[t.Key]; dup {
			errs = append(errs, &FieldError{Field: "tag", Tag: i + 1, Part: "key",
				Msg: fmt.Sprintf("duplicate key %q (also tag[%d]); each key may appear once", t.Key, first+1)})
		} else {
			seen[t.Key] = i
		}
		if err := ValidateTagValue(t.Value); err != nil {
			fe := err.(*FieldError)
			fe.Tag = i + 1
			errs = append(errs, fe)
		}
	}
	return errs
}

// Import limits (aws-keypairs.md §11): EC2 imports RSA keys of 1024 to 4096
// bits (1024, 2048 and 4096 are documented; other sizes in between are
// unconfirmed, so they are let through for EC2 to judge) and ED25519.
const (
	MinImportRSABits = 1024
	MaxImportRSABits = 4096
)

// CheckImportable refuses, before anything is sent, a public key EC2 will
// refuse on import: a type other than RSA or ED25519, RSA outside 1024 to
// 4096 bits, or an RSA exponent that is even, below 3 or above 2^32 (no
// real key has one; an exponent of 1 makes no key at all). The error is a
// *FieldError for the field "public-key".
func CheckImportable(pub ssh.PublicKey) error {
	fail := func(format string, args ...any) error {
		return &FieldError{Field: "public-key", Msg: fmt.Sprintf(format, args...)}
	}
	switch pub.Type() {
	case ssh.KeyAlgoED25519:
		return nil
	case ssh.KeyAlgoRSA:
	default:
		return fail("EC2 imports RSA and ED25519 keys only, not %s", pub.Type())
	}
	ck, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return fail("the RSA key cannot be read")
	}
	k, ok := ck.CryptoPublicKey().(*rsa.PublicKey)
	if !ok {
		return fail("the RSA key cannot be read")
	}
	if bits := k.N.BitLen(); bits < MinImportRSABits || bits > MaxImportRSABits {
		return fail("EC2 imports RSA keys of %d to %d bits; this one has %d", MinImportRSABits, MaxImportRSABits, bits)
	}
	if k.E < 3 || k.E%2 == 0 || int64(k.E) > 1<<32 {
		return fail("the RSA exponent %d is not one EC2 accepts (a real key uses an odd exponent such as 65537)", k.E)
	}
	return nil
}
