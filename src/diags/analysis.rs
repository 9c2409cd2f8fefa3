//! The wording of the four codes the analysis detects (diverging-versions, source-split,
//! train-skew, type-boundary): each detector hands over typed facts (the versions, the crates
//! that pull them in, the members that declare them, the line to unify on) and [`words`]
//! turns them into the finding's message and help. The unify edit is worded here too, for
//! the reports that shorten its lists ([`unify_edit_listed`]).

use semver::Version;

use super::{and_list, source_label};
use crate::line::Line;

/// What a detector found, as the wording needs it.
pub enum Facts<'a> {
    Diverging(Diverging<'a>),
    SourceSplit(SourceSplit<'a>),
    /// train-skew (a): a train crate off its anchor's lines.
    TrainSkew(TrainSkew<'a>),
    /// type-boundary and train-skew (b): a member's direct dependencies meeting on two lines.
    Meeting(Meeting<'a>),
}

/// diverging-versions: one crate on several lines.
pub struct Diverging<'a> {
    pub name: &'a str,
    /// How many lines the versions are on.
    pub lines: usize,
    /// Every version, ascending, once per source.
    pub versions: Vec<&'a Version>,
    pub cause: Cause<'a>,
}

/// Why a crate is split.
pub enum Cause<'a> {
    /// A collateral split: it follows from the split of this crate.
    Collateral(&'a str),
    /// A split of its own, unified by `unify`; `primary` crates are planned by a plain `fix`.
    /// With `instead`, `unify` follows the primary crates that keep their line, and
    /// `instead` is the other choice, the newest line.
    Root {
        primary: bool,
        unify: Unify<'a>,
        instead: Option<Box<Instead<'a>>>,
    },
}

/// The choice a family crate offers when the primary crates that keep their line are built
/// on an older line of it than its newest: the plan follows them (`because`: the crates,
/// `tonic 0.12.3`), and `newest` is the edit that keeps the newest line instead.
pub struct Instead<'a> {
    pub because: &'a [String],
    pub newest: Unify<'a>,
    /// The `--to` argument that takes the newest line (`prost@0.14`).
    pub to: &'a str,
}

/// source-split: one line of a crate from several sources.
pub struct SourceSplit<'a> {
    pub name: &'a str,
    /// The line, as shown.
    pub line: &'a str,
    /// Each copy: its version and cargo source id (`None`: a path).
    pub copies: Vec<(&'a Version, Option<&'a str>)>,
}

/// train-skew (a): `name` beside the train's `anchor`.
pub struct TrainSkew<'a> {
    pub name: &'a str,
    pub anchor: &'a str,
    /// The versions of `name`, and of `anchor`, ascending.
    pub versions: Vec<&'a Version>,
    pub anchor_versions: Vec<&'a Version>,
}

/// type-boundary or train-skew (b): `member` uses `name` directly (`directs`) and through
/// crates (`vias`) built on another line of it, or (a type-boundary with no `directs`) only
/// through crates built on several lines of it.
pub struct Meeting<'a> {
    /// type-boundary (the crate is primary), else train-skew (b).
    pub type_boundary: bool,
    pub name: &'a str,
    pub member: &'a str,
    /// The versions the member uses directly; empty only for a type-boundary met through
    /// crates alone.
    pub directs: Vec<&'a Version>,
    pub vias: Vec<Via<'a>>,
    pub unify: Unify<'a>,
    /// train-skew (b) when the primary crates that keep their line are built on another line
    /// of the crate than its newest: the plan moves the member's requirement there.
    pub instead: Option<Instead<'a>>,
}

/// A crate through which another line of a finding's crate arrives.
pub struct Via<'a> {
    pub name: &'a str,
    pub version: &'a Version,
    /// The versions of the finding's crate it depends on, in its dependency order.
    pub built_on: Vec<&'a Version>,
}

/// The edit that unifies `name` on `target`: workspace members raise their own requirement
/// (`members`), other crates move to a release built on the target line (`movers`).
pub struct Unify<'a> {
    pub name: &'a str,
    pub target: Line,
    pub members: Vec<String>,
    pub movers: Vec<String>,
    /// What members do to their requirement: `raise` (the target is the newest line) or
    /// `set` (it may be below what they declare).
    pub verb: &'static str,
}

