package cfdot

import (
	"reflect"
	"testing"
)

func TestParseArgs(t *testing.T) {
	flags := []Flag{
		{Long: "domain", Short: "d"},
		{Long: "index", Short: "i", Kind: intFlag},
		{Long: "exclude", Short: "x", Kind: boolFlag},
	}
	cases := []struct {
		argv   []string
		values map[string]string
		args   []string
		help   bool
		err    string
	}{
		{argv: []string{"guid", "--domain", "d1"}, values: map[string]string{"domain": "d1"}, args: []string{"guid"}},
		{argv: []string{"-d", "d1", "guid", "-i=3"}, values: map[string]string{"domain": "d1", "index": "3"}, args: []string{"guid"}},
		{argv: []string{"-dd1", "--index=0x10"}, values: map[string]string{"domain": "d1", "index": "0x10"}},
		{argv: []string{"-x", "a", "--exclude=false"}, values: map[string]string{"exclude": "false"}, args: []string{"a"}},
		{argv: []string{"--", "-d", "x"}, values: map[string]string{}, args: []string{"-d", "x"}},
		{argv: []string{"a", "-h"}, values: map[string]string{}, args: []string{"a"}, help: true},
		{argv: []string{"--help"}, values: map[string]string{}, help: true},
		{argv: []string{"-"}, values: map[string]string{}, args: []string{"-"}},
		{argv: []string{"--nope"}, err: "unknown flag: --nope"},
		{argv: []string{"-q"}, err: "unknown shorthand flag: 'q' in -q"},
		{argv: []string{"--domain"}, err: "flag needs an argument: --domain"},
		{argv: []string{"-d"}, err: "flag needs an argument: 'd' in -d"},
		{argv: []string{"-i", "two"}, err: `invalid argument "two" for "-i, --index" flag: strconv.ParseInt: parsing "two": invalid syntax`},
		{argv: []string{"--exclude=maybe"}, err: `invalid argument "maybe" for "-x, --exclude" flag: strconv.ParseBool: parsing "maybe": invalid syntax`},
	}
	for _, c := range cases {
		p, err := parseArgs(flags, c.argv)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: error %v, want %q", c.argv, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.argv, err)
			continue
		}
		if !reflect.DeepEqual(p.values, c.values) || !reflect.DeepEqual(p.args, c.args) || p.help != c.help {
			t.Errorf("%q: got values %v args %q help %v", c.argv, p.values, p.args, p.help)
		}
	}
}

func TestSpellingsForConflicts(t *testing.T) {
	p, err := parseArgs([]Flag{{Long: "key", Short: "k"}}, []string{"-k", "a", "--key=b"})
	if err != nil {
		t.Fatal(err)
	}
	c := &Context{flags: p}
	if err := c.conflicting("-k", "--key"); err == nil || err.Error() != "Only one of -k and --key should be passed" {
		t.Errorf("conflict: %v", err)
	}
	if p.values["key"] != "b" {
		t.Errorf("the last value wins: %q", p.values["key"])
	}
}

func TestParseTTL(t *testing.T) {
	for in, want := range map[string]string{"": "0s", "0": "0s", "90": "1m30s", "2m": "2m0s"} {
		d, err := parseTTL(in)
		if err != nil || d.String() != want {
			t.Errorf("parseTTL(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for in, want := range map[string]string{"-1": "ttl is negative", "-1s": "ttl is negative", "soon": "ttl is non-numeric"} {
		if _, err := parseTTL(in); err == nil || err.Error() != want {
			t.Errorf("parseTTL(%q) error %v, want %q", in, err, want)
		}
	}
}
