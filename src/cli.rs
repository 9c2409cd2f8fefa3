//! Command-line parsing (clap derive), the binary's own: lowered into the plain `Request`
//! the library takes, or into the `completions` the binary writes itself. No IO here.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use cargo_etcd_deps::ScanRequest;
use cargo_etcd_deps::analysis::{Line, Options, Watch};
use cargo_etcd_deps::graph::KindSet;
use cargo_etcd_deps::input::{CargoOptions, Input};
use cargo_etcd_deps::plan::PatchSpec;
use cargo_etcd_deps::{
    CheckFormat, CheckRequest, Color, Command, DiagnoseFormat, DiagnoseRequest, FixFormat,
    FixRequest, GraphFormat, PatchWith, Request, ScanFormat, Verbosity,
};

/// Find diverging etcd-client / tonic / prost versions in a Cargo workspace, explain where
/// each comes from, and gate CI on them.
#[derive(Parser, Debug)]
#[command(
    name = "cargo-etcd-deps",
    bin_name = "cargo etcd-deps",
    version,
    about,
    long_about = None,
    after_help = "With no subcommand, `check` runs.\n\nExit codes: 0 no error-level finding, \
                  1 the gate failed, 2 usage or input error, 3 internal failure."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,

    #[command(flatten)]
    global: GlobalArgs,

    /// The options of `check`, which runs when no subcommand is given. Before a subcommand
    /// they are accepted only by one that takes them (see `refuse_what_the_subcommand_lacks`).
    #[command(flatten, next_help_heading = "Options of check")]
    check: CheckArgs,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Find diverging versions of the watched crates and explain each (the default).
    Check(CheckArgs),
    /// Plan the manifest edits that unify diverging versions, show them as a diff, prove them
    /// by re-resolving a copy with cargo, and write them with --apply.
    Fix(FixArgs),
    /// Explain a finding code (with no code: list them all).
    Explain {
        /// A finding code, such as diverging-versions.
        code: Option<String>,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Inventory every workspace under some directories (lockfile mode): the lines of
    /// etcd-client, tonic, prost and hyper each resolves, its findings and policy deadline.
    Scan(ScanArgs),
    /// Trace build errors where two versions of a crate meet to their finding and fix (runs
    /// `cargo check`, build scripts included, unless given --log).
    Diagnose(DiagnoseArgs),
}

/// Options of `diagnose`.
#[derive(Args, Debug, Default)]
struct DiagnoseArgs {
    /// Read a saved `cargo check --message-format json` instead of running it (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
}

/// Options of `scan`.
#[derive(Args, Debug, Default)]
#[command(args_conflicts_with_subcommands = true)]
struct ScanArgs {
    #[command(subcommand)]
    merge: Option<ScanSub>,

    /// Directories to search for workspaces (a Cargo.lock, with or without its Cargo.toml) [default: .]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Read the workspaces from this file instead: one directory (or Cargo.lock) a line
    #[arg(long, value_name = "FILE", conflicts_with = "paths")]
    from: Option<PathBuf>,

    /// Workspaces analysed at once [default: the number of cores]
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,

    /// Scan only the I-th of N deterministic shares of the workspaces (1-based)
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,

    /// Make findings at this level fail the gate too
    #[arg(long, value_enum, value_name = "LEVEL")]
    deny: Vec<DenyArg>,
}

