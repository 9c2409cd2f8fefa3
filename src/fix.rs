//! `cargo etcd-deps fix`: plan, show, prove and (with `--apply`) write the edits.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::PatchWith;
use crate::error::Error;
use crate::manifest::edit::{self, EditError, FileChange, WriteFs};
use crate::metadata::{self, CargoOptions, Input};
use crate::plan::{self, PatchSpec, PlanOptions};
use crate::report::fix::{FixReport, Status};
use crate::verify;
use crate::{FixRequest, Format, Outcome, Request, exit, registry, vcs};

pub(crate) fn run(
    req: &Request,
    fix: &FixRequest,
    out: &mut dyn Write,
    color: bool,
    fs: &dyn WriteFs,
) -> Result<Outcome, Error> {
    let cargo = match &req.input {
        Input::Cargo(opts) => opts.clone(),
        Input::File(_) => {
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
    if matches!(req.format, Format::Sarif | Format::Github) {
        return Err(Error::Usage(
            "`fix` prints its plan as human, json or markdown; sarif and github are formats of `check`"
                .to_owned(),
        ));
    }
    if fix.apply && (cargo.locked || cargo.frozen) {
        return Err(Error::Usage(
            "`fix --apply` must update Cargo.lock; drop --locked/--frozen".to_owned(),
        ));
    }
    let analysed = crate::analyse(req, &fix.analysis)?;
    let analysis_opts = analysed.opts;
    // Findings an allow entry or a level setting removed are not fixed.
    let findings = crate::policy::apply(
        analysed.findings,
        &analysed.config,
        &analysis_opts.watch,
        false,
        None,
    )
    .findings;
    let graph = analysed.graph;
    let root = graph.workspace_root().to_owned();
    let registry = registry::for_workspace(&root, cargo.offline || cargo.frozen)?;

    let cwd = std::env::current_dir().map_err(|source| Error::Read {
        path: PathBuf::from("."),
        source,
    })?;
    let patch_with = fix
        .patch_with
        .iter()
        .map(|(krate, with)| {
            let spec = match with {
                PatchWith::Git(spec) => spec.clone(),
                PatchWith::Path(p) => {
                    let abs = cwd.join(p);
                    let rel = pathdiff::diff_paths(&abs, &root).unwrap_or(abs);
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
        .collect();
    let rust_version = graph
        .members()
        .iter()
        .filter_map(|&m| graph.package(m).rust_version.clone())
        .min();
    let plan_opts = PlanOptions {
        include_warnings: fix.include_warnings,
        to: fix.to.clone(),
        patch_with,
        rust_version,
        primary_lines: plan::primary_lines(&graph, &analysis_opts.watch.primary),
    };
    let ws = plan::Workspace {
        root_manifest: root.join("Cargo.toml"),
        root_manifest_rel: "Cargo.toml".to_owned(),
        root: root.clone(),
        crates_io_patch: std::fs::read_to_string(root.join("Cargo.toml"))
            .ok()
            .and_then(|text| crate::manifest::spans::crates_io_patch_section(&text)),
    };
    let fix_plan = plan::plan(&findings, &registry, &ws, &plan_opts)
        .map_err(|e| Error::Registry { message: e.message })?;
    let changes = edit::compute(&fix_plan.edits, &root).map_err(edit_error)?;

    let verification = if fix.no_verify || fix_plan.is_empty() {
        None
    } else {
        Some(verify::verify(
            &graph,
            &findings,
            &fix_plan,
            &changes,
            &cargo,
            &analysis_opts,
            fix.include_warnings,
        )?)
    };
    let verified = verification.as_ref().is_some_and(|v| v.verified);

    let status = if fix_plan.is_empty() {
        Status::NothingToDo
    } else if !fix.apply {
        Status::Pending
    } else if !verified && !fix.no_verify {
        Status::NotVerified
    } else {
        apply(
            &root,
            &changes,
            &fix_plan.commands,
            &cargo,
            fix.allow_dirty,
            fs,
        )?;
        Status::Applied
    };

    let complete = fix_plan.unfixable.is_empty();
    let report = FixReport::new(fix_plan, &changes, verification, status);
    let mut buf = Vec::new();
    match req.format {
        Format::Human => crate::report::fix::render_human(&report, color, &mut buf),
        Format::Json => crate::report::json::render_value(&report, &mut buf),
        Format::Markdown => crate::report::markdown::render_fix(&report, &mut buf),
        Format::Sarif | Format::Github => unreachable!("refused above"),
    }
    .map_err(Error::Output)?;
    crate::emit(req, &buf, out)?;

    let ok = complete && matches!(status, Status::NothingToDo | Status::Applied);
    Ok(Outcome {
        exit_code: if ok { exit::OK } else { exit::GATE_FAILED },
    })
}

/// Writes the verified changes and refreshes Cargo.lock with cargo; on any failure every
/// manifest and the lockfile end as they were.
fn apply(
    root: &Path,
    changes: &[FileChange],
    commands: &[Vec<String>],
    cargo: &CargoOptions,
    allow_dirty: bool,
    fs: &dyn WriteFs,
) -> Result<(), Error> {
    let lock_path = root.join("Cargo.lock");
    if !allow_dirty {
        let mut files: Vec<PathBuf> = changes.iter().map(|c| c.path.clone()).collect();
        if lock_path.exists() {
            files.push(lock_path.clone());
        }
        match vcs::status(root, &files) {
            vcs::Status::Clean => {}
            vcs::Status::Dirty(dirty) => {
                return Err(Error::Refused {
                    path: root.join(&dirty[0]),
                    reason: format!(
                        "it has uncommitted changes ({} file{} in all)",
                        dirty.len(),
                        if dirty.len() == 1 { "" } else { "s" }
                    ),
                    help: Some(
                        "commit or stash the changes first, or pass --allow-dirty".to_owned(),
                    ),
                });
            }
            vcs::Status::NoVcs => {
                return Err(Error::Refused {
                    path: root.to_owned(),
                    reason: "the workspace is not under version control".to_owned(),
                    help: Some(
                        "pass --allow-dirty to edit it anyway (as `cargo fix` asks)".to_owned(),
                    ),
                });
            }
        }
    }
    let lock_before = std::fs::read(&lock_path).ok();
    edit::commit(changes, root, fs).map_err(edit_error)?;

    // Refresh the lockfile: the planned `cargo update` commands, then a resolve.
    let manifest = root.join("Cargo.toml");
    let refreshed = commands
        .iter()
        .try_for_each(|argv| metadata::cargo_at(&argv[1..], &manifest, root, cargo))
        .and_then(|()| metadata::metadata_at(&manifest, root, cargo, "the edited workspace"));
    if let Err(err) = refreshed {
        let mut failures = edit::restore(changes, fs);
        match &lock_before {
            Some(bytes) => {
                if let Err(e) = fs.write(&lock_path, bytes) {
                    failures.push((lock_path.clone(), e));
                }
            }
            None => {
                let _ = std::fs::remove_file(&lock_path);
            }
        }
        if let Some((path, source)) = failures.into_iter().next() {
            return Err(Error::Write { path, source });
        }
        return Err(match err {
            Error::CargoFailed {
                command, stderr, ..
            } => Error::RefreshFailed { command, stderr },
            other => other,
        });
    }
    Ok(())
}

fn edit_error(e: EditError) -> Error {
    match e {
        EditError::Read { path, source } => Error::Read { path, source },
        EditError::Parse { path, message } | EditError::NotFound { path, message } => {
            Error::Edit { path, message }
        }
        EditError::Changed { path } => Error::Refused {
            path,
            reason: "it changed since the plan was made".to_owned(),
            help: Some("run `cargo etcd-deps fix` again".to_owned()),
        },
        EditError::ReadOnly { path } => Error::Refused {
            path,
            reason: "its permissions say read-only".to_owned(),
            help: Some("make it writable, or edit it by hand".to_owned()),
        },
        EditError::OutsideRoot { path } => Error::Refused {
            path,
            reason: "it lies outside the workspace root".to_owned(),
            help: None,
        },
        EditError::Write {
            path,
            source,
            restore_failures,
        } => match restore_failures.into_iter().next() {
            Some((p, e)) => Error::Write {
                path: p,
                source: std::io::Error::new(
                    e.kind(),
                    format!(
                        "{e} (while restoring after a failed write of {}: {source})",
                        path.display()
                    ),
                ),
            },
            None => Error::Write { path, source },
        },
    }
}
