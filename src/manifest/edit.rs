//! Manifest edits: the only writer of files.
//!
//! Edits are computed in memory with toml_edit (only the edited value changes; its quoting,
//! whitespace and comments, and every other byte of the file, are kept), each new text is
//! re-parsed, and only then written: atomically (a temp file in the same directory, renamed
//! over the original), all or nothing across files, after checking that no file changed
//! since planning and that none is marked read-only. Writes go through [`WriteFs`], the seam
//! the tests use to inject failures.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use cargo_metadata::cargo_platform::Platform;
use toml_edit::{DocumentMut, Item, Table, Value};

use crate::graph::Kind;
use crate::plan::{Edit, EditTarget};

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

/// Why an edit could not be computed or written.
#[derive(Debug)]
pub enum EditError {
    /// The manifest could not be read.
    Read { path: PathBuf, source: io::Error },
    /// The manifest is not valid TOML, or the edited text would not be.
    Parse { path: PathBuf, message: String },
    /// The key the plan names is not where the plan says.
    NotFound { path: PathBuf, message: String },
    /// The file changed between planning and writing.
    Changed { path: PathBuf },
    /// The file's mode bits say read-only.
    ReadOnly { path: PathBuf },
    /// The file lies outside the workspace root.
    OutsideRoot { path: PathBuf },
    /// Writing failed; every file written before was restored.
    Write {
        path: PathBuf,
        source: io::Error,
        restore_failures: Vec<(PathBuf, io::Error)>,
    },
}

/// Computes the new text of every manifest the edits touch. Nothing is written.
pub fn compute(edits: &[Edit], root: &Path) -> Result<Vec<FileChange>, EditError> {
    let mut docs: BTreeMap<PathBuf, (String, DocumentMut)> = BTreeMap::new();
    for edit in edits {
        let path = match &edit.target {
            EditTarget::Requirement { manifest, .. } | EditTarget::Patch { manifest, .. } => {
                manifest.clone()
            }
        };
        if !docs.contains_key(&path) {
            let text = std::fs::read_to_string(&path).map_err(|source| EditError::Read {
                path: path.clone(),
                source,
            })?;
            let doc = DocumentMut::from_str(&text).map_err(|e| EditError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?;
            docs.insert(path.clone(), (text, doc));
        }
        let (_, doc) = docs.get_mut(&path).expect("inserted above");
        apply(doc, edit).map_err(|message| EditError::NotFound {
            path: path.clone(),
            message,
        })?;
    }
    let mut out = Vec::new();
    for (path, (before, doc)) in docs {
        let after = doc.to_string();
        // Re-parse: an edit must never produce a manifest cargo cannot read.
        DocumentMut::from_str(&after).map_err(|e| EditError::Parse {
            path: path.clone(),
            message: format!("the edited text does not parse: {e}"),
        })?;
        if after != before {
            out.push(FileChange {
                rel: crate::manifest::spans::relative(root, &path),
                path,
                before,
                after,
            });
        }
    }
    Ok(out)
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
            let table = if *workspace {
                doc.get_mut("workspace")
                    .and_then(Item::as_table_like_mut)
                    .and_then(|t| t.get_mut("dependencies"))
                    .and_then(Item::as_table_like_mut)
                    .ok_or("no [workspace.dependencies] table")?
            } else {
                dependency_table(doc.as_table_mut(), *kind, platform.as_deref())?
            };
            let item = table
                .get_mut(key)
                .ok_or_else(|| format!("no `{key}` in [{}]", edit.table))?;
            set_requirement(item, &edit.to).map_err(|m| format!("`{key}` in [{}]: {m}", edit.table))
        }
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

fn dependency_table<'a>(
    root: &'a mut Table,
    kind: Kind,
    platform: Option<&str>,
) -> Result<&'a mut dyn toml_edit::TableLike, String> {
    let names = kind.table_names();
    let scope: &mut dyn toml_edit::TableLike = match platform {
        None => root,
        Some(p) => {
            let wanted = Platform::from_str(p).map_err(|e| e.to_string())?;
            let targets = root
                .get_mut("target")
                .and_then(Item::as_table_like_mut)
                .ok_or("no [target] tables")?;
            let key = targets
                .iter()
                .map(|(k, _)| k.to_owned())
                .find(|k| Platform::from_str(k).ok().as_ref() == Some(&wanted))
                .ok_or_else(|| format!("no [target.'{p}'] table"))?;
            targets
                .get_mut(&key)
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| format!("[target.'{p}'] is not a table"))?
        }
    };
    let name = names
        .iter()
        .find(|n| scope.get(n).is_some_and(|i| i.is_table_like()))
        .ok_or_else(|| format!("no [{}] table", names[0]))?;
    scope
        .get_mut(name)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("[{name}] is not a table"))
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

/// Writes whole files. The seam for fault injection: tests supply one that fails.
pub trait WriteFs {
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()>;
}

/// Atomic writes: a temp file in the same directory, flushed, given the original's
/// permissions, and renamed over the original.
#[derive(Debug, Default)]
pub struct AtomicFs;

