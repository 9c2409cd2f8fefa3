//! The manifest document type and the one walker over its dependency tables.
//!
//! A dependency table is `[dependencies]`, `[build-dependencies]` or `[dev-dependencies]`
//! (cargo still reads `build_dependencies` and `dev_dependencies`), each also under
//! `[target.<platform>]`, or `[workspace.dependencies]`. [`tables`] lists them in one order:
//! the package's own tables by kind, then each `[target.*]` key's in document order, then the
//! workspace's; [`entries`] walks their keys. Every reader and editor of dependency
//! declarations (spans, edits, the lockfile reader, the registry's stub manifests, the
//! verification copy) goes through them, so they agree on what a dependency table is.
//!
//! Target keys are matched by parsing them as platforms, never by comparing strings: cargo
//! normalises `cfg(any(unix,windows))` to `cfg(any(unix, windows))`.

use std::str::FromStr;

use cargo_platform::Platform;
use toml_edit::{Document, Item, Key, Table, TableLike, TomlError};

use crate::graph::Kind;

/// The tables that declare dependencies of `kind`, preferred spelling first.
pub fn table_names(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Normal => &["dependencies"],
        Kind::Build => &["build-dependencies", "build_dependencies"],
        Kind::Dev => &["dev-dependencies", "dev_dependencies"],
    }
}

/// A parsed Cargo.toml that keeps its text, so keys have spans and lines.
#[derive(Debug)]
pub struct Manifest {
    doc: Document<String>,
    /// The offsets of the text's line breaks, found when a line is first asked for: a large
    /// manifest is asked the line of every declaration.
    breaks: std::sync::OnceLock<Vec<usize>>,
}

impl Manifest {
    pub fn parse(text: String) -> Result<Manifest, TomlError> {
        Document::parse(text).map(|doc| Manifest {
            doc,
            breaks: std::sync::OnceLock::new(),
        })
    }

    /// The text as read.
    pub fn raw(&self) -> &str {
        self.doc.raw()
    }

    /// The top-level table.
    pub fn as_table(&self) -> &Table {
        self.doc.as_table()
    }

    /// The top-level item `key` (`package`, `workspace`, `features`).
    pub fn get(&self, key: &str) -> Option<&Item> {
        self.doc.get(key)
    }

    /// Every dependency table, in the walker's order.
    pub fn tables(&self) -> impl Iterator<Item = DepTable<'_>> {
        tables(self.as_table())
    }

    /// Every declared dependency, in the walker's order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        entries(self.as_table())
    }

    /// The declaration of `key` in the package's `kind` table (under `[target.<platform>]`
    /// when given).
    pub fn find(&self, kind: Kind, platform: Option<&str>, key: &str) -> Option<Entry<'_>> {
        find(self.as_table(), Section::Package(kind), platform, key)
    }

    /// `[workspace.dependencies]`, if the manifest has it.
    /// Whether cargo resolves this root manifest's workspace preferring releases within its
    /// `rust-version` by itself: `resolver = "3"`, or edition 2024 without a resolver named.
    pub fn resolver_honours_rust_version(&self) -> bool {
        let named = |table: &str| {
            self.get(table)
                .and_then(|t| t.get("resolver"))
                .and_then(Item::as_str)
                .map(str::to_owned)
        };
        match named("workspace").or_else(|| named("package")) {
            Some(resolver) => resolver == "3",
            None => {
                self.get("package")
                    .and_then(|p| p.get("edition"))
                    .and_then(Item::as_str)
                    == Some("2024")
            }
        }
    }

    pub fn workspace_dependencies(&self) -> Option<&dyn TableLike> {
        self.tables()
            .find(|t| t.section == Section::Workspace)
            .map(|t| t.table)
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let breaks = self.breaks.get_or_init(|| {
            let bytes = self.raw().bytes().enumerate();
            bytes.filter(|&(_, b)| b == b'\n').map(|(i, _)| i).collect()
        });
        breaks.partition_point(|&at| at < offset) + 1
    }
}

