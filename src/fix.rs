//! `cargo etcd-deps fix`: plan, show, prove and (with `--apply`) write the edits.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::input::cargo as metadata;
use crate::input::vcs;
use crate::input::{self, CargoOptions, Input};
use crate::interrupt::{self, ALL_WRITTEN, NOTHING_WRITTEN};
use crate::manifest::edit::{self, FileChange};
use crate::manifest::write::{self, LockChange, Transaction, WorkspaceLock, WriteFs};
use crate::plan::{self, PatchSpec, PlanOptions};
use crate::policy::{self, Gate};
use crate::report::fix::{FixReport, Status, ThenRun, Verification};
use crate::request::PatchWith;
use crate::verify::{self, Resolved};
use crate::{FixFormat, FixRequest, Outcome, Request, analysis, exit, registry};

pub(crate) fn run(
    req: &Request,
    fix: &FixRequest,
    out: &mut dyn Write,
    color: bool,
    fs: &dyn WriteFs,
) -> Result<Outcome, Error> {
    let cargo = cargo_options(req, fix)?;
    // One `fix` at a time per workspace, from before the first cargo run (which may rewrite
    // Cargo.lock) to the last write.
    let located = metadata::locate(&cargo)?;
    let _lock = WorkspaceLock::acquire(&located.root_dir)?;
    interrupt::pause("locked");
    // Cargo.lock's state before this run's cargo touches it (see `refuse_dirty`).
    let lock_at_start = (fix.apply && !fix.allow_dirty)
        .then(|| vcs::status(&located.root_dir, &[located.root_dir.join("Cargo.lock")]));
    let ws = input::load_located(req, &fix.analysis, Some(located))?;
    interrupt::check(NOTHING_WRITTEN)?;
    // Findings an allow entry or a level setting removed are not fixed.
    let findings = analysis::analyze(&ws.graph, &ws.spans, &ws.opts);
    let findings = policy::apply(
        &ws.graph,
        &ws.spans,
        &ws.opts,
        findings,
        &ws.policy,
        Gate::default(),
    )
    .findings;
    let root = ws.graph.workspace_root().to_owned();
    // What only a stale workspace-hack brings in is fixed by regenerating it, never by an
    // edit (the plan never edits the workspace-hack): the plan sees the members' own part.
    let own: Vec<analysis::Finding> = findings.iter().filter_map(analysis::own_part).collect();
    let planning = Planning::new(fix, &ws, cargo.offline || cargo.frozen)?;
    let proof = ProofSettings {
        cargo: &cargo,
        fix,
        fs,
    };
    let Migration {
        plan: fix_plan,
        changes,
        verification,
        resolved,
        rounds,
    } = migrate(&planning, &ws, (&own, &findings), &proof)?;
    let then_run = then_run(&ws, &findings, &fix_plan, fix.include_warnings);
    let mut verification = verification;
    if let Some(v) = verification
        .as_mut()
        .filter(|v| fix.build_check && v.verified)
    {
        let commands = fix_plan.commands.as_slice();
        let build = verify::build_check(&ws.graph, (&changes, commands), &cargo, fs)?;
        v.verified = build.clean();
        v.build = Some(build);
    }
    let verified = verification.as_ref().is_some_and(|v| v.verified);

    let mut lockfile_changed = false;
    let status = if fix_plan.is_empty() && fix_plan.unfixable.is_empty() && then_run.is_empty() {
        Status::NothingToDo
    } else if fix_plan.is_empty() && fix_plan.unfixable.is_empty() {
        Status::ThenRun
    } else if fix_plan.is_empty() {
        Status::Unfixable
    } else if !fix.apply {
        Status::Pending
    } else if !verified && !fix.no_verify {
        Status::NotVerified
    } else {
        let lockfile = resolved.and_then(|r| r.lockfile);
        lockfile_changed = apply(
            &root,
            &changes,
            lockfile,
            lock_at_start,
            fix.allow_dirty,
            fs,
        )?;
        Status::Applied
    };

    let complete = fix_plan.unfixable.is_empty();
    let report = FixReport {
        lockfile_changed,
        rounds,
        then_run,
        ..FixReport::new(fix_plan, &changes, verification, status)
    };
    render(req, fix.format, &report, color, out, fs)?;

    let ok = complete && matches!(status, Status::NothingToDo | Status::Applied);
    Ok(Outcome {
        exit_code: if ok { exit::OK } else { exit::GATE_FAILED },
    })
}

