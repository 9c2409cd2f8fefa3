//! Policy: what the configuration and the command line make of the findings. Pure: the day
//! is an input. [`apply`] is the one function `check`, `fix`, verification and `scan` call.
//!
//! In order: the dated version rules (`policy`, see [`window`]) add their `outside-policy`
//! findings; then per-code levels (`levels`), the family level (`family-level`), `allow`
//! entries (which remove matching versions; a finding left with one line disappears), `--deny
//! warnings`, then the baseline (findings already recorded pass; entries no longer found are
//! reported as fixed; see [`baseline`]). Allow entries that match nothing become
//! `unused-allow` warnings.
//!
//! A version rule wins over the workspace's own excuses. The workspace's levels and allow
//! entries never lower a rule of the shared policy file (a stricter level applies), nor any
//! rule once its `deny-from` has passed; the baseline excuses an `outside-policy` finding
//! only until its rule's `deny-from`. Each setting so overruled is said in the finding's
//! message and listed in [`Outcome::overruled`].
//!
//! Policy judges; it does not word. The findings it creates (`outside-policy`,
//! `unused-allow`) get their message and help from `diags::policy`, given the rule's or the
//! entry's facts, as the analysis's findings get theirs from `diags::analysis`; so do the
//! reasons it records for what a level setting allows.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::analysis::{
    AllowedVersion, Code, ConfigLocation, Finding, Level, Line, Options, VersionInfo, Watch,
    sort_findings,
};
use crate::config::{Allow, Config, Date, PolicyRule, Setting};
use crate::diags::{
    self,
    policy::{Excuse, Overrule, UnusedAllow},
};
use crate::graph::DepGraph;
use crate::manifest::spans::SpanIndex;

pub mod baseline;
pub mod window;

pub use baseline::{BASELINE_SCHEMA_VERSION, Baseline, BaselineEntry, BaselineOutcome};

/// The policy as data, built once from the configuration, the shared policy file and the day:
/// the same value judges the workspace's findings and, in verification, the edited copy's.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub levels: BTreeMap<Code, Setting>,
    pub family_level: Option<Setting>,
    pub allow: Vec<Allow>,
    /// Version rules with dated windows: the workspace's, then the shared file's.
    pub rules: Vec<PolicyRule>,
    /// The day the rules are judged on (set whenever there are rules).
    pub today: Option<Date>,
}

impl Policy {
    /// The configuration's levels and allow entries, with `rules` judged on `today`.
    pub fn new(config: &Config, rules: Vec<PolicyRule>, today: Option<Date>) -> Policy {
        Policy {
            levels: config.levels.clone(),
            family_level: config.family_level,
            allow: config.allow.clone(),
            rules,
            today,
        }
    }

    /// Some version rule applies (the workspace's or a shared file's).
    pub fn has_rules(&self) -> bool {
        !self.rules.is_empty()
    }

    /// Why the workspace's settings may not lower or excuse `f`, when it is an
    /// `outside-policy` finding of a rule past its deny-from or of the shared file.
    fn guard(&self, f: &Finding) -> Option<Guard> {
        let fact = f
            .policy
            .as_ref()
            .filter(|_| f.code == Code::OutsidePolicy)?;
        if let Some(deny) = &fact.deny_from
            && fact.days_left.is_some_and(|left| left <= 0)
        {
            return Some(Guard::Passed(deny.clone()));
        }
        self.rules
            .iter()
            .any(|r| r.shared && r.krate == f.krate && window::rule_at(r) == fact.rule)
            .then(|| Guard::Shared(fact.rule.clone()))
    }
}

/// Why the workspace's settings may not lower or excuse an `outside-policy` finding.
#[derive(Clone, Debug)]
enum Guard {
    /// Its rule's deny-from (this date) has passed: nothing local lowers it.
    Passed(String),
    /// Its rule is the shared file's (written at `file:line`): the workspace's levels and
    /// allow entries do not lower it; the baseline excuses it until the rule's deny-from.
    Shared(String),
}

impl Guard {
    fn overrule(&self) -> Overrule<'_> {
        match self {
            Guard::Passed(d) => Overrule::Passed(d),
            Guard::Shared(rule) => Overrule::Shared(rule),
        }
    }
}

