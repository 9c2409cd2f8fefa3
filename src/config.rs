//! Configuration: `[workspace.metadata.etcd-deps]` (or `[package.metadata.etcd-deps]` for a
//! single-package root) in the root Cargo.toml, or `etcd-deps.toml` beside it; `--config FILE`
//! replaces discovery, and command-line flags override both.
//!
//! Every value keeps its place in the file, so an error points at the line (a miette label)
//! and an unknown key comes with a suggestion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::NamedSource;
use semver::VersionReq;
use toml_edit::{Document, Item, Value};

use crate::analysis::Code;
use crate::error::ConfigError;

mod policy;
pub use policy::{Date, PolicyRule};
pub(crate) use policy::{check_known as check_policy_crates, parse_file as parse_policy_file};

/// What a level setting asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Deny,
    Warn,
    Allow,
}

/// One `allow` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    pub krate: String,
    /// Requirements the allowed versions match (`^0.9`), so a patch release does not break it.
    pub versions: Vec<VersionReq>,
    /// The requirements as written, for messages.
    pub versions_text: Vec<String>,
    pub source: Option<String>,
    pub code: Option<Code>,
    pub reason: String,
    pub location: Location,
}

/// Where a configuration value is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// Relative to the workspace root.
    pub file: String,
    pub path: PathBuf,
    pub line: usize,
    pub span: (usize, usize),
}

/// The validated configuration. `None` means "not set here".
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub file: Option<PathBuf>,
    /// The text of `file`, as read (reports quote it; it is not read twice).
    pub text: Option<String>,
    pub watch: Option<Vec<String>>,
    pub trains: Option<Vec<Vec<String>>>,
    pub family: Option<Vec<String>>,
    pub family_level: Option<Setting>,
    pub levels: BTreeMap<Code, Setting>,
    pub edges: Option<Vec<String>>,
    pub targets: Option<Vec<String>>,
    pub allow: Vec<Allow>,
    /// Relative to the workspace root.
    pub baseline: Option<PathBuf>,
    /// `policy`: version rules with dated windows.
    pub policy: Vec<PolicyRule>,
    /// `policy-file`: a shared policy file, relative to the workspace root.
    pub policy_file: Option<PathBuf>,
}

const KEYS: &[&str] = &[
    "watch",
    "trains",
    "family",
    "family-level",
    "levels",
    "edges",
    "targets",
    "allow",
    "baseline",
    "policy",
    "policy-file",
];
const ALLOW_KEYS: &[&str] = &["crate", "versions", "source", "code", "reason"];
const EDGES: &[&str] = &[
    "normal",
    "build",
    "dev",
    "all",
    "no-dev",
    "no-build",
    "no-normal",
];

/// The files a workspace's configuration may be in, as the input stage read them.
#[derive(Debug, Default)]
pub struct Files {
    /// The root `Cargo.toml` (`None`: there is none).
    pub manifest: Option<String>,
    /// `etcd-deps.toml` at the root, when it exists, and what reading it gave.
    pub standalone: Option<std::io::Result<String>>,
}

