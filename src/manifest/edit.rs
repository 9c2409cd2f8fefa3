//! Manifest edits: what to change ([`Edit`], [`EditTarget`], [`PatchSpec`], the data a fix
//! plan is made of) and the new texts: each manifest is read as it is on disk and edited in
//! memory.
//!
//! toml_edit changes only the edited value (its quoting, whitespace and comments are kept);
//! what toml_edit itself does not keep (a UTF-8 byte order mark, CRLF line endings, a missing
//! final newline) is put back line by line, so every byte outside the edited value is the
//! user's. Each new text is re-parsed. Writing is `super::write`'s: all or nothing, through
//! the [`WriteFs`] seam.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cargo_platform::Platform;
use serde::Serialize;
use toml_edit::{DocumentMut, Item, Table, Value};

use super::document::{self, Section, TableAt};
use crate::graph::Kind;

pub use super::write::{AtomicFs, WriteFs};

/// One planned change to a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The manifest, relative to the workspace root.
    pub manifest: String,
    /// The table as written (`dependencies`, `target.'cfg(unix)'.dependencies`,
    /// `workspace.dependencies`, `patch.crates-io`).
    pub table: String,
    /// The key as written (renames kept).
    pub key: String,
    /// The requirement before (`null` for a new `[patch]` entry).
    pub from: Option<String>,
    /// The requirement after, or the patch entry.
    pub to: String,
    pub reason: String,
    /// The finding this edit fixes: `code:crate`.
    pub finding: String,
    /// The declaration's `features` after the edit, when a feature the new release lacks is
    /// renamed (`["tls"]` → `["tls-ring"]`); `None`: as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    /// Where the edit goes, for the writer.
    #[serde(skip)]
    pub target: EditTarget,
}

/// Where an edit goes in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditTarget {
    /// A dependency requirement: in `[workspace.dependencies]`, or in the table for this kind
    /// (under `[target.<platform>]` when given).
    Requirement {
        manifest: PathBuf,
        workspace: bool,
        kind: Kind,
        platform: Option<String>,
        key: String,
    },
    /// A new dependency `key = "<to>"`, in the table for this kind (under
    /// `[target.<platform>]` when given): the crate a feature became (`tonic-prost`). Nothing
    /// is written when the table already declares the key.
    Add {
        manifest: PathBuf,
        kind: Kind,
        platform: Option<String>,
        key: String,
    },
    /// A `[patch.<registry>]` entry in the root manifest.
    Patch {
        manifest: PathBuf,
        registry: String,
        krate: String,
        spec: PatchSpec,
    },
}

/// Where a `[patch]` entry points.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PatchSpec {
    /// A path, relative to the workspace root, written with `/`.
    Path(String),
    /// A git repository, with an optional `rev`, `branch` or `tag`.
    Git {
        url: String,
        reference: Option<(String, String)>,
    },
}

impl PatchSpec {
    /// The inline table as written in the manifest: `{ path = "forks/tonic" }`.
    pub fn to_toml(&self) -> String {
        match self {
            PatchSpec::Path(p) => format!("{{ path = {} }}", quote(p)),
            PatchSpec::Git { url, reference } => match reference {
                None => format!("{{ git = {} }}", quote(url)),
                Some((k, v)) => format!("{{ git = {}, {k} = {} }}", quote(url), quote(v)),
            },
        }
    }

