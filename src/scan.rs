//! `scan`: the fleet inventory. Finds the workspaces under some directories (or reads a
//! list) through `input::fleet`, analyses each in lockfile mode with its own configuration
//! plus the shared policy, on `--jobs` worker threads, and keeps one compact row per
//! workspace: each thread drops a workspace's graph as soon as its row is made, so memory
//! grows with the number of threads, not with the size of the workspaces. Each workspace is
//! one row under one spelling of its path, and the document says what the rows were judged
//! with (tool version, day, shared policy). `scan merge` checks the JSON of shards (shape,
//! values, that they agree and do not overlap) and combines them into one report. The rows are [`crate::report::inventory`]
//! data; `run` prints nothing and says how far it has got to the [`Progress`] its caller
//! gives; `command` checks the arguments, renders the report and writes it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::analysis::{Code, Finding};
use crate::config::{Date, PolicyRule};
use crate::exit::Outcome;
use crate::input::fleet;
use crate::policy::{Policy, window};
use crate::report::inventory::{
    PolicyStatus, RuleStatus, RunInfo, SCHEMA_VERSION, ScanFinding, ScanReport, SharedPolicy,
    Standing, Workspace, canonical_path,
};
use crate::report::scan::Progress;
use crate::report::{Report, Summary};
use crate::request::{ScanFormat, Verbosity};
use crate::{Error, Request, ScanRequest};

/// The crates whose versions each row lists: the primary crates, the first crate of each
/// train, and hyper when it is watched.
fn inventoried(watch: &crate::analysis::Watch) -> Vec<String> {
    let mut out: Vec<String> = watch.primary.clone();
    out.extend(watch.trains.iter().filter_map(|t| t.first().cloned()));
    if watch.family.iter().any(|f| f == "hyper") {
        out.push("hyper".to_owned());
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|c| seen.insert(c.clone()));
    out
}

/// `cargo etcd-deps scan`: the arguments checked, the fleet scanned (progress on stderr
/// when asked), the report rendered in the requested format and written.
pub(crate) fn command(
    req: &Request,
    scan: &ScanRequest,
    out: &mut dyn Write,
    fs: &dyn crate::manifest::write::WriteFs,
) -> Result<Outcome, Error> {
    // The command line refuses these before; a library caller gets the same answer.
    if req.input != crate::input::Input::default() {
        return Err(Error::Usage(
            "`scan` reads each workspace's Cargo.lock itself, without cargo; name the workspaces \
             as PATH arguments or with --from FILE, with no input mode or cargo option"
                .to_owned(),
        ));
    }
    if !scan.analysis.packages.is_empty() {
        return Err(Error::Usage(
            "`scan` takes no -p: members differ from one workspace to the next".to_owned(),
        ));
    }
    let progress: &dyn crate::report::scan::Progress = if scan.progress {
        &crate::report::scan::StderrBar
    } else {
        &crate::report::scan::Silent
    };
    let report = run(req, scan, progress)?;
    let mut buf = Vec::new();
    match scan.format {
        ScanFormat::Json => crate::report::scan::render_json(&report, &mut buf),
        ScanFormat::Csv => crate::report::scan::render_csv(&report, &mut buf),
        ScanFormat::Markdown => crate::report::scan::render_markdown(&report, &mut buf),
        ScanFormat::Html => crate::report::scan::render_html(&report, &mut buf),
        ScanFormat::Human if req.verbosity == Verbosity::Quiet => {
            crate::report::scan::render_summary(&report, &mut buf)
        }
        ScanFormat::Human => crate::report::scan::render_human(
            &report,
            req.verbosity == Verbosity::Verbose,
            &mut buf,
        ),
    }
    .map_err(Error::Output)?;
    crate::output::emit_with(req, &buf, out, fs)?;
    Ok(Outcome {
        exit_code: report.exit_code(),
    })
}