/// The commands `fix` names but does not run: `cargo hakari generate` when a workspace-hack
/// alone brings in versions of a finding in scope (the finding is its), or when the plan
/// edits the members' dependencies in a workspace that has one (it must follow them).
fn then_run(
    ws: &input::Workspace,
    findings: &[analysis::Finding],
    plan: &plan::FixPlan,
    include_warnings: bool,
) -> Vec<ThenRun> {
    let mut stale: Vec<&str> = findings
        .iter()
        .filter(|f| plan::in_scope(f, include_warnings))
        .filter_map(|f| f.workspace_hack.as_deref())
        .collect();
    stale.sort_unstable();
    stale.dedup();
    let edited = !plan.edits.is_empty() && !ws.generated.is_empty();
    if stale.is_empty() && !edited {
        return Vec::new();
    }
    let hacks: Vec<String> = if stale.is_empty() {
        ws.generated.clone()
    } else {
        stale.iter().map(|s| (*s).to_owned()).collect()
    };
    vec![ThenRun {
        command: ["cargo", "hakari", "generate"].map(str::to_owned).to_vec(),
        reason: crate::diags::report::regenerate_hack(&hacks, !stale.is_empty()),
    }]
}

/// What every round of planning shares: the workspace's registry, the plan's view of the
/// workspace, and the options (`--to`, `--patch-with`, the workspace's `rust-version`).
struct Planning {
    registry: registry::Registries,
    ws: plan::Workspace,
    opts: PlanOptions,
}

impl Planning {
    /// `--to` and `--patch-with` checked against the graph; candidate releases read from the
    /// workspace's registry.
    fn new(fix: &FixRequest, workspace: &input::Workspace, offline: bool) -> Result<Self, Error> {
        let graph = &workspace.graph;
        let ws = plan::Workspace::of(graph, &workspace.spans);
        let cargo = input::cargo::version(&ws.root)?;
        let registry = registry::for_workspace(&ws.root, offline, cargo)?;
        let opts = PlanOptions {
            to: target_lines(&fix.to, graph)?,
            patch_with: patch_specs(fix, &ws.root)?,
            ..PlanOptions::for_graph(graph, &workspace.opts.watch.primary, fix.include_warnings)
        };
        Ok(Planning { registry, ws, opts })
    }

    fn plan(
        &self,
        findings: &[crate::analysis::Finding],
        opts: &PlanOptions,
    ) -> Result<plan::FixPlan, Error> {
        plan::plan(findings, &self.registry, &self.ws, opts).map_err(Error::Registry)
    }
}

/// How a plan is proved: cargo's options, the request, the writer seam.
struct ProofSettings<'a> {
    cargo: &'a CargoOptions,
    fix: &'a FixRequest,
    fs: &'a dyn WriteFs,
}

/// A plan carried to a fixed point: the edits, their texts, the last proof and each round's
/// account.
struct Migration {
    plan: plan::FixPlan,
    changes: Vec<FileChange>,
    verification: Option<Verification>,
    resolved: Option<Resolved>,
    rounds: Vec<String>,
}

/// At most this many rounds of plan, resolve and analyse.
const MAX_ROUNDS: usize = 6;

/// Plans, proves the plan on a copy, and while the copy shows findings the plan has not
/// answered (a crate the moved one drags to a new line, a train left behind), plans for
/// those too, with every crate the plan moved held on the line it reached; until the proof
/// holds, nothing new appears, or a round adds nothing (what blocks it is then in the plan's
/// `unfixable`).
fn migrate(
    planning: &Planning,
    ws: &input::Workspace,
    (own, findings): (&[crate::analysis::Finding], &[crate::analysis::Finding]),
    proof: &ProofSettings<'_>,
) -> Result<Migration, Error> {
    let root = ws.graph.workspace_root().to_owned();
    let mut fix_plan = planning.plan(own, &planning.opts)?;
    let mut rounds = Vec::new();
    loop {
        let changes = edit::compute(&fix_plan.edits, &root)?;
        if fix_plan.is_empty() {
            return Ok(Migration {
                plan: fix_plan,
                changes,
                verification: None,
                resolved: None,
                rounds,
            });
        }
        let req = verify::Request {
            workspace: ws,
            findings,
            plan: &fix_plan,
            changes: &changes,
            cargo: proof.cargo,
            include_warnings: proof.fix.include_warnings,
        };
        let (verification, resolved) = prove(&req, proof.fix, proof.fs)?;
        let next = match (&verification, &resolved) {
            (Some(v), Some(r)) if !v.verified && rounds.len() + 1 < MAX_ROUNDS => {
                next_round(planning, ws, findings, r)?
            }
            _ => None,
        };
        let added = match next {
            Some((revealed, next_plan)) => (revealed, merge(&mut fix_plan, next_plan)),
            None => (Vec::new(), 0),
        };
        let (revealed, added) = added;
        if added == 0 {
            settle(&mut fix_plan, resolved.as_ref(), &planning.opts);
            return Ok(Migration {
                plan: fix_plan,
                changes,
                verification,
                resolved,
                rounds,
            });
        }
        rounds.push(format!(
            "round {}: the edited copy showed {}; {} planned for {}",
            rounds.len() + 2,
            revealed.join(", "),
            crate::report::plural(added, "more change", "more changes"),
            if added == 1 { "it" } else { "them" }
        ));
    }
}