    /// Reads a cargo git source id (`git+URL?branch=x#rev`) as a patch pointing at it.
    pub fn from_git_source(source: &str) -> Option<PatchSpec> {
        let rest = source.strip_prefix("git+")?;
        let (url_query, rev) = match rest.split_once('#') {
            Some((u, r)) => (u, Some(r)),
            None => (rest, None),
        };
        let (url, query) = match url_query.split_once('?') {
            Some((u, q)) => (u, Some(q)),
            None => (url_query, None),
        };
        let reference = match query.and_then(|q| q.split_once('=')) {
            Some((k, v)) if ["branch", "tag", "rev"].contains(&k) => {
                Some((k.to_owned(), v.to_owned()))
            }
            _ => rev.map(|r| ("rev".to_owned(), r.to_owned())),
        };
        Some(PatchSpec::Git {
            url: url.to_owned(),
            reference,
        })
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One file's planned change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub path: PathBuf,
    /// Relative to the workspace root, with `/`.
    pub rel: String,
    pub before: String,
    pub after: String,
}

impl FileChange {
    /// A unified diff of the change (`--- a/… +++ b/…`).
    pub fn diff(&self) -> String {
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", self.rel), &format!("b/{}", self.rel))
            .to_string()
    }
}

/// Why an edit could not be computed or written. The tool reports it as the [`crate::Error`]
/// it converts into (a refusal, a read or write error, an edit error), which keeps the cause.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The manifest could not be read.
    #[error("could not read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The manifest is not valid TOML, the edited text would not be, or the key the plan
    /// names is not where the plan says.
    #[error("cannot edit {}", path.display())]
    Text {
        path: PathBuf,
        #[source]
        source: TextError,
    },
    /// The file changed between planning and writing.
    #[error("{} changed since the plan was made", path.display())]
    Changed { path: PathBuf },
    /// The file's mode bits say read-only.
    #[error("{} is read-only", path.display())]
    ReadOnly { path: PathBuf },
    /// The file lies outside the workspace root.
    #[error("{} lies outside the workspace root", path.display())]
    OutsideRoot { path: PathBuf },
    /// Writing failed; every file written before was restored, but for `restore_failures`.
    #[error("could not write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
        restore_failures: Vec<(PathBuf, io::Error)>,
    },
}

impl From<EditError> for crate::Error {
    fn from(e: EditError) -> Self {
        use crate::Error;
        let refused = |path, reason: &str, help: Option<&str>| Error::Refused {
            path,
            reason: reason.to_owned(),
            help: help.map(str::to_owned),
        };
        match e {
            EditError::Read { path, source } => Error::Read { path, source },
            EditError::Text { path, source } => Error::Edit {
                path,
                source: source.into(),
            },
            EditError::Changed { path } => refused(
                path,
                "it changed since the plan was made",
                Some("run `cargo etcd-deps fix` again"),
            ),
            EditError::ReadOnly { path } => refused(
                path,
                "its permissions say read-only",
                Some("make it writable, or edit it by hand"),
            ),
            EditError::OutsideRoot { path } => {
                refused(path, "it lies outside the workspace root", None)
            }
            EditError::Write {
                path,
                source,
                restore_failures,
            } => match restore_failures.into_iter().next() {
                Some((restoring, e)) => Error::Restore {
                    path: restoring,
                    source: e,
                    failed: path,
                    write_error: source,
                },
                None => Error::Write { path, source },
            },
        }
    }
}

/// Computes the new text of every manifest the edits touch. Nothing is written.
pub fn compute(edits: &[Edit], root: &Path) -> Result<Vec<FileChange>, EditError> {
    let mut by_manifest: BTreeMap<&Path, Vec<&Edit>> = BTreeMap::new();
    for edit in edits {
        let path = match &edit.target {
            EditTarget::Requirement { manifest, .. }
            | EditTarget::Add { manifest, .. }
            | EditTarget::Patch { manifest, .. } => manifest.as_path(),
        };
        by_manifest.entry(path).or_default().push(edit);
    }
    let mut out = Vec::new();
    for (path, edits) in by_manifest {
        let path = path.to_owned();
        let before = std::fs::read_to_string(&path).map_err(|source| EditError::Read {
            path: path.clone(),
            source,
        })?;
        let after = edit_text(&before, edits).map_err(|source| EditError::Text {
            path: path.clone(),
            source,
        })?;
        if after != before {
            out.push(FileChange {
                rel: crate::location::relative(root, &path),
                path,
                before,
                after,
            });
        }
    }
    Ok(out)
}