/// What the command adds to the policy: `--deny warnings`, and the baseline with its name.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gate<'a> {
    pub deny_warnings: bool,
    pub baseline: Option<(&'a str, &'a Baseline)>,
}

/// A finding an allow entry or a level setting removed, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allowed {
    pub code: Code,
    #[serde(rename = "crate")]
    pub krate: String,
    pub versions: Vec<String>,
    pub reason: String,
}

/// A workspace setting a version rule overruled: the finding stands, and says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overruled {
    pub code: Code,
    #[serde(rename = "crate")]
    pub krate: String,
    /// The setting, as reports name it: `levels.outside-policy = "allow"`, `allow entry at
    /// etcd-deps.toml:4`, `baseline etcd-deps-baseline.json`.
    pub setting: String,
    /// What the finding's message says of it: the setting, and why the rule wins.
    pub message: String,
}

/// The findings after policy, and what was set aside.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub allowed: Vec<Allowed>,
    pub baseline: Option<BaselineOutcome>,
    /// Workspace settings a version rule overruled.
    pub overruled: Vec<Overruled>,
}

/// What `apply` records besides the findings it keeps.
#[derive(Default)]
struct Ledger {
    allowed: Vec<Allowed>,
    overruled: Vec<Overruled>,
}

impl Ledger {
    /// Keeps `f` as it stands under `guard`, saying in its message that `excuse` does not
    /// apply.
    fn overrule(&mut self, f: &mut Finding, excuse: &Excuse<'_>, guard: &Guard) {
        let message = diags::policy::overruled(excuse, &guard.overrule());
        f.message = format!("{}; {message}", f.message);
        self.overruled.push(Overruled {
            code: f.code,
            krate: f.krate.clone(),
            setting: diags::policy::excuse_setting(excuse),
            message,
        });
    }
}

/// Applies `policy` to the `findings` of `graph` (analysed with `opts`): the dated version
/// rules judged on the policy's day, levels, allow entries, then the `gate`.
pub fn apply(
    graph: &DepGraph,
    spans: &SpanIndex,
    opts: &Options,
    mut findings: Vec<Finding>,
    policy: &Policy,
    gate: Gate<'_>,
) -> Outcome {
    if let Some(today) = policy.today.filter(|_| policy.has_rules()) {
        findings.extend(window::evaluate(graph, spans, opts, &policy.rules, today));
        sort_findings(&mut findings);
    }
    let mut ledger = Ledger::default();
    let mut used = vec![false; policy.allow.len()];
    let mut kept = Vec::new();
    for f in findings {
        let guard = policy.guard(&f);
        let Some(f) = leveled(f, policy, &opts.watch, guard.as_ref(), &mut ledger) else {
            continue;
        };
        let allow = (&policy.allow[..], &mut used[..]);
        if let Some(f) = without_allowed_versions(f, allow, guard.as_ref(), &mut ledger) {
            kept.push(f);
        }
    }
    kept.extend(unused_allows(policy, &used));
    if gate.deny_warnings {
        for f in &mut kept {
            if f.level == Level::Warning {
                f.level = Level::Error;
            }
        }
    }
    let baseline = gate.baseline.map(|(file, b)| {
        // Past its rule's deny-from, a recorded outside-policy finding stands.
        baseline::apply(&mut kept, file, b, |f| match policy.guard(f) {
            Some(g @ Guard::Passed(_)) => {
                ledger.overrule(f, &Excuse::Baseline(file), &g);
                true
            }
            _ => false,
        })
    });
    drop_orphaned_collateral(&mut kept);
    sort_findings(&mut kept);
    Outcome {
        findings: kept,
        allowed: ledger.allowed,
        baseline,
        overruled: ledger.overruled,
    }
}