/// What the last round's copy revealed that the plan has not answered, and the plan for it:
/// findings still there that the plan targets, and findings that were not there before (all
/// but notes), planned with every crate the plan moved held on the single line it reached.
fn next_round(
    planning: &Planning,
    ws: &input::Workspace,
    findings: &[crate::analysis::Finding],
    resolved: &Resolved,
) -> Result<Option<(Vec<String>, plan::FixPlan)>, Error> {
    use crate::analysis::Level;
    let before: std::collections::BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| (f.code.to_string(), f.krate.clone()))
        .collect();
    let revealed: Vec<crate::analysis::Finding> = resolved
        .findings
        .iter()
        .filter_map(crate::analysis::own_part)
        .filter(|f| f.caused_by.is_none() && f.level != Level::Note)
        .filter(|f| {
            !before.contains(&(f.code.to_string(), f.krate.clone()))
                || plan::in_scope(f, planning.opts.include_warnings)
        })
        .collect();
    if revealed.is_empty() {
        return Ok(None);
    }
    let mut opts = planning.opts.clone();
    opts.include_warnings = true;
    let original = crate::verify::lines_of(&ws.graph);
    for (krate, lines) in &resolved.lines {
        if let ([line], false) = (
            lines.iter().collect::<Vec<_>>().as_slice(),
            original.get(krate) == Some(lines),
        ) {
            opts.to.entry(krate.clone()).or_insert(**line);
        }
    }
    let mut by_code: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for f in &revealed {
        by_code
            .entry(f.code.to_string())
            .or_default()
            .push(&f.krate);
    }
    let names = by_code
        .into_iter()
        .map(|(code, crates)| format!("{code} {}", crates.join(", ")))
        .collect();
    Ok(Some((names, planning.plan(&revealed, &opts)?)))
}

/// Keeps of the plan's unfixable findings those the last proof still shows: a later round
/// may fix what an earlier strategy could not (the copy is the judge). What is said of the
/// `--to` the user gave stays, and without a resolved copy, all stay.
fn settle(plan: &mut plan::FixPlan, resolved: Option<&Resolved>, opts: &PlanOptions) {
    let Some(resolved) = resolved else { return };
    let left: std::collections::BTreeSet<String> = resolved
        .findings
        .iter()
        .map(|f| format!("{}:{}", f.code, f.krate))
        .collect();
    plan.unfixable.retain(|u| {
        left.contains(&u.finding) || (opts.to.contains_key(&u.krate) && u.message.contains("--to "))
    });
}

/// Adds `next`'s edits and commands to `plan`: an edit of a key the plan already edits
/// replaces its new value and reason (the value before stays the workspace's). Returns how
/// many edits and commands were added or changed.
fn merge(plan: &mut plan::FixPlan, next: plan::FixPlan) -> usize {
    let mut added = 0;
    for e in next.edits {
        // A later round that puts a key back where the workspace has it drops its edit.
        if let Some(at) = plan
            .edits
            .iter()
            .position(|p| p.target == e.target && p.from.as_deref() == Some(e.to.as_str()))
        {
            plan.edits.remove(at);
            added += 1;
            continue;
        }
        match plan.edits.iter_mut().find(|p| p.target == e.target) {
            Some(p) if p.to == e.to => {}
            Some(p) => {
                p.to = e.to;
                p.reason = e.reason;
                p.finding = e.finding;
                added += 1;
            }
            None => {
                plan.edits.push(e);
                added += 1;
            }
        }
    }
    for c in next.commands {
        if !plan.commands.contains(&c) {
            plan.commands.push(c);
            added += 1;
        }
    }
    for u in next.unfixable {
        if !plan.unfixable.contains(&u) {
            plan.unfixable.push(u);
        }
    }
    added
}