/// Why a manifest's text could not be edited.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// The text is not TOML.
    #[error("it is not valid TOML")]
    Parse(#[source] toml_edit::TomlError),
    /// The edited text would not be TOML.
    #[error("the edited text does not parse")]
    Edited(#[source] toml_edit::TomlError),
    /// The key an edit names is not where it says.
    #[error("{0}")]
    NotFound(String),
}

/// Applies `edits` to a manifest's text: only the edited values change; what toml_edit does
/// not keep (a byte order mark, CRLF line endings, a missing final newline) is put back; the
/// result re-parses.
pub fn edit_text<'a>(
    text: &str,
    edits: impl IntoIterator<Item = &'a Edit>,
) -> Result<String, TextError> {
    let mut doc = DocumentMut::from_str(&normalized(text)).map_err(TextError::Parse)?;
    for edit in edits {
        apply(&mut doc, edit).map_err(TextError::NotFound)?;
    }
    let after = keep_layout(text, &doc.to_string());
    // Re-parse: an edit must never produce a manifest cargo cannot read.
    DocumentMut::from_str(&normalized(&after)).map_err(TextError::Edited)?;
    Ok(after)
}

/// The text toml_edit parses: no byte order mark, LF line endings.
fn normalized(text: &str) -> String {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    body.split_inclusive('\n')
        .map(|line| match line.strip_suffix("\r\n") {
            Some(l) => format!("{l}\n"),
            None => line.to_owned(),
        })
        .collect()
}

/// `edited` (toml_edit's output for `normalized(original)`) with the original's layout: the
/// byte order mark, every unchanged line exactly as it was (its own line ending included),
/// new lines ending as most of the file's lines do, and no final newline if there was none.
fn keep_layout(original: &str, edited: &str) -> String {
    let (bom, body) = match original.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", original),
    };
    let old_lines: Vec<&str> = body.split_inclusive('\n').collect();
    let crlf = old_lines.iter().filter(|l| l.ends_with("\r\n")).count();
    let newline = if crlf * 2 > old_lines.len() {
        "\r\n"
    } else {
        "\n"
    };
    let before = normalized(original);
    let new_lines: Vec<&str> = edited.split_inclusive('\n').collect();
    let mut out = String::with_capacity(original.len() + 16);
    out.push_str(bom);
    for op in similar::capture_diff_slices(
        similar::Algorithm::Myers,
        &before.split_inclusive('\n').collect::<Vec<_>>(),
        &new_lines,
    ) {
        match op {
            similar::DiffOp::Equal { old_index, len, .. } => {
                old_lines[old_index..old_index + len]
                    .iter()
                    .for_each(|l| out.push_str(l));
            }
            similar::DiffOp::Delete { .. } => {}
            similar::DiffOp::Insert {
                new_index, new_len, ..
            }
            | similar::DiffOp::Replace {
                new_index, new_len, ..
            } => {
                for line in &new_lines[new_index..new_index + new_len] {
                    match line.strip_suffix('\n') {
                        Some(l) => {
                            out.push_str(l);
                            out.push_str(newline);
                        }
                        None => out.push_str(line),
                    }
                }
            }
        }
    }
    if !body.is_empty() && !body.ends_with('\n') {
        let trimmed = out.strip_suffix(newline).map(str::len);
        if let Some(len) = trimmed {
            out.truncate(len);
        }
    }
    out
}

/// Applies one edit to a parsed manifest.
pub fn apply(doc: &mut DocumentMut, edit: &Edit) -> Result<(), String> {
    match &edit.target {
        EditTarget::Requirement {
            workspace,
            kind,
            platform,
            key,
            ..
        } => {
            let section = if *workspace {
                Section::Workspace
            } else {
                Section::Package(*kind)
            };
            let at = declaring_table(doc.as_table(), section, platform.as_deref(), key)?;
            let item = document::table_mut(doc.as_table_mut(), &at)
                .and_then(|table| table.get_mut(key))
                .ok_or_else(|| format!("no `{key}` in [{}]", edit.table))?;
            set_requirement(item, &edit.to)
                .and_then(|()| match &edit.features {
                    Some(features) => set_features(item, features),
                    None => Ok(()),
                })
                .map_err(|m| format!("`{key}` in [{}]: {m}", edit.table))
        }
        EditTarget::Add {
            kind,
            platform,
            key,
            ..
        } => add_dependency(doc, (*kind, platform.as_deref()), key, &edit.to),
        EditTarget::Patch {
            registry,
            krate,
            spec,
            ..
        } => {
            let registry = registry.trim_matches('\'');
            let patch = doc
                .as_table_mut()
                .entry("patch")
                .or_insert_with(|| {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    Item::Table(t)
                })
                .as_table_like_mut()
                .ok_or("`patch` is not a table")?;
            let section = patch
                .entry(registry)
                .or_insert_with(|| Item::Table(Table::new()))
                .as_table_like_mut()
                .ok_or_else(|| format!("`patch.{registry}` is not a table"))?;
            let value = Value::from_str(&spec.to_toml()).map_err(|e| e.to_string())?;
            section.insert(krate, Item::Value(value));
            Ok(())
        }
    }
}