/// The finding at its level (per code, then the family level for family divergences), or
/// `None` when a level setting allows it (recorded in the ledger). Under a `guard`, a level
/// applies only when it is stricter; a milder one is overruled.
fn leveled(
    mut f: Finding,
    policy: &Policy,
    watch: &Watch,
    guard: Option<&Guard>,
    ledger: &mut Ledger,
) -> Option<Finding> {
    if f.caused_by.is_some() {
        if policy.levels.get(&f.code) == Some(&Setting::Allow) {
            ledger.allowed.push(allowed_whole(
                &f,
                diags::policy::allowed_by_level(f.code.as_str()),
            ));
            return None;
        }
        return Some(f);
    }
    if let Some(setting) = policy.levels.get(&f.code) {
        match (level_of(*setting), guard) {
            (level, Some(g)) if level.is_none_or(|l| l > f.level) => {
                ledger.overrule(&mut f, &Excuse::Level(setting_word(*setting)), g);
            }
            (Some(level), _) => f.level = level,
            (None, _) => {
                ledger.allowed.push(allowed_whole(
                    &f,
                    diags::policy::allowed_by_level(f.code.as_str()),
                ));
                return None;
            }
        }
    }
    if f.code == Code::DivergingVersions
        && !watch.primary.contains(&f.krate)
        && let Some(setting) = policy.family_level
    {
        match level_of(setting) {
            Some(level) => f.level = level,
            None => {
                ledger
                    .allowed
                    .push(allowed_whole(&f, diags::policy::allowed_by_family_level()));
                return None;
            }
        }
    }
    Some(f)
}

/// The finding without the versions allow entries match (marking the entries used), or
/// `None` when it no longer stands (recorded in the ledger, with the entries' reasons).
/// Under a `guard`, a matching entry is marked used and overruled: the versions stay.
fn without_allowed_versions(
    mut f: Finding,
    (allow, used): (&[Allow], &mut [bool]),
    guard: Option<&Guard>,
    ledger: &mut Ledger,
) -> Option<Finding> {
    for (i, entry) in allow.iter().enumerate() {
        if entry.code.is_some_and(|c| c != f.code) {
            continue;
        }
        if let Some(g) = guard {
            let hit: Vec<semver::Version> = f
                .versions
                .iter()
                .filter(|v| allows(entry, v))
                .map(|v| v.version.clone())
                .collect();
            if !hit.is_empty() {
                used[i] = true;
                let at = format!("{}:{}", entry.location.file, entry.location.line);
                let excuse = Excuse::AllowEntry {
                    at: &at,
                    name: &entry.krate,
                    versions: hit.iter().collect(),
                };
                ledger.overrule(&mut f, &excuse, g);
            }
            continue;
        }
        let before = f.versions.len();
        let mut removed = Vec::new();
        f.versions.retain(|v| {
            let hit = allows(entry, v);
            if hit {
                removed.push(v.version.clone());
            }
            !hit
        });
        if f.versions.len() != before {
            used[i] = true;
            for version in removed {
                f.allowed.push(AllowedVersion {
                    version,
                    reason: entry.reason.clone(),
                });
            }
        }
    }
    if f.allowed.is_empty() {
        return Some(f);
    }
    if !still_stands(&f) {
        ledger.allowed.push(allowed_versions(&f));
        return None;
    }
    f.lines = f
        .versions
        .iter()
        .map(|v| Line::of(&v.version))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Some(f)
}

/// Whether the allow `entry` matches version `v` (its crate, a requirement, its source).
fn allows(entry: &Allow, v: &VersionInfo) -> bool {
    v.name == entry.krate
        && entry.versions.iter().any(|r| r.matches(&v.version))
        && entry
            .source
            .as_deref()
            .is_none_or(|s| v.source.as_deref() == Some(s))
}

/// A finding every remaining version of which an allow entry took: all its versions, and the
/// entries' reasons.
fn allowed_versions(f: &Finding) -> Allowed {
    let mut versions: Vec<&semver::Version> = f
        .allowed
        .iter()
        .map(|a| &a.version)
        .chain(f.versions.iter().map(|v| &v.version))
        .collect();
    versions.sort();
    let versions = versions.into_iter().map(ToString::to_string).collect();
    let reasons: BTreeSet<&str> = f.allowed.iter().map(|a| a.reason.as_str()).collect();
    Allowed {
        code: f.code,
        krate: f.krate.clone(),
        versions,
        reason: reasons.into_iter().collect::<Vec<_>>().join("; "),
    }
}