/// Finds and validates the configuration of the workspace at `root` in its files: the
/// root manifest's `[workspace.metadata.etcd-deps]` (or `[package.metadata.etcd-deps]`) or
/// `etcd-deps.toml`, never both.
pub fn discover(root: &Path, files: Files) -> Result<Config, crate::Error> {
    let manifest = root.join("Cargo.toml");
    let standalone = root.join("etcd-deps.toml");
    let in_manifest = files.manifest.as_ref().and_then(|t| {
        let doc = Document::parse(t.clone()).ok()?;
        let found = ["workspace", "package"].iter().find_map(|top| {
            doc.get(top)?
                .get("metadata")?
                .get("etcd-deps")
                .map(|_| (*top).to_owned())
        });
        found.map(|top| (doc, top))
    });
    match (in_manifest, files.standalone) {
        (Some((doc, top)), Some(_)) => {
            let item = &doc[top.as_str()]["metadata"]["etcd-deps"];
            let span = item.span().unwrap_or(0..0);
            Err(config_error(
                &manifest,
                root,
                doc.raw(),
                span,
                format!(
                    "configuration found in both {} and [{top}.metadata.etcd-deps]",
                    standalone.display()
                ),
                "also configured here",
                Some("keep one of them".to_owned()),
            ))
        }
        (Some((doc, top)), None) => {
            let item = &doc[top.as_str()]["metadata"]["etcd-deps"];
            let Some(table) = item.as_table_like() else {
                let span = item.span().unwrap_or(0..0);
                return Err(config_error(
                    &manifest,
                    root,
                    doc.raw(),
                    span,
                    format!("[{top}.metadata.etcd-deps] must be a table"),
                    "not a table",
                    None,
                ));
            };
            let mut config = validate(table, doc.raw(), &manifest, root)?;
            config.file = Some(manifest);
            config.text = Some(doc.raw().to_owned());
            Ok(config)
        }
        (None, Some(text)) => {
            let text = text.map_err(|source| crate::Error::Read {
                path: standalone.clone(),
                source,
            })?;
            parse_file(root, &standalone, text)
        }
        (None, None) => Ok(Config::default()),
    }
}

/// Validates the configuration file `path` (`--config FILE`, or `etcd-deps.toml`), whose
/// text is `text`.
pub fn parse_file(root: &Path, path: &Path, text: String) -> Result<Config, crate::Error> {
    let doc = Document::parse(text.clone()).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        config_error(
            path,
            root,
            &text,
            span,
            format!("{} is not valid TOML: {}", path.display(), e.message()),
            "here",
            None,
        )
    })?;
    let mut config = validate(doc.as_table(), doc.raw(), path, root)?;
    config.file = Some(path.to_owned());
    config.text = Some(text);
    Ok(config)
}

fn rel(root: &Path, path: &Path) -> String {
    crate::location::relative(root, path)
}

fn config_error(
    path: &Path,
    root: &Path,
    text: &str,
    span: std::ops::Range<usize>,
    message: String,
    label: &str,
    help: Option<String>,
) -> crate::Error {
    crate::Error::Config(Box::new(ConfigError {
        message,
        src: NamedSource::new(rel(root, path), text.to_owned()),
        span: (span.start, span.end.saturating_sub(span.start)).into(),
        label: label.to_owned(),
        help,
    }))
}

fn suggestion(wrong: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(wrong, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| format!("did you mean `{k}`? (known keys: {})", known.join(", ")))
        .or_else(|| Some(format!("known keys: {}", known.join(", "))))
}

struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
    root: &'a Path,
    /// Byte offsets where lines start, so a line lookup is a binary search, not a scan.
    line_starts: Vec<usize>,
}

#[cfg(test)]
thread_local! {
    /// How often a configuration text was scanned for line starts (a complexity guard).
    static LINE_SCANS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl<'a> Ctx<'a> {
    fn new(text: &'a str, path: &'a Path, root: &'a Path) -> Ctx<'a> {
        Ctx {
            text,
            path,
            root,
            line_starts: line_starts(text),
        }
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    #[cfg(test)]
    LINE_SCANS.with(|n| n.set(n.get() + 1));
    crate::location::line_starts(text)
}

impl Ctx<'_> {
    fn err(
        &self,
        span: Option<std::ops::Range<usize>>,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> crate::Error {
        config_error(
            self.path,
            self.root,
            self.text,
            span.unwrap_or(0..0),
            message,
            label,
            help,
        )
    }

    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    fn strings(&self, key: &str, item: &Item) -> Result<Vec<String>, crate::Error> {
        let array = item.as_array().ok_or_else(|| {
            self.err(
                item.span(),
                format!("`{key}` must be an array of strings"),
                "expected an array",
                None,
            )
        })?;
        array
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    self.err(
                        v.span(),
                        format!("`{key}` must be an array of strings"),
                        "expected a string",
                        None,
                    )
                })
            })
            .collect()
    }

    /// A path setting (`baseline`, `policy-file`): a string.
    fn path(&self, key: &str, item: &Item) -> Result<PathBuf, crate::Error> {
        let s = item.as_str().ok_or_else(|| {
            self.err(
                item.span(),
                format!("`{key}` must be a path (a string)"),
                "expected a string",
                None,
            )
        })?;
        Ok(PathBuf::from(s))
    }

    fn setting(&self, key: &str, item: &Item) -> Result<Setting, crate::Error> {
        match item.as_str() {
            Some("deny") => Ok(Setting::Deny),
            Some("warn") => Ok(Setting::Warn),
            Some("allow") => Ok(Setting::Allow),
            _ => Err(self.err(
                item.span(),
                format!("`{key}` must be \"deny\", \"warn\" or \"allow\""),
                "not a level",
                None,
            )),
        }
    }
}