/// The cargo options of a `fix` run; the inputs and formats `fix` cannot work with are usage
/// errors.
fn cargo_options(req: &Request, fix: &FixRequest) -> Result<CargoOptions, Error> {
    let cargo = match &req.input {
        Input::Cargo(opts) => opts.clone(),
        Input::File(_) | Input::Json(_) => {
            return Err(Error::Usage(
                "`fix` edits and re-resolves the workspace itself; it cannot work from --metadata-path"
                    .to_owned(),
            ));
        }
        Input::Lockfile { .. } => {
            return Err(Error::Usage(
                "`fix` needs cargo to plan and prove edits; it cannot work from --lockfile"
                    .to_owned(),
            ));
        }
    };
    if fix.apply && (cargo.locked || cargo.frozen) {
        return Err(Error::Usage(
            "`fix --apply` must update Cargo.lock; drop --locked/--frozen".to_owned(),
        ));
    }
    Ok(cargo)
}

/// The `--to` lines by crate: a crate named twice, or one that is not in the dependency graph,
/// is a usage error.
fn target_lines(
    to: &[(String, crate::analysis::Line)],
    graph: &crate::graph::DepGraph,
) -> Result<BTreeMap<String, crate::analysis::Line>, Error> {
    let names = graph.by_name();
    let mut lines = BTreeMap::new();
    for (krate, line) in to {
        if let Some(first) = lines.insert(krate.clone(), *line) {
            return Err(Error::Usage(format!(
                "--to names {krate} twice ({krate}@{first} and {krate}@{line}); give one line per crate"
            )));
        }
        if !names.contains_key(krate.as_str()) {
            return Err(Error::Usage(format!(
                "--to {krate}@{line}: no crate named {krate} is in the dependency graph of the workspace"
            )));
        }
    }
    Ok(lines)
}

/// Renders the plan report in the requested format and writes it (stdout, or `--output`
/// through `fs`).
fn render(
    req: &Request,
    format: FixFormat,
    report: &FixReport,
    color: bool,
    out: &mut dyn Write,
    fs: &dyn WriteFs,
) -> Result<(), Error> {
    let mut buf = Vec::new();
    match format {
        FixFormat::Human if req.verbosity == crate::Verbosity::Quiet => {
            crate::report::fix::render_summary(report, &mut buf)
        }
        FixFormat::Human => crate::report::fix::render_human(report, color, &mut buf),
        FixFormat::Json => crate::report::json::render_value(report, &mut buf),
        FixFormat::Markdown => crate::report::markdown::render_fix(report, &mut buf),
    }
    .map_err(Error::Output)?;
    crate::output::emit_with(req, &buf, out, fs)?;
    Ok(())
}

/// `--patch-with` specs, a PATH (given relative to the current directory) written relative to
/// the workspace root.
fn patch_specs(fix: &FixRequest, root: &Path) -> Result<BTreeMap<String, PatchSpec>, Error> {
    let cwd = std::env::current_dir().map_err(|source| Error::Read {
        path: PathBuf::from("."),
        source,
    })?;
    Ok(fix
        .patch_with
        .iter()
        .map(|(krate, with)| {
            let spec = match with {
                PatchWith::Git(spec) => spec.clone(),
                PatchWith::Path(p) => {
                    let abs = cwd.join(p);
                    let rel = pathdiff::diff_paths(&abs, root).unwrap_or(abs);
                    PatchSpec::Path(
                        rel.components()
                            .map(|c| c.as_os_str().to_string_lossy())
                            .collect::<Vec<_>>()
                            .join("/"),
                    )
                }
            };
            (krate.clone(), spec)
        })
        .collect())
}

/// Verifies the plan on the scratch copy (or, with `--no-verify --apply`, only resolves the
/// copy for the new Cargo.lock: cargo never runs on the workspace itself to apply).
fn prove(
    req: &verify::Request<'_>,
    fix: &FixRequest,
    fs: &dyn WriteFs,
) -> Result<(Option<Verification>, Option<Resolved>), Error> {
    if !fix.no_verify {
        let (v, resolved) = verify::verify(req, fs)?;
        return Ok((Some(v), resolved));
    }
    if !fix.apply {
        return Ok((None, None));
    }
    let resolved = verify::resolve_copy(
        &req.workspace.graph,
        req.changes,
        &req.plan.commands,
        req.cargo,
        fs,
    )?
    .map_err(|stderr| Error::RefreshFailed {
        command: "metadata".to_owned(),
        stderr,
    })?;
    Ok((None, Some(resolved)))
}

