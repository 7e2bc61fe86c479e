package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manCommand is the hidden `keypair man`: the roff man page, generated from
// the command definitions so it never drifts from --help. The release build
// runs it (see .goreleaser.yaml) to ship keypair.1 in archives and packages.
//
//	keypair man > keypair.1          one page: keypair and every subcommand
//	keypair man --dir DIR            that page as DIR/keypair.1, plus one page
//	                                 per subcommand (keypair-create.1, ...)
//
// The roff is written here rather than with cobra/doc: cobra/doc pulls in a
// markdown renderer and a YAML library whose package initialisation costs
// every keypair process about 0.4 ms of start-up, for a command run only at
// release time.
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
			date, err := manDate()
			if err != nil {
				return err
			}
			m := manWriter{date: date, source: "keypair " + buildVersion().Version}
			if dir == "" {
				return m.writePage(a.stdout, root)
			}
			return m.writeTree(dir, root)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write keypair.1 and one page per subcommand into this directory")
	return cmd
}

// manDate is the page date: SOURCE_DATE_EPOCH when set (reproducible
// builds), else the stamped build date, else today.
func manDate() (time.Time, error) {
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds", epoch)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, buildVersion().Date); err == nil {
		return t.UTC(), nil
	}
	return time.Now().UTC(), nil
}

type manWriter struct {
	date   time.Time
	source string
}

// writePage writes keypair(1): every available command in one page.
func (m manWriter) writePage(out io.Writer, root *cobra.Command) error {
	w := bufio.NewWriter(out)
	cmds := manCommands(root)
	m.header(w, strings.ToUpper(root.Name()))
	fmt.Fprintf(w, ".SH NAME\n%s \\- %s\n", roffText(root.Name()), roffText(root.Short))
	w.WriteString(".SH SYNOPSIS\n.nf\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "\\fB%s\\fR\n", roffText(c.UseLine()))
	}
	w.WriteString(".fi\n.SH DESCRIPTION\n")
	roffProse(w, manText(root))
	if fs := root.NonInheritedFlags(); fs.HasAvailableFlags() {
		w.WriteString(".SH GLOBAL OPTIONS\n")
		roffFlags(w, fs)
	}
	w.WriteString(".SH COMMANDS\n")
	for _, c := range cmds[1:] {
		fmt.Fprintf(w, ".SS \"%s\"\n", roffText(c.CommandPath()))
		fmt.Fprintf(w, "\\fB%s\\fR\n.PP\n", roffText(c.UseLine()))
		roffProse(w, manText(c))
		if fs := c.LocalNonPersistentFlags(); fs.HasAvailableFlags() {
			roffFlags(w, fs)
		}
		roffExamples(w, c.Example)
	}
	w.WriteString(manTrailer)
	return w.Flush()
}

// writeTree writes keypair.1 (the whole page) and a page per subcommand.
func (m manWriter) writeTree(dir string, root *cobra.Command) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, fn func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write(root.Name()+".1", func(w io.Writer) error { return m.writePage(w, root) }); err != nil {
		return err
	}
	for _, c := range manCommands(root)[1:] {
		c := c
		dashed := strings.ReplaceAll(c.CommandPath(), " ", "-")
		if err := write(dashed+".1", func(w io.Writer) error { return m.writeSubPage(w, c, root.Name()) }); err != nil {
			return err
		}
	}
	return nil
}

// writeSubPage writes one subcommand's page, e.g. keypair-create(1).
func (m manWriter) writeSubPage(out io.Writer, c *cobra.Command, rootName string) error {
	w := bufio.NewWriter(out)
	dashed := strings.ReplaceAll(c.CommandPath(), " ", "-")
	m.header(w, strings.ToUpper(dashed))
	fmt.Fprintf(w, ".SH NAME\n%s \\- %s\n", roffText(dashed), roffText(c.Short))
	fmt.Fprintf(w, ".SH SYNOPSIS\n\\fB%s\\fR\n", roffText(c.UseLine()))
	w.WriteString(".SH DESCRIPTION\n")
	roffProse(w, manText(c))
	if fs := c.LocalNonPersistentFlags(); fs.HasAvailableFlags() {
		w.WriteString(".SH OPTIONS\n")
		roffFlags(w, fs)
	}
	if fs := c.InheritedFlags(); fs.HasAvailableFlags() {
		w.WriteString(".SH GLOBAL OPTIONS\n")
		roffFlags(w, fs)
	}
	if c.Example != "" {
		w.WriteString(".SH EXAMPLES\n")
		roffExamples(w, c.Example)
	}
	fmt.Fprintf(w, ".SH SEE ALSO\n\\fB%s\\fR(1)\n", roffText(rootName))
	return w.Flush()
}

