//! Where each dependency is declared: a read-only index (`SpanIndex`) built once from the
//! workspace's manifests before the analysis, which asks it, for an origin (member, key,
//! kind, platform), for the manifest, the table as written (`target.'cfg(unix)'.dependencies`),
//! the 1-based line and the byte span of the key, following `key.workspace = true` to the
//! root's `[workspace.dependencies]`. The reports read the texts it holds for their snippets.
//!
//! Declarations are found with the dependency-table walker of [`super::document`], which
//! matches target tables by parsing their keys as platforms, never by comparing strings:
//! cargo normalises `cfg(any(unix,windows))` to `cfg(any(unix, windows))`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{Item, Table};

use super::document::{self, Manifest, Section, written_requirement};
use crate::graph::{CRATES_IO_INDEX, Kind};
use crate::location::{line_of, line_starts, relative};

/// The workspace's manifests, parsed once, by absolute path: where each dependency is
/// declared, and the texts the reports point into. `SpanIndex::default()` indexes no
/// manifest: origins keep what the graph says (a verification copy, a hand-built graph).
#[derive(Debug, Default)]
pub struct SpanIndex {
    /// The workspace root (`None`: nothing is located).
    root: Option<PathBuf>,
    docs: BTreeMap<PathBuf, Option<Manifest>>,
    /// Other files the reports point into (the configuration file).
    other: BTreeMap<PathBuf, String>,
    /// Where each line of each text starts, indexed once per file, so that a snippet of a
    /// long file (a configuration with 100,000 allow entries) costs its own lines only.
    line_starts: BTreeMap<PathBuf, Vec<usize>>,
}

/// The lines of a file around some spans: what a diagnostic snippet shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window<'a> {
    /// The lines, from the start of the first to the end of the last (newline included).
    pub text: &'a str,
    /// The byte offset of `text` in the file.
    pub offset: usize,
    /// The 0-based line number of the first line.
    pub first_line: usize,
}

impl SpanIndex {
    /// The index of a workspace rooted at `root`, over its manifests as the input stage read
    /// and parsed them (`None`: a manifest that could not be read or parsed, indexed as
    /// absent). Nothing is read here.
    pub fn new(
        root: PathBuf,
        manifests: impl IntoIterator<Item = (PathBuf, Option<Manifest>)>,
    ) -> SpanIndex {
        let mut index = SpanIndex {
            root: Some(root),
            ..SpanIndex::default()
        };
        for (path, doc) in manifests {
            index.docs.insert(path.clone(), doc);
            index.index_lines(&path);
        }
        index
    }

    /// The lines of a text read here that hold `spans` (byte ranges), with `context` lines
    /// either side.
    pub fn window(
        &self,
        path: &Path,
        spans: &[(usize, usize)],
        context: usize,
    ) -> Option<Window<'_>> {
        let text = self.text(path)?;
        let starts = self.line_starts.get(path)?;
        let lo = spans.iter().map(|s| s.0).min()?.min(text.len());
        let hi = spans.iter().map(|s| s.1).max()?.min(text.len());
        // The line holding a byte: the last line start at or before it.
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let first_line = line_of(lo).saturating_sub(context);
        let end_line = line_of(hi) + context + 1;
        let offset = starts[first_line];
        let end = starts.get(end_line).copied().unwrap_or(text.len());
        Some(Window {
            text: &text[offset..end],
            offset,
            first_line,
        })
    }

    fn index_lines(&mut self, path: &Path) {
        let starts = self.text(path).map(line_starts);
        if let Some(starts) = starts {
            self.line_starts.insert(path.to_owned(), starts);
        }
    }

    /// The text of a manifest that was read, if it could be.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.docs
            .get(path)
            .and_then(|d| d.as_ref())
            .map(|d| d.raw())
            .or_else(|| self.other.get(path).map(String::as_str))
    }

    /// Adds a file the reports may point into.
    pub fn insert(&mut self, path: PathBuf, text: String) {
        self.other.insert(path.clone(), text);
        self.index_lines(&path);
    }
}

/// A declaration found in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Declaration {
    table: String,
    line: usize,
    span: (usize, usize),
    inherited: bool,
    /// The version requirement as written, if the declaration has one.
    req: Option<String>,
}

/// Where a member declares a dependency: what an origin says about its declaration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Declared {
    /// Where the requirement is written, relative to the workspace root, and absolute.
    pub manifest: Option<String>,
    pub manifest_abs: Option<PathBuf>,
    /// The table as written, the 1-based line and the byte span of the key.
    pub table: Option<String>,
    pub line: Option<usize>,
    pub span: Option<(usize, usize)>,
    /// The requirement string as written.
    pub written_req: Option<String>,
    /// For an inherited key (`key.workspace = true`): the member's own manifest and line.
    pub member_manifest: Option<String>,
    pub member_manifest_abs: Option<PathBuf>,
    pub member_line: Option<usize>,
    pub member_span: Option<(usize, usize)>,
}