/// An `unused-allow` finding at each allow entry that matched nothing (none when the level
/// of `unused-allow` is "allow").
fn unused_allows(policy: &Policy, used: &[bool]) -> Vec<Finding> {
    let level = match policy.levels.get(&Code::UnusedAllow) {
        Some(s) => match level_of(*s) {
            Some(l) => l,
            None => return Vec::new(),
        },
        None => Level::Warning,
    };
    policy
        .allow
        .iter()
        .zip(used)
        .filter(|(_, u)| !**u)
        .map(|(entry, _)| {
            let words = diags::policy::unused_allow(&UnusedAllow {
                name: &entry.krate,
                versions: &entry.versions_text,
            });
            Finding {
                location: Some(ConfigLocation {
                    manifest: entry.location.file.clone(),
                    line: entry.location.line,
                    path: entry.location.path.clone(),
                    span: entry.location.span,
                }),
                ..Finding::judged(Code::UnusedAllow, level, &entry.krate, words)
            }
        })
        .collect()
}

/// A collateral duplicate exists only because its root crate is split: when an allow entry,
/// a level or the baseline hides the root finding, the collateral goes with it.
fn drop_orphaned_collateral(kept: &mut Vec<Finding>) {
    let roots: BTreeSet<String> = kept
        .iter()
        .filter(|f| f.code == Code::DivergingVersions && f.caused_by.is_none())
        .map(|f| f.krate.clone())
        .collect();
    kept.retain(|f| f.caused_by.as_ref().is_none_or(|root| roots.contains(root)));
}

/// A level setting as written.
fn setting_word(s: Setting) -> &'static str {
    match s {
        Setting::Deny => "deny",
        Setting::Warn => "warn",
        Setting::Allow => "allow",
    }
}

fn level_of(s: Setting) -> Option<Level> {
    match s {
        Setting::Deny => Some(Level::Error),
        Setting::Warn => Some(Level::Warning),
        Setting::Allow => None,
    }
}

fn allowed_whole(f: &Finding, reason: String) -> Allowed {
    Allowed {
        code: f.code,
        krate: f.krate.clone(),
        versions: f.versions.iter().map(|v| v.version.to_string()).collect(),
        reason,
    }
}

