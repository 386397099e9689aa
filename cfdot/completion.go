package cfdot

import (
	"fmt"
	"io"
	"strings"
)

// runCompletion prints a completion script: cfdot completion bash|zsh.
func runCompletion(args []string, io IO) int {
	if len(args) != 1 || (args[0] != "bash" && args[0] != "zsh") {
		fmt.Fprintln(io.Stderr, "Error: completion needs one argument: bash or zsh")
		fmt.Fprintln(io.Stderr, "Usage:\n  cfdot completion bash|zsh\n\nExamples:\n  source <(cfdot completion bash)")
		return ExitValidation
	}
	if args[0] == "zsh" {
		// zsh runs bash completions through bashcompinit.
		fmt.Fprintln(io.Stdout, "#compdef cfdot\nautoload -U +X bashcompinit && bashcompinit")
	}
	bashCompletion(io.Stdout)
	return ExitOK
}

// bashCompletion writes a bash completion function completing command
// names, each command's flags, and the values of --output.
func bashCompletion(w io.Writer) {
	fmt.Fprintln(w, "_cfdot() {")
	fmt.Fprintln(w, `  local cur prev cmd`)
	fmt.Fprintln(w, `  cur="${COMP_WORDS[COMP_CWORD]}"`)
	fmt.Fprintln(w, `  prev="${COMP_WORDS[COMP_CWORD-1]}"`)
	fmt.Fprintln(w, `  cmd="${COMP_WORDS[1]}"`)
	fmt.Fprintln(w, `  if [ "$COMP_CWORD" -eq 1 ]; then`)
	fmt.Fprintf(w, "    COMPREPLY=( $(compgen -W %q -- \"$cur\") )\n", commandNames())
	fmt.Fprintln(w, `    return`)
	fmt.Fprintln(w, `  fi`)
	fmt.Fprintln(w, `  case "$prev" in`)
	fmt.Fprintln(w, `    --output) COMPREPLY=( $(compgen -W "json table" -- "$cur") ); return ;;`)
	fmt.Fprintln(w, `    --caCertFile|--clientCertFile|--clientKeyFile) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`)
	fmt.Fprintln(w, `  esac`)
	fmt.Fprintln(w, `  case "$cmd" in`)
	fmt.Fprintln(w, `    completion) COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") ) ;;`)
	fmt.Fprintf(w, "    help) COMPREPLY=( $(compgen -W %q -- \"$cur\") ) ;;\n", commandNames())
	for _, c := range commands() {
		fmt.Fprintf(w, "    %s) COMPREPLY=( $(compgen -W %q -- \"$cur\") ) ;;\n", c.Name, strings.Join(flagNames(c), " "))
	}
	fmt.Fprintln(w, `  esac`)
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w, "complete -F _cfdot cfdot")
}
