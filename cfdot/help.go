package cfdot

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func rootHelp(w io.Writer) {
	fmt.Fprint(w, "A command-line tool to interact with a Cloud Foundry Diego deployment\n\n")
	fmt.Fprint(w, "Usage:\n  cfdot [command]\n\nAvailable Commands:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Short)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "completion", "Print a shell completion script (bash or zsh)")
	fmt.Fprintf(tw, "  %s\t%s\n", "help", "Help about any command")
	tw.Flush()
	fmt.Fprint(w, "\nUse \"cfdot [command] --help\" for more information about a command.\n")
}

func runHelp(args []string, io IO) int {
	if len(args) == 0 {
		rootHelp(io.Stdout)
		return ExitOK
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(io.Stderr, "Unknown help topic %q\n", args[0])
		rootHelp(io.Stderr)
		return ExitValidation
	}
	commandHelp(io.Stdout, cmd)
	return ExitOK
}

// commandHelp is a command's long description followed by its usage.
func commandHelp(w io.Writer, cmd *Command) {
	fmt.Fprintf(w, "%s\n\n", cmd.Long)
	usage(w, cmd)
}

// usage prints the synopsis, example and flags of cmd.
func usage(w io.Writer, cmd *Command) {
	fmt.Fprintf(w, "Usage:\n  %s\n", commandLine(cmd))
	if cmd.Example != "" {
		fmt.Fprintf(w, "\nExamples:\n  %s\n", cmd.Example)
	}
	fmt.Fprint(w, "\nFlags:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	for _, f := range allFlags(cmd) {
		name := "    --" + f.Long
		if f.Short != "" {
			name = "-" + f.Short + ", --" + f.Long
		}
		switch f.Kind {
		case stringFlag:
			name += " string"
		case intFlag:
			name += " int"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, f.Usage)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "-h, --help", "help for "+cmd.Name)
	tw.Flush()
}

// flagNames lists every --long and -s spelling a command accepts.
func flagNames(cmd *Command) []string {
	var out []string
	for _, f := range allFlags(cmd) {
		out = append(out, "--"+f.Long)
		if f.Short != "" {
			out = append(out, "-"+f.Short)
		}
	}
	return append(out, "--help")
}

// commandNames lists the subcommands for completion.
func commandNames() string {
	names := []string{"help", "completion"}
	for _, c := range commands() {
		names = append(names, c.Name)
	}
	return strings.Join(names, " ")
}
