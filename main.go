// Command keypair makes Amazon EC2 key pairs: an interactive form (the main
// job) and batch subcommands for scripts. See README.md and DESIGN.md for the
// command-line contract: flags, exit codes and --json fields.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/keypair-dev/keypair/awsapi"
	"github.com/keypair-dev/keypair/config"
	"github.com/keypair-dev/keypair/fleet"
	"github.com/keypair-dev/keypair/internal/nocore"
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	region      string
	profile     string
	endpointURL string
	trace       bool // --trace: every AWS request on stderr (see trace.go)
}

// app is what every command shares: streams, environment and global flags.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	global globalOptions
	term   terminal
	// regionClient, when set, wraps each region's EC2 client for the fleet
	// commands (tests put a fake inventory in front of the stand-in); nil
	// means the client itself.
	regionClient func(c *awsapi.Client) fleet.Client
	traces       *traceSink // where --trace writes; nil until a client is built with tracing on
}

func main() {
	// A dropped SSH session or a closed terminal sends SIGHUP: it ends the
	// run like SIGINT and SIGTERM do, through the context, so a pair whose
	// key is not saved is deleted again instead of being orphaned. A command
	// that only prints keeps Go's default, ending at once: it has nothing to
	// undo, and the signal machinery would start a goroutine and the
	// runtime's signal-mask thread at every start for nothing.
	ctx := context.Background()
	if !printsOnly(os.Args[1:]) {
		// Never stopped: the process exits as soon as run returns, and
		// stopping would first wait for the signal loop to go idle.
		ctx, _ = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	}
	// A reader that went away must not kill the process mid-save (Go's
	// default for SIGPIPE on stdout): the write fails instead, and the
	// pipeline treats that as a failed save.
	signal.Ignore(syscall.SIGPIPE)
	// Private keys live in this process's memory: no core dump, no ptrace
	// by other processes of the user (as ssh-agent does).
	if err := nocore.Disable(); err != nil {
		fmt.Fprintln(os.Stderr, "keypair: warning: core dumps could not be disabled: "+err.Error())
	}
	code := run(ctx, os.Args[1:], &app{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, term: detectTerminal(),
	})
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, a *app) int {
	root := a.rootCommand(args)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		reportError(a.stderr, err)
	}
	return exitCode(err)
}