/// Runs a scan (or a merge) and returns the report, telling `progress` how far it has got.
pub fn run(
    req: &Request,
    scan: &ScanRequest,
    progress: &dyn Progress,
) -> Result<ScanReport, Error> {
    if !scan.merge.is_empty() {
        return merge(&scan.merge);
    }
    // A shared policy file, or the day it is judged on, that every workspace would fail on
    // is one error, before scanning.
    if let Some(path) = &req.policy_file {
        crate::input::check_policy_file(path)?;
        window::today(req.today, req.source_date_epoch.as_deref())?;
    }
    let mut roots = find(scan)?;
    // One row per workspace, however often and however it is spelled.
    roots.sort_by_key(|r| shown(r.path()));
    roots.dedup_by_key(|r| shown(r.path()));
    if let Some((i, n)) = scan.shard {
        // A deterministic share: every n-th workspace of the sorted list, from the i-th.
        roots = roots
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % n == i - 1)
            .map(|(_, r)| r)
            .collect();
    }
    let rows = analyse_all(req, scan, &roots, progress);
    Ok(ScanReport::new(run_info(req, &rows), rows))
}

/// The fleet: the workspaces `--from FILE` lists, or those under the PATH arguments (the
/// current directory by default) with the directories that could not be listed. A list or a
/// PATH with no workspace is an input error: the scan would pass on nothing.
fn find(scan: &ScanRequest) -> Result<Vec<fleet::Found>, Error> {
    if let Some(list) = &scan.from {
        let roots = fleet::read_list(list)?;
        if roots.is_empty() {
            return Err(Error::Usage(format!(
                "{} lists no workspace",
                list.display()
            )));
        }
        return Ok(roots.into_iter().map(fleet::Found::Workspace).collect());
    }
    let dirs = if scan.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        scan.paths.clone()
    };
    let mut found = Vec::new();
    for d in &dirs {
        // A Cargo.lock named on the command line is its workspace.
        if d.file_name().is_some_and(|n| n == "Cargo.lock") && d.symlink_metadata().is_ok() {
            found.push(fleet::Found::Workspace(fleet::workspace_of(d)));
            continue;
        }
        if !d.is_dir() {
            return Err(Error::Usage(format!(
                "{} is not a directory to scan",
                d.display()
            )));
        }
        let before = found.len();
        fleet::discover(d, &mut found);
        if found.len() == before {
            return Err(Error::Usage(format!(
                "no Cargo.lock found under {}",
                d.display()
            )));
        }
    }
    Ok(found)
}

/// Analyses every workspace on `jobs` threads; rows come back in input order.
fn analyse_all(
    req: &Request,
    scan: &ScanRequest,
    roots: &[fleet::Found],
    progress: &dyn Progress,
) -> Vec<Workspace> {
    let jobs = match scan.jobs {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .clamp(1, roots.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Workspace>>> = Mutex::new(vec![None; roots.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(root) = roots.get(k) else { break };
                    let row = match root {
                        fleet::Found::Workspace(dir) => analyse_one(req, scan, dir),
                        fleet::Found::Unlisted(dir, e) => unreadable(shown(dir), e),
                    };
                    rows.lock().expect("no thread panics holding the rows")[k] = Some(row);
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress.analysed(d, roots.len());
                }
            });
        }
    });
    progress.finished();
    rows.into_inner()
        .expect("no thread panics holding the rows")
        .into_iter()
        .map(|r| r.expect("every workspace is analysed"))
        .collect()
}

/// One workspace to one row; the graph is dropped on return.
fn analyse_one(req: &Request, scan: &ScanRequest, root: &Path) -> Workspace {
    let path = shown(root);
    let lock = match fleet::lockfile(root) {
        Ok(lock) => lock,
        Err(e) => return unreadable(path, &e),
    };
    let mut ws_req = req.clone();
    ws_req.input = crate::input::Input::Lockfile {
        lockfile: Some(lock),
        manifest_path: None,
        targets: Vec::new(),
        feature_flags: Vec::new(),
    };
    let ws = match crate::input::load(&ws_req, &scan.analysis) {
        Ok(ws) => ws,
        Err(e) => return unreadable(path, &e),
    };
    let lines = inventoried(&ws.opts.watch)
        .into_iter()
        .map(|krate| {
            let mut versions: Vec<semver::Version> = ws
                .graph
                .nodes()
                .map(|n| ws.graph.package(n))
                .filter(|p| !p.is_member && p.name == krate)
                .map(|p| p.version.clone())
                .collect();
            versions.sort();
            versions.dedup();
            (krate, versions.iter().map(ToString::to_string).collect())
        })
        .collect();
    let findings = crate::analysis::analyze(&ws.graph, &ws.spans, &ws.opts);
    let gate = crate::policy::Gate {
        deny_warnings: scan.deny_warnings,
        baseline: None,
    };
    let outcome = crate::policy::apply(&ws.graph, &ws.spans, &ws.opts, findings, &ws.policy, gate);
    let report = Report::new(outcome);
    Workspace {
        path,
        error: None,
        lines,
        summary: report.summary,
        policy: policy_status(&report, &ws.policy),
        edit: first_edit(&ws, &report.findings, scan.deny_warnings),
        findings: report.findings.iter().map(compact).collect(),
    }
}