/// Which dependencies a table declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The package's own dependencies of one kind (possibly under `[target.*]`).
    Package(Kind),
    /// `[workspace.dependencies]`, which members inherit with `key.workspace = true`.
    Workspace,
}

/// A manifest's `[features]` table as written: each feature and the values it enables
/// (`feat`, `dep:x`, `x/feat`, `x?/feat`). Values that are not strings are left out.
pub fn feature_table(doc: &Manifest) -> std::collections::BTreeMap<String, Vec<String>> {
    let Some(table) = doc.get("features").and_then(Item::as_table_like) else {
        return Default::default();
    };
    table
        .iter()
        .map(|(k, v)| {
            let values = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (k.to_owned(), values)
        })
        .collect()
}

/// A target condition (`cfg(any(unix,windows))`, a triple) as cargo metadata spells it
/// (`cfg(any(unix, windows))`), or as written when it does not parse.
pub fn platform_spelling(written: &str) -> String {
    Platform::from_str(written)
        .map(|p| p.to_string())
        .unwrap_or_else(|_| written.to_owned())
}

/// One dependency table of a manifest.
#[derive(Clone, Copy)]
pub struct DepTable<'a> {
    pub section: Section,
    /// The `[target.<platform>]` key the table sits under, as a key (its text and span).
    pub target: Option<&'a Key>,
    /// The table's name as spelled in the manifest (`dev_dependencies`).
    pub name: &'static str,
    pub table: &'a dyn TableLike,
}

impl<'a> DepTable<'a> {
    /// The target key parsed as a platform; `None` for a table not under `[target.*]` or a
    /// key cargo could not parse either.
    pub fn platform(&self) -> Option<Platform> {
        self.target.and_then(|k| Platform::from_str(k.get()).ok())
    }

    /// The target key as cargo metadata spells it (`cfg(any(unix, windows))`), or as written
    /// when it does not parse.
    pub fn platform_name(&self) -> Option<String> {
        self.target.map(|k| platform_spelling(k.get()))
    }

    /// Whether the table declares `section` dependencies for `platform` (`None`: not under
    /// `[target.*]`); platforms compare parsed.
    pub fn declares(&self, section: Section, platform: Option<&Platform>) -> bool {
        self.section == section
            && match (platform, self.target) {
                (None, None) => true,
                (Some(wanted), Some(_)) => self.platform().as_ref() == Some(wanted),
                _ => false,
            }
    }

    /// The dotted path as written in `raw`, the manifest's text:
    /// `target.'cfg(unix)'.dependencies`, `workspace.dependencies`.
    pub fn path(&self, raw: &str) -> String {
        match (self.section, self.target) {
            (Section::Workspace, _) => "workspace.dependencies".to_owned(),
            (Section::Package(_), None) => self.name.to_owned(),
            (Section::Package(_), Some(key)) => {
                let written = key
                    .span()
                    .and_then(|span| raw.get(span))
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("'{}'", key.get()));
                format!("target.{written}.{}", self.name)
            }
        }
    }

    /// Where the table is, to find it again in a document being edited.
    pub fn at(&self) -> TableAt {
        TableAt {
            section: self.section,
            target: self.target.map(|k| k.get().to_owned()),
            name: self.name,
        }
    }
}

impl std::fmt::Debug for DepTable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DepTable")
            .field("section", &self.section)
            .field("target", &self.target.map(Key::get))
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A dependency table's address: enough to find it in a mutable document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableAt {
    pub section: Section,
    pub target: Option<String>,
    pub name: &'static str,
}

/// One declared dependency: its table, its key as written and its value.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub table: DepTable<'a>,
    pub key: &'a Key,
    pub item: &'a Item,
}

