//! `completions SHELL`: clap's completion script for `cargo-etcd-deps`, plus what makes
//! `cargo etcd-deps …` complete the same words in bash and fish (zsh gets it from cargo's own
//! `_cargo`, which calls `_cargo-etcd-deps` for the `etcd-deps` subcommand).

use clap_complete::Shell;

/// The name the scripts complete; `cargo etcd-deps` is routed to it.
const BIN: &str = "cargo-etcd-deps";

/// The completion script for `shell`.
pub(crate) fn script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    if shell == Shell::Bash {
        // clap's bash script names its states after the bin name in two ways that disagree
        // when the name has a `-` (`cargo__etcd__deps__subcmd__fix` against
        // `cargo__subcmd__etcd__subcmd__deps__subcmd__fix`), so no subcommand option would
        // complete. Generated under a name without one, then registered for the real name.
        let mut cmd = definition(BASH_NAME);
        clap_complete::generate(shell, &mut cmd, BASH_NAME, &mut buf);
        let text =
            String::from_utf8_lossy(&buf).replace(&format!(" {BASH_NAME}\n"), &format!(" {BIN}\n"));
        return [text.as_str(), BASH_CARGO].concat().into_bytes();
    }
    let mut cmd = definition(BIN);
    clap_complete::generate(shell, &mut cmd, BIN, &mut buf);
    if shell == Shell::Fish {
        buf.extend_from_slice(fish_explain_codes().as_bytes());
        buf.extend_from_slice(FISH_CARGO.as_bytes());
    }
    buf
}

/// clap's fish script completes no positional value: `explain <TAB>` offers the codes here,
/// each with its summary.
fn fish_explain_codes() -> String {
    let using = format!("__fish_{}_using_subcommand", BIN.replace('-', "_"));
    cargo_etcd_deps::analysis::Code::ALL
        .iter()
        .map(|&c| {
            format!(
                "complete -c {BIN} -n \"{using} explain\" -f -a \"{}\" -d '{}'\n",
                c.as_str(),
                cargo_etcd_deps::explain::summary(c)
                    .replace('\\', "\\\\")
                    .replace('\'', "\\'")
            )
        })
        .collect()
}

/// The command line as the scripts complete it: the options accepted on both sides of a
/// subcommand offered where they apply (`crate::cli::scoped_args`), so `explain` and
/// `completions` offer only `--output`, `fix` no other input mode, `scan` no cargo option,
/// `scan merge` only what prints the merged report, and `--format` the formats of the
/// subcommand.
fn definition(bin_name: &str) -> clap::Command {
    let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command().bin_name(bin_name);
    let globals: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.clone().global(false))
        .collect();
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for arg in &globals {
        cmd = cmd.mut_arg(arg.get_id(), |a| a.global(false));
    }
    let offered = |name: &str| {
        crate::cli::scoped_args(name, &globals)
            .into_iter()
            .filter(|a| !a.is_hide_set())
            .collect::<Vec<_>>()
    };
    for name in subcommands {
        let args = offered(&name);
        cmd = cmd.mut_subcommand(name, |sub| sub.args(args));
    }
    let merge = offered("merge");
    cmd = cmd.mut_subcommand("scan", |scan| {
        scan.mut_subcommand("merge", |sub| sub.args(merge))
    });
    // `explain <TAB>` offers the codes, each with its one-line summary where the shell shows it.
    // (Only here: the command line itself keeps any word, and `explain` answers an unknown one
    // with the list of codes.)
    let codes = cargo_etcd_deps::analysis::Code::ALL.map(|c| {
        clap::builder::PossibleValue::new(c.as_str()).help(cargo_etcd_deps::explain::summary(c))
    });
    cmd.mut_subcommand("explain", |sub| {
        sub.mut_arg("code", |a| {
            a.value_parser(clap::builder::PossibleValuesParser::new(codes))
        })
    })
}

/// The bash script's internal name (see `script`).
const BASH_NAME: &str = "cargo_etcd_deps";

/// `cargo etcd-deps …` in bash: the words after `etcd-deps` are completed as a
/// `cargo-etcd-deps` command line; anything else goes to the completion cargo had before
/// (loaded now if bash-completion would load it lazily), else to file names.
const BASH_CARGO: &str = r#"
# `cargo etcd-deps …` completes like `cargo-etcd-deps …`; other cargo commands keep cargo's own
# completion.
_cargo_etcd_deps_via_cargo() {
    local i
    for (( i = 1; i < COMP_CWORD; i++ )); do
        case "${COMP_WORDS[i]}" in
            +* | -*) ;;
            etcd-deps)
                local COMP_WORDS=(cargo-etcd-deps "${COMP_WORDS[@]:i+1}")
                local COMP_CWORD=$((COMP_CWORD - i))
                _cargo_etcd_deps cargo-etcd-deps "$2" "$3"
                return
                ;;
            *) break ;;
        esac
    done
    if [[ -n "${_cargo_etcd_deps_cargo_completion-}" ]]; then
        "$_cargo_etcd_deps_cargo_completion" "$@"
    elif [[ ${COMP_CWORD} -eq 1 ]]; then
        COMPREPLY=( $(compgen -W "etcd-deps" -- "$2") )
    fi
}

if ! complete -p cargo >/dev/null 2>&1; then
    if declare -F _comp_load >/dev/null; then
        _comp_load cargo >/dev/null 2>&1
    elif declare -F _completion_loader >/dev/null; then
        _completion_loader cargo >/dev/null 2>&1
    fi
fi
_cargo_etcd_deps_spec=$(complete -p cargo 2>/dev/null | sed -n 's/.*-F \([^ ]*\).*/\1/p')
if [[ "$_cargo_etcd_deps_spec" != _cargo_etcd_deps_via_cargo ]]; then
    _cargo_etcd_deps_cargo_completion=$_cargo_etcd_deps_spec
fi
unset _cargo_etcd_deps_spec
complete -F _cargo_etcd_deps_via_cargo -o bashdefault -o default cargo
"#;

/// `cargo etcd-deps …` in fish: the words after `etcd-deps` are completed as a
/// `cargo-etcd-deps` command line.
const FISH_CARGO: &str = r#"
# `cargo etcd-deps …` completes like `cargo-etcd-deps …`.
function __fish_cargo_etcd_deps_via_cargo
    set -l words (commandline -opc)
    set -l at (contains -i -- etcd-deps $words)
    or return
    set -l rest
    if test $at -lt (count $words)
        set rest $words[(math $at + 1)..-1]
    end
    complete -C (string join ' ' -- cargo-etcd-deps (string escape -- $rest) (commandline -ct | string escape))
end
complete -c cargo -n '__fish_seen_subcommand_from etcd-deps' -f -a '(__fish_cargo_etcd_deps_via_cargo)'
complete -c cargo -n __fish_use_subcommand -f -a etcd-deps -d 'Find diverging etcd-client / tonic versions'
"#;