/// A path as rows show it: as given, in its one spelling (no `./`, no doubled or trailing
/// `/`); lossily when it is not UTF-8.
fn shown(root: &Path) -> String {
    canonical_path(&root.display().to_string())
}

fn unreadable(path: String, e: &Error) -> Workspace {
    // Errors name files by absolute path; under the current directory, a relative one reads
    // better and is the same on every machine of a CI matrix.
    let mut error = match e {
        // A configuration error names its file and line, as its diagnostic does.
        Error::Config(c) => {
            let text = c.src.inner();
            let offset = c.span.offset().min(text.len());
            let line = text.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            format!("{path}/{}:{line}: {}", c.src.name(), c.message)
        }
        other => other.one_line(),
    };
    if let Ok(cwd) = std::env::current_dir() {
        error = error.replace(&format!("{}/", cwd.display()), "");
    }
    Workspace {
        path,
        error: Some(error),
        lines: BTreeMap::new(),
        summary: Summary::default(),
        policy: None,
        findings: Vec::new(),
        edit: None,
    }
}

fn compact(f: &Finding) -> ScanFinding {
    ScanFinding {
        code: f.code.to_string(),
        level: f.level.as_str().to_owned(),
        krate: f.krate.clone(),
        lines: f.lines.iter().map(ToString::to_string).collect(),
        message: f.message.clone(),
    }
}

/// Where the workspace stands against each rule, and the worst rule with its own deadline
/// (ties: the nearest deadline); `None` without rules.
fn policy_status(report: &Report, policy: &Policy) -> Option<PolicyStatus> {
    let today = policy.today.filter(|_| policy.has_rules())?;
    let rules: Vec<RuleStatus> = policy
        .rules
        .iter()
        .map(|r| rule_status(r, report, today))
        .collect();
    let standing = |r: &RuleStatus| Standing::named(&r.status).unwrap_or(Standing::Ok);
    let worst = rules
        .iter()
        .filter(|r| standing(r) != Standing::Ok)
        .min_by_key(|r| (standing(r), r.days_left.unwrap_or(i64::MAX)));
    let mut outside: Vec<String> = rules.iter().flat_map(|r| r.outside.clone()).collect();
    outside.sort();
    outside.dedup();
    Some(PolicyStatus {
        status: worst.map_or(Standing::Ok, standing).as_str().to_owned(),
        deny_from: worst.and_then(|r| r.deny_from.clone()),
        days_left: worst.and_then(|r| r.days_left),
        outside,
        rule: worst.map(|r| r.rule.clone()),
        rules,
    })
}

/// One rule's standing: the level of its finding, `allowed` when the workspace's own
/// settings took every version outside it, else `ok`.
fn rule_status(rule: &PolicyRule, report: &Report, today: Date) -> RuleStatus {
    let at = window::rule_at(rule);
    let finding = report.findings.iter().find(|f| {
        f.code == Code::OutsidePolicy
            && f.krate == rule.krate
            && f.policy
                .as_ref()
                .is_some_and(|p| p.rule == at && p.versions == rule.versions_text)
    });
    let outside: Vec<String> = match finding {
        Some(f) => f
            .versions
            .iter()
            .map(|v| format!("{}@{}", v.name, v.version))
            .collect(),
        None => report
            .allowed
            .iter()
            .filter(|a| a.code == Code::OutsidePolicy && a.krate == rule.krate)
            .flat_map(|a| &a.versions)
            .filter(|v| semver::Version::parse(v).is_ok_and(|v| !rule.versions.matches(&v)))
            .map(|v| format!("{}@{v}", rule.krate))
            .collect(),
    };
    let status = match (finding, outside.is_empty()) {
        (Some(f), _) => Standing::of(f.level),
        (None, false) => Standing::Allowed,
        (None, true) => Standing::Ok,
    };
    RuleStatus {
        krate: rule.krate.clone(),
        versions: rule.versions_text.clone(),
        rule: at,
        status: status.as_str().to_owned(),
        level: window::level(rule, today).as_str().to_owned(),
        warn_from: rule.warn_from.map(|d| d.to_string()),
        deny_from: rule.deny_from.map(|d| d.to_string()),
        days_left: window::days_left(rule, today),
        outside,
    }
}

