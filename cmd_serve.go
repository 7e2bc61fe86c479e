package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/internal/termtext"
	"github.com/keypair-dev/keypair/keys"
	"github.com/keypair-dev/keypair/maker"
	"github.com/keypair-dev/keypair/serve"
	"github.com/keypair-dev/keypair/ui"
)

// serveOptions are the flags of `keypair serve`.
type serveOptions struct {
	authorizedKeys string
	listen         string
	hostKey        string
	auditLog       string
	allowDelete    bool
	keysDir        string
}

func (a *app) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve --authorized-keys FILE",
		Short: "Serve the app over SSH to the admins listed in an authorized-keys file",
		Long: `Serve the interactive app over SSH (public-key authentication only, against
--authorized-keys; no passwords). Each admin runs "ssh -p PORT HOST" with their
own key and gets the app, acting as this server's one AWS identity. A session
imports the key it logged in with as a key pair: its private key is already on
the admin's machine, so no private key is made or moved.

CreateKeyPair and keys made here are off unless --keys-dir DIR is given: each
admin's keys are then saved only under DIR/<their key's SHA256 fingerprint>/
(mode 0600), and "scp -O -P PORT HOST:NAME.pem ." fetches them with the same key.

The authorized-keys file is checked line by line at start (a bad line stops the
server, naming it) and re-read when it changes. --audit-log appends one JSON
line per login and per EC2 call; it never holds key material. SIGTERM tells
every session, lets what is under way finish, and exits 0.`,
		Example: `  keypair serve --authorized-keys /etc/keypair/admins --audit-log /var/log/keypair.jsonl
  ssh -p 2222 bastion.example.com`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runServe(cmd.Context(), &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.authorizedKeys, "authorized-keys", "", "the admins' public keys, in OpenSSH authorized_keys form (required)")
	f.StringVar(&o.listen, "listen", "127.0.0.1:2222", "address to listen on")
	f.StringVar(&o.hostKey, "host-key", "", "the server's host key, made (ED25519, 0600) if missing (default $XDG_STATE_HOME/keypair/ssh_host_ed25519_key)")
	f.StringVar(&o.auditLog, "audit-log", "", "append one JSON line per login and EC2 call to this file (0600)")
	f.BoolVar(&o.allowDelete, "allow-delete", false, "let sessions delete key pairs")
	f.StringVar(&o.keysDir, "keys-dir", "", "turn CreateKeyPair and keys made here on, saving each admin's keys under DIR/<fingerprint>/")
	return cmd
}

func (a *app) runServe(ctx context.Context, o *serveOptions) error {
	if o.authorizedKeys == "" {
		return usagef("serve needs --authorized-keys FILE: the public keys of the admins who may log in")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	ak, err := serve.LoadAuthorizedKeys(o.authorizedKeys)
	if err != nil {
		return usagef("%v", err)
	}
	if len(ak.Entries()) == 0 {
		fmt.Fprintf(a.stderr, "keypair serve: warning: %s lists no keys, so nobody can log in until one is added\n", termtext.Clean(o.authorizedKeys))
	}
	hostKeyPath := o.hostKey
	if hostKeyPath == "" {
		if hostKeyPath, err = serve.DefaultHostKeyPath(a.getenv); err != nil {
			return usagef("%v", err)
		}
	}
	if hostKeyPath, err = keys.ExpandHome(hostKeyPath); err != nil {
		return usagef("--host-key: %v", err)
	}
	signer, created, err := serve.LoadOrCreateHostKey(hostKeyPath)
	if err != nil {
		return usagef("%v", err)
	}
	var audit *serve.Audit
	if o.auditLog != "" {
		if audit, err = serve.OpenAudit(o.auditLog); err != nil {
			return usagef("%v", err)
		}
		defer audit.Close()
	}
	keysDir := ""
	if o.keysDir != "" {
		if keysDir, err = prepareKeysDir(o.keysDir); err != nil {
			return usagef("--keys-dir: %v", err)
		}
	}
	client, err := a.newClient(ctx, cfg)
	if err != nil {
		return err
	}
	srv, err := serve.New(serve.Options{
		HostKey: signer, Keys: ak, Audit: audit, AllowDelete: o.allowDelete, KeysDir: keysDir,
		AWS: client, Limits: serve.DefaultLimits, Log: a.stderr,
		UI: ui.Options{Config: cfg, Request: maker.Normalize(cfg.Request()), Version: buildVersion().Version},
	})
	if err != nil {
		return err
	}
	addr, err := srv.Listen(o.listen)
	if err != nil {
		return usagef("--listen %s: %v", termtext.Clean(o.listen), err)
	}
	made := ""
	if created {
		made = ", made now"
	}
	fmt.Fprintf(a.stderr, "keypair serve: host key %s (%s%s)\n", keys.FingerprintSHA256(signer.PublicKey()), termtext.Clean(hostKeyPath), made)
	fmt.Fprintf(a.stderr, "keypair serve: listening on %s for %d authorized keys; region %s\n", addr, len(ak.Entries()), regionText(client.Region()))
	if err := srv.Serve(ctx); err != nil {
		return err
	}
	fmt.Fprintln(a.stderr, "keypair serve: stopped")
	return nil
}

func regionText(r string) string {
	if r == "" {
		return "not set (imports will be refused until AWS_REGION or --region is given)"
	}
	return r
}

// prepareKeysDir makes DIR (0700) if missing and refuses one others may
// write to, or a link.
func prepareKeysDir(dir string) (string, error) {
	dir, err := keys.ExpandHome(dir)
	if err != nil {
		return "", err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a folder (a symbolic link is not accepted)", termtext.Clean(dir))
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return "", fmt.Errorf("%s is writable by group or others (mode %04o): run chmod go-w %s", termtext.Clean(dir), fi.Mode().Perm(), termtext.ShellQuote(dir))
	}
	return dir, nil
}