/// A finding some of whose versions only a generated cargo-hakari workspace-hack brings in.
pub struct StaleHack<'a> {
    /// The workspace-hack package.
    pub hack: &'a str,
    /// The versions (crate and version) it alone brings in.
    pub versions: Vec<(&'a str, &'a Version)>,
    /// Without those versions there would be no finding: regenerating is the whole fix.
    pub only: bool,
}

/// The message and help of a finding (`words`) reported against a stale workspace-hack: the
/// message says what it alone brings in, and the help says to regenerate it, with `cargo
/// hakari generate` (the whole fix, or after the edit the help already names).
pub fn stale_hack(s: &StaleHack<'_>, (message, help): (String, String)) -> (String, String) {
    let brought: Vec<String> = s
        .versions
        .iter()
        .map(|(name, version)| format!("{name} {version}"))
        .collect();
    let brought = and_list(&brought);
    let hack = s.hack;
    let message = format!("{message}; only {hack}, generated by cargo hakari, brings in {brought}");
    let regenerate =
        format!("run `cargo hakari generate` so that {hack} holds only what the members use");
    let help = if s.only {
        format!("{hack} is out of date: {regenerate}")
    } else {
        format!("{help}; then {regenerate}")
    };
    (message, help)
}

/// The message and the help of a finding.
pub fn words(facts: &Facts<'_>) -> (String, String) {
    match facts {
        Facts::Diverging(d) => diverging(d),
        Facts::SourceSplit(s) => source_split(s),
        Facts::TrainSkew(t) => train_skew(t),
        Facts::Meeting(m) if m.directs.is_empty() => through_crates(m),
        Facts::Meeting(m) if m.directs.len() > 1 => two_direct_lines(m),
        Facts::Meeting(m) if m.type_boundary => type_boundary(m),
        Facts::Meeting(m) => member_train_skew(m),
    }
}

fn diverging(d: &Diverging<'_>) -> (String, String) {
    let name = d.name;
    let message = format!(
        "{name} resolves on {} semver-incompatible lines: {}",
        d.lines,
        version_list(&d.versions)
    );
    let help = match &d.cause {
        Cause::Collateral(root) => {
            format!("this split follows from the {root} split; unifying {root} removes it")
        }
        Cause::Root {
            primary,
            unify,
            instead,
        } => {
            // Warnings are planned only when asked for.
            let command = if *primary {
                "cargo etcd-deps fix"
            } else {
                "cargo etcd-deps fix --include-warnings"
            };
            let target = unify.target;
            let on = match instead {
                Some(i) => format!(
                    "{name} {target}, the line {} {} built on",
                    and_list(i.because),
                    if i.because.len() == 1 { "is" } else { "are" }
                ),
                None => format!("{name} {target}"),
            };
            let help = match unify.edit() {
                edit if edit.is_empty() => {
                    format!("unify on {on}: run `{command}` to plan the edit")
                }
                edit => format!("unify on {on}: {edit}, or run `{command}` to plan the edit"),
            };
            match instead {
                Some(i) => format!("{help}; {}", stay_newest(i)),
                None => help,
            }
        }
    };
    (message, help)
}

fn source_split(s: &SourceSplit<'_>) -> (String, String) {
    let name = s.name;
    let sources: Vec<String> = s
        .copies
        .iter()
        .map(|(version, source)| format!("{version} from {}", source_label(*source)))
        .collect();
    let message = format!(
        "{name} {} comes from {} sources: {}",
        s.line,
        s.copies.len(),
        sources.join(", ")
    );
    let help = format!(
        "cargo builds each copy as a separate crate; make every dependent use one source, \
         or add a [patch] entry for {name} so cargo merges them"
    );
    (message, help)
}

