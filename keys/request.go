package keys

import "errors"

// Source says where a key pair is made.
type Source string

// The three sources (see DESIGN.md).
const (
	SourceAWS     Source = "aws"     // CreateKeyPair: EC2 makes the pair and returns the private key once
	SourceLocal   Source = "local"   // made here, saved, then ImportKeyPair
	SourceOffline Source = "offline" // made here and saved; no AWS at all
)

// Tag is one EC2 tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Request is everything needed to make one key pair.
type Request struct {
	Name       string
	Type       Type
	Bits       int // RSA only; 0 means DefaultRSABits
	Format     Format
	PPKVersion int // PPK only; 0 means DefaultPPKVersion
	Tags       []Tag
	DryRun     bool
	Source     Source
	Region     string
	Profile    string
}

// FieldError is one broken rule, named by the field it belongs to
// ("name", "type", "bits", "format", "ppk-version", "source", "tags",
// "tag[3].key", "tag[3].value", "dry-run").
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Limits from the EC2 API reference and user guide (aws-keypairs.md §8).
const (
	MaxNameLen     = 255
	MaxTags        = 50
	MaxTagKeyLen   = 127
	MaxTagValueLen = 256
)

// ValidateName checks an EC2 key pair name: 1-255 printable ASCII
// characters, no leading or trailing space.
func ValidateName(name string) error { return errors.New("not implemented") }

// ValidateTagKey checks one tag key: 1-127 characters, no "aws:" prefix, valid UTF-8, no control characters.
func ValidateTagKey(key string) error { return errors.New("not implemented") }

// ValidateTagValue checks one tag value: 0-256 characters, valid UTF-8, no control characters.
func ValidateTagValue(value string) error { return errors.New("not implemented") }

// TagWarning returns a non-empty advisory when s uses characters outside the
// portable tag set (letters, digits, spaces, + - = . _ : / @) that other AWS
// services refuse; EC2 itself accepts them, so this is not an error.
func TagWarning(s string) string { return "" }

// ParseTag parses "KEY=VALUE" as given on the command line (VALUE may be empty; KEY may not).
func ParseTag(s string) (Tag, error) { return Tag{}, errors.New("not implemented") }

// Validate checks every rule for the request and returns every broken one,
// in field order; nil means the request may be submitted. Tags: at most 50,
// keys unique, each key and value valid. Type/format/bits: EC2-made RSA is
// always 2048; local/offline RSA is 2048 or 4096; PPK version 2 or 3 (only
// meaningful where the key is made here).
func (r Request) Validate() []*FieldError { return nil }