#[derive(Subcommand, Debug)]
enum ScanSub {
    /// Combine the JSON documents of shards (`scan --shard I/N --format json`) into one report
    Merge {
        /// Shard documents
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("`{s}` is not I/N with 1 <= I <= N (for example 2/8)");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Options of `fix`.
#[derive(Args, Debug, Default)]
struct FixArgs {
    /// Target line for a crate instead of the newest one in the graph (repeatable)
    #[arg(long, value_name = "CRATE@LINE", value_parser = parse_to)]
    to: Vec<(String, Line)>,

    /// Plan fixes for warning-level findings too
    #[arg(long)]
    include_warnings: bool,

    /// Write the edits (only verified ones, unless --no-verify) and refresh Cargo.lock
    #[arg(long)]
    apply: bool,

    /// Edit manifests with uncommitted changes, or outside version control
    #[arg(long)]
    allow_dirty: bool,

    /// Skip re-resolving a copy of the workspace before applying
    #[arg(long)]
    no_verify: bool,

    /// Point a crate with no suitable release at a fork: CRATE=git+URL[#REV] or CRATE=PATH (repeatable)
    #[arg(long, value_name = "CRATE=SOURCE", value_parser = parse_patch_with)]
    patch_with: Vec<(String, PatchWith)>,

    /// Also compile the verified copy with the workspace's sources (`cargo check --workspace
    /// --all-targets`): this builds and runs the workspace's build scripts and proc macros.
    /// Nothing is applied unless it compiles
    #[arg(long, conflicts_with = "no_verify")]
    build_check: bool,
}

fn parse_to(s: &str) -> Result<(String, Line), String> {
    let (krate, line) = s
        .split_once('@')
        .ok_or_else(|| format!("`{s}` is not CRATE@LINE (for example tonic@0.12)"))?;
    let line = Line::parse(line)
        .ok_or_else(|| format!("`{line}` is not a version line (for example 0.12 or 1)"))?;
    if krate.is_empty() {
        return Err(format!("`{s}` names no crate"));
    }
    Ok((krate.to_owned(), line))
}

fn parse_patch_with(s: &str) -> Result<(String, PatchWith), String> {
    let (krate, source) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not CRATE=git+URL[#REV] or CRATE=PATH"))?;
    if krate.is_empty() || source.is_empty() {
        return Err(format!("`{s}` is not CRATE=git+URL[#REV] or CRATE=PATH"));
    }
    let with = if source.starts_with("git+") {
        PatchWith::Git(
            PatchSpec::from_git_source(source)
                .ok_or_else(|| format!("`{source}` is not a git URL"))?,
        )
    } else {
        PatchWith::Path(PathBuf::from(source))
    };
    Ok((krate.to_owned(), with))
}

/// Options accepted before or after the subcommand.
#[derive(Args, Debug)]
#[command(next_help_heading = "Common options")]
struct GlobalArgs {
    /// Path to Cargo.toml [default: the workspace around the current directory]
    #[arg(long, value_name = "PATH", global = true)]
    manifest_path: Option<PathBuf>,

    /// Read saved `cargo metadata --format-version 1` JSON instead of running cargo (`-` for stdin)
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        conflicts_with = "manifest_path"
    )]
    metadata_path: Option<PathBuf>,

    /// Analyse Cargo.lock (the workspace's, or =PATH) and the manifests, without running cargo
    // The value is written with `=`, so `--lockfile check` is the flag, then the subcommand.
    #[arg(
        long,
        value_name = "PATH",
        num_args = 0..=1,
        require_equals = true,
        global = true,
        conflicts_with = "metadata_path"
    )]
    lockfile: Option<Option<PathBuf>>,

    /// Ask `cargo metadata` even where Cargo.lock and cargo's local index data already give its answer
    #[arg(
        long,
        global = true,
        conflicts_with_all = ["metadata_path", "lockfile"]
    )]
    cargo_metadata: bool,

    /// Output format (csv and html are for `scan` only)
    #[arg(long, value_name = "FORMAT", value_parser = format_names(None), default_value = "human", global = true)]
    format: String,

    /// Write the report (or graph) to this file instead of stdout
    #[arg(long, value_name = "FILE", global = true)]
    output: Option<PathBuf>,

    /// Configuration file [default: etcd-deps.toml or [workspace.metadata.etcd-deps] at the workspace root]
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,

    /// Coloring of human output
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        global = true,
        env = "CARGO_TERM_COLOR",
        hide_env_values = true
    )]
    color: Option<ColorArg>,

    /// Print only the summary line (human format)
    #[arg(short, long, global = true)]
    quiet: bool,

    /// Print every path, not only the first few of each version (-vv: the same)
    // The conflict is declared here, not on `quiet`: `fix` has no `-v` (see `scope`).
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet")]
    verbose: u8,

    /// Run cargo without accessing the network
    #[arg(long, global = true)]
    offline: bool,

    /// Require Cargo.lock to be up to date
    #[arg(long, global = true)]
    locked: bool,

    /// Require Cargo.lock and the cache to be up to date (implies --offline and --locked)
    #[arg(long, global = true)]
    frozen: bool,

    /// Space or comma separated list of features to activate
    #[arg(short = 'F', long, value_name = "FEATURES", global = true)]
    features: Vec<String>,

    /// Activate all available features
    #[arg(long, global = true)]
    all_features: bool,

    /// Do not activate the `default` feature
    #[arg(long, global = true)]
    no_default_features: bool,

    /// Only analyse dependencies for this target triple (repeatable) [default: every platform]
    #[arg(long, value_name = "TRIPLE", global = true)]
    target: Vec<String>,

    /// Dependency kinds to follow: normal, build, dev, all, no-dev, no-build (comma list or repeated)
    #[arg(
        short = 'e',
        long,
        value_name = "KINDS",
        value_delimiter = ',',
        hide_possible_values = true,
        global = true
    )]
    edges: Vec<EdgeArg>,

    /// Only paths from these workspace members (repeatable)
    #[arg(short = 'p', long = "package", value_name = "MEMBER", global = true)]
    packages: Vec<String>,

    /// Watch another crate as a primary crate (repeatable)
    #[arg(long, value_name = "CRATE", global = true)]
    watch: Vec<String>,

    /// Audit every crate name, not only the watched ones
    #[arg(long, global = true)]
    all_duplicates: bool,

    /// A shared version policy file (`policy = [...]`), for every workspace analysed
    #[arg(long, value_name = "FILE", global = true)]
    policy: Option<PathBuf>,

    /// Judge policy windows on this day instead of today (default: SOURCE_DATE_EPOCH, else the clock)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, global = true)]
    today: Option<cargo_etcd_deps::config::Date>,
}