/// The first change `cargo etcd-deps fix` plans for the row, from the same planner: the
/// manifest line it edits (`crates/app/Cargo.toml:8 etcd-client`), else the command it runs.
/// `None` when `fix` plans nothing: no error (warnings count with `--deny warnings`, as
/// `fix --include-warnings` takes them), or no fix for any. Registry facts come from cargo's
/// local cache only: a fleet scan never goes online.
fn first_edit(
    ws: &crate::input::Workspace,
    findings: &[Finding],
    include_warnings: bool,
) -> Option<String> {
    if !findings
        .iter()
        .any(|f| crate::plan::in_scope(f, include_warnings))
    {
        return None;
    }
    let planned = crate::plan::Workspace::of(&ws.graph, &ws.spans);
    let registry = crate::registry::for_workspace(&planned.root, true, None).ok()?;
    let opts =
        crate::plan::PlanOptions::for_graph(&ws.graph, &ws.opts.watch.primary, include_warnings);
    // As `fix` does: what only a stale workspace-hack brings in is no edit's.
    let own: Vec<Finding> = findings
        .iter()
        .filter_map(crate::analysis::own_part)
        .collect();
    let plan = crate::plan::plan(&own, &registry, &planned, &opts).ok()?;
    if let Some(edit) = plan.edits.first() {
        let line = findings
            .iter()
            .flat_map(|f| f.versions.iter().flat_map(|v| &v.origins))
            .find(|o| o.manifest.as_deref() == Some(edit.manifest.as_str()) && o.key == edit.key)
            .and_then(|o| o.line);
        return Some(match line {
            Some(line) => format!("{}:{line} {}", edit.manifest, edit.key),
            None => format!("{} {}", edit.manifest, edit.key),
        });
    }
    plan.commands.first().map(|c| c.join(" "))
}

/// What the rows were judged with: this version, the day (when some row has a policy) and
/// the shared policy file with a digest of its bytes.
fn run_info(req: &Request, rows: &[Workspace]) -> RunInfo {
    let today = rows
        .iter()
        .any(|w| w.policy.is_some())
        .then(|| {
            crate::policy::window::today(req.today, req.source_date_epoch.as_deref())
                .ok()
                .map(|d| d.to_string())
        })
        .flatten();
    let policy = req.policy_file.as_ref().map(|f| SharedPolicy {
        file: f.display().to_string(),
        digest: crate::input::read_text(f)
            .ok()
            .map(|t| digest(t.as_bytes())),
    });
    RunInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        today,
        policy,
    }
}

