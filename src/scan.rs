//! `scan`: the fleet inventory. Finds the workspaces under some directories (or reads a
//! list) through `input::fleet`, analyses each in lockfile mode with its own configuration
//! plus the shared policy, on `--jobs` worker threads, and keeps one compact row per
//! workspace: each thread drops a workspace's graph as soon as its row is made, so memory
//! grows with the number of threads, not with the size of the workspaces. `scan merge`
//! combines the JSON of shards into one report. The rows are [`crate::report::inventory`]
//! data; `run` prints nothing and says how far it has got to the [`Progress`] its caller
//! gives; `command` checks the arguments, renders the report and writes it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::analysis::{Finding, Level};
use crate::exit::Outcome;
use crate::input::fleet;
use crate::report::Summary;
use crate::report::inventory::{PolicyStatus, SCHEMA_VERSION, ScanFinding, ScanReport, Workspace};
use crate::report::scan::Progress;
use crate::request::{Format, Verbosity};
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
    if matches!(req.format, Format::Sarif | Format::Github) {
        return Err(Error::Usage(
            "`scan` writes human, json, csv, markdown or html".to_owned(),
        ));
    }
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
    match req.format {
        Format::Json => crate::report::scan::render_json(&report, &mut buf),
        Format::Csv => crate::report::scan::render_csv(&report, &mut buf),
        Format::Markdown => crate::report::scan::render_markdown(&report, &mut buf),
        Format::Html => crate::report::scan::render_html(&report, &mut buf),
        _ if req.verbosity == Verbosity::Quiet => {
            crate::report::scan::render_summary(&report, &mut buf)
        }
        _ => crate::report::scan::render_human(
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
    let mut roots = find(scan)?;
    roots.sort_by(|a, b| a.path().cmp(b.path()));
    roots.dedup_by(|a, b| a.path() == b.path());
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
    Ok(ScanReport::new(rows))
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
    let has_policy = ws.policy.has_rules();
    let report = crate::report::Report::new(outcome);
    Workspace {
        path,
        error: None,
        lines,
        summary: report.summary,
        policy: has_policy.then(|| policy_status(&report.findings)),
        edit: edit_line(&report.findings),
        findings: report.findings.iter().map(compact).collect(),
    }
}

/// A path as rows show it: as given, without a leading `./`.
fn shown(root: &Path) -> String {
    let s = root.display().to_string();
    match s.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => s,
    }
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
        other => other.to_string(),
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

fn policy_status(findings: &[Finding]) -> PolicyStatus {
    let outside: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code == crate::analysis::Code::OutsidePolicy)
        .collect();
    let worst = outside.iter().map(|f| f.level).min();
    let nearest = outside
        .iter()
        .filter_map(|f| f.policy.as_ref())
        .filter(|p| p.days_left.is_some())
        .min_by_key(|p| p.days_left);
    PolicyStatus {
        status: worst.map_or("ok", Level::as_str).to_owned(),
        deny_from: nearest.and_then(|p| p.deny_from.clone()),
        days_left: nearest.and_then(|p| p.days_left),
        outside: outside
            .iter()
            .flat_map(|f| {
                f.versions
                    .iter()
                    .map(|v| format!("{}@{}", v.name, v.version))
            })
            .collect(),
    }
}

/// The first manifest line of the most severe finding that has one.
fn edit_line(findings: &[Finding]) -> Option<String> {
    findings.iter().find_map(|f| {
        f.versions.iter().flat_map(|v| &v.origins).find_map(|o| {
            let (m, line) = (o.manifest.as_ref()?, o.line?);
            Some(format!("{m}:{line} {}", o.key))
        })
    })
}

/// `scan merge FILE…`: the rows of every shard document, as one report.
fn merge(files: &[PathBuf]) -> Result<ScanReport, Error> {
    let mut rows = Vec::new();
    for f in files {
        let text = crate::input::cargo::read_file_limited(f)?;
        let doc: ScanReport =
            serde_json::from_str(&text).map_err(|source| Error::NotAScanDocument {
                path: f.clone(),
                source,
            })?;
        if doc.schema_version != SCHEMA_VERSION {
            return Err(Error::ScanVersion {
                path: f.clone(),
                found: doc.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        rows.extend(doc.workspaces);
    }
    let mut report = ScanReport::new(rows);
    let before = report.workspaces.len();
    report.workspaces.dedup_by(|a, b| a.path == b.path);
    if report.workspaces.len() != before {
        return Err(Error::Usage(
            "the shard documents overlap: a workspace appears in more than one".to_owned(),
        ));
    }
    Ok(report)
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
