package cfdot

import (
	"fmt"
	"strconv"
	"strings"
)

// flagKind is the type of a flag's value.
type flagKind int

const (
	stringFlag flagKind = iota
	boolFlag
	intFlag
)

// Flag describes one command-line flag: --long and optionally -s.
type Flag struct {
	Long  string
	Short string
	Kind  flagKind
	Usage string
	// Env names the environment variable read when the flag is not given.
	Env string
}

// parsed is the outcome of parsing a command line.
type parsed struct {
	values    map[string]string // by long name
	spellings map[string]bool   // every "-x" / "--xx" form used
	args      []string
	help      bool
}

// set reports whether the flag was given on the command line.
func (p *parsed) set(long string) bool {
	_, ok := p.values[long]
	return ok
}

// parseArgs reads flags anywhere among the arguments, as cobra does:
// "--name value", "--name=value", "-n value", "-nvalue", "-n=value", bare
// boolean flags, and "--" ending flag parsing.
func parseArgs(flags []Flag, argv []string) (*parsed, error) {
	byLong := map[string]Flag{}
	byShort := map[string]Flag{}
	for _, f := range flags {
		byLong[f.Long] = f
		if f.Short != "" {
			byShort[f.Short] = f
		}
	}
	p := &parsed{values: map[string]string{}, spellings: map[string]bool{}}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		var (
			f        Flag
			ok       bool
			value    string
			hasValue bool
			display  string
		)
		switch {
		case a == "--":
			p.args = append(p.args, argv[i+1:]...)
			return p, nil
		case strings.HasPrefix(a, "--") && len(a) > 2:
			name, v, eq := strings.Cut(a[2:], "=")
			if name == "help" {
				p.help = true
				continue
			}
			if f, ok = byLong[name]; !ok {
				return nil, fmt.Errorf("unknown flag: --%s", name)
			}
			value, hasValue, display = v, eq, "--"+name
			p.spellings["--"+name] = true
		case strings.HasPrefix(a, "-") && len(a) > 1:
			short := a[1:2]
			if short == "h" {
				p.help = true
				continue
			}
			if f, ok = byShort[short]; !ok {
				return nil, fmt.Errorf("unknown shorthand flag: '%s' in %s", short, a)
			}
			rest := a[2:]
			if strings.HasPrefix(rest, "=") {
				value, hasValue = rest[1:], true
			} else if rest != "" {
				value, hasValue = rest, true
			}
			display = fmt.Sprintf("'%s' in -%s", short, short)
			p.spellings["-"+short] = true
		default:
			p.args = append(p.args, a)
			continue
		}
		if !hasValue {
			if f.Kind == boolFlag {
				value = "true"
			} else {
				if i+1 >= len(argv) {
					return nil, fmt.Errorf("flag needs an argument: %s", display)
				}
				i++
				value = argv[i]
			}
		}
		if err := checkValue(f, value); err != nil {
			return nil, err
		}
		p.values[f.Long] = value
	}
	return p, nil
}

func checkValue(f Flag, value string) error {
	var err error
	switch f.Kind {
	case boolFlag:
		_, err = strconv.ParseBool(value)
	case intFlag:
		_, err = strconv.ParseInt(value, 0, 64)
	}
	if err != nil {
		return fmt.Errorf("invalid argument %q for %q flag: %v", value, flagTitle(f), err)
	}
	return nil
}

func flagTitle(f Flag) string {
	if f.Short != "" {
		return "-" + f.Short + ", --" + f.Long
	}
	return "--" + f.Long
}