fn train_skew(t: &TrainSkew<'_>) -> (String, String) {
    let (name, anchor) = (t.name, t.anchor);
    let shown = |versions: &[&Version]| {
        versions
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let message = format!(
        "{name} {} is on another line than {anchor} {}; they are released together",
        shown(&t.versions),
        shown(&t.anchor_versions)
    );
    // Advise the newest line, as diverging-versions does.
    let newest = |versions: &[&Version]| {
        versions
            .iter()
            .map(|v| Line::of(v))
            .max()
            .expect("a train-skew finding has both crates")
    };
    let (anchor_line, other_line) = (newest(&t.anchor_versions), newest(&t.versions));
    let help = if anchor_line > other_line {
        format!("use {name} {anchor_line}, the line of {anchor} {anchor_line}")
    } else {
        format!(
            "move {anchor} to {other_line}, the line of {name} {other_line} (or use \
             {name} {anchor_line})"
        )
    };
    (message, help)
}

/// type-boundary for a member using one line of the crate directly.
fn type_boundary(m: &Meeting<'_>) -> (String, String) {
    let (name, member, direct) = (m.name, m.member, m.directs[0]);
    let (vias, built) = built_against(&m.vias, name, direct);
    let which = if m.vias.len() == 1 {
        "which is"
    } else {
        "which are"
    };
    let message = format!(
        "{member} uses {name} {direct} directly and {vias}, {which} built on {built}: \
         their {name} types are different types"
    );
    let names = via_names(&m.vias, false);
    let built = m
        .vias
        .first()
        .and_then(|via| built_version(via, direct))
        .map(ToString::to_string)
        .unwrap_or_default();
    let between = match built_line(&m.vias, direct) {
        Some(_) => format!("{member}'s {name} {direct} and {names}'s {name} {built}"),
        None => format!("{member}'s {name} {direct} and the crates named"),
    };
    let help = format!(
        "values of {name} types cannot pass between {between}; {}",
        m.unify.edit()
    );
    (message, help)
}

/// train-skew (b) for a member using one line of the crate directly. When the primary
/// crates that keep their line are built on another line than the newest, the help leads
/// with what `fix` plans (follow them) and names the newest line as the other choice.
fn member_train_skew(m: &Meeting<'_>) -> (String, String) {
    let (name, member, direct) = (m.name, m.member, m.directs[0]);
    let (vias, built) = built_against(&m.vias, name, direct);
    let verb = if m.vias.len() == 1 { "is" } else { "are" };
    let message =
        format!("{member} uses {name} {direct} directly, but {vias} {verb} built against {built}");
    let help = match &m.instead {
        Some(i) => format!(
            "{}, to agree with {}, which `cargo etcd-deps fix` keeps; {}",
            m.unify.edit(),
            and_list(i.because),
            stay_newest(i)
        ),
        None => m.unify.edit(),
    };
    (message, help)
}

/// The other choice of a family crate that follows the primary crates: `or, to stay on
/// prost 0.14, move etcd-client and tonic to releases built on prost 0.14 (`cargo etcd-deps
/// fix --to prost@0.14` plans it)`.
fn stay_newest(instead: &Instead<'_>) -> String {
    let (name, line) = (instead.newest.name, instead.newest.target);
    let edit = instead.newest.edit();
    let edit = if edit.is_empty() {
        String::new()
    } else {
        format!("{edit} ")
    };
    let to = instead.to;
    format!("or, to stay on {name} {line}, {edit}(`cargo etcd-deps fix --to {to}` plans it)")
}

/// A member that uses two lines of a crate directly, and crates built on each: wording that
/// names them all and advises the newest line.
fn two_direct_lines(m: &Meeting<'_>) -> (String, String) {
    let (name, member) = (m.name, m.member);
    let mut directs = m.directs.clone();
    directs.sort();
    let shown: Vec<String> = directs.iter().map(ToString::to_string).collect();
    let message = format!(
        "{member} uses {name} {} directly, and {} build on them",
        and_list(&shown),
        and_list(&built_on_items(m))
    );
    (message, m.unify.edit())
}

/// A type-boundary met through crates alone: `app` uses tonic only through rpc (tonic 0.12)
/// and etcd-client (tonic 0.9).
fn through_crates(m: &Meeting<'_>) -> (String, String) {
    let (name, member) = (m.name, m.member);
    let message = format!(
        "{member} uses {name} through {}: their {name} types are different types",
        and_list(&built_on_items(m))
    );
    let owners: Vec<String> = m
        .vias
        .iter()
        .map(|via| {
            let built: Vec<String> = via.built_on.iter().map(ToString::to_string).collect();
            format!("{}'s {name} {}", via.name, built.join(", "))
        })
        .collect();
    let help = format!(
        "values of {name} types cannot pass between {} in {member}'s code; {}",
        and_list(&owners),
        m.unify.edit()
    );
    (message, help)
}

/// Each via crate with the versions of the finding's crate it is built on:
/// `etcd-client 0.11.1 (tonic 0.9.2)`.
fn built_on_items(m: &Meeting<'_>) -> Vec<String> {
    m.vias
        .iter()
        .map(|via| {
            let built: Vec<String> = via
                .built_on
                .iter()
                .map(|v| format!("{} {v}", m.name))
                .collect();
            format!("{} {} ({})", via.name, via.version, built.join(", "))
        })
        .collect()
}

/// The version of the finding's crate that `via` depends on off `direct`'s line.
fn built_version<'a>(via: &Via<'a>, direct: &Version) -> Option<&'a Version> {
    via.built_on
        .iter()
        .copied()
        .filter(|v| Line::of(v) != Line::of(direct))
        .min()
}

