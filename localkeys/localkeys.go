// Package localkeys finds the public keys this machine holds (key files in
// ~/.ssh and the save folder, and the ssh-agent) and tells which EC2 key
// pair each one is.
//
// # What is read
//
// Every regular file of at most MaxFileSize bytes under each of
// Options.Dirs, at most MaxDepth folders deep, that holds a key in a form
// package keys parses: private keys (PKCS#1 and PKCS#8 PEM, OpenSSH, PPK v2
// and v3), the public half of passphrase-protected OpenSSH and PPK files
// (kept in the clear by both formats, read without a passphrase), and public
// key files (a ".pub" file holds one key: an authorized_keys line, an RFC
// 4716 block or a PEM public key). Only RSA and ED25519 keys are kept: EC2
// has no other kind, so other keys are left out quietly.
//
// # What is not read, and what is counted
//
// Files that hold keys of other people or no keys at all are passed over by
// name, quietly (not counted in Found.Skipped): "config", "environment",
// "rc", "allowed_signers", "known_hosts*" (other hosts' keys), and
// "authorized_keys*" (keys allowed to log in here: keys others hold, not keys
// this machine holds), and "*.sock". Sockets, named pipes and devices are
// never opened. A file with no sign of a key in it (no "PRIVATE KEY-----",
// "PUBLIC KEY-----", PuTTY or RFC 4716 header, or key type at its start),
// unless its name ends in ".pub", is not a key file and is passed over
// quietly too: a save folder may hold notes and certificates.
//
// Counted as skipped (Found.Skipped, one Found.Skips entry each, never
// fatal): a file that cannot be opened or read (permission denied, I/O
// error), a file larger than the limit, a file that looks like a key but does
// not parse, an encrypted PEM/PKCS#8 private key (no public half in the
// clear) without a "<name>.pub" next to it, a symbolic link that leads out
// of its folder, a dangling link and a link loop, and a file swapped for
// something else while being opened.
//
// # Symbolic links
//
// A symbolic link inside a folder is followed only as far as it stays inside
// that same folder (relative or absolute, resolved component by component
// with os.Root, which opens each step with O_NOFOLLOW and never leaves the
// folder, so a link swapped in while the search runs cannot lead out
// either). A link that leads out of it, also into another of Options.Dirs,
// is never opened: it is counted as skipped. A link to a folder is not
// descended into (no loops, no file found twice); the folder itself, being
// inside, is searched in its own place. A file reached both by its own name
// and through a link (or through two overlapping Dirs, or a hard link) is
// listed once, under its own name. The folders named in Options.Dirs may
// themselves be symbolic links (~/.ssh pointing into a dotfiles checkout).
//
// Everything opened is opened non-blocking, then checked with fstat: only a
// regular file within the limit is read, and at most limit+1 bytes of it.
package localkeys

import (
	"context"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/keypair-dev/keypair/awsapi"
)

// Where a local key was found (the source field of list --json's localKeys).
const (
	SourceFile  = "file"
	SourceAgent = "agent"
)

// MaxFileSize is the largest file looked at (DESIGN.md: files over 1 MiB are skipped).
const MaxFileSize = 1 << 20

// Defaults for the Options fields left zero.
const (
	// MaxDepth is how many folders deep below each of Options.Dirs the
	// search goes (0 = the folder's own files only).
	MaxDepth = 4
	// MaxEntries bounds the folder entries looked at over one Find, so that a
	// save folder set to a home folder cannot make the search walk a disk;
	// when reached, Found.Truncated is set.
	MaxEntries = 20000
	// AgentTimeout bounds the whole agent exchange (connect, ask, answer)
	// when ctx has no earlier deadline: an agent that never answers cannot
	// hold up the Pairs screen.
	AgentTimeout = 3 * time.Second
)

// Key is one public key held here.
type Key struct {
	// Path is the file's path, or for an agent key its comment. A file's
	// path is exact (the folder as given in Options.Dirs joined with the
	// names under it), so it can be opened again: clean it with
	// termtext.Clean before display. An agent's comment is cleaned here
	// already (it is for display only) and may be empty.
	Path   string `json:"path"`
	Source string `json:"source"` // SourceFile or SourceAgent
	// PublicKey is the key; Encrypted says the file is passphrase-protected
	// (only its public half was read).
	PublicKey ssh.PublicKey `json:"-"`
	Encrypted bool          `json:"-"`
	// EC2Fingerprints are every fingerprint EC2 could show for this key:
	// the imported one (RSA MD5 of the DER public key, ED25519 SHA-256) and,
	// for an RSA private key in the clear, the created one (SHA-1 of PKCS#8).
	EC2Fingerprints []string `json:"-"`
}

// Options say where to look. Dirs are searched (not following symlinks out
// of them); AgentSocket is SSH_AUTH_SOCK ("" = no agent).
type Options struct {
	Dirs        []string
	AgentSocket string
	MaxFileSize int64 // 0 = MaxFileSize

	MaxDepth     int           // 0 = MaxDepth; negative = the folders' own files only
	MaxEntries   int           // 0 = MaxEntries
	AgentTimeout time.Duration // 0 = AgentTimeout
}

// Found is what a search found.
type Found struct {
	// Keys are the file keys sorted by path, then the agent's keys in the
	// agent's order.
	Keys []Key
	// Skipped counts files that could not be read or parsed as a key
	// (never fatal); AgentError says why the agent could not be asked.
	Skipped    int
	AgentError error

	// Skips says which files were counted in Skipped and why (sorted by
	// path; len(Skips) == Skipped). Paths are exact, as in Key.Path;
	// reasons never hold key material (a name from the file, such as a PEM
	// block type, is cleaned and cut short by package keys).
	Skips []Skip
	// Truncated says the search stopped after Options.MaxEntries entries.
	Truncated bool
}

// Skip is one file counted in Found.Skipped.
type Skip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Find searches opts.Dirs and the agent. A missing folder is not an error,
// nor is an unreadable file or an unreachable agent (see Found). The error
// is ctx's when ctx ends before the search does.
func Find(ctx context.Context, opts Options) (*Found, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type agentResult struct {
		keys []Key
		err  error
	}
	agentDone := make(chan agentResult, 1)
	if opts.AgentSocket != "" {
		go func() {
			keys, err := agentKeys(ctx, opts.AgentSocket, opts.AgentTimeout)
			agentDone <- agentResult{keys, err}
		}()
	} else {
		agentDone <- agentResult{}
	}

	w := newWalker(ctx, opts)
	w.run(opts.Dirs)
	a := <-agentDone
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := w.found()
	f.Keys = append(f.Keys, a.keys...)
	f.AgentError = a.err
	return f, nil
}

// Index matches key pairs to local keys; build it once per search. It is
// safe for concurrent use.
type Index struct {
	keys   []Key            // files by path, then agent keys by path
	byBlob map[string][]int // canonical public key -> keys
	byFP   map[string][]int // normalized EC2 fingerprint -> keys
}

// NewIndex indexes keys for Match. A key without EC2Fingerprints gets the
// ones its public key gives (the imported form; the created form needs the
// private key, which only Find sees).
func NewIndex(keys []Key) *Index { return newIndex(keys) }

// Match returns the local keys that are the pair: by public key when EC2
// returned one, else by the EC2 fingerprint. Several keys may match (the
// same key in a file and in the agent): files first, each group sorted by
// path. The slice is the caller's.
func (ix *Index) Match(p awsapi.KeyPairInfo) []Key { return ix.match(p) }