/// Whether a finding still holds once allowed versions are gone.
fn still_stands(f: &Finding) -> bool {
    match f.code {
        Code::DivergingVersions => {
            let lines: BTreeSet<Line> = f
                .versions
                .iter()
                .filter(|v| v.name == f.krate)
                .map(|v| Line::of(&v.version))
                .collect();
            lines.len() > 1
        }
        Code::SourceSplit => {
            let sources: BTreeSet<Option<&str>> =
                f.versions.iter().map(|v| v.source.as_deref()).collect();
            sources.len() > 1
        }
        Code::OutsidePolicy => f.versions.iter().any(|v| v.name == f.krate),
        // A pair with one side allowed is no longer a pair.
        Code::TrainSkew | Code::TypeBoundary | Code::UnusedAllow => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::config::{Allow, Location};
    use crate::testkit::Builder;
    use semver::VersionReq;

    /// `apply` with the configuration's levels and allow entries and no version rules.
    fn judge(findings: Vec<Finding>, config: &Config, gate: Gate<'_>) -> Outcome {
        let graph = Builder::default().member("app").graph();
        let policy = Policy::new(config, Vec::new(), None);
        apply(
            &graph,
            &SpanIndex::default(),
            &Options::default(),
            findings,
            &policy,
            gate,
        )
    }

    fn findings() -> Vec<Finding> {
        split_findings(false)
    }

    /// tonic and hyper split in two; with `collateral`, hyper only because tonic is (tonic
    /// 0.9 brings hyper 0.14, tonic 0.12 hyper 1), else the members depend on hyper directly.
    fn split_findings(collateral: bool) -> Vec<Finding> {
        let (old, new) = if collateral {
            ("tonic@0.9.2", "tonic@0.12.3")
        } else {
            ("app", "lib")
        };
        let b = Builder::default()
            .member("app")
            .member("lib")
            .pkg("tonic", "0.9.2")
            .pkg("tonic", "0.12.3")
            .pkg("hyper", "0.14.32")
            .pkg("hyper", "1.6.0")
            .dep("app", "tonic@0.9.2")
            .dep("lib", "tonic@0.12.3")
            .dep(old, "hyper@0.14.32")
            .dep(new, "hyper@1.6.0");
        analyze(
            &b.graph(),
            &crate::manifest::spans::SpanIndex::default(),
            &Options::default(),
        )
    }

    fn allow(krate: &str, versions: &[&str], code: Option<Code>) -> Allow {
        Allow {
            krate: krate.to_owned(),
            versions: versions
                .iter()
                .map(|v| VersionReq::parse(v).expect("req"))
                .collect(),
            versions_text: versions.iter().map(|v| (*v).to_owned()).collect(),
            source: None,
            code,
            reason: "legacy exporter".to_owned(),
            location: Location {
                file: "etcd-deps.toml".to_owned(),
                line: 3,
                ..Location::default()
            },
        }
    }

    fn summary(o: &Outcome) -> Vec<String> {
        o.findings
            .iter()
            .map(|f| format!("{} {} {}", f.level.as_str(), f.code, f.krate))
            .collect()
    }

    #[test]
    fn levels_and_family_level() {
        let mut config = Config::default();
        config.levels.insert(Code::DivergingVersions, Setting::Warn);
        let o = judge(findings(), &config, Gate::default());
        assert_eq!(
            summary(&o),
            [
                "warning diverging-versions hyper",
                "warning diverging-versions tonic"
            ]
        );
        let config = Config {
            family_level: Some(Setting::Allow),
            ..Config::default()
        };
        let o = judge(findings(), &config, Gate::default());
        assert_eq!(summary(&o), ["error diverging-versions tonic"]);
        assert_eq!(o.allowed[0].krate, "hyper");
        assert_eq!(o.allowed[0].reason, "family-level = \"allow\"");
    }

    #[test]
    fn allow_entry_by_requirement_removes_the_finding_and_keeps_its_reason() {
        let config = Config {
            allow: vec![allow("tonic", &["^0.9"], None)],
            ..Config::default()
        };
        let o = judge(findings(), &config, Gate::default());
        assert_eq!(summary(&o), ["warning diverging-versions hyper"]);
        assert_eq!(
            o.allowed,
            [Allowed {
                code: Code::DivergingVersions,
                krate: "tonic".to_owned(),
                versions: vec!["0.9.2".to_owned(), "0.12.3".to_owned()],
                reason: "legacy exporter".to_owned(),
            }]
        );
    }

    #[test]
    fn a_hidden_root_takes_its_collateral_with_it() {
        let all = split_findings(true);
        let hyper = all.iter().find(|f| f.krate == "hyper").expect("hyper");
        assert_eq!(hyper.caused_by.as_deref(), Some("tonic"));
        // Nothing hidden: the collateral note stays.
        let o = judge(all.clone(), &Config::default(), Gate::default());
        assert_eq!(
            summary(&o),
            [
                "error diverging-versions tonic",
                "note diverging-versions hyper"
            ]
        );
        // Allowed by an entry: both go.
        let config = Config {
            allow: vec![allow("tonic", &["^0.9"], None)],
            ..Config::default()
        };
        let o = judge(all.clone(), &config, Gate::default());
        assert!(o.findings.is_empty(), "{:?}", summary(&o));
        // Recorded in the baseline: both go.
        let baseline = Baseline::from_findings(&all);
        let o = judge(
            all,
            &Config::default(),
            Gate {
                deny_warnings: false,
                baseline: Some(("b.json", &baseline)),
            },
        );
        assert!(o.findings.is_empty(), "{:?}", summary(&o));
    }

    #[test]
    fn unused_allow_is_a_warning_at_the_entry() {
        let config = Config {
            allow: vec![
                allow("tonic", &["^0.8"], None),
                allow("hyper", &["^0.14"], Some(Code::SourceSplit)),
            ],
            ..Config::default()
        };
        let o = judge(findings(), &config, Gate::default());
        let unused: Vec<&Finding> = o
            .findings
            .iter()
            .filter(|f| f.code == Code::UnusedAllow)
            .collect();
        assert_eq!(unused.len(), 2);
        assert_eq!(unused[0].level, Level::Warning);
        assert_eq!(unused[0].location.as_ref().map(|l| l.line), Some(3));
        assert!(unused[0].message.contains("matches no finding"));
    }

    #[test]
    fn deny_warnings_and_baseline() {
        let o = judge(
            findings(),
            &Config::default(),
            Gate {
                deny_warnings: true,
                baseline: None,
            },
        );
        assert_eq!(
            summary(&o),
            [
                "error diverging-versions hyper",
                "error diverging-versions tonic"
            ]
        );
        let baseline = Baseline::from_findings(&findings());
        assert_eq!(
            baseline.entries[1],
            BaselineEntry {
                code: "diverging-versions".to_owned(),
                krate: "tonic".to_owned(),
                lines: vec!["0.9".to_owned(), "0.12".to_owned()],
            }
        );
        // Everything recorded passes; an entry that no longer matches is fixed.
        let mut with_old = baseline.clone();
        with_old.entries.push(BaselineEntry {
            code: "diverging-versions".to_owned(),
            krate: "prost".to_owned(),
            lines: vec!["0.11".to_owned(), "0.13".to_owned()],
        });
        let o = judge(
            findings(),
            &Config::default(),
            Gate {
                deny_warnings: false,
                baseline: Some(("b.json", &with_old)),
            },
        );
        assert!(o.findings.is_empty());
        let b = o.baseline.expect("baseline outcome");
        assert_eq!(b.matched.len(), 2);
        assert_eq!(b.fixed.len(), 1);
        assert_eq!(b.fixed[0].krate, "prost");
    }

    #[test]
    fn a_shared_rule_takes_a_stricter_level_and_overrules_a_milder_one() {
        let graph = Builder::default()
            .member("app")
            .pkg("etcd-client", "0.12.4")
            .dep("app", "etcd-client@0.12.4")
            .graph();
        let judge_with = |setting: Setting, shared: bool| {
            let mut config = Config::default();
            config.levels.insert(Code::OutsidePolicy, setting);
            let rule = PolicyRule {
                krate: "etcd-client".to_owned(),
                versions: VersionReq::parse(">=0.14").expect("req"),
                versions_text: ">=0.14".to_owned(),
                warn_from: Date::parse("2026-12-01"),
                deny_from: Date::parse("2027-06-01"),
                reason: "etcd 3.6".to_owned(),
                location: Location::default(),
                shared,
            };
            let policy = Policy::new(&config, vec![rule], Date::parse("2026-12-15"));
            let none = SpanIndex::default();
            let opts = Options::default();
            let found = analyze(&graph, &none, &opts);
            apply(&graph, &none, &opts, found, &policy, Gate::default())
        };
        let o = judge_with(Setting::Deny, true);
        assert_eq!(summary(&o), ["error outside-policy etcd-client"]);
        assert!(o.overruled.is_empty());
        let o = judge_with(Setting::Allow, true);
        assert_eq!(summary(&o), ["warning outside-policy etcd-client"]);
        assert_eq!(o.overruled[0].setting, "levels.outside-policy = \"allow\"");
        assert!(o.findings[0].message.ends_with(&o.overruled[0].message));
        // The workspace's own rule is its own inside the window.
        let o = judge_with(Setting::Allow, false);
        assert!(o.findings.is_empty() && o.overruled.is_empty());
        assert_eq!(o.allowed[0].code, Code::OutsidePolicy);
    }

    #[test]
    fn the_same_policy_judges_another_graph_on_the_same_day() {
        let old = Builder::default()
            .member("app")
            .pkg("etcd-client", "0.12.4")
            .dep("app", "etcd-client@0.12.4")
            .graph();
        let new = Builder::default()
            .member("app")
            .pkg("etcd-client", "0.14.1")
            .dep("app", "etcd-client@0.14.1")
            .graph();
        let policy = Policy {
            rules: vec![PolicyRule {
                krate: "etcd-client".to_owned(),
                versions: VersionReq::parse(">=0.14").expect("req"),
                versions_text: ">=0.14".to_owned(),
                warn_from: Date::parse("2026-12-01"),
                deny_from: Date::parse("2027-06-01"),
                reason: "etcd 3.6 requires client certificates".to_owned(),
                location: Location::default(),
                shared: true,
            }],
            today: Date::parse("2027-06-01"),
            ..Policy::default()
        };
        let opts = Options::default();
        let none = SpanIndex::default();
        let judge_on = |g: &DepGraph| {
            apply(
                g,
                &none,
                &opts,
                analyze(g, &none, &opts),
                &policy,
                Gate::default(),
            )
        };
        assert_eq!(
            summary(&judge_on(&old)),
            ["error outside-policy etcd-client"]
        );
        assert!(judge_on(&new).findings.is_empty());
    }
}