fn parse_date(s: &str) -> Result<cargo_etcd_deps::config::Date, String> {
    cargo_etcd_deps::config::Date::parse(s)
        .ok_or_else(|| format!("`{s}` is not a date written YYYY-MM-DD"))
}

/// Options of `check`.
#[derive(Args, Debug, Default)]
struct CheckArgs {
    /// Make findings at this level fail the gate too
    #[arg(long, value_enum, value_name = "LEVEL")]
    deny: Vec<DenyArg>,

    /// Fail only on findings not recorded in this baseline file
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,

    /// Record today's findings in this baseline file and exit 0
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,

    /// Print the conflict graph instead of the report
    #[arg(long, value_name = "FORMAT", value_parser = one_of(GraphFormat::ALL, GraphFormat::name))]
    graph: Option<GraphFormat>,
}

/// A parser accepting the names of `all`, in order, and giving the value named.
fn one_of<F: Copy + Send + Sync + 'static>(
    all: &'static [F],
    name: fn(F) -> &'static str,
) -> impl clap::builder::TypedValueParser<Value = F> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(all.iter().map(|f| name(*f))).try_map(move |s| {
        all.iter()
            .copied()
            .find(|f| name(*f) == s)
            .ok_or("not a possible value")
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DenyArg {
    Warnings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum EdgeArg {
    Normal,
    Build,
    Dev,
    All,
    NoDev,
    NoBuild,
    NoNormal,
}

/// `-e` values to a kind set, as `cargo tree -e` reads them.
fn kind_set(edges: &[EdgeArg]) -> KindSet {
    let words: Vec<String> = edges
        .iter()
        .filter_map(|e| e.to_possible_value().map(|v| v.get_name().to_owned()))
        .collect();
    KindSet::from_words(&words).expect("clap only accepts known kinds")
}

/// The subcommands whose help scopes the common options to what they take (`merge` is `scan
/// merge`).
const SCOPED: &[&str] = &[
    "check",
    "fix",
    "explain",
    "completions",
    "scan",
    "merge",
    "diagnose",
];

/// How subcommand `sub` treats common option `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// It takes the option.
    Takes,
    /// Not shown; given on either side of the subcommand, it is a usage error saying why.
    Refuses(&'static str),
    /// Not shown, and harmless: `explain` and `completions` read no workspace, so a workspace
    /// option written before them changes nothing.
    Ignores,
}

/// Why `scan` refuses cargo's options and the other input modes.
const SCAN_WITHOUT_CARGO: &str = "`scan` reads each workspace's Cargo.lock and manifests \
    without running cargo (lockfile mode); name the workspaces as PATH arguments or with --from FILE";

/// Whether subcommand `sub` takes the common option `id`, and why not. `fix` needs cargo (no
/// other input mode) and prints its whole plan, without colour; `scan` runs no cargo, reads many
/// workspaces, each with its own members, and prints plain tables; `scan merge` only combines
/// finished reports.
fn scope(sub: &str, id: &str) -> Scope {
    let no_color = "its report has no colour (errors follow CARGO_TERM_COLOR and NO_COLOR)";
    match (sub, id) {
        ("explain" | "completions", "output") => Scope::Takes,
        ("explain" | "completions", _) => Scope::Ignores,
        ("fix", "metadata_path") => Scope::Refuses(
            "`fix` edits and re-resolves the workspace itself; it cannot work from --metadata-path",
        ),
        ("fix", "lockfile") => Scope::Refuses(
            "`fix` needs cargo to plan and prove edits; it cannot work from --lockfile",
        ),
        ("fix", "verbose") => Scope::Refuses("`fix` always prints its whole plan"),
        ("diagnose", "lockfile") => Scope::Refuses(
            "`diagnose` reads rustc's messages and maps them through cargo's metadata; it cannot work from --lockfile",
        ),
        ("fix" | "scan" | "merge", "color") => Scope::Refuses(no_color),
        ("fix" | "diagnose", "cargo_metadata") => {
            Scope::Refuses("it always asks cargo; --cargo-metadata is for `check`")
        }
        (
            "scan",
            "manifest_path"
            | "metadata_path"
            | "lockfile"
            | "offline"
            | "locked"
            | "frozen"
            | "features"
            | "all_features"
            | "no_default_features"
            | "target"
            | "cargo_metadata",
        ) => Scope::Refuses(SCAN_WITHOUT_CARGO),
        ("scan", "packages") => Scope::Refuses(
            "members differ from one workspace to the next; run `check -p MEMBER` in the workspace",
        ),
        ("merge", "format" | "output" | "quiet" | "verbose") => Scope::Takes,
        ("merge", _) => Scope::Refuses(
            "`scan merge` combines finished shard reports; give it to the `scan` of each shard",
        ),
        _ => Scope::Takes,
    }
}

/// The `--format` values subcommand `sub` writes, from the library's format type of the
/// command (`None`: any; `explain` and `completions` write text whatever it says).
fn formats(sub: &str) -> Option<Vec<&'static str>> {
    fn names<F: Copy>(all: &[F], name: fn(F) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|f| name(*f)).collect()
    }
    match sub {
        "check" => Some(names(CheckFormat::ALL, CheckFormat::name)),
        "fix" => Some(names(FixFormat::ALL, FixFormat::name)),
        "diagnose" => Some(names(DiagnoseFormat::ALL, DiagnoseFormat::name)),
        "scan" | "merge" => Some(names(ScanFormat::ALL, ScanFormat::name)),
        _ => None,
    }
}

/// The parser of `--format` for subcommand `sub` (`None`: before any subcommand, where every
/// command's formats are accepted, each in its first place).
fn format_names(sub: Option<&str>) -> clap::builder::PossibleValuesParser {
    let names = match sub.and_then(formats) {
        Some(names) => names,
        None => {
            let mut all: Vec<&str> = Vec::new();
            for sub in ["check", "fix", "diagnose", "scan"] {
                for name in formats(sub).unwrap_or_default() {
                    if !all.contains(&name) {
                        all.push(name);
                    }
                }
            }
            all
        }
    };
    clap::builder::PossibleValuesParser::new(names)
}

/// Sets the command's format to `--format NAME`, which `refuse_a_format_of_another_command`
/// checked is one of the command's.
fn set_format(command: &mut Command, name: &str) {
    const CHECKED: &str = "--format is checked against the command's formats when parsed";
    match command {
        Command::Check(c) => c.format = CheckFormat::from_name(name).expect(CHECKED),
        Command::Fix(f) => f.format = FixFormat::from_name(name).expect(CHECKED),
        Command::Scan(s) => s.format = ScanFormat::from_name(name).expect(CHECKED),
        Command::Diagnose(d) => d.format = DiagnoseFormat::from_name(name).expect(CHECKED),
        Command::Explain(_) => {}
    }
}

/// The innermost subcommand given (`scan merge` is `merge`; none: `cmd` itself) and its
/// matches; `None` when one is not in `cmd`.
fn innermost<'c, 'm>(
    cmd: &'c clap::Command,
    matches: &'m clap::ArgMatches,
) -> Option<(&'c clap::Command, &'m clap::ArgMatches)> {
    let mut sub = cmd;
    let mut at = matches;
    while let Some((name, inner)) = at.subcommand() {
        sub = sub.find_subcommand(name)?;
        at = inner;
    }
    Some((sub, at))
}

/// A `--format` written before the subcommand (or with none: `check`) that the command does
/// not write: a usage error naming the commands that do. (After the subcommand, clap's own
/// value list refuses it.)
fn refuse_a_format_of_another_command(
    cmd: &clap::Command,
    matches: &clap::ArgMatches,
) -> Result<(), clap::Error> {
    let Some((sub, at)) = innermost(cmd, matches) else {
        return Ok(());
    };
    let name = if std::ptr::eq(sub, cmd) {
        "check"
    } else {
        sub.get_name()
    };
    let (Some(value), Some(own)) = (at.get_one::<String>("format"), formats(name)) else {
        return Ok(());
    };
    if own.contains(&value.as_str()) {
        return Ok(());
    }
    let writers: Vec<String> = ["check", "fix", "diagnose", "scan"]
        .into_iter()
        .filter(|w| formats(w).is_some_and(|f| f.contains(&value.as_str())))
        .map(|w| format!("`{w}`"))
        .collect();
    let shown = if name == "merge" { "scan merge" } else { name };
    let mut usage = sub.clone();
    if !std::ptr::eq(sub, cmd) {
        usage = usage.bin_name(format!("cargo etcd-deps {shown}"));
    }
    Err(usage.error(
            clap::error::ErrorKind::InvalidValue,
            format!(
                "`--format {value}` is not a format of `{shown}`, which writes {}; it is one of the formats of {}",
                own.join(", "),
                writers.join(", ")
            ),
        ))
}

/// The common options (`globals`, clap's global arguments) as subcommand `sub` takes them,
/// to be added to it in their place: the ones it does not take hidden (they still parse, so
/// the refusal can say why), `--format` limited to the formats it writes.
pub(crate) fn scoped_args(sub: &str, globals: &[clap::Arg]) -> Vec<clap::Arg> {
    globals
        .iter()
        .map(|a| {
            let id = a.get_id().as_str();
            let mut arg = a.clone().global(false).hide(scope(sub, id) != Scope::Takes);
            if let (Some(_), "format") = (formats(sub), id) {
                arg = arg
                    .value_parser(format_names(Some(sub)))
                    .help("Output format");
            }
            arg
        })
        .collect()
}

impl Cli {
    /// The command-line definition: clap's, with the common options scoped to what each
    /// subcommand takes (see `scoped_args`).
    pub(crate) fn definition() -> clap::Command {
        let mut cmd = <Cli as CommandFactory>::command();
        let globals: Vec<clap::Arg> = cmd
            .get_arguments()
            .filter(|a| a.is_global_set())
            .cloned()
            .collect();
        for name in SCOPED {
            // A subcommand's own argument takes the place of the global one of that name.
            let args = scoped_args(name, &globals);
            cmd = if *name == "merge" {
                cmd.mut_subcommand("scan", |scan| {
                    scan.mut_subcommand(name, |sub| sub.args(args))
                })
            } else {
                cmd.mut_subcommand(name, |sub| sub.args(args))
            };
        }
        cmd
    }

    /// Parses a command line (as `normalize_args` returns it).
    pub(crate) fn parse_args<I, T>(argv: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut cmd = Self::definition();
        let argv: Vec<std::ffi::OsString> = argv.into_iter().map(Into::into).collect();
        let matches = cmd
            .try_get_matches_from_mut(&argv)
            .map_err(|e| lockfile_value_after_a_space(&cmd, &argv, e))?;
        refuse_what_the_subcommand_lacks(&cmd, &matches)?;
        refuse_what_the_subcommand_refuses(&cmd, &matches)?;
        refuse_a_format_of_another_command(&cmd, &matches)?;
        Cli::from_arg_matches(&matches)
    }

    /// Lowers the parsed command line into what it asks for. `env` reads an environment
    /// variable (injected so tests need not touch the process environment).
    pub(crate) fn into_invocation(self, env: impl Fn(&str) -> Option<String>) -> Invocation {
        let Cli {
            command,
            global,
            check,
        } = self;
        let color = color(global.color, &env);
        let analysis = analysis_options(&global);
        let command = match command {
            Some(Sub::Completions { shell }) => {
                return Invocation::Completions {
                    shell,
                    output: global.output,
                    color,
                };
            }
            Some(Sub::Explain { code }) => Command::Explain(code),
            Some(Sub::Scan(args)) => Command::Scan(scan_request(args, &check.deny, analysis)),
            Some(Sub::Fix(args)) => Command::Fix(fix_request(args, analysis)),
            Some(Sub::Diagnose(args)) => Command::Diagnose(DiagnoseRequest {
                analysis,
                log: args.log,
                ..DiagnoseRequest::default()
            }),
            Some(Sub::Check(args)) => Command::Check(check_request(check.then(args), analysis)),
            None => Command::Check(check_request(check, analysis)),
        };
        Invocation::Run(Box::new(request(command, global, color, &env)))
    }
}

/// What a command line asks for.
pub(crate) enum Invocation {
    /// A command of the library.
    Run(Box<Request>),
    /// `completions SHELL`: the binary writes the script itself (to `--output FILE`, else
    /// stdout).
    Completions {
        shell: clap_complete::Shell,
        output: Option<PathBuf>,
        /// The colour choice (`--color`, `CARGO_TERM_COLOR`, `NO_COLOR`), for an error in
        /// writing it.
        color: Color,
    },
}

impl CheckArgs {
    /// The options of `check` given before the subcommand (`self`), then after it: lists
    /// join, a value given after wins.
    fn then(self, after: CheckArgs) -> CheckArgs {
        CheckArgs {
            deny: [self.deny, after.deny].concat(),
            baseline: after.baseline.or(self.baseline),
            write_baseline: after.write_baseline.or(self.write_baseline),
            graph: after.graph.or(self.graph),
        }
    }
}

fn check_request(check: CheckArgs, analysis: Options) -> CheckRequest {
    CheckRequest {
        analysis,
        deny_warnings: check.deny.contains(&DenyArg::Warnings),
        baseline: check.baseline,
        write_baseline: check.write_baseline,
        graph: check.graph,
        ..CheckRequest::default()
    }
}

fn fix_request(fix: FixArgs, analysis: Options) -> FixRequest {
    FixRequest {
        analysis,
        to: fix.to,
        include_warnings: fix.include_warnings,
        apply: fix.apply,
        allow_dirty: fix.allow_dirty,
        no_verify: fix.no_verify,
        patch_with: fix.patch_with,
        build_check: fix.build_check,
        ..FixRequest::default()
    }
}

/// `scan`, with `deny_before`, the `--deny` given before it.
fn scan_request(args: ScanArgs, deny_before: &[DenyArg], analysis: Options) -> ScanRequest {
    ScanRequest {
        analysis,
        paths: args.paths,
        from: args.from,
        jobs: args.jobs.map_or(0, |j| j as usize),
        shard: args.shard,
        deny_warnings: [deny_before, &args.deny]
            .concat()
            .contains(&DenyArg::Warnings),
        merge: args
            .merge
            .map(|ScanSub::Merge { files }| files)
            .unwrap_or_default(),
        ..Default::default()
    }
}

/// `--watch`, `--all-duplicates`, `-e` and `-p`.
fn analysis_options(g: &GlobalArgs) -> Options {
    let mut watch = Watch::default();
    for w in &g.watch {
        if !watch.primary.contains(w) {
            watch.primary.push(w.clone());
        }
    }
    watch.all_duplicates = g.all_duplicates;
    Options {
        watch,
        edges: kind_set(&g.edges),
        packages: g.packages.clone(),
    }
}

/// `--color`, else `CARGO_TERM_COLOR` (both read by clap, which refuses a bad value); `auto`
/// becomes `never` when `NO_COLOR` is set.
fn color(arg: Option<ColorArg>, env: &dyn Fn(&str) -> Option<String>) -> Color {
    let color = match arg {
        Some(ColorArg::Always) => Color::Always,
        Some(ColorArg::Never) => Color::Never,
        Some(ColorArg::Auto) | None => Color::Auto,
    };
    if color == Color::Auto && env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        Color::Never
    } else {
        color
    }
}