/// The table that declares `key` in `section` (under `[target.<platform>]` when given), as the
/// walker finds it; when none does, the first such table, or why there is none.
fn declaring_table(
    root: &Table,
    section: Section,
    platform: Option<&str>,
    key: &str,
) -> Result<TableAt, String> {
    if let Some(entry) = document::find(root, section, platform, key) {
        return Ok(entry.table.at());
    }
    let wanted = platform
        .map(Platform::from_str)
        .transpose()
        .map_err(|e| e.to_string())?;
    if let Some(table) = document::tables(root).find(|t| t.declares(section, wanted.as_ref())) {
        return Ok(table.at());
    }
    Err(match (section, platform) {
        (Section::Workspace, _) => "no [workspace.dependencies] table".to_owned(),
        (Section::Package(kind), None) => format!("no [{}] table", document::table_names(kind)[0]),
        (Section::Package(kind), Some(p)) => {
            format!("no [target.'{p}'.{}] table", document::table_names(kind)[0])
        }
    })
}

/// Adds `key = "req"` to the table declaring `kind` dependencies (under `[target.<platform>]`
/// when given), creating the table after the others when there is none; a key already there
/// is left as it is.
fn add_dependency(
    doc: &mut DocumentMut,
    (kind, platform): (Kind, Option<&str>),
    key: &str,
    req: &str,
) -> Result<(), String> {
    let section = Section::Package(kind);
    let table: &mut dyn toml_edit::TableLike =
        match declaring_table(doc.as_table(), section, platform, key) {
            Ok(at) => document::table_mut(doc.as_table_mut(), &at)
                .ok_or_else(|| format!("the table for `{key}` cannot be edited"))?,
            Err(_) => {
                let name = document::table_names(kind)[0];
                let scope = match platform {
                    None => doc.as_table_mut(),
                    Some(p) => doc
                        .as_table_mut()
                        .entry("target")
                        .or_insert_with(|| {
                            let mut t = Table::new();
                            t.set_implicit(true);
                            Item::Table(t)
                        })
                        .as_table_mut()
                        .ok_or("`target` is not a table")?
                        .entry(p)
                        .or_insert_with(|| {
                            let mut t = Table::new();
                            t.set_implicit(true);
                            Item::Table(t)
                        })
                        .as_table_mut()
                        .ok_or_else(|| format!("`target.{p}` is not a table"))?,
                };
                scope
                    .entry(name)
                    .or_insert_with(|| Item::Table(Table::new()))
                    .as_table_like_mut()
                    .ok_or_else(|| format!("`{name}` is not a table"))?
            }
        };
    if table.get(key).is_none() {
        table.insert(key, Item::Value(Value::from(req)));
    }
    Ok(())
}

/// Sets the `features` of a dependency entry written as a table (a bare string has none to
/// rename).
fn set_features(item: &mut Item, features: &[String]) -> Result<(), String> {
    let mut array = toml_edit::Array::new();
    for f in features {
        array.push(f.as_str());
    }
    match item {
        Item::Value(Value::InlineTable(t)) => {
            let decor = t.get("features").map(|v| v.decor().clone());
            let mut value = Value::Array(array);
            if let Some(decor) = decor {
                *value.decor_mut() = decor;
            }
            t.insert("features", value);
            Ok(())
        }
        Item::Table(t) => {
            t.insert("features", Item::Value(Value::Array(array)));
            Ok(())
        }
        _ => Err("no `features` to rename".to_owned()),
    }
}