impl SpanIndex {
    /// Where the member whose manifest is `manifest` declares `key` in its `kind` table
    /// (under `[target.<platform>]` when given). A manifest that could not be read (saved
    /// metadata from another machine) leaves the declaration's place empty.
    pub fn declared(
        &self,
        manifest: &Path,
        kind: Kind,
        platform: Option<&str>,
        key: &str,
    ) -> Declared {
        let mut at = Declared::default();
        let Some(root) = &self.root else {
            return at;
        };
        if manifest.as_os_str().is_empty() {
            // A Cargo.lock read alone: no manifest to point at.
            return at;
        }
        at.manifest = Some(relative(root, manifest));
        at.manifest_abs = Some(manifest.to_owned());
        let Some(doc) = self.parsed(manifest) else {
            return at;
        };
        let Some(decl) = find_declaration(doc.as_table(), doc.raw(), kind, platform, key) else {
            return at;
        };
        if !decl.inherited {
            at.table = Some(decl.table);
            at.line = Some(decl.line);
            at.span = Some(decl.span);
            at.written_req = decl.req;
            return at;
        }
        // `key.workspace = true`: the requirement is written in the root manifest.
        let root_manifest = root.join("Cargo.toml");
        at.member_manifest = at.manifest.take();
        at.member_line = Some(decl.line);
        at.member_span = Some(decl.span);
        at.manifest = Some(relative(root, &root_manifest));
        at.manifest_abs = Some(root_manifest.clone());
        at.member_manifest_abs = Some(manifest.to_owned());
        let Some(root_doc) = self.parsed(&root_manifest) else {
            return at;
        };
        let raw = root_doc.raw();
        let found = root_doc
            .as_table()
            .get("workspace")
            .and_then(Item::as_table_like)
            .and_then(|ws| ws.get("dependencies"))
            .and_then(Item::as_table_like)
            .and_then(|deps| deps.get_key_value(key));
        if let Some((key, item)) = found
            && let Some(span) = key.span()
        {
            at.table = Some("workspace.dependencies".to_owned());
            at.line = Some(line_of(raw, span.start));
            at.span = Some((span.start, span.end));
            at.written_req = written_requirement(item);
        }
        at
    }

    /// A manifest given to [`SpanIndex::new`].
    fn parsed(&self, path: &Path) -> Option<&Manifest> {
        self.docs.get(path).and_then(Option::as_ref)
    }
}

/// Looks up `key` in the dependency table for `kind` (under `[target.<platform>]` when given).
fn find_declaration(
    root: &Table,
    raw: &str,
    kind: Kind,
    platform: Option<&str>,
    key: &str,
) -> Option<Declaration> {
    let entry = document::find(root, Section::Package(kind), platform, key)?;
    let span = entry.span()?;
    Some(Declaration {
        table: entry.table.path(raw),
        line: line_of(raw, span.0),
        span,
        inherited: entry.inherited(),
        req: entry.requirement(),
    })
}