// rootCommand builds the command tree for args: the root and only the
// subcommand being run, which is all most runs need (building every
// command's flags costs start-up time); the full tree for help, completion,
// the man page, and a name cobra must suggest a correction for. nil args
// means the full tree.
func (a *app) rootCommand(args []string) *cobra.Command {
	var showVersion bool
	root := &cobra.Command{
		Use:   "keypair",
		Short: "Make Amazon EC2 key pairs and save their private keys safely",
		Long: `keypair makes Amazon EC2 key pairs. Run it with no arguments for the
interactive form: name, type, format, tags, checked as you type. The key pair
is made by EC2 (CreateKeyPair), made here and imported (ImportKeyPair), or made
offline with no AWS at all. The private key is saved with mode 0600 and never
overwrites a file; the fingerprint view shows the fingerprint the EC2 console
shows next to the OpenSSH ones.

Exit status: 0 success, 1 the operation failed, 2 bad usage or input refused
before anything was done.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q; see keypair --help", args[0])
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if showVersion {
				_, err := fmt.Fprintln(a.stdout, buildVersion().Version)
				return err
			}
			return a.runInteractive(cmd.Context(), &interactiveOptions{})
		},
	}
	// --version by hand: cobra's SetVersionTemplate brings in text/template,
	// whose reflective calls make the linker keep every exported method of
	// every reachable type (the whole EC2 client): 46 MB instead of 13.
	root.Flags().BoolVarP(&showVersion, "version", "v", false, "print the version and exit")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.global.region, "region", "", "AWS region (default: AWS_REGION, the config file, or the AWS profile's region)")
	pf.StringVar(&a.global.profile, "profile", "", "AWS profile from ~/.aws/config (default: AWS_PROFILE)")
	pf.StringVar(&a.global.endpointURL, "endpoint-url", "", "EC2 endpoint URL, e.g. a local stand-in (default: AWS_ENDPOINT_URL_EC2 or the region's endpoint)")
	pf.BoolVar(&a.global.trace, "trace", false, "write every AWS request and its answer to stderr, secrets redacted (also KEYPAIR_TRACE=1)")
	subcommands := []struct {
		name  string
		build func() *cobra.Command
	}{
		{"create", a.createCommand},
		{"import", a.importCommand},
		{"list", a.listCommand},
		{"delete", a.deleteCommand},
		{"fingerprint", a.fingerprintCommand},
		{"fetch", a.fetchCommand},
		{"serve", a.serveCommand},
		{"version", a.versionCommand},
		{"man", a.manCommand},
	}
	name, wantsHelp := subcommandOf(args)
	for _, sc := range subcommands {
		if args != nil && sc.name == name && sc.name != "man" {
			root.AddCommand(sc.build())
			// Not completing: cobra would build its completion command
			// and its four shells' subcommands on every run otherwise.
			root.CompletionOptions.DisableDefaultCmd = true
			return root
		}
	}
	if args != nil && name == "" && !wantsHelp {
		return root // the form, or --version
	}
	for _, sc := range subcommands {
		root.AddCommand(sc.build())
	}
	return root
}

// globalValueFlags are the root's flags that take a value as the next word.
var globalValueFlags = map[string]bool{"--region": true, "--profile": true, "--endpoint-url": true}

// subcommandOf finds the subcommand name in args (the first word that is
// not a flag or a global flag's value) and whether help is asked for.
func subcommandOf(args []string) (name string, help bool) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return "", help
		case arg == "-h" || arg == "--help":
			help = true
		case globalValueFlags[arg]:
			i++ // its value
		case strings.HasPrefix(arg, "-"):
		default:
			return arg, help
		}
	}
	return "", help
}

// printsOnly reports whether args run a command that only prints to its
// output: version, help, a completion script or answer. A signal cannot leave
// anything of theirs half-done. "create --help" is not among them: a
// "--help" there may be the value of a flag (--tag --help), and then create
// runs.
func printsOnly(args []string) bool {
	name, help := subcommandOf(args)
	switch name {
	case "version", "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		return true
	case "":
		return help
	}
	return false
}

// noArgs refuses positional arguments with a usage error (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments (got %q); see %s --help", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
	return nil
}

// loadConfig resolves the configuration with the global flags on top.
func (a *app) loadConfig() (config.Config, error) {
	cfg, err := config.Load(a.getenv, config.Flags{
		Region: a.global.region, Profile: a.global.profile, EndpointURL: a.global.endpointURL,
	})
	if err != nil {
		return cfg, &usageError{err}
	}
	if _, err := a.tracing(); err != nil {
		return cfg, &usageError{err}
	}
	return cfg, nil
}

// newClient builds the EC2 client for cfg; credentials are resolved on first use.
// With --trace (or KEYPAIR_TRACE=1) every request of it, and of the other
// services' clients it builds, is written to stderr.
func (a *app) newClient(ctx context.Context, cfg config.Config) (*awsapi.Client, error) {
	opts := awsapi.Options{
		Region: cfg.Region, Profile: cfg.Profile, EndpointURL: cfg.EndpointURL,
		AppVersion: buildVersion().Version,
		Timeouts: awsapi.Timeouts{Connect: cfg.Timeouts.Connect, TLSHandshake: cfg.Timeouts.TLSHandshake,
			FirstByte: cfg.Timeouts.FirstByte, Request: cfg.Timeouts.Request},
	}
	if on, err := a.tracing(); err != nil {
		return nil, &usageError{err}
	} else if on {
		opts.Trace = a.traceSink()
	}
	return awsapi.New(ctx, opts)
}