/// Sets the version requirement of a dependency entry, keeping its form: a bare string, an
/// inline table's `version`, or a `[dependencies.x]` table's `version`.
fn set_requirement(item: &mut Item, new: &str) -> Result<(), String> {
    match item {
        Item::Value(v @ Value::String(_)) => replace_string(v, new),
        Item::Value(Value::InlineTable(t)) => {
            let v = t.get_mut("version").ok_or("no `version` key")?;
            replace_string(v, new)
        }
        Item::Table(t) => {
            let v = t
                .get_mut("version")
                .and_then(Item::as_value_mut)
                .ok_or("no `version` key")?;
            replace_string(v, new)
        }
        _ => Err("not a dependency entry".to_owned()),
    }
}

/// Replaces a string value with `new`, keeping its quote style and surrounding decor.
fn replace_string(value: &mut Value, new: &str) -> Result<(), String> {
    let Value::String(old) = &*value else {
        return Err("`version` is not a string".to_owned());
    };
    let raw = old
        .as_repr()
        .and_then(|r| r.as_raw().as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("\"{}\"", old.value()));
    let quote = if raw.starts_with("'''") {
        "'''"
    } else if raw.starts_with("\"\"\"") {
        "\"\"\""
    } else if raw.starts_with('\'') {
        "'"
    } else {
        "\""
    };
    let mut replacement =
        Value::from_str(&format!("{quote}{new}{quote}")).map_err(|e| e.to_string())?;
    *replacement.decor_mut() = old.decor().clone();
    *value = replacement;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(table: &str, key: &str, to: &str, target: EditTarget) -> Edit {
        Edit {
            manifest: "Cargo.toml".to_owned(),
            table: table.to_owned(),
            key: key.to_owned(),
            from: None,
            to: to.to_owned(),
            reason: String::new(),
            finding: String::new(),
            features: None,
            target,
        }
    }

    fn req(kind: Kind, platform: Option<&str>, workspace: bool, key: &str) -> EditTarget {
        EditTarget::Requirement {
            manifest: PathBuf::from("Cargo.toml"),
            workspace,
            kind,
            platform: platform.map(str::to_owned),
            key: key.to_owned(),
        }
    }

    fn edited(text: &str, e: &Edit) -> String {
        let mut doc = DocumentMut::from_str(text).expect("parses");
        apply(&mut doc, e).expect("applies");
        doc.to_string()
    }

    fn add(kind: Kind, platform: Option<&str>, key: &str) -> Edit {
        let table = document::table_names(kind)[0];
        edit(
            table,
            key,
            "0.14",
            EditTarget::Add {
                manifest: PathBuf::from("Cargo.toml"),
                kind,
                platform: platform.map(str::to_owned),
                key: key.to_owned(),
            },
        )
    }

    #[test]
    fn a_new_dependency_joins_its_table_or_starts_one_and_never_replaces_a_key() {
        let text = "[package]\nname = 'api'\n\n[dependencies]\ntonic = '0.14' # grpc\n";
        assert_eq!(
            edited(text, &add(Kind::Normal, None, "tonic-prost")),
            "[package]\nname = 'api'\n\n[dependencies]\ntonic = '0.14' # grpc\ntonic-prost = \"0.14\"\n"
        );
        let built = edited(text, &add(Kind::Build, None, "tonic-prost-build"));
        assert!(
            built.ends_with("[build-dependencies]\ntonic-prost-build = \"0.14\"\n"),
            "{built}"
        );
        let unix = edited(text, &add(Kind::Normal, Some("cfg(unix)"), "tonic-prost"));
        assert!(
            unix.contains("[target.'cfg(unix)'.dependencies]\ntonic-prost = \"0.14\"\n")
                || unix.contains("[target.\"cfg(unix)\".dependencies]\ntonic-prost = \"0.14\"\n"),
            "{unix}"
        );
        let kept = "[dependencies]\ntonic-prost = { version = '0.14.1' }\n";
        assert_eq!(edited(kept, &add(Kind::Normal, None, "tonic-prost")), kept);
    }

    #[test]
    fn renamed_features_replace_the_list_and_keep_the_rest_of_the_entry() {
        let text = "[dependencies]\ntonic = { version = \"0.12\", features = [\"tls\"], default-features = false } # x\n";
        let mut e = edit(
            "dependencies",
            "tonic",
            "0.13",
            EditTarget::Requirement {
                manifest: PathBuf::from("Cargo.toml"),
                workspace: false,
                kind: Kind::Normal,
                platform: None,
                key: "tonic".to_owned(),
            },
        );
        e.features = Some(vec!["tls-ring".to_owned()]);
        assert_eq!(
            edited(text, &e),
            "[dependencies]\ntonic = { version = \"0.13\", features = [\"tls-ring\"], default-features = false } # x\n"
        );
    }

    #[test]
    fn bare_string_keeps_quotes_and_comment() {
        let text = "[dependencies]\netcd-client = '0.11'   # pinned\ntonic = \"0.12\"\n";
        let e = edit(
            "dependencies",
            "etcd-client",
            "0.14",
            req(Kind::Normal, None, false, "etcd-client"),
        );
        assert_eq!(
            edited(text, &e),
            "[dependencies]\netcd-client = '0.14'   # pinned\ntonic = \"0.12\"\n"
        );
    }

    #[test]
    fn inline_table_keeps_other_keys() {
        let text = "[dependencies]\netcd = { package = \"etcd-client\", version = \"0.11\", features = [\"tls\"] }\n";
        let e = edit(
            "dependencies",
            "etcd",
            "0.14",
            req(Kind::Normal, None, false, "etcd"),
        );
        assert_eq!(
            edited(text, &e),
            "[dependencies]\netcd = { package = \"etcd-client\", version = \"0.14\", features = [\"tls\"] }\n"
        );
    }

    #[test]
    fn header_table_and_target_table() {
        let text = "[target.'cfg(unix)'.dependencies.etcd-client]\nversion = \"=0.11.1\" # exact\noptional = true\n";
        let e = edit(
            "target.'cfg(unix)'.dependencies",
            "etcd-client",
            "=0.14.0",
            req(Kind::Normal, Some("cfg(unix)"), false, "etcd-client"),
        );
        assert_eq!(
            edited(text, &e),
            "[target.'cfg(unix)'.dependencies.etcd-client]\nversion = \"=0.14.0\" # exact\noptional = true\n"
        );
    }

    #[test]
    fn workspace_dependencies() {
        let text =
            "[workspace]\nmembers = []\n\n[workspace.dependencies]\netcd-client = \"0.11\"\n";
        let e = edit(
            "workspace.dependencies",
            "etcd-client",
            "0.14",
            req(Kind::Normal, None, true, "etcd-client"),
        );
        assert_eq!(
            edited(text, &e),
            "[workspace]\nmembers = []\n\n[workspace.dependencies]\netcd-client = \"0.14\"\n"
        );
    }

    /// `[patch.crates-io] tonic = { path = "forks/tonic" }`.
    fn tonic_patch() -> Edit {
        edit(
            "patch.crates-io",
            "tonic",
            "",
            EditTarget::Patch {
                manifest: PathBuf::from("Cargo.toml"),
                registry: "crates-io".to_owned(),
                krate: "tonic".to_owned(),
                spec: PatchSpec::Path("forks/tonic".to_owned()),
            },
        )
    }

    #[test]
    fn patch_section_is_added_at_the_end() {
        let text =
            "[package]\nname = \"app\"\n\n[dependencies]\ntonic = { path = \"forks/tonic\" }\n";
        let e = tonic_patch();
        assert_eq!(
            edited(text, &e),
            "[package]\nname = \"app\"\n\n[dependencies]\ntonic = { path = \"forks/tonic\" }\n\n[patch.crates-io]\ntonic = { path = \"forks/tonic\" }\n"
        );
    }

    fn edited_keeping_layout(text: &str, e: &Edit) -> String {
        edit_text(text, [e]).expect("edits")
    }

    #[test]
    fn bytes_outside_the_value_are_kept_bom_crlf_trailing_space_final_newline() {
        let e = edit(
            "dependencies",
            "etcd-client",
            "0.14",
            req(Kind::Normal, None, false, "etcd-client"),
        );
        let cases = [
            // CRLF throughout, with trailing whitespace.
            (
                "[package]\r\nname = \"a\"   \r\n\r\n[dependencies]\r\netcd-client = \"0.11\"\t\r\n",
                "[package]\r\nname = \"a\"   \r\n\r\n[dependencies]\r\netcd-client = \"0.14\"\t\r\n",
            ),
            // A byte order mark and no final newline.
            (
                "\u{feff}[dependencies]\netcd-client = \"0.11\"",
                "\u{feff}[dependencies]\netcd-client = \"0.14\"",
            ),
            // Mixed endings: each unchanged line keeps its own.
            (
                "[dependencies]\r\ntokio = \"1\"\netcd-client = \"0.11\"\r\nx = 1 \n",
                "[dependencies]\r\ntokio = \"1\"\netcd-client = \"0.14\"\nx = 1 \n",
            ),
            // BOM and CRLF together, a comment after the value.
            (
                "\u{feff}[dependencies]\r\netcd-client = '0.11' # pinned\r\n",
                "\u{feff}[dependencies]\r\netcd-client = '0.14' # pinned\r\n",
            ),
        ];
        for (before, after) in cases {
            assert_eq!(edited_keeping_layout(before, &e), after, "{before:?}");
        }
    }

    #[test]
    fn an_added_patch_section_uses_the_files_line_ending() {
        let text = "[package]\r\nname = \"app\"\r\n\r\n[dependencies]\r\ntonic = \"0.12\"";
        let e = tonic_patch();
        let after = edited_keeping_layout(text, &e);
        assert!(after.starts_with(text), "{after:?}");
        assert!(!after.replace("\r\n", "").contains('\n'), "{after:?}");
        assert!(
            after.contains("[patch.crates-io]\r\ntonic = { path = \"forks/tonic\" }"),
            "{after:?}"
        );
        assert!(
            !after.ends_with('\n'),
            "no final newline, as before: {after:?}"
        );
    }

    #[test]
    fn missing_key_is_an_error() {
        let mut doc = DocumentMut::from_str("[dependencies]\n").expect("parses");
        let e = edit(
            "dependencies",
            "tonic",
            "0.12",
            req(Kind::Normal, None, false, "tonic"),
        );
        assert!(apply(&mut doc, &e).is_err());
    }
}

