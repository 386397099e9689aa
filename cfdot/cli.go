// Package cfdot is the Diego operator CLI: upstream cfdot's commands,
// arguments, flags, environment variables, messages and exit codes, printing
// models as upstream's encoding/json does (proto/modeljson). Beyond upstream
// it offers --output table, an example in every --help, and shell
// completion scripts.
package cfdot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// target says which component a command talks to; it decides the
// connection flags the command accepts.
type target int

const (
	targetNone target = iota
	targetBBS
	targetBBSTimeout // BBS flags plus --timeout
	targetLocket
)

// Command is one cfdot subcommand.
type Command struct {
	Name    string
	Use     string // argument synopsis after the name
	Short   string
	Long    string
	Example string
	Target  target
	Flags   []Flag
	// Deprecated, when set, is printed to stderr on every run.
	Deprecated string
	Run        func(c *Context) error
}

// IO is where a run reads its environment and writes its output.
type IO struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Context bounds streaming commands; nil means context.Background.
	Context context.Context
}

// Main runs cfdot with argv (without the program name) and returns the
// process exit code.
func Main(argv []string, io IO) int {
	if io.Context == nil {
		io.Context = context.Background()
	}
	if len(argv) == 0 || argv[0] == "--help" || argv[0] == "-h" {
		rootHelp(io.Stdout)
		return ExitOK
	}
	name := argv[0]
	if name == "help" {
		return runHelp(argv[1:], io)
	}
	if name == "completion" {
		return runCompletion(argv[1:], io)
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(io.Stderr, "Error: unknown command %q for \"cfdot\"\nRun 'cfdot --help' for usage.\n", name)
		return ExitValidation
	}
	p, err := parseArgs(allFlags(cmd), argv[1:])
	if err != nil {
		fmt.Fprintf(io.Stderr, "Error: %s\n", err)
		usage(io.Stderr, cmd)
		return ExitValidation
	}
	if p.help {
		commandHelp(io.Stdout, cmd)
		return ExitOK
	}
	if cmd.Deprecated != "" {
		fmt.Fprintf(io.Stderr, "Command %q is deprecated, %s\n", cmd.Name, cmd.Deprecated)
	}
	c := &Context{cmd: cmd, flags: p, Args: p.args, io: io}
	err = c.prepare()
	if err == nil {
		err = cmd.Run(c)
	}
	if err == nil {
		err = c.flush()
	}
	if err == nil {
		return ExitOK
	}
	var ce *Error
	if !errors.As(err, &ce) {
		ce = &Error{Err: err, Code: ExitOther}
	}
	fmt.Fprintf(io.Stderr, "Error: %s\n", ce.Error())
	if ce.Code == ExitValidation {
		usage(io.Stderr, cmd)
	}
	return ce.Code
}

func lookup(name string) *Command {
	for _, c := range commands() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// outputFlag selects json (upstream's one object per line) or table.
var outputFlag = Flag{Long: "output", Usage: "output format: json (one object per line, the default) or table"}

// allFlags is a command's own flags followed by its connection flags.
func allFlags(cmd *Command) []Flag {
	out := append([]Flag(nil), cmd.Flags...)
	switch cmd.Target {
	case targetBBS, targetBBSTimeout:
		out = append(out, bbsFlags...)
		out = append(out, tlsFlags...)
		if cmd.Target == targetBBSTimeout {
			out = append(out, timeoutFlag)
		}
	case targetLocket:
		out = append(out, locketFlags...)
		out = append(out, tlsFlags...)
	}
	return append(out, outputFlag)
}

// Context is what a command's Run sees: its arguments, flags, clients
// and output.
type Context struct {
	cmd   *Command
	flags *parsed
	io    IO
	// Args are the positional arguments.
	Args []string

	conn   connection
	table  bool
	rows   *tableRows
	closer []func()
}

// String returns a flag's value ("" when unset).
func (c *Context) String(long string) string { return c.flags.values[long] }

// Bool returns a boolean flag's value.
func (c *Context) Bool(long string) bool {
	b, _ := strconv.ParseBool(c.flags.values[long])
	return b
}

// Int returns an integer flag's value (0 when unset).
func (c *Context) Int(long string) int64 {
	n, _ := strconv.ParseInt(c.flags.values[long], 0, 64)
	return n
}

// Set reports whether a flag was given.
func (c *Context) Set(long string) bool { return c.flags.set(long) }

// Spelled reports whether the flag was written exactly as s ("-k", "--key").
func (c *Context) Spelled(s string) bool { return c.flags.spellings[s] }

// Ctx is the context for calls.
func (c *Context) Ctx() context.Context { return c.io.Context }

func (c *Context) prepare() error {
	switch out := c.String("output"); out {
	case "", "json":
	case "table":
		c.table = true
		c.rows = &tableRows{}
	default:
		return invalid("unknown output format %q (want json or table)", out)
	}
	return c.conn.configure(c)
}

func (c *Context) flush() error {
	for _, f := range c.closer {
		f()
	}
	if c.table {
		return c.rows.write(c.io.Stdout)
	}
	return nil
}

// conflicting is upstream's check that a flag was not given both as -s
// and as --long.
func (c *Context) conflicting(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c.Spelled(pairs[i]) && c.Spelled(pairs[i+1]) {
			return invalid("Only one of %s and %s should be passed", pairs[i], pairs[i+1])
		}
	}
	return nil
}

// noArgs fails when positional arguments were given.
func (c *Context) noArgs() error {
	if len(c.Args) > 0 {
		return validation(errExtraArguments)
	}
	return nil
}

// oneArg returns the single argument; empty is reported with emptyErr
// (or as missing when emptyErr is nil).
func (c *Context) oneArg(emptyErr error) (string, error) {
	switch {
	case len(c.Args) > 1:
		return "", validation(errExtraArguments)
	case len(c.Args) < 1:
		return "", validation(errMissingArguments)
	case c.Args[0] == "" && emptyErr != nil:
		return "", validation(emptyErr)
	case c.Args[0] == "":
		return "", validation(errMissingArguments)
	}
	return c.Args[0], nil
}

// commandLine renders "cfdot NAME USE [flags]".
func commandLine(cmd *Command) string {
	parts := []string{"cfdot", cmd.Name}
	if cmd.Use != "" {
		parts = append(parts, cmd.Use)
	}
	return strings.Join(append(parts, "[flags]"), " ")
}
