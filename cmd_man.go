package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// manCommand is the hidden `keypair man`: the roff man page, generated from
// the command definitions so it never drifts from --help. The release build
// runs it (see .goreleaser.yaml) to ship keypair.1 in archives and packages.
//
//	keypair man > keypair.1          one page: keypair and every subcommand
//	keypair man --dir DIR            one page per command (keypair.1, keypair-create.1, ...)
func (a *app) manCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "man",
		Short:  "Write the man page (roff) to standard output",
		Hidden: true,
		Args:   noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			// The completion command is added by Execute; make sure it is
			// there (and documented) however this runs.
			root.InitDefaultCompletionCmd()
			header, err := manHeader()
			if err != nil {
				return err
			}
			if dir != "" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
				return doc.GenManTree(root, header, dir)
			}
			return writeManPage(a.stdout, root, header)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write one page per command into this directory instead")
	return cmd
}

// manHeader is the .TH line: the date comes from SOURCE_DATE_EPOCH when set
// (reproducible builds), else the stamped build date, else today.
func manHeader() (*doc.GenManHeader, error) {
	v := buildVersion()
	when := time.Now().UTC()
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("SOURCE_DATE_EPOCH=%q: %v", epoch, err)
		}
		when = time.Unix(sec, 0).UTC()
	} else if t, err := time.Parse(time.RFC3339, v.Date); err == nil {
		when = t.UTC()
	}
	return &doc.GenManHeader{
		Title:   "KEYPAIR",
		Section: "1",
		Date:    &when,
		Source:  "keypair " + v.Version,
		Manual:  "keypair manual",
	}, nil
}

// writeManPage renders one man page for root and all its available
// subcommands, in cobra/doc's markdown style, through go-md2man.
func writeManPage(w io.Writer, root *cobra.Command, h *doc.GenManHeader) error {
	var b bytes.Buffer
	cmds := manCommands(root)
	fmt.Fprintf(&b, "%% %q %q %q %q %q\n", h.Title, h.Section, h.Date.Format("Jan 2006"), h.Source, h.Manual)

	b.WriteString("# NAME\n")
	fmt.Fprintf(&b, "%s \\- %s\n\n", root.Name(), root.Short)

	b.WriteString("# SYNOPSIS\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "**%s**\n\n", c.UseLine())
	}

	b.WriteString("# DESCRIPTION\n")
	b.WriteString(manProse(manText(root)) + "\n\n")

	if fs := root.NonInheritedFlags(); fs.HasAvailableFlags() {
		b.WriteString("# GLOBAL OPTIONS\n")
		manFlags(&b, fs)
	}

	b.WriteString("# COMMANDS\n")
	for _, c := range cmds[1:] {
		fmt.Fprintf(&b, "## %s\n", c.CommandPath())
		fmt.Fprintf(&b, "**%s**\n\n", c.UseLine())
		b.WriteString(manProse(manText(c)) + "\n\n")
		if fs := c.LocalNonPersistentFlags(); fs.HasAvailableFlags() {
			manFlags(&b, fs)
		}
		if c.Example != "" {
			b.WriteString("Examples:\n\n```\n" + c.Example + "\n```\n\n")
		}
	}

	b.WriteString(`# EXIT STATUS
**0** success (a permitted dry run is a success); **1** the operation failed;
**2** bad usage or input refused before anything was done.
Messages go to standard error; results, and **--json** output, to standard output.

# ENVIRONMENT
**AWS_PROFILE**, **AWS_REGION**, **AWS_DEFAULT_REGION**, **AWS_ENDPOINT_URL_EC2** and the
rest of the AWS SDK's environment are honoured as by the AWS CLI.
**KEYPAIR_TYPE**, **KEYPAIR_FORMAT**, **KEYPAIR_SOURCE**, **KEYPAIR_SAVE_DIR**,
**KEYPAIR_PPK_VERSION** override the config file; flags override both.
**XDG_CONFIG_HOME** locates the config file. **NO_COLOR** turns colour off.

# FILES
*$XDG_CONFIG_HOME/keypair/config.toml* (default *~/.config/keypair/config.toml*):
default region, profile, type, format, source, save directory and tags.

*~/.aws/config*, *~/.aws/credentials*: AWS profiles and credentials.

*~/.ssh/NAME.pem* or *~/.ssh/NAME.ppk*: where private keys are saved by default (mode 0600).

# SEE ALSO
**ssh-keygen(1)**, **puttygen(1)**, **aws(1)**
`)
	_, err := w.Write(md2man.Render(b.Bytes()))
	return err
}

// manCommands lists root and its available subcommands, depth first, by
// name, with the generated completion command last.
func manCommands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	children := append([]*cobra.Command(nil), root.Commands()...)
	sort.SliceStable(children, func(i, j int) bool {
		ci, cj := children[i].Name() == "completion", children[j].Name() == "completion"
		if ci != cj {
			return cj
		}
		return children[i].Name() < children[j].Name()
	})
	for _, c := range children {
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			continue
		}
		out = append(out, manCommands(c)...)
	}
	return out
}

func manText(c *cobra.Command) string {
	if c.Long != "" {
		return c.Long
	}
	return c.Short
}

// manProse keeps help text's indented lines (tables, lists of choices) as
// they are by setting them as code; the rest stays flowing text.
func manProse(s string) string {
	var out []string
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "  ") {
			out = append(out, lines[i])
			i++
			continue
		}
		out = append(out, "", "```")
		for ; i < len(lines) && strings.HasPrefix(lines[i], "  "); i++ {
			out = append(out, lines[i])
		}
		out = append(out, "```", "")
	}
	return strings.Join(out, "\n")
}

// manFlags lists flags as a definition list (.TP): name, value type and
// any non-empty default, then the usage line.
func manFlags(b *bytes.Buffer, fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		name := "**--" + f.Name + "**"
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			name = "**-" + f.Shorthand + "**, " + name
		}
		if typ, _ := pflag.UnquoteUsage(f); typ != "" {
			name += " *" + typ + "*"
		}
		switch f.DefValue {
		case "", "0", "false", "[]":
		default:
			name += " (default " + strconv.Quote(f.DefValue) + ")"
		}
		fmt.Fprintf(b, "%s\n: %s\n\n", name, f.Usage)
	})
}