impl Entry<'_> {
    /// `key.workspace = true`: the declaration inherits from `[workspace.dependencies]`.
    pub fn inherited(&self) -> bool {
        self.item
            .as_table_like()
            .and_then(|t| t.get("workspace"))
            .and_then(Item::as_bool)
            .unwrap_or(false)
    }

    /// The version requirement as written, if any.
    pub fn requirement(&self) -> Option<String> {
        written_requirement(self.item)
    }

    /// The key's byte span in the text (the header's key for `[dependencies.x]`).
    pub fn span(&self) -> Option<(usize, usize)> {
        self.key.span().map(|s| (s.start, s.end))
    }
}

/// Every dependency table under `root`: the package's tables by kind (each spelling), then
/// each `[target.*]` key's in document order, then `[workspace.dependencies]`.
pub fn tables(root: &Table) -> impl Iterator<Item = DepTable<'_>> {
    let package = by_kind(root, None);
    let targets = root
        .get("target")
        .and_then(Item::as_table_like)
        .into_iter()
        .flat_map(|targets| targets.iter().filter_map(|(k, _)| targets.get_key_value(k)))
        .filter_map(|(key, item)| Some((key, item.as_table_like()?)))
        .flat_map(|(key, scope)| by_kind(scope, Some(key)));
    let workspace = root
        .get("workspace")
        .and_then(Item::as_table_like)
        .and_then(|ws| ws.get("dependencies"))
        .and_then(Item::as_table_like)
        .map(|table| DepTable {
            section: Section::Workspace,
            target: None,
            name: "dependencies",
            table,
        });
    package.chain(targets).chain(workspace)
}

/// The kinds' tables in one scope (the package, or one `[target.*]` key).
fn by_kind<'a>(
    scope: &'a dyn TableLike,
    target: Option<&'a Key>,
) -> impl Iterator<Item = DepTable<'a>> {
    Kind::ALL.into_iter().flat_map(move |kind| {
        table_names(kind).iter().filter_map(move |name| {
            Some(DepTable {
                section: Section::Package(kind),
                target,
                name,
                table: scope.get(name)?.as_table_like()?,
            })
        })
    })
}

/// Every declared dependency under `root`, table by table in [`tables`]' order, keys in
/// document order.
pub fn entries(root: &Table) -> impl Iterator<Item = Entry<'_>> {
    tables(root).flat_map(|table| {
        table
            .table
            .iter()
            .filter_map(move |(k, _)| table.table.get_key_value(k))
            .map(move |(key, item)| Entry { table, key, item })
    })
}

/// The declaration of `key` in the first `section` table for `platform` that has it.
/// `None` when there is none, or `platform` does not parse.
pub fn find<'a>(
    root: &'a Table,
    section: Section,
    platform: Option<&str>,
    key: &str,
) -> Option<Entry<'a>> {
    let wanted = match platform {
        Some(p) => Some(Platform::from_str(p).ok()?),
        None => None,
    };
    tables(root)
        .filter(|t| t.declares(section, wanted.as_ref()))
        .find_map(|table| {
            let (key, item) = table.table.get_key_value(key)?;
            Some(Entry { table, key, item })
        })
}

/// The table at `at` in a document being edited.
pub fn table_mut<'a>(root: &'a mut Table, at: &TableAt) -> Option<&'a mut dyn TableLike> {
    let scope: &mut dyn TableLike = match (&at.section, &at.target) {
        (Section::Workspace, _) => root.get_mut("workspace")?.as_table_like_mut()?,
        (Section::Package(_), None) => root,
        (Section::Package(_), Some(target)) => root
            .get_mut("target")?
            .as_table_like_mut()?
            .get_mut(target)?
            .as_table_like_mut()?,
    };
    scope.get_mut(at.name)?.as_table_like_mut()
}