/// The input mode: `--metadata-path`, `--lockfile`, else `cargo metadata` with the cargo flags.
fn input(g: &GlobalArgs) -> Input {
    match (&g.metadata_path, &g.lockfile) {
        (Some(path), _) => Input::File(path.clone()),
        (None, Some(lockfile)) => Input::Lockfile {
            lockfile: lockfile.clone(),
            manifest_path: g.manifest_path.clone(),
            targets: g.target.clone(),
            feature_flags: g
                .features
                .iter()
                .map(|f| format!("--features {f}"))
                .chain(
                    g.no_default_features
                        .then(|| "--no-default-features".to_owned()),
                )
                .collect(),
        },
        (None, None) => Input::Cargo(CargoOptions {
            manifest_path: g.manifest_path.clone(),
            features: g
                .features
                .iter()
                .flat_map(|f| f.split([' ', ',']))
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            all_features: g.all_features,
            no_default_features: g.no_default_features,
            targets: g.target.clone(),
            offline: g.offline,
            locked: g.locked,
            frozen: g.frozen,
            progress: false,
            rust_version_fallback: false,
            cargo_metadata: g.cargo_metadata,
        }),
    }
}

/// `command` with the common options.
fn request(
    mut command: Command,
    g: GlobalArgs,
    color: Color,
    env: &dyn Fn(&str) -> Option<String>,
) -> Request {
    set_format(&mut command, &g.format);
    Request {
        command,
        input: input(&g),
        output: g.output,
        config: g.config,
        edges_given: !g.edges.is_empty(),
        extra_watch: g.watch,
        policy_file: g.policy,
        today: g.today,
        source_date_epoch: env("SOURCE_DATE_EPOCH"),
        color,
        width: None,
        verbosity: if g.quiet {
            Verbosity::Quiet
        } else if g.verbose > 0 {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
    }
}

/// An option of `check` written before another subcommand must be one that subcommand takes
/// too (as `scan` takes `--deny`): `--write-baseline FILE fix` is the usage error that
/// `fix --write-baseline FILE` is, never an option silently ignored.
fn refuse_what_the_subcommand_lacks(
    cmd: &clap::Command,
    matches: &clap::ArgMatches,
) -> Result<(), clap::Error> {
    let Some((name, _)) = matches.subcommand() else {
        return Ok(());
    };
    let Some(sub) = cmd.find_subcommand(name).cloned() else {
        return Ok(());
    };
    let lacking = cmd
        .get_arguments()
        .filter(|a| !a.is_global_set())
        .filter(|a| {
            matches.value_source(a.get_id().as_str())
                == Some(clap::parser::ValueSource::CommandLine)
        })
        .find(|a| sub.get_arguments().all(|s| s.get_id() != a.get_id()))
        .and_then(|a| a.get_long().map(str::to_owned));
    match lacking {
        Some(long) => Err(sub.bin_name(format!("cargo etcd-deps {name}")).error(
            clap::error::ErrorKind::ArgumentConflict,
            format!("`--{long}` is not an option of `{name}` (written before or after it)"),
        )),
        None => Ok(()),
    }
}

/// A common option the subcommand refuses (see `scope`), written before or after it, is a usage
/// error saying why, never an option silently ignored.
fn refuse_what_the_subcommand_refuses(
    cmd: &clap::Command,
    matches: &clap::ArgMatches,
) -> Result<(), clap::Error> {
    // Global values reach the top level.
    let Some((sub, _)) = innermost(cmd, matches) else {
        return Ok(());
    };
    let name = sub.get_name();
    let refused = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .filter(|a| {
            matches.value_source(a.get_id().as_str())
                == Some(clap::parser::ValueSource::CommandLine)
        })
        .find_map(|a| match scope(name, a.get_id().as_str()) {
            Scope::Refuses(why) => Some((a, why)),
            Scope::Takes | Scope::Ignores => None,
        });
    let Some((arg, why)) = refused else {
        return Ok(());
    };
    let flag = match (arg.get_short(), arg.get_long()) {
        (Some(short), Some(long)) => format!("-{short}/--{long}"),
        (_, long) => format!("--{}", long.unwrap_or_default()),
    };
    let shown = if name == "merge" { "scan merge" } else { name };
    Err(sub
        .clone()
        .bin_name(format!("cargo etcd-deps {shown}"))
        .error(
            clap::error::ErrorKind::ArgumentConflict,
            format!("`{flag}` is not an option of `{shown}`: {why}"),
        ))
}

/// `--lockfile PATH` with a space, as earlier versions read it: the PATH is now written
/// `--lockfile=PATH` (a word after a bare `--lockfile` is the subcommand or an argument of its
/// own), and the error clap gives for the stray PATH says so.
fn lockfile_value_after_a_space(
    cmd: &clap::Command,
    argv: &[std::ffi::OsString],
    err: clap::Error,
) -> clap::Error {
    use clap::error::ErrorKind;
    if !matches!(
        err.kind(),
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand
    ) {
        return err;
    }
    let stray = argv.windows(2).find_map(|w| {
        let value = w[1].to_str()?;
        (w[0] == "--lockfile" && !value.starts_with('-') && err.to_string().contains(value))
            .then_some(value)
    });
    match stray {
        Some(path) => cmd.clone().bin_name("cargo etcd-deps").error(
            ErrorKind::UnknownArgument,
            format!(
                "unexpected argument '{path}' after `--lockfile`: a lockfile is named with `=`, \
                 as in `--lockfile={path}`"
            ),
        ),
        None => err,
    }
}

/// Drops the `etcd-deps` word cargo inserts when it runs `cargo etcd-deps …` as
/// `cargo-etcd-deps etcd-deps …`.
pub(crate) fn normalize_args<I: IntoIterator<Item = std::ffi::OsString>>(
    args: I,
) -> Vec<std::ffi::OsString> {
    let mut args: Vec<_> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "etcd-deps") {
        args.remove(1);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Request {
        let argv = normalize_args(args.iter().map(std::ffi::OsString::from));
        lower(Cli::parse_args(argv).expect("valid arguments"), |_| None)
    }

    fn lower(cli: Cli, env: impl Fn(&str) -> Option<String>) -> Request {
        match cli.into_invocation(env) {
            Invocation::Run(req) => *req,
            Invocation::Completions { .. } => panic!("a command of the library expected"),
        }
    }

    fn check(req: &Request) -> &CheckRequest {
        match &req.command {
            Command::Check(c) => c,
            _ => panic!("check expected"),
        }
    }

    #[test]
    fn fix_options() {
        let req = parse(&[
            "cargo-etcd-deps",
            "fix",
            "--to",
            "tonic@0.12",
            "--patch-with",
            "acme-grpc=git+https://example.com/acme#abc",
            "--patch-with",
            "etcd-client=../forks/etcd",
            "--apply",
        ]);
        let Command::Fix(fix) = &req.command else {
            panic!("fix expected")
        };
        assert!(fix.apply);
        assert_eq!(fix.to[0].0, "tonic");
        assert_eq!(fix.to[0].1.to_string(), "0.12");
        assert_eq!(
            fix.patch_with[0],
            (
                "acme-grpc".to_owned(),
                PatchWith::Git(PatchSpec::Git {
                    url: "https://example.com/acme".to_owned(),
                    reference: Some(("rev".to_owned(), "abc".to_owned()))
                })
            )
        );
        assert_eq!(
            fix.patch_with[1],
            (
                "etcd-client".to_owned(),
                PatchWith::Path(PathBuf::from("../forks/etcd"))
            )
        );
        assert!(parse_to("tonic").is_err());
        assert!(parse_to("tonic@x").is_err());
        assert!(parse_patch_with("tonic").is_err());
    }

    #[test]
    fn a_format_before_the_subcommand_is_the_subcommands_or_refused() {
        let scan = parse(&["cargo-etcd-deps", "--format", "csv", "scan"]);
        assert!(matches!(&scan.command, Command::Scan(s) if s.format == ScanFormat::Csv));
        let diagnose = parse(&["cargo-etcd-deps", "--format", "json", "diagnose"]);
        assert!(
            matches!(&diagnose.command, Command::Diagnose(d) if d.format == DiagnoseFormat::Json)
        );
        for (args, says) in [
            (&["--format", "sarif", "fix"][..], "formats of `check`"),
            (&["--format", "html"][..], "formats of `scan`"),
            (
                &["--format", "markdown", "diagnose"][..],
                "writes human, json;",
            ),
        ] {
            let argv = [&["cargo-etcd-deps"][..], args].concat();
            let refused = Cli::parse_args(argv).expect_err("not the command's format");
            assert_eq!(refused.kind(), clap::error::ErrorKind::InvalidValue);
            assert!(refused.to_string().contains(says), "{refused}");
        }
    }

    #[test]
    fn cargo_subcommand_word_is_dropped() {
        let req = parse(&["cargo-etcd-deps", "etcd-deps", "check", "--format", "json"]);
        assert_eq!(check(&req).format, CheckFormat::Json);
    }

    #[test]
    fn check_is_the_default_and_options_go_either_side() {
        let a = parse(&["cargo-etcd-deps", "--deny", "warnings"]);
        assert!(check(&a).deny_warnings);
        let b = parse(&[
            "cargo-etcd-deps",
            "--offline",
            "check",
            "--deny",
            "warnings",
        ]);
        assert!(check(&b).deny_warnings);
        assert!(matches!(
            b.input,
            Input::Cargo(CargoOptions { offline: true, .. })
        ));
    }

    #[test]
    fn edges_read_like_cargo_tree() {
        assert_eq!(kind_set(&[]), KindSet::ALL);
        assert_eq!(
            kind_set(&[EdgeArg::NoDev]),
            KindSet {
                normal: true,
                build: true,
                dev: false
            }
        );
        assert_eq!(
            kind_set(&[EdgeArg::Normal, EdgeArg::Build]),
            KindSet {
                normal: true,
                build: true,
                dev: false
            }
        );
        let req = parse(&["cargo-etcd-deps", "-e", "normal,dev"]);
        assert_eq!(
            check(&req).analysis.edges,
            KindSet {
                normal: true,
                build: false,
                dev: true
            }
        );
    }

    #[test]
    fn watch_adds_to_the_primary_list() {
        let req = parse(&["cargo-etcd-deps", "--watch", "prost", "--watch", "tonic"]);
        let primary = &check(&req).analysis.watch.primary;
        assert_eq!(primary, &["etcd-client", "tonic", "prost"]);
    }

    #[test]
    fn no_color_turns_auto_off_but_not_always() {
        // `--color` is given: `CARGO_TERM_COLOR` (read by clap; tests/cli.rs runs the binary
        // with it) does not reach this test.
        let no_color = |k: &str| (k == "NO_COLOR").then(|| "1".to_owned());
        let auto = Cli::parse_args(["cargo-etcd-deps", "--color", "auto"]).expect("valid");
        assert_eq!(lower(auto, no_color).color, Color::Never);
        let always = Cli::parse_args(["cargo-etcd-deps", "--color", "always"]).expect("valid");
        assert_eq!(lower(always, no_color).color, Color::Always);
    }

    #[test]
    fn verbose_may_be_repeated() {
        for v in [&["-v"][..], &["-vv"], &["-v", "--verbose", "-v"]] {
            let argv = [&["cargo-etcd-deps", "check"][..], v].concat();
            let req = lower(Cli::parse_args(argv).expect("valid"), |_| None);
            assert_eq!(req.verbosity, Verbosity::Verbose, "{v:?}");
        }
    }

    #[test]
    fn completions_are_the_binarys_own_and_keep_output_and_color() {
        let argv = [
            "cargo-etcd-deps",
            "completions",
            "fish",
            "--output",
            "out.fish",
            "--color",
            "always",
        ];
        let invocation = Cli::parse_args(argv)
            .expect("valid")
            .into_invocation(|_| None);
        let Invocation::Completions {
            shell,
            output,
            color,
        } = invocation
        else {
            panic!("completions expected")
        };
        assert_eq!(shell, clap_complete::Shell::Fish);
        assert_eq!(output, Some(PathBuf::from("out.fish")));
        assert_eq!(color, Color::Always);
    }

    #[test]
    fn features_split_on_space_and_comma() {
        let req = parse(&["cargo-etcd-deps", "--features", "a b,c", "-F", "d"]);
        let Input::Cargo(opts) = req.input else {
            panic!("cargo input expected")
        };
        assert_eq!(opts.features, ["a", "b", "c", "d"]);
    }

    #[test]
    fn metadata_path_is_an_input_mode() {
        let req = parse(&["cargo-etcd-deps", "--metadata-path", "-"]);
        assert_eq!(req.input, Input::File(PathBuf::from("-")));
    }
}