fn code_of(s: &str) -> Option<Code> {
    Code::ALL.into_iter().find(|c| c.as_str() == s)
}

/// Validates the configuration table: a `[table]`, an inline table or dotted keys alike.
fn validate(
    table: &dyn toml_edit::TableLike,
    text: &str,
    path: &Path,
    root: &Path,
) -> Result<Config, crate::Error> {
    let cx = Ctx::new(text, path, root);
    let mut config = Config::default();
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    for (key, item) in table.iter() {
        let key_span = table.get_key_value(key).and_then(|(k, _)| k.span());
        match key {
            "watch" => config.watch = Some(cx.strings(key, item)?),
            "family" => config.family = Some(cx.strings(key, item)?),
            "targets" => config.targets = Some(cx.strings(key, item)?),
            "edges" => config.edges = Some(edges(&cx, item)?),
            "trains" => config.trains = Some(trains(&cx, item)?),
            "family-level" => config.family_level = Some(cx.setting(key, item)?),
            "levels" => levels(&cx, item, &codes, &mut config.levels)?,
            "baseline" => config.baseline = Some(cx.path(key, item)?),
            "allow" => config.allow = allow_entries(&cx, item, &codes)?,
            "policy" => config.policy = policy::policy_entries(&cx, item)?,
            "policy-file" => config.policy_file = Some(cx.path(key, item)?),
            other => {
                return Err(cx.err(
                    key_span,
                    format!("unknown configuration key `{other}`"),
                    "unknown key",
                    suggestion(other, KEYS),
                ));
            }
        }
    }
    Ok(config)
}

/// `edges = ["normal", …]`: known kinds only.
fn edges(cx: &Ctx<'_>, item: &Item) -> Result<Vec<String>, crate::Error> {
    let edges = cx.strings("edges", item)?;
    if let Some(bad) = edges.iter().find(|e| !EDGES.contains(&e.as_str())) {
        return Err(cx.err(
            item.span(),
            format!("`edges` has an unknown kind `{bad}`"),
            "unknown kind",
            suggestion(bad, EDGES),
        ));
    }
    Ok(edges)
}

/// `trains = [["tonic", "tonic-build"], …]`: non-empty arrays of crate names.
fn trains(cx: &Ctx<'_>, item: &Item) -> Result<Vec<Vec<String>>, crate::Error> {
    let array = item.as_array().ok_or_else(|| {
        cx.err(
            item.span(),
            "`trains` must be an array of arrays of crate names".to_owned(),
            "expected an array",
            None,
        )
    })?;
    let mut trains = Vec::new();
    for v in array.iter() {
        let Value::Array(inner) = v else {
            return Err(cx.err(
                v.span(),
                "each train must be an array of crate names".to_owned(),
                "expected an array",
                Some("for example trains = [[\"tonic\", \"tonic-build\"]]".to_owned()),
            ));
        };
        let names: Option<Vec<String>> = inner
            .iter()
            .map(|x| x.as_str().map(str::to_owned))
            .collect();
        let names = names.filter(|n| !n.is_empty()).ok_or_else(|| {
            cx.err(
                v.span(),
                "each train must be a non-empty array of crate names".to_owned(),
                "here",
                None,
            )
        })?;
        trains.push(names);
    }
    Ok(trains)
}