/// The version requirement of a dependency entry: `"0.11"` or `{ version = "0.11", … }`.
pub fn written_requirement(item: &Item) -> Option<String> {
    match item {
        Item::Value(toml_edit::Value::String(s)) => Some(s.value().clone()),
        other => other
            .as_table_like()
            .and_then(|t| t.get("version"))
            .and_then(Item::as_str)
            .map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Manifest {
        Manifest::parse(text.to_owned()).expect("valid toml")
    }

    const EVERY_TABLE: &str = "\
[package]
name = 'app'

[workspace.dependencies]
prost = '0.13'

[dev_dependencies]
tokio = '1'

[dependencies]
etcd = { package = 'etcd-client', version = '0.11' }

[target.'cfg(any(unix,windows))'.build-dependencies]
tonic-build = '0.12'

[target.x86_64-unknown-linux-gnu.dependencies.tonic]
version = '0.12'

[build-dependencies]
prost-build.workspace = true
";

    #[test]
    fn tables_come_package_first_then_targets_then_workspace() {
        let m = parse(EVERY_TABLE);
        let paths: Vec<String> = m.tables().map(|t| t.path(m.raw())).collect();
        assert_eq!(
            paths,
            [
                "dependencies",
                "build-dependencies",
                "dev_dependencies",
                "target.'cfg(any(unix,windows))'.build-dependencies",
                "target.x86_64-unknown-linux-gnu.dependencies",
                "workspace.dependencies",
            ]
        );
    }

    #[test]
    fn entries_carry_kind_platform_key_and_line() {
        let m = parse(EVERY_TABLE);
        let seen: Vec<(Section, Option<String>, &str, usize)> = m
            .entries()
            .map(|e| {
                let line = m.line_of(e.span().expect("span").0);
                (e.table.section, e.table.platform_name(), e.key.get(), line)
            })
            .collect();
        assert_eq!(
            seen,
            [
                (Section::Package(Kind::Normal), None, "etcd", 11),
                (Section::Package(Kind::Build), None, "prost-build", 20),
                (Section::Package(Kind::Dev), None, "tokio", 8),
                (
                    Section::Package(Kind::Build),
                    Some("cfg(any(unix, windows))".to_owned()),
                    "tonic-build",
                    14
                ),
                (
                    Section::Package(Kind::Normal),
                    Some("x86_64-unknown-linux-gnu".to_owned()),
                    "tonic",
                    16
                ),
                (Section::Workspace, None, "prost", 5),
            ]
        );
    }

    #[test]
    fn find_matches_target_keys_by_parsed_platform() {
        let m = parse(EVERY_TABLE);
        let e = m
            .find(Kind::Build, Some("cfg(any(unix, windows))"), "tonic-build")
            .expect("found");
        assert_eq!(
            e.table.path(m.raw()),
            "target.'cfg(any(unix,windows))'.build-dependencies"
        );
        assert_eq!(e.requirement().as_deref(), Some("0.12"));
        assert!(m.find(Kind::Build, None, "tonic-build").is_none());
        assert!(
            m.find(Kind::Build, Some("cfg(unix)"), "tonic-build")
                .is_none()
        );
        assert!(m.find(Kind::Build, Some("cfg(("), "tonic-build").is_none());
    }

    #[test]
    fn find_reads_requirements_and_inheritance() {
        let m = parse(EVERY_TABLE);
        let etcd = m.find(Kind::Normal, None, "etcd").expect("etcd");
        assert_eq!(
            (etcd.requirement().as_deref(), etcd.inherited()),
            (Some("0.11"), false)
        );
        let inherited = m
            .find(Kind::Build, None, "prost-build")
            .expect("prost-build");
        assert!(inherited.inherited());
        assert_eq!(inherited.requirement(), None);
        let ws = m.workspace_dependencies().expect("workspace table");
        assert!(ws.get("prost").is_some());
    }

    #[test]
    fn a_table_is_found_again_for_editing() {
        let m = parse(EVERY_TABLE);
        let mut doc: toml_edit::DocumentMut = EVERY_TABLE.parse().expect("parses");
        for table in m.tables() {
            let keys: Vec<String> = table.table.iter().map(|(k, _)| k.to_owned()).collect();
            let found = table_mut(doc.as_table_mut(), &table.at()).expect("found again");
            let again: Vec<String> = found.iter().map(|(k, _)| k.to_owned()).collect();
            assert_eq!(keys, again, "{:?}", table.at());
        }
    }
}