impl WriteFs for AtomicFs {
    fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".etcd-deps-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        tmp.write_all(contents)?;
        tmp.as_file().sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            tmp.as_file().set_permissions(meta.permissions())?;
        }
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Writes every change, all or nothing: refuses before any write when a file lies outside
/// `root`, is marked read-only or changed since planning; when a write fails, restores every
/// file already written.
pub fn commit(changes: &[FileChange], root: &Path, fs: &dyn WriteFs) -> Result<(), EditError> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    for change in changes {
        let real = change
            .path
            .canonicalize()
            .unwrap_or_else(|_| change.path.clone());
        if !real.starts_with(&root) {
            return Err(EditError::OutsideRoot {
                path: change.path.clone(),
            });
        }
        let meta = std::fs::metadata(&change.path).map_err(|source| EditError::Read {
            path: change.path.clone(),
            source,
        })?;
        if meta.permissions().readonly() {
            return Err(EditError::ReadOnly {
                path: change.path.clone(),
            });
        }
        let now = std::fs::read(&change.path).map_err(|source| EditError::Read {
            path: change.path.clone(),
            source,
        })?;
        if now != change.before.as_bytes() {
            return Err(EditError::Changed {
                path: change.path.clone(),
            });
        }
    }
    for (i, change) in changes.iter().enumerate() {
        if let Err(source) = fs.write(&change.path, change.after.as_bytes()) {
            let restore_failures = restore(&changes[..i], fs);
            return Err(EditError::Write {
                path: change.path.clone(),
                source,
                restore_failures,
            });
        }
    }
    Ok(())
}

/// Writes back the `before` text of each change; returns the files that could not be.
pub fn restore(changes: &[FileChange], fs: &dyn WriteFs) -> Vec<(PathBuf, io::Error)> {
    let mut failures = Vec::new();
    for change in changes.iter().rev() {
        if let Err(e) = fs.write(&change.path, change.before.as_bytes()) {
            failures.push((change.path.clone(), e));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PatchSpec;

    fn edit(table: &str, key: &str, to: &str, target: EditTarget) -> Edit {
        Edit {
            manifest: "Cargo.toml".to_owned(),
            table: table.to_owned(),
            key: key.to_owned(),
            from: None,
            to: to.to_owned(),
            reason: String::new(),
            finding: String::new(),
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

    #[test]
    fn patch_section_is_added_at_the_end() {
        let text =
            "[package]\nname = \"app\"\n\n[dependencies]\ntonic = { path = \"forks/tonic\" }\n";
        let e = edit(
            "patch.crates-io",
            "tonic",
            "",
            EditTarget::Patch {
                manifest: PathBuf::from("Cargo.toml"),
                registry: "crates-io".to_owned(),
                krate: "tonic".to_owned(),
                spec: PatchSpec::Path("forks/tonic".to_owned()),
            },
        );
        assert_eq!(
            edited(text, &e),
            "[package]\nname = \"app\"\n\n[dependencies]\ntonic = { path = \"forks/tonic\" }\n\n[patch.crates-io]\ntonic = { path = \"forks/tonic\" }\n"
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn an_edit_changes_only_the_requirement(case in case()) {
            let edit = Edit {
                manifest: "Cargo.toml".to_owned(),
                table: case.table.clone(),
                key: case.key.clone(),
                from: None,
                to: "0.14".to_owned(),
                reason: String::new(),
                finding: String::new(),
                target: case.target.clone(),
            };
            let mut doc = DocumentMut::from_str(&case.text).expect("generated manifests parse");
            apply(&mut doc, &edit).map_err(|e| TestCaseError::fail(format!("{e}\n{}", case.text)))?;
            let after = doc.to_string();
            let (start, end) = case.req_span;
            let expected = format!("{}0.14{}", &case.text[..start], &case.text[end..]);
            prop_assert_eq!(&after, &expected);
            prop_assert!(DocumentMut::from_str(&after).is_ok());
        }
    }
}

#[cfg(test)]
mod commit_tests {
    use super::*;

    fn change(dir: &Path, name: &str, before: &str, after: &str) -> FileChange {
        let path = dir.join(name);
        std::fs::write(&path, before).expect("write");
        FileChange {
            path,
            rel: name.to_owned(),
            before: before.to_owned(),
            after: after.to_owned(),
        }
    }

    #[test]
    fn a_file_changed_since_planning_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = change(dir.path(), "a.toml", "a = 1\n", "a = 2\n");
        let b = change(dir.path(), "b.toml", "b = 1\n", "b = 2\n");
        std::fs::write(&b.path, "b = 1 # edited meanwhile\n").expect("write");
        let err = commit(&[a.clone(), b.clone()], dir.path(), &AtomicFs).expect_err("refused");
        assert!(matches!(err, EditError::Changed { ref path } if *path == b.path));
        assert_eq!(std::fs::read_to_string(&a.path).expect("read"), "a = 1\n");
        assert_eq!(
            std::fs::read_to_string(&b.path).expect("read"),
            "b = 1 # edited meanwhile\n"
        );
    }

    #[test]
    fn a_file_outside_the_root_is_refused() {
        let root = tempfile::tempdir().expect("temp dir");
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let c = change(elsewhere.path(), "Cargo.toml", "x = 1\n", "x = 2\n");
        let err = commit(std::slice::from_ref(&c), root.path(), &AtomicFs).expect_err("refused");
        assert!(matches!(err, EditError::OutsideRoot { .. }));
        assert_eq!(std::fs::read_to_string(&c.path).expect("read"), "x = 1\n");
    }

    #[test]
    fn atomic_writes_keep_permissions_and_leave_no_temp_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let c = change(dir.path(), "Cargo.toml", "x = 1\n", "x = 2\n");
        std::fs::set_permissions(&c.path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        commit(std::slice::from_ref(&c), dir.path(), &AtomicFs).expect("written");
        assert_eq!(std::fs::read_to_string(&c.path).expect("read"), "x = 2\n");
        let mode = std::fs::metadata(&c.path)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o640);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["Cargo.toml"]);
    }
}