func (m manWriter) header(w *bufio.Writer, title string) {
	fmt.Fprintf(w, ".TH \"%s\" \"1\" \"%s\" \"%s\" \"keypair manual\"\n.nh\n.ad l\n",
		roffText(title), m.date.Format("Jan 2006"), roffText(m.source))
}

const manTrailer = `.SH EXIT STATUS
.TP
.B 0
success (a permitted dry run is a success)
.TP
.B 1
the operation failed
.TP
.B 2
bad usage or input refused before anything was done
.PP
Messages go to standard error; results, and \fB\-\-json\fR output, to standard output.
.SH ENVIRONMENT
.TP
.BR AWS_PROFILE ", " AWS_REGION ", " AWS_DEFAULT_REGION ", " AWS_ENDPOINT_URL_EC2
and the rest of the AWS SDK's environment, honoured as by the AWS CLI.
.TP
.BR KEYPAIR_TYPE ", " KEYPAIR_FORMAT ", " KEYPAIR_SOURCE ", " KEYPAIR_SAVE_DIR ", " KEYPAIR_PPK_VERSION
override the config file; flags override both.
.TP
.B XDG_CONFIG_HOME
locates the config file.
.TP
.B NO_COLOR
turns colour off.
.SH FILES
.TP
.I $XDG_CONFIG_HOME/keypair/config.toml
(default \fI~/.config/keypair/config.toml\fR): default region, profile, type,
format, source, save directory and tags.
.TP
.IR ~/.aws/config ", " ~/.aws/credentials
AWS profiles and credentials.
.TP
.IR ~/.ssh/NAME.pem ", " ~/.ssh/NAME.ppk
where private keys are saved by default, with mode 0600.
.SH SEE ALSO
.BR ssh\-keygen (1),
.BR puttygen (1),
.BR aws (1)
`

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

// roffText escapes text for use inside a roff line: backslashes, and
// hyphens as \- so options print and search as ASCII minus signs.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	return strings.ReplaceAll(s, "-", `\-`)
}

// roffLine escapes a whole output line: also a leading . or ', which roff
// would take for a request.
func roffLine(s string) string {
	s = roffText(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffProse writes help text: paragraphs split at blank lines flow as text;
// indented lines (tables, lists of choices, commands) are kept as they are;
// markdown-style "#### Heading" lines (cobra's completion help) become bold.
func roffProse(w *bufio.Writer, text string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	inPre := false
	for i, line := range lines {
		indented := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
		switch {
		case strings.TrimSpace(line) == "":
			if inPre {
				w.WriteString(".fi\n.RE\n")
				inPre = false
			}
			if i > 0 {
				w.WriteString(".PP\n")
			}
		case indented:
			if !inPre {
				w.WriteString(".RS 4\n.nf\n")
				inPre = true
			}
			w.WriteString(roffLine(strings.TrimLeft(strings.ReplaceAll(line, "\t", "    "), " ")) + "\n")
		default:
			if inPre {
				w.WriteString(".fi\n.RE\n")
				inPre = false
			}
			if h, ok := strings.CutPrefix(line, "#"); ok {
				w.WriteString("\\fB" + roffText(strings.TrimSpace(strings.TrimLeft(h, "#"))) + "\\fR\n.br\n")
				continue
			}
			w.WriteString(roffLine(line) + "\n")
		}
	}
	if inPre {
		w.WriteString(".fi\n.RE\n")
	}
	w.WriteString(".PP\n")
}

func roffExamples(w *bufio.Writer, example string) {
	if example == "" {
		return
	}
	w.WriteString("Examples:\n.PP\n.RS 4\n.nf\n")
	for _, line := range strings.Split(strings.TrimRight(example, "\n"), "\n") {
		w.WriteString(roffLine(strings.TrimSpace(line)) + "\n")
	}
	w.WriteString(".fi\n.RE\n.PP\n")
}

// roffFlags lists flags as tagged paragraphs: name, value type and any
// non-empty default, then the usage line.
func roffFlags(w *bufio.Writer, fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		tag := `\fB\-\-` + roffText(f.Name) + `\fR`
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			tag = `\fB\-` + roffText(f.Shorthand) + `\fR, ` + tag
		}
		typ, usage := pflag.UnquoteUsage(f)
		if typ == "stringArray" || typ == "strings" {
			typ = "string"
		}
		if typ != "" {
			tag += ` \fI` + roffText(typ) + `\fR`
		}
		switch f.DefValue {
		case "", "0", "false", "[]":
		default:
			tag += ` (default ` + roffText(strconv.Quote(f.DefValue)) + `)`
		}
		fmt.Fprintf(w, ".TP\n%s\n%s\n", tag, roffLine(usage))
	})
	w.WriteString(".PP\n")
}