/// The line every via crate is built on, when they agree.
fn built_line(vias: &[Via<'_>], direct: &Version) -> Option<Line> {
    let lines: std::collections::BTreeSet<Line> = vias
        .iter()
        .filter_map(|via| built_version(via, direct))
        .map(Line::of)
        .collect();
    (lines.len() == 1).then(|| lines.into_iter().next().expect("one line"))
}

/// `a 1.0, b 2.0 and c 3.0` (`a, b and c` without versions).
fn via_names(vias: &[Via<'_>], versions: bool) -> String {
    let mut names: Vec<String> = vias
        .iter()
        .map(|via| {
            if versions {
                format!("{} {}", via.name, via.version)
            } else {
                via.name.to_owned()
            }
        })
        .collect();
    names.dedup();
    and_list(&names)
}

/// The via crates and what they are built against: `etcd-client 0.11.1` and `tonic 0.9.2`, or
/// with several versions `a 1.0 (tonic 0.9.2) and b 2.0 (tonic 0.10.2)` and `other tonic lines`.
fn built_against(vias: &[Via<'_>], name: &str, direct: &Version) -> (String, String) {
    let built: std::collections::BTreeSet<&Version> = vias
        .iter()
        .filter_map(|via| built_version(via, direct))
        .collect();
    if built.len() <= 1 {
        let b = built
            .into_iter()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default();
        return (via_names(vias, true), format!("{name} {b}"));
    }
    let items: Vec<String> = vias
        .iter()
        .map(|via| {
            let b = built_version(via, direct)
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("{} {} ({name} {b})", via.name, via.version)
        })
        .collect();
    (and_list(&items), format!("other {name} lines"))
}

impl Unify<'_> {
    /// `raise the tonic requirement of a and b to 0.13 and move c to a release built on
    /// tonic 0.13`; empty when there is nothing to edit.
    pub fn edit(&self) -> String {
        unify_edit_listed(
            self.name,
            self.target,
            (self.verb, &self.members),
            &self.movers,
            and_list,
        )
    }
}

/// [`Unify::edit`] with the lists of names written by `list` (a report may shorten them);
/// empty when there is nothing to edit.
pub fn unify_edit_listed(
    name: &str,
    target: Line,
    (verb, members): (&str, &[String]),
    movers: &[String],
    list: fn(&[String]) -> String,
) -> String {
    let raise = format!(
        "{verb} the {name} requirement of {} to {target}",
        list(members)
    );
    let release = if movers.len() == 1 {
        "a release"
    } else {
        "releases"
    };
    let moves = format!(
        "move {} to {release} built on {name} {target}",
        list(movers)
    );
    match (members.is_empty(), movers.is_empty()) {
        (true, true) => String::new(),
        (true, false) => moves,
        (false, true) => raise,
        (false, false) => format!("{raise} and {moves}"),
    }
}

/// The versions once each, ascending as given; a version from several sources says so:
/// `0.9.2, 0.12.3 (from 2 sources)`.
fn version_list(versions: &[&Version]) -> String {
    let mut shown: Vec<(&Version, usize)> = Vec::new();
    for &v in versions {
        match shown.iter_mut().find(|(seen, _)| *seen == v) {
            Some((_, n)) => *n += 1,
            None => shown.push((v, 1)),
        }
    }
    shown
        .iter()
        .map(|(v, n)| match n {
            1 => v.to_string(),
            n => format!("{v} (from {n} sources)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_from_two_sources_is_listed_once() {
        let (older, newer) = (Version::new(0, 9, 2), Version::new(0, 12, 3));
        // 0.12.3 from crates.io and from a path.
        let versions = [&older, &newer, &newer];
        assert_eq!(version_list(&versions), "0.9.2, 0.12.3 (from 2 sources)");
        assert_eq!(version_list(&versions[..2]), "0.9.2, 0.12.3");
    }
}