/// `levels = { <code> = "deny" | "warn" | "allow" }`, into `levels`.
fn levels(
    cx: &Ctx<'_>,
    item: &Item,
    codes: &[&str],
    levels: &mut BTreeMap<Code, Setting>,
) -> Result<(), crate::Error> {
    let t = item.as_table_like().ok_or_else(|| {
        cx.err(
            item.span(),
            "`levels` must be a table of code = \"deny\" | \"warn\" | \"allow\"".to_owned(),
            "expected a table",
            None,
        )
    })?;
    for (code, level) in t.iter() {
        let Some(c) = code_of(code) else {
            let span = t.get_key_value(code).and_then(|(k, _)| k.span());
            return Err(cx.err(
                span,
                format!("`levels` names an unknown code `{code}`"),
                "unknown code",
                suggestion(code, codes),
            ));
        };
        levels.insert(c, cx.setting(code, level)?);
    }
    Ok(())
}

fn allow_entries(cx: &Ctx<'_>, item: &Item, codes: &[&str]) -> Result<Vec<Allow>, crate::Error> {
    allow_tables(cx, item)?
        .into_iter()
        .map(|(t, span)| allow_entry(cx, t, span, codes))
        .collect()
}

/// A table-like and its span.
type Spanned<'a> = (&'a dyn toml_edit::TableLike, Option<std::ops::Range<usize>>);

/// `allow = [{ … }]` or `[[…allow]]`: each entry as a table-like with its own span.
fn allow_tables<'a>(cx: &Ctx<'_>, item: &'a Item) -> Result<Vec<Spanned<'a>>, crate::Error> {
    match item {
        Item::Value(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::InlineTable(t) => Ok((t as &dyn toml_edit::TableLike, v.span())),
                other => Err(cx.err(
                    other.span(),
                    "each `allow` entry must be a table".to_owned(),
                    "expected { crate = …, versions = […], reason = … }",
                    None,
                )),
            })
            .collect(),
        Item::ArrayOfTables(a) => Ok(a
            .iter()
            .map(|t| (t as &dyn toml_edit::TableLike, t.span()))
            .collect()),
        other => Err(cx.err(
            other.span(),
            "`allow` must be an array of tables".to_owned(),
            "expected an array",
            None,
        )),
    }
}

/// One `allow` entry: known keys only; `crate`, `versions` and `reason` required.
fn allow_entry(
    cx: &Ctx<'_>,
    t: &dyn toml_edit::TableLike,
    span: Option<std::ops::Range<usize>>,
    codes: &[&str],
) -> Result<Allow, crate::Error> {
    for (k, _) in t.iter() {
        if !ALLOW_KEYS.contains(&k) {
            let key_span = t.get_key_value(k).and_then(|(key, _)| key.span());
            return Err(cx.err(
                key_span.or(span.clone()),
                format!("unknown key `{k}` in an `allow` entry"),
                "unknown key",
                suggestion(k, ALLOW_KEYS),
            ));
        }
    }
    let required = |k: &str| -> Result<String, crate::Error> {
        match t.get(k) {
            Some(v) => v.as_str().map(str::to_owned).ok_or_else(|| {
                cx.err(
                    v.span(),
                    format!("`{k}` in an `allow` entry must be a string"),
                    "expected a string",
                    None,
                )
            }),
            None => Err(cx.err(
                span.clone(),
                format!("an `allow` entry needs `{k}`"),
                &format!("`{k}` missing"),
                Some(
                    "for example allow = [{ crate = \"tonic\", versions = [\"^0.9\"], reason = \"…\" }]"
                        .to_owned(),
                ),
            )),
        }
    };
    let krate = required("crate")?;
    let reason = required("reason")?;
    let versions_item = t.get("versions").ok_or_else(|| {
        cx.err(
            span.clone(),
            "an `allow` entry needs `versions`".to_owned(),
            "`versions` missing",
            Some("versions are requirements such as [\"^0.9\"]".to_owned()),
        )
    })?;
    let versions_text = cx.strings("versions", versions_item)?;
    let versions = requirements(cx, versions_item, &versions_text)?;
    let source = match t.get("source") {
        None => None,
        Some(_) => Some(required("source")?),
    };
    let code = match t.get("code") {
        None => None,
        Some(v) => {
            let s = required("code")?;
            Some(code_of(&s).ok_or_else(|| {
                cx.err(
                    v.span(),
                    format!("unknown code `{s}` in an `allow` entry"),
                    "unknown code",
                    suggestion(&s, codes),
                )
            })?)
        }
    };
    let at = span.unwrap_or(0..0);
    Ok(Allow {
        krate,
        versions,
        versions_text,
        source,
        code,
        reason,
        location: Location {
            file: rel(cx.root, cx.path),
            path: cx.path.to_owned(),
            line: cx.line(at.start),
            span: (at.start, at.end),
        },
    })
}