/// The `[patch]` section of a root manifest that names crates.io by its index URL, if any:
/// (the key, the key as written: `"https://github.com/rust-lang/crates.io-index"`). cargo
/// reads that section for crates.io and silently ignores a `[patch.crates-io]` beside it
/// (checked with cargo 1.95), so new entries belong in it. The sparse URL
/// (`sparse+https://index.crates.io/`) is another source to cargo and does not count.
pub fn crates_io_patch_section(root_manifest: &str) -> Option<(String, String)> {
    let doc = Manifest::parse(root_manifest.to_owned()).ok()?;
    let patch = doc.as_table().get("patch")?.as_table_like()?;
    let (key, _) = patch.iter().find(|(key, item)| {
        let url = key.trim().trim_end_matches('/');
        let url = url.strip_suffix(".git").unwrap_or(url);
        item.is_table_like() && url.eq_ignore_ascii_case(CRATES_IO_INDEX)
    })?;
    let written = patch
        .get_key_value(key)
        .and_then(|(k, _)| k.span())
        .map(|span| doc.raw()[span].to_owned())
        .unwrap_or_else(|| format!("'{key}'"));
    Some((key.to_owned(), written))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, kind: Kind, platform: Option<&str>, key: &str) -> Option<Declaration> {
        let doc = Manifest::parse(text.to_owned()).expect("valid toml");
        find_declaration(doc.as_table(), doc.raw(), kind, platform, key)
    }

    #[test]
    fn plain_key_in_dependencies() {
        let d = find(
            "[package]\nname='a'\n\n[dependencies]\ntonic = \"0.12\"\n",
            Kind::Normal,
            None,
            "tonic",
        )
        .expect("found");
        assert_eq!(
            (d.table.as_str(), d.line, d.inherited),
            ("dependencies", 5, false)
        );
    }

    #[test]
    fn header_style_table_points_at_the_header() {
        let d = find(
            "[dependencies.etcd-client]\nversion = \"0.11\"\n",
            Kind::Normal,
            None,
            "etcd-client",
        )
        .expect("found");
        assert_eq!(d.line, 1);
    }

    #[test]
    fn target_tables_match_by_parsed_platform() {
        let text = "[target.'cfg(any(unix,windows))'.dev-dependencies]\netcd-client = \"0.11\"\n";
        let d = find(
            text,
            Kind::Dev,
            Some("cfg(any(unix, windows))"),
            "etcd-client",
        )
        .expect("found");
        assert_eq!(d.table, "target.'cfg(any(unix,windows))'.dev-dependencies");
        assert_eq!(d.line, 2);
    }

    #[test]
    fn dotted_workspace_key_is_inherited() {
        let d = find(
            "[dependencies]\netcd-client.workspace = true\n",
            Kind::Normal,
            None,
            "etcd-client",
        )
        .expect("found");
        assert!(d.inherited);
        assert_eq!(d.line, 2);
    }

    #[test]
    fn underscore_table_names_are_accepted() {
        let d = find(
            "[build_dependencies]\ntonic-build = \"0.12\"\n",
            Kind::Build,
            None,
            "tonic-build",
        )
        .expect("found");
        assert_eq!(d.table, "build_dependencies");
    }

    #[test]
    fn the_patch_section_named_by_the_index_url_is_found_as_written() {
        let found = |text: &str| crates_io_patch_section(text);
        assert_eq!(
            found(
                "[patch.\"https://github.com/rust-lang/crates.io-index\"]\nprost = { path = \"p\" }\n"
            ),
            Some((
                "https://github.com/rust-lang/crates.io-index".to_owned(),
                "\"https://github.com/rust-lang/crates.io-index\"".to_owned()
            ))
        );
        assert_eq!(
            found("[patch.'https://github.com/rust-lang/crates.io-index/']\n").map(|(_, w)| w),
            Some("'https://github.com/rust-lang/crates.io-index/'".to_owned())
        );
        assert_eq!(found("[patch.crates-io]\nprost = { path = \"p\" }\n"), None);
        assert_eq!(found("[patch.'sparse+https://index.crates.io/']\n"), None);
        assert_eq!(found("[package]\nname = \"a\"\n"), None);
    }

    #[test]
    fn a_window_holds_the_spans_lines_and_context_only() {
        let text: String = (1..=1000).map(|i| format!("line{i}\n")).collect();
        let mut sources = SpanIndex::default();
        let path = PathBuf::from("/ws/etcd-deps.toml");
        sources.insert(path.clone(), text.clone());
        let at = |line: usize| text.find(&format!("line{line}\n")).expect("line");
        let w = sources
            .window(&path, &[(at(500), at(500) + 7), (at(502), at(502) + 7)], 2)
            .expect("window");
        assert_eq!(w.first_line, 497);
        assert_eq!(w.offset, at(498));
        assert_eq!(
            w.text,
            "line498\nline499\nline500\nline501\nline502\nline503\nline504\n"
        );
        let first = sources.window(&path, &[(0, 5)], 2).expect("window");
        assert_eq!((first.first_line, first.text), (0, "line1\nline2\nline3\n"));
        let last = sources
            .window(&path, &[(at(1000), at(1000) + 8)], 2)
            .expect("window");
        assert_eq!(last.text, "line998\nline999\nline1000\n");
    }

    /// An index of two manifests given as texts, rooted at `/ws`.
    fn index(root: &str, member: &str) -> SpanIndex {
        let mut index = SpanIndex {
            root: Some(PathBuf::from("/ws")),
            ..SpanIndex::default()
        };
        for (path, text) in [("/ws/Cargo.toml", root), ("/ws/app/Cargo.toml", member)] {
            let doc = Manifest::parse(text.to_owned()).expect("valid toml");
            index.docs.insert(PathBuf::from(path), Some(doc));
        }
        index
    }

    #[test]
    fn an_inherited_key_is_declared_at_the_root_and_on_the_members_line() {
        let index = index(
            "[workspace]\nmembers = ['app']\n\n[workspace.dependencies]\ntonic = \"0.12\"\n",
            "[package]\nname = 'app'\n\n[dependencies]\ntonic.workspace = true\n",
        );
        let at = index.declared(Path::new("/ws/app/Cargo.toml"), Kind::Normal, None, "tonic");
        assert_eq!(at.manifest.as_deref(), Some("Cargo.toml"));
        assert_eq!(at.table.as_deref(), Some("workspace.dependencies"));
        assert_eq!(at.line, Some(5));
        assert_eq!(at.written_req.as_deref(), Some("0.12"));
        assert_eq!(at.member_manifest.as_deref(), Some("app/Cargo.toml"));
        assert_eq!(at.member_line, Some(5));
    }

    #[test]
    fn an_empty_index_locates_nothing() {
        let at = SpanIndex::default().declared(
            Path::new("/ws/app/Cargo.toml"),
            Kind::Normal,
            None,
            "tonic",
        );
        assert_eq!(at, Declared::default());
    }

    #[test]
    fn missing_key_is_none() {
        assert!(find("[dependencies]\n", Kind::Normal, None, "tonic").is_none());
    }
}