#[cfg(test)]
mod properties {
    //! Random manifest layouts: an edit changes exactly the requirement's characters, and the
    //! result parses.

    use super::*;
    use proptest::prelude::*;

    /// A generated manifest, the edit to make, and where the requirement's characters are.
    #[derive(Debug, Clone)]
    struct Case {
        text: String,
        target: EditTarget,
        table: String,
        key: String,
        req_span: (usize, usize),
    }

    fn ws() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", " ", "  ", "\t"]).prop_map(str::to_owned)
    }

    fn comment() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", " # pinned", "   # keep in step with tonic", "#x"])
            .prop_map(str::to_owned)
    }

    /// Other entries around the edited one (each at most once, so keys stay unique).
    fn filler(side: &'static str) -> impl Strategy<Value = String> {
        let lines = vec![
            format!("serde-{side} = \"1\"\n"),
            "# a comment line\n".to_owned(),
            "\n".to_owned(),
            format!("anyhow-{side} = {{ version = \"1.0\", default-features = false }}\n"),
            format!("tokio-{side}.workspace = true\n"),
        ];
        prop::sample::subsequence(lines, 0..4).prop_map(|v| v.concat())
    }

    fn case() -> impl Strategy<Value = Case> {
        (
            0usize..6,
            prop::sample::select(vec![Kind::Normal, Kind::Build, Kind::Dev]),
            prop::sample::select(vec!["\"", "'"]),
            prop::sample::select(vec!["0.11", "^0.11.1", "=0.11.1", "~0.11", ">=0.9, <0.12"]),
            prop::sample::select(vec!["etcd-client", "etcd", "tonic_health"]),
            (
                ws(),
                ws(),
                comment(),
                filler("a"),
                filler("b"),
                any::<bool>(),
            ),
        )
            .prop_map(
                |(shape, kind, q, req, key, (w1, w2, c, before, after, crlf_free))| {
                    let table_name = match kind {
                        Kind::Normal => "dependencies",
                        Kind::Build => "build-dependencies",
                        Kind::Dev => "dev-dependencies",
                    };
                    let mut text = String::from(
                        "# top comment\n[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n",
                    );
                    let quoted = |text: &mut String| -> (usize, usize) {
                        text.push_str(q);
                        let start = text.len();
                        text.push_str(req);
                        let end = text.len();
                        text.push_str(q);
                        (start, end)
                    };
                    let (workspace, platform, table) = match shape {
                        4 => (true, None, "workspace.dependencies".to_owned()),
                        5 => (
                            false,
                            Some("cfg(unix)".to_owned()),
                            format!("target.'cfg(unix)'.{table_name}"),
                        ),
                        _ => (false, None, table_name.to_owned()),
                    };
                    let header = match shape {
                        4 => "[workspace]\nmembers = []\n\n[workspace.dependencies]".to_owned(),
                        5 => format!("[target.'cfg(unix)'.{table_name}]"),
                        _ => format!("[{table_name}]"),
                    };
                    let span;
                    match shape {
                        // key = "req" # comment
                        0 | 4 | 5 => {
                            text.push_str(&format!("{header}\n{before}{key}{w1}={w2}"));
                            span = quoted(&mut text);
                            text.push_str(&format!("{c}\n{after}"));
                        }
                        // key = { …, version = "req", … }
                        1 => {
                            text.push_str(&format!("{header}\n{before}{key} = {{{w1}"));
                            if crlf_free {
                                text.push_str("features = [\"tls\"],");
                                text.push_str(&w2);
                            }
                            text.push_str("version = ");
                            span = quoted(&mut text);
                            text.push_str(&format!(",{w2}optional = true{w1}}}{c}\n{after}"));
                        }
                        // [dependencies.key] version = "req"
                        2 => {
                            text.push_str(&format!(
                                "{header}\n{before}\n[{table_name}.{key}]{c}\nversion{w1}={w2}"
                            ));
                            span = quoted(&mut text);
                            text.push_str("\nfeatures = [\"tls\"]\n");
                        }
                        // key.version = "req"
                        _ => {
                            text.push_str(&format!("{header}\n{before}{key}.version{w1}={w2}"));
                            span = quoted(&mut text);
                            text.push_str(&format!("{c}\n{key}.optional = true\n{after}"));
                        }
                    }
                    text.push_str("\n[features]\ndefault = []\n");
                    Case {
                        text,
                        target: EditTarget::Requirement {
                            manifest: PathBuf::from("Cargo.toml"),
                            workspace,
                            kind,
                            platform,
                            key: key.to_owned(),
                        },
                        table,
                        key: key.to_owned(),
                        req_span: span,
                    }
                },
            )
    }

    impl Case {
        /// The edit of the case: its requirement to "0.14".
        fn edit(&self) -> Edit {
            Edit {
                manifest: "Cargo.toml".to_owned(),
                table: self.table.clone(),
                key: self.key.clone(),
                from: None,
                to: "0.14".to_owned(),
                reason: String::new(),
                finding: String::new(),
                features: None,
                target: self.target.clone(),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn an_edit_changes_only_the_requirement(case in case()) {
            let edit = case.edit();
            let mut doc = DocumentMut::from_str(&case.text).expect("generated manifests parse");
            apply(&mut doc, &edit).map_err(|e| TestCaseError::fail(format!("{e}\n{}", case.text)))?;
            let after = doc.to_string();
            let (start, end) = case.req_span;
            let expected = format!("{}0.14{}", &case.text[..start], &case.text[end..]);
            prop_assert_eq!(&after, &expected);
            prop_assert!(DocumentMut::from_str(&after).is_ok());
        }

        #[test]
        fn an_edit_keeps_bom_and_crlf_byte_for_byte(
            case in case(),
            bom in any::<bool>(),
            crlf in any::<bool>(),
        ) {
            // The same layouts, as a Windows editor may save them.
            let dress = |text: &str| {
                let body = if crlf { text.replace('\n', "\r\n") } else { text.to_owned() };
                if bom { format!("\u{feff}{body}") } else { body }
            };
            let edit = case.edit();
            let after = edit_text(&dress(&case.text), [&edit])
                .map_err(|e| TestCaseError::fail(format!("{e:?}\n{}", case.text)))?;
            let (start, end) = case.req_span;
            let expected = format!("{}0.14{}", &case.text[..start], &case.text[end..]);
            prop_assert_eq!(after, dress(&expected));
        }
    }
}