/// Writes the manifests and the lockfile cargo wrote on the copy, all or nothing, after the
/// version-control check. The lockfile's "before" is what the copy was made from, so a
/// Cargo.lock changed since then is refused like a manifest changed since planning. Returns
/// whether Cargo.lock was written (cargo's resolve changed it).
fn apply(
    root: &Path,
    changes: &[FileChange],
    lockfile: Option<LockChange>,
    lock_at_start: Option<vcs::Status>,
    allow_dirty: bool,
    fs: &dyn WriteFs,
) -> Result<bool, Error> {
    let tx = Transaction {
        lockfile,
        changes: changes.to_vec(),
    };
    if !allow_dirty {
        refuse_dirty(root, &tx, lock_at_start)?;
    }
    interrupt::check(NOTHING_WRITTEN)?;
    write::commit(&tx, root, fs)?;
    // A signal that arrived while the files were replaced waited for the last one.
    interrupt::check(ALL_WRITTEN)?;
    Ok(tx.refreshes_lockfile())
}

/// Refuses, as `cargo fix` does, to write into a repository with uncommitted changes (any
/// file, untracked ones included) or a workspace not under version control. The workspace's
/// Cargo.lock counts as the user's uncommitted work only when it was already modified before
/// this run's cargo touched it: a lockfile that is untracked (cargo created it and it was never
/// committed) or that cargo rewrote during this run is cargo's output, not the user's work.
fn refuse_dirty(
    root: &Path,
    tx: &Transaction,
    lock_at_start: Option<vcs::Status>,
) -> Result<(), Error> {
    // The files the plan writes; a manifest that is a link, where its bytes are, too.
    let mut written: Vec<PathBuf> = Vec::new();
    for change in &tx.changes {
        written.push(canonical(&change.path));
        if let Ok(real) = write::resolve_links(&change.path) {
            written.push(canonical(&real));
        }
    }
    let lock = canonical(&root.join("Cargo.lock"));
    let mut dirty = match vcs::status(root, &[]) {
        vcs::Status::Clean => Vec::new(),
        vcs::Status::Dirty(dirty) => dirty,
        vcs::Status::NoVcs => {
            return Err(Error::Refused {
                path: root.to_owned(),
                reason: "the workspace is not under version control".to_owned(),
                help: Some("pass --allow-dirty to edit it anyway (as `cargo fix` asks)".to_owned()),
            });
        }
        vcs::Status::GitMissing(why) => {
            return Err(Error::Refused {
                path: root.to_owned(),
                reason: format!(
                    "git could not be run ({why}), so uncommitted changes cannot be ruled out"
                ),
                help: Some(
                    "install git or put it on PATH, or pass --allow-dirty to edit anyway"
                        .to_owned(),
                ),
            });
        }
    };
    // Cargo.lock as it is now may be cargo's work: judge it by its state at the start.
    dirty.retain(|d| canonical(&d.path) != lock);
    if let Some(vcs::Status::Dirty(at_start)) = lock_at_start {
        dirty.extend(at_start.into_iter().filter(|d| !d.untracked));
    }
    // The files the plan writes first, then Cargo.lock, then the rest of the repository.
    dirty.sort_by_key(|d| {
        let path = canonical(&d.path);
        (!written.contains(&path), path != lock)
    });
    match dirty.first() {
        None => Ok(()),
        Some(first) => {
            let planned =
                written.contains(&canonical(&first.path)) || canonical(&first.path) == lock;
            Err(dirty_error(root, &dirty, planned))
        }
    }
}

/// The refusal for `dirty` (the first one a file the plan writes when `planned`), naming the
/// first few files.
fn dirty_error(root: &Path, dirty: &[vcs::Dirty], planned: bool) -> Error {
    let real_root = canonical(root);
    let names: Vec<String> = dirty
        .iter()
        .take(5)
        .map(|d| {
            let rel = d.path.strip_prefix(&real_root).unwrap_or(&d.path);
            format!(
                "{}{}",
                rel.display(),
                if d.untracked { " (untracked)" } else { "" }
            )
        })
        .collect();
    let more = match dirty.len() - names.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let files = format!(
        "{}: {}{more}",
        crate::report::plural(dirty.len(), "file", "files"),
        names.join(", ")
    );
    let (path, reason) = if planned {
        (
            dirty[0].path.clone(),
            format!("it has uncommitted changes ({files})"),
        )
    } else {
        (
            root.to_owned(),
            format!("its repository has uncommitted changes ({files})"),
        )
    };
    Error::Refused {
        path,
        reason,
        help: Some("commit or stash the changes first, or pass --allow-dirty".to_owned()),
    }
}

/// `path` with its links resolved; as given when it does not exist (a deleted file: its
/// directory resolved).
fn canonical(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (
        path.parent().and_then(|p| p.canonicalize().ok()),
        path.file_name(),
    ) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_owned(),
    }
}