/// An `allow` entry's `versions`, parsed; an error points at the one that is not a
/// requirement.
fn requirements(
    cx: &Ctx<'_>,
    versions_item: &Item,
    versions_text: &[String],
) -> Result<Vec<VersionReq>, crate::Error> {
    versions_text
        .iter()
        .enumerate()
        .map(|(i, v)| {
            VersionReq::parse(v).map_err(|e| {
                let vspan = versions_item
                    .as_array()
                    .and_then(|a| a.get(i))
                    .and_then(Value::span);
                cx.err(
                    vspan,
                    format!("`{v}` is not a version requirement: {e}"),
                    "not a requirement",
                    Some("write a requirement such as \"^0.9\" or \">=0.9, <0.11\"".to_owned()),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::load_config as load;

    fn parse(text: &str) -> Result<Config, crate::Error> {
        let doc = Document::parse(text.to_owned()).expect("toml");
        validate(
            doc.as_table(),
            doc.raw(),
            Path::new("/ws/etcd-deps.toml"),
            Path::new("/ws"),
        )
    }

    fn config_err(text: &str) -> ConfigError {
        match parse(text) {
            Err(crate::Error::Config(e)) => *e,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            r#"
watch = ["etcd-client", "tonic", "prost"]
trains = [["tonic", "tonic-build"]]
family = ["hyper"]
family-level = "deny"
levels = { train-skew = "warn", type-boundary = "allow" }
edges = ["no-dev"]
targets = ["x86_64-unknown-linux-gnu"]
baseline = "etcd-deps-baseline.json"
allow = [
  { crate = "tonic", versions = ["^0.9"], reason = "legacy exporter until Q3" },
  { crate = "hyper", versions = ["^0.14"], source = "registry+https://github.com/rust-lang/crates.io-index", code = "diverging-versions", reason = "x" },
]
"#,
        )
        .expect("valid");
        assert_eq!(c.watch.as_deref().map(<[String]>::len), Some(3));
        assert_eq!(c.family_level, Some(Setting::Deny));
        assert_eq!(c.levels[&Code::TrainSkew], Setting::Warn);
        assert_eq!(c.levels[&Code::TypeBoundary], Setting::Allow);
        assert_eq!(c.allow.len(), 2);
        assert_eq!(c.allow[0].location.line, 11);
        assert_eq!(c.allow[1].code, Some(Code::DivergingVersions));
        assert!(c.allow[0].versions[0].matches(&semver::Version::new(0, 9, 5)));
    }

    #[test]
    fn unknown_key_points_at_it_with_a_suggestion() {
        let e = config_err("wacth = [\"tonic\"]\n");
        assert_eq!(e.message, "unknown configuration key `wacth`");
        assert_eq!(e.span.offset(), 0);
        assert_eq!(e.span.len(), 5);
        assert!(
            e.help
                .as_deref()
                .unwrap_or("")
                .contains("did you mean `watch`?")
        );
    }

    #[test]
    fn bad_types_and_values_point_at_the_value() {
        let e = config_err("watch = \"tonic\"\n");
        assert!(e.message.contains("array of strings"));
        assert_eq!(e.span.offset(), 8);
        let e = config_err("levels = { diverging-version = \"deny\" }\n");
        assert!(e.message.contains("unknown code"));
        assert!(
            e.help
                .as_deref()
                .unwrap_or("")
                .contains("`diverging-versions`")
        );
        let e = config_err("family-level = \"error\"\n");
        assert!(e.message.contains("\"deny\", \"warn\" or \"allow\""));
        let e = config_err("allow = [{ crate = \"tonic\", versions = [\"^0.9\"] }]\n");
        assert!(e.message.contains("needs `reason`"));
        let e = config_err(
            "allow = [{ crate = \"tonic\", versions = [\"0.9.x.y\"], reason = \"r\" }]\n",
        );
        assert!(e.message.contains("not a version requirement"));
        let e =
            config_err("allow = [{ crate = \"tonic\", version = [\"^0.9\"], reason = \"r\" }]\n");
        assert!(
            e.help
                .as_deref()
                .unwrap_or("")
                .contains("did you mean `versions`?")
        );
        let e = config_err("edges = [\"normal\", \"devv\"]\n");
        assert!(e.message.contains("unknown kind `devv`"));
    }

    #[test]
    fn discovery_refuses_two_places() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = []\n\n[workspace.metadata.etcd-deps]\nwatch = [\"tonic\"]\n",
        )
        .expect("write");
        let c = load(dir.path(), None).expect("valid");
        assert_eq!(c.watch, Some(vec!["tonic".to_owned()]));
        std::fs::write(dir.path().join("etcd-deps.toml"), "watch = []\n").expect("write");
        match load(dir.path(), None) {
            Err(crate::Error::Config(e)) => assert!(e.message.contains("both")),
            other => panic!("expected a config error, got {other:?}"),
        }
    }
    /// The configuration as an inline table, a dotted key or a header table is one and the
    /// same configuration, in a workspace root and in a single-package root.
    #[test]
    fn inline_tables_are_accepted_wherever_a_table_is() {
        let config = "watch = [\"tonic\"], allow = [{ crate = \"tonic\", versions = [\"^0.9\"], reason = \"r\" }]";
        let package = "[package]\nname = \"a\"\nversion = \"0.1.0\"\n";
        let shapes = [
            format!(
                "[workspace]\nmembers = []\n\n[workspace.metadata]\netcd-deps = {{ {config} }}\n"
            ),
            format!("[workspace]\nmembers = []\nmetadata = {{ etcd-deps = {{ {config} }} }}\n"),
            format!("[workspace]\nmembers = []\nmetadata.etcd-deps = {{ {config} }}\n"),
            format!(
                "[workspace]\nmembers = []\n\n[workspace.metadata.etcd-deps]\n{}\n",
                config.replace(", allow", "\nallow")
            ),
            format!("{package}\n[package.metadata]\netcd-deps = {{ {config} }}\n"),
            format!("{package}metadata = {{ etcd-deps = {{ {config} }} }}\n"),
        ];
        for text in shapes {
            let dir = tempfile::tempdir().expect("temp dir");
            std::fs::write(dir.path().join("Cargo.toml"), &text).expect("write");
            let c = load(dir.path(), None).unwrap_or_else(|e| panic!("{text}\nrefused: {e:?}"));
            assert_eq!(c.watch, Some(vec!["tonic".to_owned()]), "{text}");
            assert_eq!(c.allow.len(), 1, "{text}");
            let line = text
                .lines()
                .position(|l| l.contains("allow"))
                .expect("allow line")
                + 1;
            assert_eq!(c.allow[0].location.line, line, "{text}");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = []\n\n[workspace.metadata]\netcd-deps = 3\n",
        )
        .expect("write");
        match load(dir.path(), None) {
            Err(crate::Error::Config(e)) => assert!(e.message.contains("must be a table")),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    /// A complexity guard, not a timing: the text is scanned for line starts once, however
    /// many `allow` entries ask for their line (it was once scanned per entry: quadratic).
    #[test]
    fn allow_entries_are_located_with_one_scan_of_the_text() {
        let mut text = String::from("allow = [\n");
        for i in 0..2_000 {
            text.push_str(&format!(
                "  {{ crate = \"c{i}\", versions = [\"^0.9\"], reason = \"r\" }},\n"
            ));
        }
        text.push_str("]\n");
        LINE_SCANS.with(|n| n.set(0));
        let c = parse(&text).expect("valid");
        assert_eq!(c.allow.len(), 2_000);
        assert_eq!(c.allow[1_999].location.line, 2_001);
        assert_eq!(LINE_SCANS.with(std::cell::Cell::get), 1);
    }
}