/// FNV-1a (64 bits) of `bytes`, in hex: tells two policy files apart, nothing more.
fn digest(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// `scan merge FILE…`: the rows of every shard document, as one report. Each document is
/// checked (its shape, then its values), each row gets its one spelling, and the shards must
/// have been judged with the same tool version, shared policy and day, and share no
/// workspace. Errors name the file (both files, for a disagreement).
fn merge(files: &[PathBuf]) -> Result<ScanReport, Error> {
    let mut rows: Vec<Workspace> = Vec::new();
    // Per canonical path: the file (its place on the command line) and the spelling.
    let mut owner: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut run: Option<(&Path, RunInfo)> = None;
    for (i, f) in files.iter().enumerate() {
        let doc = read_shard(f)?;
        let run = run.get_or_insert_with(|| (f, doc.run.clone()));
        same_run(run, (f, &doc.run))?;
        if run.1.today.is_none() {
            run.1.today.clone_from(&doc.run.today);
        }
        for mut w in doc.workspaces {
            let path = canonical_path(&w.path);
            if let Some((first, spelling)) = owner.get(&path) {
                let what = if *first == i {
                    format!("{} names the workspace {path} twice", f.display())
                } else {
                    format!(
                        "the shard documents overlap: the workspace {path} is in {} and {}",
                        files[*first].display(),
                        f.display()
                    )
                };
                return Err(Error::ScanMerge(format!(
                    "{what} (as `{spelling}` and `{}`)",
                    w.path
                )));
            }
            owner.insert(path.clone(), (i, std::mem::replace(&mut w.path, path)));
            rows.push(w);
        }
    }
    let (_, run) = run.expect("`scan merge` is given at least one file");
    Ok(ScanReport::new(run, rows))
}

/// One shard document: read, parsed (shape and types), its schema version and its values
/// checked.
fn read_shard(f: &Path) -> Result<ScanReport, Error> {
    let text = crate::input::read_text(f)?;
    let version: Option<u32> = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("schema_version")?.as_u64())
        .and_then(|v| u32::try_from(v).ok());
    if let Some(found) = version.filter(|v| *v != SCHEMA_VERSION) {
        return Err(Error::ScanVersion {
            path: f.to_owned(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    let doc: ScanReport =
        serde_json::from_str(&text).map_err(|source| Error::NotAScanDocument {
            path: f.to_owned(),
            source,
        })?;
    doc.check_values()
        .map_err(|problem| Error::ScanMerge(format!("{}: {problem}", f.display())))?;
    Ok(doc)
}

/// Refuses a shard judged with another tool version, shared policy or day than the first.
fn same_run(first: &(&Path, RunInfo), (f, run): (&Path, &RunInfo)) -> Result<(), Error> {
    let (first_file, first) = first;
    let differ = |what: &str, a: &str, b: &str, fix: &str| {
        Error::ScanMerge(format!(
            "the shards differ in {what}: {} has {a}, {} has {b}; {fix}",
            first_file.display(),
            f.display()
        ))
    };
    if run.tool_version != first.tool_version {
        return Err(differ(
            "the tool version",
            &format!("cargo-etcd-deps {}", first.tool_version),
            &format!("cargo-etcd-deps {}", run.tool_version),
            "scan every shard with one version",
        ));
    }
    let policy = |p: &Option<SharedPolicy>| match p {
        Some(p) => format!(
            "--policy {} (digest {})",
            p.file,
            p.digest.as_deref().unwrap_or("unread")
        ),
        None => "no --policy".to_owned(),
    };
    let digest = |p: &Option<SharedPolicy>| p.as_ref().map(|p| p.digest.clone());
    if digest(&run.policy) != digest(&first.policy) {
        return Err(differ(
            "the shared policy",
            &policy(&first.policy),
            &policy(&run.policy),
            "give every shard the same policy file",
        ));
    }
    if let (Some(a), Some(b)) = (&first.today, &run.today)
        && a != b
    {
        return Err(differ(
            "the day policies were judged on",
            a,
            b,
            "give every shard the same --today (or SOURCE_DATE_EPOCH)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{CargoOptions, Input};

    /// A library caller that builds a `Request` itself gets the refusals of the command line:
    /// nothing is scanned with an option `scan` would ignore.
    #[test]
    fn cargo_options_and_packages_are_refused_not_ignored() {
        let scan = ScanRequest {
            paths: vec![PathBuf::from(".")],
            ..Default::default()
        };
        let mut offline = Request::new(crate::Command::Scan(scan.clone()));
        offline.input = Input::Cargo(CargoOptions {
            offline: true,
            ..Default::default()
        });
        let mut packages = scan.clone();
        packages.analysis.packages = vec!["server".to_owned()];
        let plain = Request::new(crate::Command::Scan(packages.clone()));
        for (req, scan) in [(&offline, &scan), (&plain, &packages)] {
            let mut out = Vec::new();
            let got = command(req, scan, &mut out, &crate::manifest::edit::AtomicFs);
            assert!(matches!(got, Err(Error::Usage(_))), "{got:?}");
            assert!(out.is_empty());
        }
    }
}
